import type { CryptoBackend } from '../crypto/backend.js';
import { eventId } from '../events/hash.js';
import { short } from '../events/outcome.js';
import { parseTimestamp } from '../events/time.js';
import type { LineageEvent } from '../events/types.js';
import { verifyEventSignatures } from '../events/verify.js';
import type { TrustStore } from '../trust/types.js';
import { deriveAgentId } from './agent-id.js';

/**
 * An agent's key history, built from its identity lifecycle events (spec §4.6):
 * each key is valid on [from, until). After a revocation of the current key or a
 * supersession, no key of the agent is valid.
 */
export interface KeyInterval {
  key: string;
  from: number;
  fromTime: string;
  until?: number;
  untilTime?: string;
  endedBy?: 'rotate' | 'revoke' | 'supersede';
}

export interface AgentKeyHistory {
  agentId: string;
  genesisKey: string;
  intervals: KeyInterval[];
  /** Revocations of keys no longer current: key → revocation instant. */
  revokedAt: Map<string, { at: number; time: string }>;
}

export type KeyHistories = Map<string, AgentKeyHistory>;

export interface LifecycleProblem {
  eventId: string;
  reason: string;
  /** Who had to sign (or what had to hold) and what the event shows instead. */
  expected: string;
  found: string;
}

const REVOKER_ROLES = ['security_officer', 'authorizing_official'];

/**
 * Applies lifecycle events in time order. Each must be validly signed and
 * authorized; those that are not are skipped and reported as problems (the event
 * itself also fails its own checks in the chain engine).
 */
export async function buildKeyHistories(
  events: readonly LineageEvent[],
  trust?: TrustStore,
  backend?: CryptoBackend,
): Promise<{ histories: KeyHistories; problems: LifecycleProblem[] }> {
  const histories: KeyHistories = new Map();
  const problems: LifecycleProblem[] = [];
  const lifecycle = events
    .filter((e) => e.lifecycle)
    .map((e) => ({ e, t: parseTimestamp(e.timestamp) }))
    .sort((a, b) => a.t - b.t || a.e.sequence - b.e.sequence);
  // Every lifecycle signature in one batch (the node backend spreads it over its workers): a
  // capsule may hold thousands of registrations, and one at a time they would all be serial.
  const signed = await verifyEventSignatures(
    lifecycle.map((x) => x.e),
    backend,
  );
  for (const [i, { e, t }] of lifecycle.entries()) {
    const id = eventId(e);
    const problem = (reason: string, expected: string, found: string) =>
      problems.push({ eventId: id, reason, expected, found });
    const l = e.lifecycle!;
    const signer = e.signature.public_key;
    const signedBy = `signed as ${e.actor} with key ${short(signer)}`;
    if (!signed[i]) {
      problem(
        'lifecycle event signature does not verify',
        `a signature by ${short(signer)} over this event`,
        `signature ${short(e.signature.value)}, which does not verify`,
      );
      continue;
    }
    const h = histories.get(l.agent_id);
    const open = h?.intervals.at(-1);
    const current = open && open.until === undefined ? open : undefined;
    if (l.op === 'register') {
      if (h)
        problem(
          `agent ${l.agent_id} is already registered`,
          'one registration per agent',
          `a second registration (the first at ${h.intervals[0]?.fromTime ?? 'an earlier time'})`,
        );
      else if (deriveAgentId(l.public_key) !== l.agent_id)
        problem(
          'registered key does not hash to the agent id',
          `a key deriving ${l.agent_id}`,
          `key ${short(l.public_key)}`,
        );
      else if (e.actor !== l.agent_id || signer !== l.public_key)
        problem(
          'registration is not signed by the registered key',
          `signed as ${l.agent_id} with key ${short(l.public_key)}`,
          signedBy,
        );
      else
        histories.set(l.agent_id, {
          agentId: l.agent_id,
          genesisKey: l.public_key,
          intervals: [{ key: l.public_key, from: t, fromTime: e.timestamp }],
          revokedAt: new Map(),
        });
      continue;
    }
    if (!h) {
      problem(
        `agent ${l.agent_id} has no registration before ${e.timestamp}`,
        `a registration of the agent before ${e.timestamp}`,
        'none',
      );
      continue;
    }
    const signedByCurrent = e.actor === l.agent_id && current !== undefined && signer === current.key;
    const byCurrent = `signed as ${l.agent_id} with its current key ${current ? short(current.key) : '(none: no open key interval)'}`;
    const close = (by: KeyInterval['endedBy']) => {
      current!.until = t;
      current!.untilTime = e.timestamp;
      current!.endedBy = by;
    };
    if (l.op === 'rotate') {
      if (!signedByCurrent || l.public_key !== current!.key)
        problem('rotation is not signed by the current key', byCurrent, signedBy);
      else {
        close('rotate');
        h.intervals.push({ key: l.new_public_key, from: t, fromTime: e.timestamp });
      }
    } else if (l.op === 'supersede') {
      if (!signedByCurrent) problem('supersession is not signed by the current key', byCurrent, signedBy);
      else close('supersede');
    } else {
      const approver = trust?.approvers.find((a) => a.id === e.actor);
      const byHuman =
        e.actor_kind === 'human' &&
        approver !== undefined &&
        approver.public_key === signer &&
        approver.roles.some((r) => REVOKER_ROLES.includes(r));
      if (!signedByCurrent && !byHuman) {
        problem(
          'revocation is signed neither by the current key nor by a pinned security officer / authorizing official',
          `${byCurrent}, or by a pinned security officer or authorizing official`,
          signedBy,
        );
      } else if (current && current.key === l.public_key) close('revoke');
      else h.revokedAt.set(l.public_key, { at: t, time: e.timestamp });
    }
  }
  return { histories, problems };
}

