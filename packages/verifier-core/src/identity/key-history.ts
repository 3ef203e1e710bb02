import type { CryptoBackend } from '../crypto/backend.js';
import { eventId } from '../events/hash.js';
import { short } from '../events/outcome.js';
import { parseTimestamp } from '../events/time.js';
import type { LineageEvent } from '../events/types.js';
import { verifyEventSignatures } from '../events/verify.js';
import type { TrustStore } from '../trust/types.js';
import { deriveAgentId } from './agent-id.js';

/**
 * Where verified inclusion puts an event: a leaf of a log, proven under a tree head. Log order is
 * the one order a signer cannot choose, so it (not the event's own timestamp) decides whether
 * something was signed before a key ended (spec §4.6).
 */
export interface LogPosition {
  log: string;
  index: number;
  /** The verified tree head's time (epoch ms): the event was logged no later than this. */
  sthMs: number;
  sthTime: string;
}

const UNLOGGED: readonly LogPosition[] = [];
const NO_REVOCATIONS: readonly KeyRevocation[] = [];
const NO_LIFECYCLE: readonly Lifecycle[] = [];

/** The earliest-dated of a key's revocations, found once per list (cached while it does not grow). */
const earliestRevocation = new WeakMap<readonly KeyRevocation[], { length: number; r: KeyRevocation }>();
function earliestOf(rs: readonly KeyRevocation[]): KeyRevocation | undefined {
  const known = earliestRevocation.get(rs);
  if (known !== undefined && known.length === rs.length) return known.r;
  let r: KeyRevocation | undefined;
  for (const x of rs) if (r === undefined || x.at < r.at) r = x;
  if (r !== undefined) earliestRevocation.set(rs, { length: rs.length, r });
  return r;
}

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
  /** Where the lifecycle event that ended the key is logged (empty when it is not). */
  endedAt?: readonly LogPosition[];
}

/** A revocation of a key that was no longer current when it came. */
export interface KeyRevocation {
  at: number;
  time: string;
  positions: readonly LogPosition[];
}

export interface AgentKeyHistory {
  agentId: string;
  genesisKey: string;
  intervals: KeyInterval[];
  /** Revocations of keys no longer current: key → every revocation of it (each one counts). */
  revokedAt: Map<string, KeyRevocation[]>;
}

/**
 * Was the event at `event` logged before the lifecycle event at `end` (claimed at `endMs`)?
 * In a log both are in, by leaf index (in every such log); otherwise only if a verified tree head
 * already held the event at the end's claimed time. Unlogged: no.
 */
export function loggedBefore(
  event: readonly LogPosition[],
  end: readonly LogPosition[],
  endMs: number,
): boolean {
  let shared = false;
  for (const p of event)
    for (const q of end)
      if (p.log === q.log) {
        if (p.index >= q.index) return false;
        shared = true;
      }
  return shared || event.some((p) => p.sthMs <= endMs);
}

/** Where an event is logged, for a report: "leaf 5 of log.example" or what bounds it. */
function whereLogged(event: readonly LogPosition[], end: readonly LogPosition[]): string {
  const shared = event.find((p) => end.some((q) => q.log === p.log));
  if (shared) return `leaf ${shared.index} of ${shared.log}`;
  const first = event.reduce<LogPosition | undefined>((a, p) => (a && a.sthMs <= p.sthMs ? a : p), undefined);
  return first
    ? `leaf ${first.index} of ${first.log}, under a tree head of ${first.sthTime}`
    : 'not in a verified log';
}

/** Where a lifecycle event is logged, for a report. */
function endWhere(end: readonly LogPosition[]): string {
  const p = end[0];
  return p ? ` (leaf ${p.index} of ${p.log})` : '';
}

/**
 * Many lifecycle events (revocations) ending one key, summarized so that "was this logged before
 * every one of them?" costs the event's log positions, not the number of revocations: an agent may
 * revoke its own old key thousands of times. Revocations logged in the same set of logs form one
 * group; `loggedBefore` against each of them is equivalent to: in every log the event shares with
 * the group, its index is below the group's lowest there; sharing none, a verified tree head held
 * it by the group's earliest claimed time.
 */
