import {
  AGENT_ID_PATTERN,
  buildKeyHistories,
  type CardRegistrationEvidence,
  type CheckOutcome,
  checkDirectInclusion,
  currentKey,
  eventId,
  eventLeafHash,
  expectedFoundOr,
  Fields,
  formatCount,
  formatCountOf,
  isLineageError,
  type JsonValue,
  type KeyHistories,
  type LineageEvent,
  type LogPosition,
  parseEvent,
  parseStrictJson,
  parseTimestamp,
  SthVerifier,
  shortId,
  type TrustStore,
  utf8DecodeStrict,
  verifyEventSignature,
} from '@lineage/verifier-core';
import { LIMITS } from './limits.js';

export const HISTORY_CHECK = 'proof.key_history';
/**
 * The `found` of the two key-history gaps that get a sentence of their own (sentences.ts): fixed
 * strings of ours, never text a site controls.
 */
export const HISTORY_ABSENT = 'no key history published';
export const HISTORY_UNPINNED = 'proven only in a log you have not pinned';
export const HISTORY_TITLE =
  'The agent’s key history is published, and every lifecycle event in it is signed and in a pinned log';
const CODE = 'history.schema';

/** What the agent-history document (spec §6.5) established, for `verifyAgentCard`. */
export interface VerifiedHistory {
  outcome: CheckOutcome;
  /** The document's agent id, when it parsed. */
  agentId: string | null;
  /** Only when `outcome` passed: the key history built from the proven lifecycle events. */
  histories?: KeyHistories;
  /** The proven `identity.register` event with its inclusion proof (for `card.lineage`). */
  registration?: CardRegistrationEvidence;
}

/**
 * Verifies an agent-history document with verifier-core only: strict JSON, every entry a signed
 * lifecycle event (§4.6) of the named agent with an `EventInclusion` (§4.2.4) under a tree head of
 * a pinned log, then the key history built from them (`buildKeyHistories`). Anything short of
 * that yields no key history, so the card's key is never taken as current on partial evidence.
 */