export type KeyStatus =
  | { status: 'valid'; detail: string }
  /** `expected`/`found`: what a valid key would have been, and what this one is (for the report). */
  | { status: 'invalid'; detail: string; expected: string; found: string }
  | { status: 'unknown'; detail: string };

/** Is `key` a key of `agentId` at all (genesis or rotated to)? */
export function keyBelongsToAgent(
  histories: KeyHistories | undefined,
  agentId: string,
  key: string,
): boolean {
  if (deriveAgentId(key) === agentId) return true;
  return histories?.get(agentId)?.intervals.some((i) => i.key === key) ?? false;
}

/** Was `key` the valid key of `agentId` at instant `t` (epoch ms)? */
export function keyStatusAt(
  histories: KeyHistories | undefined,
  agentId: string,
  key: string,
  t: number,
  time: string,
): KeyStatus {
  const h = histories?.get(agentId);
  if (!h) {
    return deriveAgentId(key) === agentId
      ? {
          status: 'unknown',
          detail: 'genesis key; no key history (lifecycle events) supplied for this agent',
        }
      : {
          status: 'invalid',
          detail: 'key is not the genesis key of this agent and no key history binds it',
          expected: `the key whose hash is ${agentId}, or one its key history binds`,
          found: `key ${short(key)}, no key history for the agent`,
        };
  }
  // What a valid key would have been at t, for the report: the agent's key then, if it had one.
  const validAt = () => {
    const then = h.intervals.find((i) => i.from <= t && (i.until === undefined || t < i.until));
    return then
      ? `the agent's key at ${time}: ${short(then.key)}`
      : `an unrevoked key of the agent at ${time} (the agent had none then)`;
  };
  const revoked = h.revokedAt.get(key);
  if (revoked && revoked.at <= t)
    return {
      status: 'invalid',
      detail: `key was revoked at ${revoked.time}, before the event at ${time}`,
      expected: validAt(),
      found: `key ${short(key)}, revoked at ${revoked.time}`,
    };
  // The common case first, without a filtered copy: the key's interval that contains t.
  const hit = h.intervals.find((i) => i.key === key && i.from <= t && (i.until === undefined || t < i.until));
  if (hit) return validIn(hit);
  const mine = h.intervals.filter((i) => i.key === key);
  if (mine.length === 0)
    return {
      status: 'invalid',
      detail: "key never appears in the agent's key history",
      expected: validAt(),
      found: `key ${short(key)}, in no interval of the agent's key history`,
    };
  const first = mine[0]!;
  if (t < first.from)
    return {
      status: 'invalid',
      detail: `event at ${time} predates the key's registration at ${first.fromTime}`,
      expected: `a time at or after ${first.fromTime}, when key ${short(key)} was registered`,
      found: time,
    };
  const ended = mine.find((i) => i.until !== undefined && i.until <= t)!;
  const how =
    ended.endedBy === 'rotate' ? 'rotated out' : ended.endedBy === 'revoke' ? 'revoked' : 'superseded';
  return {
    status: 'invalid',
    detail: `key was ${how} at ${ended.untilTime}, before the event at ${time}`,
    expected: validAt(),
    found: `key ${short(key)}, ${how} at ${ended.untilTime}`,
  };
}

// One status per interval, shared by every event signed in it (a capsule has 100k events and
// a handful of intervals; the histories are built per verification, so nothing goes stale).
const validStatus = new WeakMap<KeyInterval, KeyStatus>();
function validIn(i: KeyInterval): KeyStatus {
  let s = validStatus.get(i);
  if (s === undefined) {
    s = {
      status: 'valid',
      detail: `key valid from ${i.fromTime}${i.untilTime ? ` until ${i.untilTime}` : ''}`,
    };
    validStatus.set(i, s);
  }
  return s;
}

/** The agent's current key, or undefined when revoked/superseded. */
export function currentKey(histories: KeyHistories | undefined, agentId: string): string | undefined {
  const last = histories?.get(agentId)?.intervals.at(-1);
  return last && last.until === undefined ? last.key : undefined;
}
