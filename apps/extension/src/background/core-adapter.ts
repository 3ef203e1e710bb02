import {
  type CheckOutcome,
  CLOCK_ALLOWANCE_MS,
  expectedFoundOf,
  formatTimestamp,
  type NoteVerifierKey,
  parseLineageSthTimestamp,
  parseStrictJson,
  parseVkey,
  type TrustStore,
  verifyAgentCard,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@lineage/verifier-core';
import type { CardView } from '../storage/types.js';
import type { CoreApi, HistoryFetch, RejectedCheckpoint, VerifiedCheckpoint } from './core-api.js';
import {
  HISTORY_ABSENT,
  HISTORY_CHECK,
  HISTORY_TITLE,
  type VerifiedHistory,
  verifyHistoryDocument,
} from './core-history.js';

const MAX_LIST = 32;
const MAX_TEXT = 200;

/** Keys from the trust store that parse; a malformed pinned key is skipped, never half-used. */
function keys(vkeys: readonly string[]): NoteVerifierKey[] {
  const out: NoteVerifierKey[] = [];
  for (const v of vkeys) {
    try {
      out.push(parseVkey(v));
    } catch {
      // trust.store already reported it when the store was imported.
    }
  }
  return out;
}

/** Codes meaning "none of the pinned keys signed this", as opposed to "a pinned key's signature is bad". */
const NOT_THIS_LOG = new Set(['checkpoint.log-signature', 'checkpoint.origin']);

/** A Lineage STH's `timestamp` line (ms); null when the checkpoint is not a Lineage STH. */
function sthTimestamp(extensionLines: readonly string[]): number | null {
  try {
    return parseLineageSthTimestamp(extensionLines);
  } catch {
    return null;
  }
}

async function checkpoint(
  note: string,
  trust: TrustStore,
  nowMs: number,
): Promise<VerifiedCheckpoint | RejectedCheckpoint> {
  const witnesses = keys(trust.witnesses.vkeys);
  // A cosignature dated more than the allowance after now does not count toward the quorum (§3).
  const nowSeconds = BigInt(Math.floor(nowMs / 1000));
  let firstOrigin: string | null = null;
  let unknown: RejectedCheckpoint | null = null;
  for (const log of trust.logs) {
    const [key] = keys([log.vkey]);
    if (!key) continue;
    const r = await verifyCheckpoint(note, {
      logKeys: [key],
      origin: log.origin,
      witnesses,
      witnessThreshold: trust.witnesses.threshold,
      nowSeconds,
    });
    const timestampMs = r.ok ? sthTimestamp(r.checkpoint.extensionLines) : null;
    if (r.ok && timestampMs !== null && timestampMs > nowMs + CLOCK_ALLOWANCE_MS) {
      // No log signs a tree head in the future (spec §4.2.4): the log's clock or key was misused,
      // or this computer's clock is behind. Not remembered either: it would be the reference later.
      return {
        ok: false,
        unknownLog: false,
        code: 'checkpoint.future',
        message: `the tree head is dated ${formatTimestamp(timestampMs)}, after this computer's time ${formatTimestamp(nowMs)}: no log signs a tree head in the future — the log's clock or key was misused, or this computer's clock is behind`,
        log: r.checkpoint.origin,
        expected: `a tree head dated at or before ${formatTimestamp(nowMs)} (with ${CLOCK_ALLOWANCE_MS / 60_000} minutes for clock differences)`,
        found: formatTimestamp(timestampMs),
      };
    }
    if (r.ok) {
      return {
        ok: true,
        log: r.checkpoint.origin,
        size: r.checkpoint.size,
        root: r.checkpoint.rootHash,
        timestampMs,
        checks: [
          {
            id: 'proof.checkpoint',
            status: 'pass',
            subject: { kind: 'checkpoint', id: r.checkpoint.origin },
            title: 'The checkpoint is signed by a log you trust',
          },
          ...(trust.witnesses.threshold > 0
            ? [
                {
                  id: 'proof.witnesses',
                  status: 'pass' as const,
                  subject: { kind: 'checkpoint' as const, id: r.checkpoint.origin },
                  title: `At least ${trust.witnesses.threshold} of ${witnesses.length} pinned witnesses cosigned`,
                  found: `${r.witnessSigners.length} cosignatures`,
                },
              ]
            : []),
        ],
      };
    }
    firstOrigin ??= r.checkpoint?.origin ?? null;
    if (r.checkpoint?.origin === log.origin && r.code !== 'checkpoint.origin') {
      // It claims to be a log you pinned: anything short of that log's valid signature is a
      // failure (an impersonation or a forgery), not merely an unknown log.
      return {
        ok: false,
        unknownLog: false,
        code: r.code,
        message: r.message,
        log: log.origin,
        ...expectedFoundOf(r),
      };
    }
    if (!NOT_THIS_LOG.has(r.code) && !r.checkpoint) {
      // The note itself is malformed: no log could accept it.
      return { ok: false, unknownLog: false, code: r.code, message: r.message, log: null };
    }
    unknown ??= { ok: false, unknownLog: true, code: r.code, message: r.message, log: firstOrigin };
  }
  if (unknown) {
    return {
      ...unknown,
      message: `no pinned log key signed the checkpoint of "${unknown.log ?? 'unknown origin'}"`,
    };
  }
  // Nothing pinned at all: parse for the origin only, to say which log it was.
  const r = await verifyCheckpoint(note, { logKeys: [] });
  const origin = !r.ok && r.checkpoint ? r.checkpoint.origin : null;
  if (!r.ok && !r.checkpoint)
    return { ok: false, unknownLog: false, code: r.code, message: r.message, log: null };
  return {
    ok: false,
    unknownLog: true,
    code: 'checkpoint.log-signature',
    message: `no log keys are pinned; the checkpoint is from "${origin ?? 'unknown origin'}"`,
    log: origin,
  };
}

function clip(s: unknown): string {
  return typeof s === 'string' ? s.slice(0, MAX_TEXT) : '';
}

/** `proof.key_history` for a card of `agentId`, from what the site published. */
function historyOutcome(agentId: string, history: HistoryFetch, vh: VerifiedHistory | null): CheckOutcome {
  const base = {
    id: HISTORY_CHECK,
    subject: { kind: 'card' as const, id: agentId, field: history.url },
    title: HISTORY_TITLE,
  };
  if (history.kind === 'absent')
    return {
      ...base,
      status: 'not_checked',
      reason: `the site publishes no key history at ${history.url} (history.absent)`,
      expected: `the agent's key history at ${history.url}`,
      found: HISTORY_ABSENT,
    };
  if (history.kind === 'error')
    return {
      ...base,
      status: 'fail',
      reason: `${history.message} (history.fetch)`,
      expected: `a key history document at ${history.url}`,
      found: 'a response that could not be read as one',
    };
  if (vh && vh.agentId !== null && vh.agentId !== agentId) {
    return {
      ...base,
      status: 'fail',
      reason: 'the published key history is of another agent than the card',
      expected: agentId,
      found: vh.agentId,
    };
  }
  return vh!.outcome;
}

export const coreApi: CoreApi = {
  async verifyCard(text, trust, history, nowMs) {
    const vh =
      history?.kind === 'ok' ? await verifyHistoryDocument(history.bytes, history.url, trust, nowMs) : null;
    const r = await verifyAgentCard(text, trust, {
      ...(vh?.histories ? { keyHistories: vh.histories } : {}),
      ...(vh?.registration ? { registration: vh.registration } : {}),
    });
    const checks = [...r.checks];
    // Without an identity block there is no key to look up; the card checks already say so.
    if (history && r.identity?.agent_id) checks.push(historyOutcome(r.identity.agent_id, history, vh));
    const s = r.card;
    const provider = s.provider?.organization ?? s.provider?.url;
    const card: CardView | null = r.checks.some((c) => c.id === 'card.parse' && c.status === 'pass')
      ? {
          shape: r.shape,
          name: clip(s.name),
          provider: provider ? clip(provider) : null,
          skills: s.skills.slice(0, MAX_LIST).map((k) => clip(k.name || k.id)),
          interfaces: s.interfaces
            .slice(0, MAX_LIST)
            .map((i) =>
              clip(
                `${i.protocolBinding} ${i.protocolVersion} ${i.url}${i.translated ? ' (translated)' : ''}`,
              ),
            ),
          agentId: r.identity?.agent_id ? clip(r.identity.agent_id) : null,
        }
      : null;
    return { checks, card };
  },
  verifyCheckpoint: checkpoint,
  verifyInclusion: (p) => verifyInclusion(p),
  verifyConsistency: (p) => verifyConsistency(p),
  parseStrictJson: (text) => parseStrictJson(text),
};
