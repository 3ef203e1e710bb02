import type { CheckOutcome } from '@lineage/verifier-core';
import type { FinalStatus } from '../storage/types.js';
import { HISTORY_ABSENT, HISTORY_UNPINNED } from './core-history.js';
import { EQUIVOCATING_FOUND } from './equivocation.js';
import { OLDER_UNPROVEN_FOUND, ROLLBACK_FOUND } from './split-view.js';
import { SENTENCES } from './tab-state.js';

/**
 * One sentence per state, chosen by check id from this fixed table, so nothing a site controls
 * (card names, header text, reasons quoting them) can ever appear in the verdict line.
 */
const FAIL: Readonly<Record<string, string>> = {
  'proof.headers': 'Failed: the site sent malformed or oversized Lineage proof headers.',
  'proof.checkpoint': 'Failed: the checkpoint’s signature does not verify under the pinned log key.',
  'proof.inclusion.card': 'Failed: the inclusion proof does not place this agent card in the log.',
  'proof.inclusion.body': 'Failed: the inclusion proof does not place this page’s Content-Digest in the log.',
  'proof.consistency': 'Failed: split view — the log is showing different histories to different people.',
  [`proof.consistency:${ROLLBACK_FOUND}`]:
    'Failed: the log rolled back — it signed a smaller tree after a larger one.',
  [`proof.consistency:${EQUIVOCATING_FOUND}`]:
    'Failed: this log was caught signing two contradicting tree heads; the evidence is kept (see Details).',
  'card.fetch': 'Failed: the agent card could not be fetched within the limits.',
  'card.parse': 'Failed: the agent card is not a strict JSON object.',
  'card.shape': 'Failed: the agent card is missing required fields.',
  'card.identity_block': 'Failed: the card’s identity block is malformed.',
  'card.agent_id': 'Failed: the agent id does not match the card’s key (impersonation).',
  'card.identity_proof': 'Failed: the card’s identity proof does not verify.',
  'card.capability_digest': 'Failed: the card’s skills or capabilities were changed after it was signed.',
  'card.a2a_signature': 'Failed: the card’s signature does not verify (forged or altered card).',
  'card.key_current': 'Failed: the card names a key the agent has revoked or rotated out.',
  'card.lineage': 'Failed: the card’s lineage pointers do not lead to its registration in the log.',
  'proof.key_history':
    'Failed: the agent’s key history does not verify (a lifecycle event’s signature or log proof is wrong).',
  'trust.store': 'Failed: your trust store is not well-formed.',
};

const WARN: Readonly<Record<string, string>> = {
  'proof.checkpoint': 'Warning: the proof is signed by a log you have not pinned, or the site sends none.',
  'proof.inclusion.card': 'Warning: the site sends no inclusion proof for its agent card.',
  'proof.inclusion.body': 'Warning: the page proof could not be bound to a Content-Digest.',
  'proof.consistency': 'Warning: the log grew, but its consistency with what you saw before is unproven.',
  [`proof.consistency:${OLDER_UNPROVEN_FOUND}`]:
    'Warning: the site shows an older tree head than one you saw before, and no proof links the two.',
  'card.fetch': 'Warning: the site advertises Lineage but publishes no agent card.',
  'card.identity_block': 'Warning: the agent card has no Lineage identity block.',
  'card.a2a_signature': 'Warning: the agent card is unsigned, or signed by a key you do not trust.',
  'card.shape': 'Warning: the agent card’s shape could not be fully checked.',
  'card.origin':
    'Warning: the agent card is served by an origin it does not name, so it may be a copy of another agent’s card.',
  'proof.transport':
    'Warning: this site uses plain HTTP, so anyone on the network could have supplied its card and proofs.',
  [`proof.key_history:${HISTORY_ABSENT}`]:
    'Warning: key history not published, so the card’s key could have been revoked.',
  [`proof.key_history:${HISTORY_UNPINNED}`]:
    'Warning: the agent’s key history is proven only in a log you have not pinned, so the card’s key could have been revoked.',
  'card.key_current': 'Warning: the card’s key could not be checked against the agent’s key history.',
  'card.lineage': 'Warning: the card’s registration in the log could not be checked.',
};

/**
 * Key-history gaps follow from most other gaps (no card, no trusted log), so another missing
 * proof is named first; among them the history's own outcome says best why.
 */
const LAST = ['proof.key_history', 'card.key_current', 'card.lineage'];

/** Our sentence for an unchecked outcome: by id and, for the key history, our own fixed `found`. */
const warnFor = (c: CheckOutcome) => WARN[`${c.id}:${c.found ?? ''}`] ?? WARN[c.id];

export function sentenceFor(status: FinalStatus, checks: readonly CheckOutcome[]): string {
  if (status === 'failed') {
    const f = checks.find((c) => c.status === 'fail');
    return (f && (FAIL[`${f.id}:${f.found ?? ''}`] ?? FAIL[f.id])) ?? SENTENCES.failed;
  }
  if (status === 'warning') {
    const open = checks.filter((c) => c.status === 'not_checked');
    const w =
      open.find((c) => !LAST.includes(c.id) && warnFor(c)) ??
      LAST.map((id) => open.find((c) => c.id === id && warnFor(c))).find((c) => c !== undefined);
    return (w && warnFor(w)) ?? SENTENCES.warning;
  }
  return SENTENCES[status];
}