interface EndGroup<T> {
  lowest: Map<string, { index: number; item: T }>;
  earliest: { ms: number; item: T };
}
const endGroups = new WeakMap<readonly object[], { length: number; groups: EndGroup<object>[] }>();
function groupsOf<T extends object>(
  items: readonly T[],
  positions: (x: T) => readonly LogPosition[],
  ms: (x: T) => number,
): EndGroup<T>[] {
  const known = endGroups.get(items);
  if (known !== undefined && known.length === items.length) return known.groups as EndGroup<T>[];
  const byLogs = new Map<string, EndGroup<T>>();
  for (const x of items) {
    const ps = positions(x);
    const logs = [...new Set(ps.map((p) => p.log))].sort().join('\n');
    let g = byLogs.get(logs);
    if (g === undefined) {
      g = { lowest: new Map(), earliest: { ms: ms(x), item: x } };
      byLogs.set(logs, g);
    } else if (ms(x) < g.earliest.ms) g.earliest = { ms: ms(x), item: x };
    for (const q of ps) {
      const low = g.lowest.get(q.log);
      if (low === undefined || q.index < low.index) g.lowest.set(q.log, { index: q.index, item: x });
    }
  }
  const groups = [...byLogs.values()];
  endGroups.set(items, { length: items.length, groups: groups as EndGroup<object>[] });
  return groups;
}

/** One of `items` the event at `event` is not shown logged before (`loggedBefore`), or undefined. */
function firstNotLoggedBefore<T extends object>(
  event: readonly LogPosition[],
  items: readonly T[],
  positions: (x: T) => readonly LogPosition[],
  ms: (x: T) => number,
): T | undefined {
  for (const g of groupsOf(items, positions, ms)) {
    let shared = false;
    for (const p of event) {
      const low = g.lowest.get(p.log);
      if (low === undefined) continue;
      if (p.index >= low.index) return low.item;
      shared = true;
    }
    if (!shared && !event.some((p) => p.sthMs <= g.earliest.ms)) return g.earliest.item;
  }
  return undefined;
}