export async function verifyHistoryDocument(
  bytes: Uint8Array,
  url: string,
  trust: TrustStore,
  nowMs: number,
): Promise<VerifiedHistory> {
  let agentId: string | null = null;
  const result = (status: CheckOutcome['status'], extra: Partial<CheckOutcome> = {}): VerifiedHistory => ({
    agentId,
    outcome: {
      id: HISTORY_CHECK,
      status,
      subject: { kind: 'card', id: agentId ?? url, field: url },
      title: HISTORY_TITLE,
      ...extra,
    },
  });

  let entries: { event: LineageEvent; raw: JsonValue; inclusion: JsonValue; path: string }[];
  try {
    const doc = Fields.of(parseStrictJson(utf8DecodeStrict(bytes, 'history')), '', CODE).closed([
      'type',
      'version',
      'agent_id',
      'events',
    ]);
    doc.literal('type', ['lineage.agent-history']);
    doc.literal('version', [1]);
    agentId = doc.str('agent_id', AGENT_ID_PATTERN, 'an agent id lin:agent:<64 hex>');
    const list = doc.array('events');
    if (list.length === 0 || list.length > LIMITS.historyEvents) {
      return result('fail', {
        reason: `the history lists ${formatCount(list.length)} events; it must list 1 to ${LIMITS.historyEvents} (history.size)`,
        expected: `1 to ${formatCount(LIMITS.historyEvents)} events`,
        found: formatCount(list.length),
      });
    }
    entries = list.map(({ value, path }) => {
      const f = Fields.of(value, path, CODE).closed(['event', 'inclusion']);
      const raw = f.raw('event') ?? null;
      return { event: parseEvent(raw, `${path}/event`), raw, inclusion: f.raw('inclusion') ?? null, path };
    });
  } catch (e) {
    if (!isLineageError(e)) throw e;
    return result('fail', {
      reason: `the history is malformed at ${e.path ?? '/'}: ${e.detail} (${e.code})`,
      ...expectedFoundOr(e, {
        expected: 'a well-formed key history document (spec §6.5)',
        found: `malformed at ${e.path ?? '/'}`,
      }),
    });
  }

  const sths = new SthVerifier(trust, { nowSeconds: BigInt(Math.floor(nowMs / 1000)) });
  const seen = new Set<string>();
  let unpinned: string | null = null;
  let registration: CardRegistrationEvidence | undefined;
  const positions = new Map<LineageEvent, LogPosition[]>();
  for (const [i, x] of entries.entries()) {
    const id = eventId(x.event);
    const where = `event ${i} (${shortId(id)})`;
    if (seen.has(id))
      return result('fail', {
        reason: `${where} is listed twice (history.duplicate)`,
        expected: 'each lifecycle event once',
        found: `${shortId(id)} again`,
      });
    seen.add(id);
    const l = x.event.lifecycle;
    if (!l || l.agent_id !== agentId) {
      return result('fail', {
        reason: `${where} is not a lifecycle event of ${agentId}`,
        expected: `an identity.* event with lifecycle.agent_id ${agentId}`,
        found: l ? `lifecycle of ${l.agent_id}` : `action ${x.event.action}`,
      });
    }
    if (!(await verifyEventSignature(x.event))) {
      return result('fail', {
        reason: `${where}: the signature does not verify (event.signature)`,
        expected: `a signature by ${shortId(x.event.signature.public_key)} over the event`,
        found: `signature ${shortId(x.event.signature.value)}, which does not verify`,
      });
    }
    const inc = await checkDirectInclusion(x.inclusion, `${x.path}/inclusion`, eventLeafHash(x.event), sths);
    if (!inc.ok) {
      if (!inc.untrusted)
        return result('fail', {
          reason: `${where}: ${inc.reason} (event.inclusion)`,
          ...expectedFoundOr(inc, {
            expected: 'an inclusion proof under a pinned log',
            found: 'a proof that does not verify',
          }),
        });
      unpinned ??= `${where}: ${inc.reason}`;
      continue;
    }
    if (parseTimestamp(x.event.timestamp) > inc.sth.timestampMs) {
      return result('fail', {
        reason: `${where} is timestamped ${x.event.timestamp}, after the tree head of ${inc.sth.timestamp} that includes it (event.sth_time)`,
        expected: `at or before ${inc.sth.timestamp}`,
        found: x.event.timestamp,
      });
    }
    if (l.op === 'register') registration = { event: x.raw, inclusion: x.inclusion };
    // Log order, not the events' own timestamps, decides the order they apply in.
    positions.set(x.event, [
      { log: inc.logOrigin, index: inc.leafIndex, sthMs: inc.sth.timestampMs, sthTime: inc.sth.timestamp },
    ]);
  }
  if (unpinned) {
    // Proven only in a log the user has not pinned: no worse than no history, no better.
    return result('not_checked', {
      reason: `${unpinned} (history.unpinned_log)`,
      expected: 'a key history proven in a log you pinned',
      found: HISTORY_UNPINNED,
    });
  }

  const built = await buildKeyHistories(
    entries.map((x) => x.event),
    { trust, positionsOf: (e) => positions.get(e) },
  );
  const problem = built.problems[0];
  if (problem) {
    return result('fail', {
      reason: `lifecycle event ${shortId(problem.eventId)}: ${problem.reason} (history.lifecycle)`,
      expected: problem.expected,
      found: problem.found,
    });
  }
  const h = agentId ? built.histories.get(agentId) : undefined;
  if (!h || !agentId) {
    return result('fail', {
      reason: `the history has no registration of ${agentId}`,
      found: 'history.lifecycle',
    });
  }
  const cur = currentKey(built.histories, agentId);
  const out = result('pass', {
    found: `${formatCountOf(entries.length, 'lifecycle event')}, registered ${
      h.intervals[0]!.fromTime
    }; ${cur ? `current key ${shortId(cur)}` : 'no key is valid now (revoked or superseded)'}`,
  });
  out.histories = built.histories;
  if (registration) out.registration = registration;
  return out;
}
