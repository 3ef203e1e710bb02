import type { CheckOutcome } from '@lineage/verifier-core';
import type { FinalStatus } from '../storage/types.js';
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
  'card.fetch': 'Failed: the agent card could not be fetched within the limits.',
  'card.parse': 'Failed: the agent card is not a strict JSON object.',
  'card.shape': 'Failed: the agent card is missing required fields.',
  'card.identity_block': 'Failed: the card’s identity block is malformed.',
  'card.agent_id': 'Failed: the agent id does not match the card’s key (impersonation).',
  'card.identity_proof': 'Failed: the card’s identity proof does not verify.',
  'card.capability_digest': 'Failed: the card’s skills or capabilities were changed after it was signed.',
  'card.a2a_signature': 'Failed: the card’s signature does not verify (forged or altered card).',
  'trust.store': 'Failed: your trust store is not well-formed.',
};

const WARN: Readonly<Record<string, string>> = {
  'proof.checkpoint': 'Warning: the proof is signed by a log you have not pinned, or the site sends none.',
  'proof.inclusion.card': 'Warning: the site sends no inclusion proof for its agent card.',
  'proof.inclusion.body': 'Warning: the page proof could not be bound to a Content-Digest.',
  'proof.consistency': 'Warning: the log grew, but its consistency with what you saw before is unproven.',
  'card.fetch': 'Warning: the site advertises Lineage but publishes no agent card.',
  'card.identity_block': 'Warning: the agent card has no Lineage identity block.',
  'card.a2a_signature': 'Warning: the agent card is unsigned, or signed by a key you do not trust.',
  'card.shape': 'Warning: the agent card’s shape could not be fully checked.',
};

export function sentenceFor(status: FinalStatus, checks: readonly CheckOutcome[]): string {
  if (status === 'failed') {
    const f = checks.find((c) => c.status === 'fail');
    return (f && FAIL[f.id]) ?? SENTENCES.failed;
  }
  if (status === 'warning') {
    const w = checks.find((c) => c.status === 'not_checked' && WARN[c.id]);
    return (w && WARN[w.id]) ?? SENTENCES.warning;
  }
  return SENTENCES[status];
}