/** Options for building key histories. */
export interface KeyHistoryOptions {
  trust?: TrustStore;
  backend?: CryptoBackend;
  /** Where each lifecycle event is logged (verified inclusion); without it, claimed times order them. */
  positionsOf?: (e: LineageEvent) => readonly LogPosition[] | undefined;
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

type Lifecycle = { e: LineageEvent; t: number; at: readonly LogPosition[] };

/**
 * One agent's lifecycle events in the order they apply: log order when one log holds them all
 * (a signer chooses its timestamp, not its leaf), else their claimed times.
 */
function inApplyOrder(group: Lifecycle[]): Lifecycle[] {
  const logs = group[0]!.at
    .map((p) => p.log)
    .filter((log) => group.every((x) => x.at.some((p) => p.log === log)));
  const log = logs[0];
  if (log === undefined) return group.sort((a, b) => a.t - b.t || a.e.sequence - b.e.sequence);
  const index = (x: Lifecycle) => x.at.find((p) => p.log === log)!.index;
  return group.sort((a, b) => index(a) - index(b));
}

/**
 * Applies each agent's lifecycle events in log order (claimed-time order where no one log holds
 * them all). Each must be validly signed and authorized, not dated before one logged ahead of it,
 * and not signed with a key revoked (by a pinned officer or by itself) unless it is shown logged before that
 * revocation; those that fail are skipped and reported as problems (the event itself also fails
 * its own checks in the chain engine).
 */
export async function buildKeyHistories(
  events: readonly LineageEvent[],
  options: KeyHistoryOptions = {},
): Promise<{ histories: KeyHistories; problems: LifecycleProblem[] }> {
  const { trust, backend, positionsOf } = options;
  const histories: KeyHistories = new Map();
  const problems: LifecycleProblem[] = [];
  const groups = new Map<string, Lifecycle[]>();
  for (const e of events) {
    if (!e.lifecycle) continue;
    const x = { e, t: parseTimestamp(e.timestamp), at: positionsOf?.(e) ?? UNLOGGED };
    const g = groups.get(e.lifecycle.agent_id);
    if (g) g.push(x);
    else groups.set(e.lifecycle.agent_id, [x]);
  }
  const lifecycle = [...groups.values()].flatMap(inApplyOrder);
  // The latest-dated applied lifecycle event per agent: a later-logged one may not be dated before
  // it. An officer's revocation is exempt: dating it earlier only takes away (a compromise date).
  const lastApplied = new Map<string, Lifecycle>();
  const applied = (x: Lifecycle) => {
    const id = x.e.lifecycle!.agent_id;
    const last = lastApplied.get(id);
    if (!last || x.t >= last.t) lastApplied.set(id, x);
  };
  // Every lifecycle signature in one batch (the node backend spreads it over its workers): a
  // capsule may hold thousands of registrations, and one at a time they would all be serial.
  const signed = await verifyEventSignatures(
    lifecycle.map((x) => x.e),
    backend,
  );
  // Compromise declarations, by the key they revoke: a revocation by a pinned officer, or by the
  // key itself (its holder saying it leaked; a thief gains nothing by it). A lifecycle event signed
  // with that key counts only if it is shown logged before the revocation (it may be the thief's),
  // whatever order the two were applied in.
  // Every one of them counts: keeping one per key would let a thief's own, earlier-dated revocation
  // stand in for the owner's.
  const compromised = new Map<string, Lifecycle[]>();
  // Every key each agent has had (a scan of its intervals per revocation is quadratic in rotations).
  const keysOf = new Map<string, Set<string>>();
  for (const [i, x] of lifecycle.entries()) {
    const l = x.e.lifecycle!;
    if (l.op !== 'revoke' || !signed[i]) continue;
    if (!isOfficer(x.e, trust) && x.e.signature.public_key !== l.public_key) continue;
    const known = compromised.get(l.public_key);
    if (known) known.push(x);
    else compromised.set(l.public_key, [x]);
  }
  for (const [i, x] of lifecycle.entries()) {
    const { e, t } = x;
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
    const last = lastApplied.get(l.agent_id);
    if (last && t < last.t && !isOfficer(e, trust)) {
      problem(
        `backdated: logged after the agent's ${last.e.lifecycle!.op} of ${last.e.timestamp}${endWhere(last.at)} but dated before it`,
        `a time at or after ${last.e.timestamp}`,
        `${e.timestamp}, ${whereLogged(x.at, last.at)}`,
      );
      continue;
    }
    // A registration, an officer's act, or a key revoking itself again only takes validity away.
    const revocation =
      l.op === 'register' || isOfficer(e, trust) || (l.op === 'revoke' && l.public_key === signer)
        ? undefined
        : // Never x itself: x is no revocation of its own signing key (those are excluded above).
          firstNotLoggedBefore(
            x.at,
            compromised.get(signer) ?? NO_LIFECYCLE,
            (r) => r.at,
            (r) => r.t,
          );
    if (revocation) {
      problem(
        `signed with key ${short(signer)}, which was revoked at ${revocation.e.timestamp}${endWhere(revocation.at)}; nothing shows this ${l.op} was logged before that revocation`,
        `logged before the revocation${endWhere(revocation.at)}, or under a tree head of ${revocation.e.timestamp} or earlier`,
        whereLogged(x.at, revocation.at),
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
      else {
        histories.set(l.agent_id, {
          agentId: l.agent_id,
          genesisKey: l.public_key,
          intervals: [{ key: l.public_key, from: t, fromTime: e.timestamp }],
          revokedAt: new Map(),
        });
        keysOf.set(l.agent_id, new Set([l.public_key]));
        applied(x);
      }
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
      applied(x);
      current!.until = t;
      current!.untilTime = e.timestamp;
      current!.endedBy = by;
      current!.endedAt = x.at;
    };
    if (l.op === 'rotate') {
      if (!signedByCurrent || l.public_key !== current!.key)
        problem('rotation is not signed by the current key', byCurrent, signedBy);
      else {
        close('rotate');
        h.intervals.push({ key: l.new_public_key, from: t, fromTime: e.timestamp });
        keysOf.get(l.agent_id)!.add(l.new_public_key);
      }
    } else if (l.op === 'supersede') {
      if (!signedByCurrent) problem('supersession is not signed by the current key', byCurrent, signedBy);
      else close('supersede');
    } else {
      const byHuman = isOfficer(e, trust);
      // A key of the agent may always revoke itself, current or not: that only takes validity away
      // (the owner of a rotated-out key that leaked, or a second declaration of the same leak).
      const bySelf = e.actor === l.agent_id && signer === l.public_key && keysOf.get(l.agent_id)!.has(signer);
      if (!signedByCurrent && !byHuman && !bySelf) {
        problem(
          'revocation is signed neither by the current key, nor by the revoked key itself, nor by a pinned security officer / authorizing official',
          `${byCurrent}, or by the revoked key itself, or by a pinned security officer or authorizing official`,
          signedBy,
        );
      } else if (current && current.key === l.public_key) close('revoke');
      else {
        const revocation = { at: t, time: e.timestamp, positions: x.at };
        const known = h.revokedAt.get(l.public_key);
        if (known) known.push(revocation);
        else h.revokedAt.set(l.public_key, [revocation]);
        applied(x);
      }
    }
  }
  return { histories, problems };
}

/** Is the event signed by a pinned security officer or authorizing official with their pinned key? */
function isOfficer(e: LineageEvent, trust: TrustStore | undefined): boolean {
  if (e.actor_kind !== 'human') return false;
  const approver = trust?.approvers.find((a) => a.id === e.actor);
  return (
    approver !== undefined &&
    approver.public_key === e.signature.public_key &&
    approver.roles.some((r) => REVOKER_ROLES.includes(r))
  );
}

export type KeyStatus =
  | { status: 'valid'; detail: string }
  /** `expected`/`found`: what a valid key would have been, and what this one is (for the report). */
  | { status: 'invalid'; detail: string; expected: string; found: string }
  | { status: 'unknown'; detail: string; expected?: string; found?: string };

/** Is `key` a key of `agentId` at all (genesis or rotated to)? */
export function keyBelongsToAgent(
  histories: KeyHistories | undefined,
  agentId: string,
  key: string,
): boolean {
  if (deriveAgentId(key) === agentId) return true;
  const h = histories?.get(agentId);
  return h !== undefined && indexOf(h).first.has(key);
}

/**
 * Where what was signed is logged, for checking it against the end of its key: an event's
 * verified log positions (computed only when the key has ended), `'unlogged'` for what is never
 * logged (receipts), or `'unchecked'` for an event whose inclusion this trust store cannot check
 * (its log or proof server is not pinned). Without it, only claimed times are compared.
 */
export type SignedWhere = (() => readonly LogPosition[]) | 'unlogged' | 'unchecked';

/**
 * Was `key` the valid key of `agentId` at instant `t` (epoch ms)? A key that has ended (rotated
 * out, superseded, revoked) also needs what it signed to be logged before the lifecycle event
 * that ended it (`where`): a signer chooses its timestamp, so a backdated event would otherwise
 * pass. What is never logged cannot be shown to predate a revocation: its status is unknown.
 */
export function keyStatusAt(
  histories: KeyHistories | undefined,
  agentId: string,
  key: string,
  t: number,
  time: string,
  where?: SignedWhere,
): KeyStatus {
  const h = histories?.get(agentId);
  if (!h) {
    return deriveAgentId(key) === agentId
      ? {
          status: 'unknown',
          detail: 'genesis key; no key history (lifecycle events) supplied for this agent',
          expected: `the agent's key history (its registration and any rotation or revocation)`,
          found: `none; key ${short(key)} derives the agent id`,
        }
      : {
          status: 'invalid',
          detail: 'key is not the genesis key of this agent and no key history binds it',
          expected: `the key whose hash is ${agentId}, or one its key history binds`,
          found: `key ${short(key)}, no key history for the agent`,
        };
  }
  const ix = indexOf(h);
  const containing = (): KeyInterval | undefined =>
    ix.ordered ? intervalAt(h.intervals, t) : h.intervals.find((i) => contains(i, t));
  // What a valid key would have been at t, for the report: the agent's key then, if it had one.
  const validAt = () => {
    const then = containing();
    return then
      ? `the agent's key at ${time}: ${short(then.key)}`
      : `an unrevoked key of the agent at ${time} (the agent had none then)`;
  };
  const revocations = h.revokedAt.get(key) ?? NO_REVOCATIONS;
  // The earliest revocation (one scan per key, cached): revoked at or before t, the key was.
  const revoked = earliestOf(revocations);
  if (revoked !== undefined && revoked.at <= t)
    return {
      status: 'invalid',
      detail: `key was revoked at ${revoked.time}, before the signature dated ${time}`,
      expected: validAt(),
      found: `key ${short(key)}, revoked at ${revoked.time}`,
    };
  // The common case first, without a filtered copy: the key's interval that contains t (one
  // binary search: an agent may rotate 100k times and sign 100k events).
  let hit: KeyInterval | undefined;
  if (ix.ordered) {
    const c = containing();
    hit = c?.key === key ? c : undefined;
  } else hit = h.intervals.find((i) => i.key === key && contains(i, t));
  if (hit) {
    const r0 = revocations[0];
    if (r0 !== undefined && where !== undefined) {
      // Unchecked or unlogged, any revocation says the same; logged, the one it is not before.
      const at = typeof where === 'function' ? where() : undefined;
      const r = at
        ? firstNotLoggedBefore(
            at,
            revocations,
            (x) => x.positions,
            (x) => x.at,
          )
        : r0;
      const late = r && afterEnd(at ? () => at : where, 'revoked', r.time, r.positions, r.at, key, time);
      if (late) return late;
    }
    if (hit.until !== undefined) {
      const late = afterEnd(where, how(hit), hit.untilTime!, hit.endedAt ?? UNLOGGED, hit.until, key, time);
      if (late) return late;
    }
    return validIn(hit);
  }
  const first = ix.first.get(key);
  if (first === undefined)
    return {
      status: 'invalid',
      detail: "key never appears in the agent's key history",
      expected: validAt(),
      found: `key ${short(key)}, in no interval of the agent's key history`,
    };
  if (t < first.from)
    return {
      status: 'invalid',
      detail: `event at ${time} predates the key's registration at ${first.fromTime}`,
      expected: `a time at or after ${first.fromTime}, when key ${short(key)} was registered`,
      found: time,
    };
  // In back-to-back intervals the key's first one, which starts at or before t and does not hold
  // it, has ended by t; otherwise the first of its intervals that has.
  const ended = ix.ordered
    ? first
    : h.intervals.find((i) => i.key === key && i.until !== undefined && i.until <= t)!;
  return {
    status: 'invalid',
    detail: `key was ${how(ended)} at ${ended.untilTime}, before the signature dated ${time}`,
    expected: validAt(),
    found: `key ${short(key)}, ${how(ended)} at ${ended.untilTime}`,
  };
}

function contains(i: KeyInterval, t: number): boolean {
  return i.from <= t && (i.until === undefined || t < i.until);
}

/**
 * What keyStatusAt looks up in a history, built once per verification (the histories are final by
 * then; rebuilt if intervals were added): the first interval of each key, and whether the
 * intervals are back to back in time — each ends where the next starts, as rotations applied in
 * order leave them — so the one holding an instant is found by binary search.
 */
interface HistoryIndex {
  length: number;
  ordered: boolean;
  first: Map<string, KeyInterval>;
}
const historyIndex = new WeakMap<AgentKeyHistory, HistoryIndex>();
function indexOf(h: AgentKeyHistory): HistoryIndex {
  const known = historyIndex.get(h);
  if (known !== undefined && known.length === h.intervals.length) return known;
  const xs = h.intervals;
  const first = new Map<string, KeyInterval>();
  let ordered = true;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (!first.has(x.key)) first.set(x.key, x);
    const next = xs[i + 1];
    if (next !== undefined && (x.until !== next.from || next.from < x.from)) ordered = false;
  }
  const ix = { length: xs.length, ordered, first };
  historyIndex.set(h, ix);
  return ix;
}

/** In back-to-back intervals, the one holding t: the last that starts at or before it, if not ended. */
function intervalAt(xs: readonly KeyInterval[], t: number): KeyInterval | undefined {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]!.from <= t) lo = mid + 1;
    else hi = mid;
  }
  const i = xs[lo - 1];
  return i !== undefined && contains(i, t) ? i : undefined;
}

function how(i: KeyInterval): 'rotated out' | 'revoked' | 'superseded' {
  return i.endedBy === 'rotate' ? 'rotated out' : i.endedBy === 'revoke' ? 'revoked' : 'superseded';
}

/**
 * Something dated before its key ended, checked against where it is logged: undefined when it
 * was logged before the end (or the caller gave no positions), else why not.
 */
function afterEnd(
  where: SignedWhere | undefined,
  ending: 'rotated out' | 'revoked' | 'superseded',
  endTime: string,
  endAt: readonly LogPosition[],
  endMs: number,
  key: string,
  time: string,
): KeyStatus | undefined {
  if (where === undefined) return undefined;
  if (where === 'unchecked')
    // Not the evidence's fault: the verifier's trust store cannot place the event in its log.
    return {
      status: 'unknown',
      detail: `key ${short(key)} was ${ending} at ${endTime}; this event is dated ${time}, but its inclusion could not be checked with this trust store, so nothing shows it was logged before that`,
      expected: `the event proven logged before the key was ${ending}${endWhere(endAt)}`,
      found: 'an event whose log is not pinned in the trust store',
    };
  if (where === 'unlogged') {
    // A rotated-out or superseded key stayed with its agent; only a revocation says someone else
    // may hold it, and nothing unlogged shows it was signed before that.
    if (ending !== 'revoked') return undefined;
    return {
      status: 'unknown',
      detail: `key ${short(key)} was revoked at ${endTime}; this is dated ${time}, but it is not logged, so nothing shows it was signed before the revocation`,
      expected: `a signature shown to predate the revocation at ${endTime}${endWhere(endAt)}`,
      found: `a signature dated ${time}, not logged`,
    };
  }
  const at = where();
  if (loggedBefore(at, endAt, endMs)) return undefined;
  return {
    status: 'invalid',
    detail: `dated ${time}, before key ${short(key)} was ${ending} at ${endTime}${endWhere(endAt)}, but not shown logged before that: backdated or logged late`,
    expected: `logged before the key was ${ending}${endWhere(endAt)}, or under a tree head of ${endTime} or earlier`,
    found: whereLogged(at, endAt),
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
