// The independent verifier: chapter 4's checks, in the order §4.3 fixes, written from the spec text.
import {
  agentId,
  capabilityDigest,
  eq,
  es256Verify,
  eventId,
  eventLeaf,
  eventSigningInput,
  hex,
  IDENTITY_URI,
  identityClaims,
  type Json,
  jcsBytes,
  multiproofRoot,
  type Obj,
  receiptHash,
  receiverSigningInput,
  type Sth,
  saltedCommitment,
  senderSigningInput,
  signingInput,
  sigValid,
  unb64url,
  unhex,
  verifyConsistency,
  verifyInclusion,
  verifySth,
  without,
} from './primitives.js';

export type Status = 'pass' | 'fail' | 'not_checked';
export interface Outcome {
  id: string;
  status: Status;
  subject: string;
  why?: string;
}
export interface Summary {
  verdict: 'verified' | 'failed' | 'incomplete';
  failing_checks: string[];
  first_non_pass: { id: string; status: Status } | null;
}
export function summarize(outcomes: Outcome[]): Summary {
  const failing = [...new Set(outcomes.filter((o) => o.status === 'fail').map((o) => o.id))].sort();
  const first = outcomes.find((o) => o.status !== 'pass');
  const verdict = failing.length > 0 ? 'failed' : first ? 'incomplete' : 'verified';
  return {
    verdict,
    failing_checks: failing,
    first_non_pass: first ? { id: first.id, status: first.status } : null,
  };
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX32 = /^[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
// Milliseconds since the epoch, fraction truncated to 3 digits; NaN for impossible dates and leap seconds.
const ms = (t: string): number => {
  const m = TIME.exec(t);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, se] = t.slice(0, 19).split(/[-T:]/).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const at = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(at).toISOString().slice(0, 19);
  return back === t.slice(0, 19) ? at + Number(`${m[1] ?? '.'}000`.slice(1, 4)) : Number.NaN;
};
const strs = (v: Json | undefined): string[] =>
  Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];

interface Trust {
  logs: { origin: string; vkey: string }[];
  servers: Map<string, string>;
  approvers: Map<string, { key: string; roles: string[] }>;
  cardSigners: { kid: string; alg: string; key: string }[];
  policy: Obj;
}
export function readTrust(t: Obj): Trust {
  const arr = (k: string): Obj[] => (Array.isArray(t[k]) ? (t[k] as Json[]).filter(isObj) : []);
  return {
    logs: arr('logs').map((l) => ({ origin: String(l.origin), vkey: String(l.vkey) })),
    servers: new Map(arr('proof_servers').map((s) => [String(s.id), String(s.public_key)])),
    approvers: new Map(
      arr('approvers').map((a) => [String(a.id), { key: String(a.public_key), roles: strs(a.roles) }]),
    ),
    cardSigners: arr('card_signers').map((c) => ({
      kid: String(c.kid),
      alg: String(c.alg),
      key: String(c.public_key),
    })),
    policy: isObj(t.policy) ? t.policy : {},
  };
}
/** A checkpoint verified under the pinned key for its origin; 'unpinned' when no key is pinned. */
function checkSth(trust: Trust, origin: string, note: string): Sth | null | 'unpinned' {
  const log = trust.logs.find((l) => l.origin === origin);
  if (!log) return 'unpinned';
  const sth = verifySth(note, log.vkey);
  return sth && sth.origin === origin ? sth : null;
}

// ---------- §4.7 attestations ----------
export interface AttestationResult {
  outcomes: Outcome[];
  proven: Map<string, Sth>; // leaf hex -> the first verified tree head that proves it
  positions: Map<string, Pos[]>; // leaf hex -> where verified proofs put it (log, leaf index, tree head time)
  unverifiable: Set<string>; // leaves whose evidence the trust store cannot check (unpinned server/log)
  serverOk: boolean;
}
export function verifyAttestation(trust: Trust, a: Obj, expectLeaves: string[] = []): AttestationResult {
  const out: Outcome[] = [];
  const push = (id: string, status: Status, why?: string) =>
    out.push({ id, status, subject: 'attestation', why });
  const proven = new Map<string, Sth>();
  const positions = new Map<string, Pos[]>();
  const unverifiable = new Set<string>();
  const prove = (leaf: string, sth: Sth, index: number) => {
    if (!proven.has(leaf)) proven.set(leaf, sth);
    positions.set(leaf, [...(positions.get(leaf) ?? []), { log: sth.origin, index, sthMs: sth.timestampMs }]);
  };
  const schemaOk =
    a.type === 'lineage.attestation' &&
    a.version === 1 &&
    typeof a.server === 'string' &&
    Array.isArray(a.logs);
  push('attestation.schema', schemaOk ? 'pass' : 'fail');
  if (!schemaOk) return { outcomes: out, proven, positions, unverifiable, serverOk: false };
  const pinned = trust.servers.get(String(a.server));
  const sig = a.signature as Obj;
  let serverOk = false;
  if (!pinned) {
    push('attestation.server_signature', 'not_checked', 'server not pinned');
    for (const l of strs(a.leaves)) unverifiable.add(l);
  } else {
    serverOk =
      sig?.public_key === pinned &&
      sigValid(sig, signingInput('lineage/attestation/v1', without(a, 'signature')));
    push('attestation.server_signature', serverOk ? 'pass' : 'fail');
  }
  const listed = strs(a.leaves);
  const claimed = new Set<string>();
  for (const log of (a.logs as Json[]).filter(isObj)) {
    const sth = checkSth(trust, String(log.log_origin), String(log.checkpoint));
    push('attestation.sth_signature', sth === 'unpinned' ? 'not_checked' : sth ? 'pass' : 'fail');
    const good = sth !== 'unpinned' && sth !== null ? sth : null;
    if (sth === 'unpinned') {
      const inc = Array.isArray(log.inclusion) ? log.inclusion.filter(isObj) : [];
      const mp =
        isObj(log.multiproof) && Array.isArray(log.multiproof.leaves)
          ? log.multiproof.leaves.filter(isObj)
          : [];
      for (const x of [...inc, ...mp]) unverifiable.add(String(x.leaf_hash));
    }
    for (const inc of Array.isArray(log.inclusion) ? log.inclusion.filter(isObj) : []) {
      claimed.add(String(inc.leaf_hash));
      if (!good) continue;
      const ok = verifyInclusion(
        unhex(String(inc.leaf_hash), 32),
        Number(inc.leaf_index),
        good.size,
        strs(inc.proof).map((p) => unhex(p, 32)),
        good.root,
      );
      push('attestation.inclusion', ok ? 'pass' : 'fail');
      if (ok && serverOk) prove(String(inc.leaf_hash), good, Number(inc.leaf_index));
    }
    if (isObj(log.multiproof)) {
      const leaves = (Array.isArray(log.multiproof.leaves) ? log.multiproof.leaves : []).filter(isObj);
      for (const l of leaves) claimed.add(String(l.leaf_hash));
      if (good) {
        const root = multiproofRoot(
          leaves.map((l) => ({ index: Number(l.leaf_index), hash: unhex(String(l.leaf_hash), 32) })),
          good.size,
          strs(log.multiproof.proof).map((p) => unhex(p, 32)),
        );
        const ok = root !== null && eq(root, good.root);
        push('attestation.inclusion', ok ? 'pass' : 'fail');
        if (ok && serverOk) for (const l of leaves) prove(String(l.leaf_hash), good, Number(l.leaf_index));
      }
    }
    // A log whose tree head did not verify has nothing its proofs could be checked against.
    for (const c of good && Array.isArray(log.consistency) ? log.consistency.filter(isObj) : []) {
      const old = checkSth(trust, String(log.log_origin), String(c.checkpoint));
      push('attestation.sth_signature', old === 'unpinned' ? 'not_checked' : old ? 'pass' : 'fail');
      if (!good || !old || old === 'unpinned') continue;
      const ok =
        old.timestampMs <= good.timestampMs &&
        verifyConsistency(
          old.size,
          good.size,
          old.root,
          good.root,
          strs(c.proof).map((p) => unhex(p, 32)),
        );
      push('attestation.consistency', ok ? 'pass' : 'fail');
    }
  }
  const bound =
    [...claimed].every((l) => listed.includes(l)) &&
    listed.every((l) => claimed.has(l)) &&
    expectLeaves.every((l) => listed.includes(l));
  push('attestation.leaf_binding', bound ? 'pass' : 'fail');
  return { outcomes: out, proven, positions, unverifiable, serverOk };
}

// ---------- §4.6 key histories ----------
interface KeyState {
  current: string | null; // hex key, null once revoked/superseded
  since: number;
}
/** Where a verified proof puts an event: a leaf of a log, under a tree head of that time. */
export interface Pos {
  log: string;
  index: number;
  sthMs: number;
}
type Lifecycle = {
  at: number;
  op: string;
  agent: string;
  key?: string;
  newKey?: string;
  event: Obj;
  pos: Pos[];
  officer: boolean;
};
function keyAt(history: Lifecycle[], agent: string, at: number): KeyState | null {
  let state: KeyState | null = null;
  for (const h of history) {
    if (h.agent !== agent || h.at > at) continue;
    if (h.op === 'register') state = { current: h.key ?? null, since: h.at };
    else if (!state) continue;
    else if (h.op === 'rotate' && state.current === h.key) state = { current: h.newKey ?? null, since: h.at };
    else if (h.op === 'revoke' && state.current === h.key) state = { current: null, since: h.at };
    else if (h.op === 'supersede') state = { current: null, since: h.at };
  }
  return state;
}
/**
 * §4.6: was the event at `p` logged before the lifecycle event at `q` (claimed time `qMs`)? In
 * every log both are in, by leaf index; with no shared log, if a tree head held it by `qMs`.
 */
export function before(p: Pos[], q: Pos[], qMs: number): boolean {
  const shared = p.filter((x) => q.some((y) => y.log === x.log));
  if (shared.length > 0) return shared.every((x) => q.every((y) => y.log !== x.log || x.index < y.index));
  return p.some((x) => x.sthMs <= qMs);
}
/** The applied lifecycle event after `at` that ends `key` for `agent` (rotation, revocation, supersession). */
function endOf(history: Lifecycle[], agent: string, key: string, at: number): Lifecycle | undefined {
  return history.find(
    (h) =>
      h.agent === agent &&
      h.at > at &&
      (h.op === 'supersede' || ((h.op === 'rotate' || h.op === 'revoke') && h.key === key)),
  );
}
const isOfficer = (trust: Trust, e: Obj) => {
  const a = e.actor_kind === 'human' ? trust.approvers.get(String(e.actor)) : undefined;
  return (
    a?.key === String((e.signature as Obj)?.public_key) &&
    a.roles.some((r) => r === 'security_officer' || r === 'authorizing_official')
  );
};
/**
 * §4.6 / §4.2.3: each agent's lifecycle events applied in log order (by leaf index when one log
 * holds them all, else by timestamp then sequence); only applied ones count. Skipped: bad signature,
 * unauthorized, dated before one applied earlier (backdated; an officer's revocation is exempt),
 * signed with a key revoked (by an officer or by itself) and not shown logged before that revocation.
 */
function buildHistory(trust: Trust, events: Obj[], posOf: (e: Obj) => Pos[] = () => []): Lifecycle[] {
  const all: Lifecycle[] = events
    .filter((e) => isObj(e.lifecycle))
    .map((e) => {
      const lc = e.lifecycle as Obj;
      return {
        at: ms(String(e.timestamp)),
        op: String(lc.op),
        agent: String(lc.agent_id),
        key: lc.public_key as string | undefined,
        newKey: lc.new_public_key as string | undefined,
        event: e,
        pos: posOf(e),
        officer: isOfficer(trust, e),
      };
    })
    .filter((x) => sigValid(x.event.signature, eventSigningInput(x.event)));
  const sorted: Lifecycle[] = [];
  for (const agent of new Set(all.map((x) => x.agent))) {
    const group = all.filter((x) => x.agent === agent);
    const log = group[0]!.pos
      .map((p) => p.log)
      .find((l) => group.every((x) => x.pos.some((p) => p.log === l)));
    const idx = (x: Lifecycle) => x.pos.find((p) => p.log === log)!.index;
    group.sort((x, y) =>
      log !== undefined
        ? idx(x) - idx(y)
        : x.at - y.at || Number(x.event.sequence) - Number(y.event.sequence),
    );
    sorted.push(...group);
  }
  // A revocation by an officer, or by the revoked key itself, declares the key compromised.
  const revocations = sorted.filter(
    (x) => x.op === 'revoke' && (x.officer || String((x.event.signature as Obj).public_key) === x.key),
  );
  const applied: Lifecycle[] = [];
  for (const entry of sorted) {
    const e = entry.event;
    const signer = String((e.signature as Obj).public_key);
    const { agent, at } = entry;
    const mine = applied.filter((h) => h.agent === agent);
    if (!entry.officer && mine.some((h) => h.at > at)) continue; // backdated
    if (entry.op !== 'register' && !entry.officer && !(entry.op === 'revoke' && entry.key === signer)) {
      // Every revocation of the key counts, not only the earliest-dated (a thief may add their own).
      if (revocations.some((r) => r.key === signer && r !== entry && !before(entry.pos, r.pos, r.at)))
        continue;
    }
    const registered = mine.some((h) => h.op === 'register');
    const current = keyAt(applied, agent, at)?.current ?? null;
    const byCurrent = e.actor === agent && current !== null && signer === current;
    let ok = false;
    if (entry.op === 'register') {
      ok =
        !registered &&
        HEX32.test(signer) &&
        agentId(unhex(signer)) === agent &&
        e.actor === agent &&
        entry.key === signer;
    } else if (!registered) ok = false;
    else if (entry.op === 'rotate') ok = byCurrent && entry.key === current;
    else if (entry.op === 'supersede') ok = byCurrent;
    else if (entry.op === 'revoke')
      // §4.6: the current key, the revoked key itself (a key of the agent), or an officer.
      ok =
        byCurrent ||
        entry.officer ||
        (e.actor === agent && signer === entry.key && keysOf(applied, agent).includes(signer));
    if (ok) applied.push(entry);
  }
  return applied;
}
const hasHistory = (h: Lifecycle[], agent: string) => h.some((x) => x.agent === agent && x.op === 'register');
const keysOf = (h: Lifecycle[], agent: string): string[] =>
  h.filter((x) => x.agent === agent).flatMap((x) => [x.key, x.newKey].filter((k): k is string => !!k));

// ---------- §4.2–4.3, 4.5 call chains ----------
export interface ChainInput {
  trust: Obj;
  events: { event: Obj; inclusion?: Obj }[];
  attestations?: Obj[];
  openings?: Obj[];
}
function eventSchemaOk(e: Obj, seen: Set<string>): boolean {
  if (!isObj(e)) return false; // a JSON Lines line may hold any JSON value (§5.1)
  const allowed = [
    'type',
    'version',
    'actor',
    'actor_kind',
    'action',
    'timestamp',
    'sequence',
    'predecessors',
    'payload_hash',
    'context',
    'commitments',
    'approval',
    'lifecycle',
    'signature',
  ];
  if (Object.keys(e).some((k) => !allowed.includes(k))) return false;
  const ctx = e.context;
  const ok =
    e.type === 'lineage.event' &&
    e.version === 1 &&
    typeof e.actor === 'string' &&
    (e.actor_kind === 'agent' || e.actor_kind === 'human') &&
    typeof e.action === 'string' &&
    /^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(e.action) &&
    typeof e.timestamp === 'string' &&
    TIME.test(e.timestamp) &&
    !Number.isNaN(ms(e.timestamp)) &&
    Number.isSafeInteger(e.sequence) &&
    (e.sequence as number) >= 0 &&
    Array.isArray(e.predecessors) &&
    strs(e.predecessors).every((p) => HEX32.test(p)) &&
    new Set(e.predecessors).size === e.predecessors.length &&
    (e.payload_hash === null || (typeof e.payload_hash === 'string' && HEX32.test(e.payload_hash))) &&
    isObj(ctx) &&
    typeof ctx.task_id === 'string' &&
    strs(ctx.controls).every((c) => /^[A-Z]{2}-\d+(\(\d+\))?$/.test(c)) &&
    Array.isArray(e.commitments) &&
    isObj(e.signature);
  const id = eventId(e);
  if (seen.has(id)) return false;
  seen.add(id);
  return ok;
}

export function verifyChain(input: ChainInput): Outcome[] {
  const trust = readTrust(input.trust);
  const out: Outcome[] = [];
  const proven = new Map<string, Sth>();
  const positions = new Map<string, Pos[]>();
  const unverifiable = new Set<string>();
  for (const a of input.attestations ?? []) {
    const r = verifyAttestation(trust, a);
    out.push(...r.outcomes);
    for (const [k, v] of r.proven) if (!proven.has(k)) proven.set(k, v);
    for (const [k, v] of r.positions) positions.set(k, [...(positions.get(k) ?? []), ...v]);
    for (const l of r.unverifiable) unverifiable.add(l);
  }
  // §4.3 step 2: an event that fails event.schema (or is supplied twice) takes no part in later checks.
  const seen = new Set<string>();
  const cites: { event: Obj; inclusion?: Obj }[] = [];
  for (const [i, c] of input.events.entries()) {
    const ok = eventSchemaOk(c.event, seen);
    out.push({
      id: 'event.schema',
      status: ok ? 'pass' : 'fail',
      subject: ok ? eventId(c.event) : `event ${i}`,
    });
    if (ok) cites.push(c);
  }
  const events = cites.map((x) => x.event);
  const ids = events.map(eventId);
  // §4.2.4 inclusion of each event, first: the key history is applied in log order.
  const included = cites.map(({ event: e, inclusion }) => {
    // A direct inclusion proof, when present, alone decides; otherwise the verified attestation
    // proofs of the leaf; evidence the trust store cannot check is not_checked.
    const leaf = hex(eventLeaf(e));
    if (!inclusion) {
      const sth = proven.get(leaf) ?? null;
      return { sth, unpinned: !sth && unverifiable.has(leaf), pos: sth ? (positions.get(leaf) ?? []) : [] };
    }
    const s = checkSth(trust, String(inclusion.log_origin), String(inclusion.checkpoint));
    const ok =
      s !== 'unpinned' &&
      s !== null &&
      inclusion.tree_size === s.size &&
      verifyInclusion(
        eventLeaf(e),
        Number(inclusion.leaf_index),
        s.size,
        strs(inclusion.proof).map((p) => unhex(p, 32)),
        s.root,
      );
    if (!ok) return { sth: null, unpinned: s === 'unpinned', pos: [] as Pos[] };
    const sth = s as Sth;
    return {
      sth,
      unpinned: false,
      pos: [{ log: sth.origin, index: Number(inclusion.leaf_index), sthMs: sth.timestampMs }],
    };
  });
  const posByEvent = new Map(events.map((e, i) => [e, included[i]!.pos]));
  const history = buildHistory(trust, events, (e) => posByEvent.get(e) ?? []);
  const authentic = new Set<string>();
  const policy = trust.policy;
  for (const [i, { event: e }] of cites.entries()) {
    const id = ids[i]!;
    const push = (cid: string, status: Status, why?: string) =>
      out.push({ id: cid, status, subject: id, why });
    const signer = String(isObj(e.signature) ? e.signature.public_key : '');
    const actor = String(e.actor);
    const at = ms(String(e.timestamp));
    // event.actor_known
    let known: boolean;
    if (e.actor_kind === 'human') known = trust.approvers.get(actor)?.key === signer;
    else
      known =
        /^[0-9a-f]{64}$/.test(signer) &&
        (agentId(unhex(signer)) === actor || keysOf(history, actor).includes(signer));
    push('event.actor_known', known ? 'pass' : 'fail');
    const sigOk = sigValid(e.signature, eventSigningInput(e));
    push('event.signature', sigOk ? 'pass' : 'fail');
    // event.actor_key_valid_at_time
    let keyValid: Status;
    if (e.actor_kind === 'human') keyValid = known ? 'pass' : 'fail';
    else if (!hasHistory(history, actor)) keyValid = 'not_checked';
    else if (keyAt(history, actor, at)?.current !== signer) keyValid = 'fail';
    else {
      // §4.6: a key that has since ended also needs the event logged before the end.
      const end = endOf(history, actor, signer, at);
      keyValid = !end || before(included[i]!.pos, end.pos, end.at) ? 'pass' : 'fail';
    }
    // A lifecycle event is judged by whether it was applied to the key history (§4.2.3).
    if (isObj(e.lifecycle)) keyValid = history.some((h) => h.event === e) ? 'pass' : 'fail';
    push('event.actor_key_valid_at_time', keyValid);
    // event.inclusion / event.sth_time
    const { sth, unpinned } = included[i]!;
    push('event.inclusion', sth ? 'pass' : unpinned ? 'not_checked' : 'fail');
    push(
      'event.sth_time',
      sth ? (at <= sth.timestampMs ? 'pass' : 'fail') : unpinned ? 'not_checked' : 'fail',
    );
    if (known && sigOk && keyValid === 'pass') authentic.add(id);
    // chain.action_allowed
    const rule = isObj(policy.actions) ? policy.actions[String(e.action)] : undefined;
    let allowed = true;
    // §4.3 (policy row): whatever the policy, a pinned approver approves only in a role it holds, a
    // human revokes only holding a revoking role (§4.6), and an agent's other lifecycle events are its own.
    const held = e.actor_kind === 'human' ? trust.approvers.get(actor)?.roles : undefined;
    const ap = isObj(e.approval) ? e.approval : undefined;
    if (held && ap && !held.includes(String(ap.role))) allowed = false;
    const lc = isObj(e.lifecycle) ? e.lifecycle : undefined;
    if (lc?.op === 'revoke' && e.actor_kind === 'human') {
      if (!(held ?? []).some((r) => r === 'security_officer' || r === 'authorizing_official'))
        allowed = false;
    } else if (lc && actor !== lc.agent_id) allowed = false;
    if (isObj(rule)) {
      if (Array.isArray(rule.actors) && !strs(rule.actors).includes(actor)) allowed = false;
      if (Array.isArray(rule.actor_kinds) && !strs(rule.actor_kinds).includes(String(e.actor_kind)))
        allowed = false;
      if (Array.isArray(rule.roles)) {
        const roles = trust.approvers.get(actor)?.roles ?? [];
        if (!strs(rule.roles).some((r) => roles.includes(r))) allowed = false;
      }
    }
    push('chain.action_allowed', allowed ? 'pass' : 'fail');
  }
  // graph checks
  const byId = new Map(ids.map((id, i) => [id, events[i]!]));
  const graph = (cid: string, fails: string[]) => {
    if (fails.length === 0) out.push({ id: cid, status: 'pass', subject: 'chain' });
    for (const f of fails) out.push({ id: cid, status: 'fail', subject: f });
  };
  const preds = (e: Obj) => strs(e.predecessors);
  graph(
    'chain.predecessor_dangling',
    ids.filter((id) => preds(byId.get(id)!).some((p) => !byId.has(p))),
  );
  const cyclic: string[] = [];
  for (const start of ids) {
    const stack = [...preds(byId.get(start)!)];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (p === start) {
        cyclic.push(start);
        break;
      }
      if (visited.has(p) || !byId.has(p)) continue;
      visited.add(p);
      stack.push(...preds(byId.get(p)!));
    }
  }
  graph('chain.cycle', cyclic);
  const workflow = ids.filter((id) => !isObj(byId.get(id)!.lifecycle));
  if (policy.linear === true) {
    const citedBy = new Map<string, number>();
    const forks: string[] = [];
    for (const id of workflow) {
      const ps = preds(byId.get(id)!);
      if (ps.length > 1) forks.push(id);
      for (const p of ps) {
        citedBy.set(p, (citedBy.get(p) ?? 0) + 1);
        if (citedBy.get(p) === 2) forks.push(id);
      }
    }
    graph('chain.fork', forks);
  }
  const byActor = new Map<string, string[]>();
  for (const id of ids)
    byActor.set(String(byId.get(id)!.actor), [...(byActor.get(String(byId.get(id)!.actor)) ?? []), id]);
  const seqFails: string[] = [];
  const orderFails: string[] = [];
  for (const list of byActor.values()) {
    const sorted = [...list].sort((a, b) => Number(byId.get(a)!.sequence) - Number(byId.get(b)!.sequence));
    for (let i = 1; i < sorted.length; i++) {
      const prev = byId.get(sorted[i - 1]!)!;
      const cur = byId.get(sorted[i]!)!;
      if (Number(cur.sequence) !== Number(prev.sequence) + 1) seqFails.push(sorted[i]!);
      if (ms(String(cur.timestamp)) < ms(String(prev.timestamp))) orderFails.push(sorted[i]!);
    }
  }
  graph('chain.sequence', seqFails);
  for (const id of ids) {
    const e = byId.get(id)!;
    if (preds(e).some((p) => byId.has(p) && ms(String(byId.get(p)!.timestamp)) > ms(String(e.timestamp)))) {
      if (!orderFails.includes(id)) orderFails.push(id);
    }
  }
  graph('chain.timestamp_order', orderFails);
  // roots reached from the targets (workflow events no other workflow event cites)
  const cited = new Set(workflow.flatMap((id) => preds(byId.get(id)!)));
  const targets = workflow.filter((id) => !cited.has(id));
  const rootRoles = Array.isArray(policy.root_roles) ? strs(policy.root_roles) : ['authorizing_official'];
  // Walk back from the targets; a branch ending at a dangling pointer is chain.predecessor_dangling's
  // business. Every root reached is judged; reaching none at all fails once for the chain.
  const roots: string[] = [];
  const approved: string[] = [];
  const visited = new Set<string>();
  const walk = [...targets];
  while (walk.length > 0) {
    const id = walk.pop()!;
    if (visited.has(id)) continue;
    visited.add(id);
    const ps = preds(byId.get(id)!);
    if (ps.length === 0) roots.push(id);
    walk.push(...ps.filter((p) => byId.has(p)));
  }
  if (targets.length === 0)
    out.push({ id: 'chain.root_approval_role', status: 'not_checked', subject: 'chain' });
  else if (roots.length === 0) out.push({ id: 'chain.root_approval_role', status: 'fail', subject: 'chain' });
  for (const id of ids.filter((x) => roots.includes(x))) {
    const e = byId.get(id)!;
    const ap = isObj(e.approval) ? e.approval : undefined;
    const role = String(ap?.role);
    const ok =
      e.action === 'approval.grant' &&
      e.actor_kind === 'human' &&
      ap?.decision === 'approve' &&
      rootRoles.includes(role) &&
      (trust.approvers.get(String(e.actor))?.roles ?? []).includes(role) &&
      authentic.has(id);
    out.push({ id: 'chain.root_approval_role', status: ok ? 'pass' : 'fail', subject: id });
    if (ok) approved.push(id);
  }
  // Root task binding (§4.3): an approval covers its approved task (parent_task_id, else task_id)
  // and the tasks recorded under it; every walked event building on it must be one of those.
  const ctxOf = (id: string) => (isObj(byId.get(id)!.context) ? (byId.get(id)!.context as Obj) : {});
  const under = new Map<string, Set<string>>();
  for (const id of ids) {
    const c = ctxOf(id);
    if (typeof c.parent_task_id === 'string')
      under.set(c.parent_task_id, new Set([...(under.get(c.parent_task_id) ?? []), String(c.task_id)]));
  }
  const unbound: string[] = [];
  for (const r of approved) {
    const rc = ctxOf(r);
    const scope = String(typeof rc.parent_task_id === 'string' ? rc.parent_task_id : rc.task_id);
    const tasks = new Set([scope]);
    for (const t of tasks) for (const k of under.get(t) ?? []) tasks.add(k); // Set iteration sees additions
    const reached = new Set([r]);
    for (const id of reached)
      for (const k of ids)
        if (visited.has(k) && !reached.has(k) && preds(byId.get(k)!).includes(id)) reached.add(k);
    for (const id of reached)
      if (!tasks.has(String(ctxOf(id).task_id)) && !unbound.includes(id)) unbound.push(id);
  }
  for (const id of ids.filter((x) => unbound.includes(x)))
    out.push({ id: 'chain.root_approval_role', status: 'fail', subject: id });
  // §4.3 approvals: per `requires` rule, each event it selects, in input order; then per
  // `must_include` rule, once for the chain.
  const approvalOf = (id: string) => {
    const e = byId.get(id)!;
    return e.action === 'approval.grant' && isObj(e.approval) ? e.approval : undefined;
  };
  const pinnedAs = (id: string, role: string) =>
    (trust.approvers.get(String(byId.get(id)!.actor))?.roles ?? []).includes(role);
  const selects = (rule: Obj, id: string) =>
    typeof rule.action === 'string'
      ? byId.get(id)!.action === rule.action
      : approvalOf(id)?.role === rule.approval_role;
  const ancestorsOf = (id: string): Set<string> => {
    const seenA = new Set<string>();
    const todo = preds(byId.get(id)!).filter((p) => byId.has(p));
    while (todo.length > 0) {
      const p = todo.pop()!;
      if (seenA.has(p)) continue;
      seenA.add(p);
      todo.push(...preds(byId.get(p)!).filter((q) => byId.has(q)));
    }
    return seenA;
  };
  for (const rule of (Array.isArray(policy.requires) ? policy.requires : []).filter(isObj)) {
    const by = strs(rule.after_approval_by);
    const opens = (id: string) => {
      const a = approvalOf(id);
      return (
        a !== undefined &&
        by.includes(String(a.role)) &&
        (a.decision === 'approve' || a.decision === 'conditional') &&
        authentic.has(id) &&
        pinnedAs(id, String(a.role))
      );
    };
    // approval_covers: work of those actions the gated event builds on must be built on by an opener.
    const covers = Array.isArray(rule.approval_covers) ? strs(rule.approval_covers) : undefined;
    const coveredWork = new Set(ids.filter(opens).flatMap((a) => [...ancestorsOf(a)]));
    for (const id of ids) {
      if (!selects(rule, id)) continue;
      const anc = [...ancestorsOf(id)];
      let ok = anc.some(opens);
      if (ok && covers)
        ok = anc.every((r) => !covers.includes(String(byId.get(r)!.action)) || coveredWork.has(r));
      out.push({ id: 'chain.required_approval', status: ok ? 'pass' : 'fail', subject: id });
    }
  }
  for (const rule of (Array.isArray(policy.must_include) ? policy.must_include : []).filter(isObj)) {
    const role = typeof rule.approval_role === 'string' ? rule.approval_role : undefined;
    // covers_chain: the event meeting the rule builds on every other non-lifecycle event.
    const work = ids.filter((id) => byId.get(id)!.lifecycle === undefined);
    const covers = (id: string) => {
      const anc = ancestorsOf(id);
      return work.every((w) => w === id || anc.has(w));
    };
    const met = ids.some(
      (id) =>
        selects(rule, id) &&
        authentic.has(id) &&
        (role === undefined || pinnedAs(id, role)) &&
        (rule.covers_chain !== true || covers(id)),
    );
    out.push({ id: 'chain.required_event', status: met ? 'pass' : 'fail', subject: 'chain' });
  }
  // commitments
  if (input.openings) {
    const opened = new Set<string>();
    for (const o of input.openings) {
      const subject = `${o.event_id}/${o.name}`;
      const e = byId.get(String(o.event_id));
      const c =
        e && (e.commitments as Json[]).filter(isObj).find((x) => x.name === o.name && x.scheme === o.scheme);
      opened.add(subject);
      const evOk = out.filter((x) => x.subject === o.event_id).every((x) => x.status === 'pass');
      if (!c) out.push({ id: 'commitment.opening', status: 'fail', subject, why: 'no such commitment' });
      else if (o.scheme !== 'sha256-salted-v1') {
        // Pedersen on ristretto255 needs hash-to-curve and group arithmetic that node:crypto lacks.
        out.push({ id: 'commitment.opening', status: 'not_checked', subject, why: 'unsupported:pedersen' });
      } else {
        const ok = saltedCommitment(String(o.name), o.value as Json, unhex(String(o.salt))) === c.value;
        out.push({ id: 'commitment.opening', status: !ok ? 'fail' : evOk ? 'pass' : 'not_checked', subject });
      }
    }
    for (const [id, e] of byId) {
      for (const c of (e.commitments as Json[]).filter(isObj)) {
        if (!opened.has(`${id}/${c.name}`))
          out.push({ id: 'commitment.undisclosed', status: 'pass', subject: `${id}/${c.name}` });
      }
    }
  }
  return out;
}

// ---------- §4.4 receipts ----------
export function verifyReceipts(
  trustDoc: Obj,
  all: Obj[],
  lifecycle: Obj[] = [],
  maxSkewMs = 5000,
  maxDelayMs = 86_400_000,
): Outcome[] {
  const out: Outcome[] = [];
  const subj = (r: Obj) => String(r.handoff_id);
  const fields = [
    'type',
    'version',
    'handoff_id',
    'parent_task_id',
    'sender',
    'receiver',
    'payload_hash',
    'channel_sequence',
    'sent_at',
    'prev_receipt_hash',
    'sender_signature',
    'acknowledgement',
    'receiver_signature',
  ];
  // §4.4 step 1: a receipt failing receipt.schema takes no further part.
  const wellFormed: Obj[] = [];
  for (const [index, r] of all.entries()) {
    const ack = r?.acknowledgement;
    const ok =
      isObj(r) &&
      r.type === 'lineage.handoff_receipt' &&
      r.version === 1 &&
      Object.keys(r).every((k) => fields.includes(k)) &&
      typeof r.payload_hash === 'string' &&
      HEX32.test(r.payload_hash) &&
      Number.isSafeInteger(r.channel_sequence) &&
      TIME.test(String(r.sent_at)) &&
      (r.prev_receipt_hash === null || HEX32.test(String(r.prev_receipt_hash))) &&
      isObj(ack) &&
      TIME.test(String(ack.received_at)) &&
      (ack.decision === 'accepted' || ack.decision === 'quarantined') &&
      // a handoff is between two parties, with two keys
      r.sender !== r.receiver &&
      isObj(r.sender_signature) &&
      isObj(r.receiver_signature) &&
      r.sender_signature.public_key !== r.receiver_signature.public_key;
    out.push({
      id: 'receipt.schema',
      status: ok ? 'pass' : 'fail',
      subject: ok ? subj(r) : `receipt ${index}`,
    });
    if (ok) wellFormed.push(r);
  }
  const receipts = wellFormed;
  // §4.4: each party's key is judged against its key history (receipts are not logged, so no
  // positions: a key revoked after the receipt's time cannot be shown to have signed before it).
  const history = buildHistory(readTrust(trustDoc), lifecycle);
  const bound = (sig: Json | undefined, id: Json | undefined) =>
    isObj(sig) &&
    HEX32.test(String(sig.public_key)) &&
    (agentId(unhex(String(sig.public_key))) === id ||
      keysOf(history, String(id)).includes(String(sig.public_key)));
  const party = (sig: Json | undefined, id: Json | undefined, input: Uint8Array, when: string): Status => {
    if (!bound(sig, id) || !sigValid(sig, input)) return 'fail';
    const agent = String(id);
    const key = String((sig as Obj).public_key);
    if (!hasHistory(history, agent)) return 'not_checked';
    const at = ms(when);
    if (keyAt(history, agent, at)?.current !== key) return 'fail';
    const end = endOf(history, agent, key, at);
    return end?.op === 'revoke' ? 'not_checked' : 'pass';
  };
  for (const r of receipts) {
    const s = subj(r);
    const ack = r.acknowledgement as Obj;
    out.push({
      id: 'receipt.sender_signature',
      status: party(r.sender_signature, r.sender, senderSigningInput(r), String(r.sent_at)),
      subject: s,
    });
    out.push({
      id: 'receipt.receiver_signature',
      status: party(r.receiver_signature, r.receiver, receiverSigningInput(r), String(ack.received_at)),
      subject: s,
    });
    const match = ack.payload_hash === r.payload_hash;
    out.push({
      id: 'receipt.payload_match',
      status: match || ack.decision === 'quarantined' ? 'pass' : 'fail',
      subject: s,
    });
    const sent = ms(String(r.sent_at));
    const recv = ms(String(ack.received_at));
    if (recv < sent - maxSkewMs || recv > sent + maxDelayMs)
      out.push({ id: 'receipt.clock_skew', status: 'fail', subject: s });
  }
  // §4.4 channel checks. Handoff-id replays first (every later use fails), then per channel in
  // (channel_sequence, input position) order: a repeated sequence is a replay and is skipped;
  // otherwise sequence continuity, the hash link to the previous *supplied* receipt, sent_at order.
  const fails = { sequence: 0, replay: 0, clock: out.some((o) => o.id === 'receipt.clock_skew') ? 1 : 0 };
  const idCount = new Map<string, number>();
  for (const r of receipts) {
    const n = (idCount.get(subj(r)) ?? 0) + 1;
    idCount.set(subj(r), n);
    if (n >= 2) {
      fails.replay++;
      out.push({ id: 'receipt.replay', status: 'fail', subject: subj(r) });
    }
  }
  const channels = new Map<string, { r: Obj; i: number }[]>();
  for (const [i, r] of receipts.entries()) {
    const k = `${r.sender}->${r.receiver}`;
    channels.set(k, [...(channels.get(k) ?? []), { r, i }]);
  }
  for (const list of channels.values()) {
    const sorted = [...list].sort(
      (a, b) => Number(a.r.channel_sequence) - Number(b.r.channel_sequence) || a.i - b.i,
    );
    for (const [n, { r }] of sorted.entries()) {
      const prev = sorted[n - 1]?.r;
      const s = subj(r);
      const seq = Number(r.channel_sequence);
      if (prev && Number(prev.channel_sequence) === seq) {
        fails.replay++;
        out.push({ id: 'receipt.replay', status: 'fail', subject: s });
        continue;
      }
      const expected = prev ? Number(prev.channel_sequence) + 1 : 0;
      if (seq !== expected && (prev || r.prev_receipt_hash === null)) {
        fails.sequence++;
        out.push({ id: 'receipt.sequence', status: 'fail', subject: s });
      }
      if (!prev) {
        const status: Status = seq > 0 ? 'not_checked' : r.prev_receipt_hash === null ? 'pass' : 'fail';
        out.push({ id: 'receipt.hash_link', status, subject: s });
      } else {
        const linked = r.prev_receipt_hash === receiptHash(prev);
        out.push({ id: 'receipt.hash_link', status: linked ? 'pass' : 'fail', subject: s });
        if (ms(String(r.sent_at)) < ms(String(prev.sent_at))) {
          fails.clock++;
          out.push({ id: 'receipt.clock_skew', status: 'fail', subject: s });
        }
      }
    }
  }
  if (receipts.length > 0) {
    if (fails.replay === 0) out.push({ id: 'receipt.replay', status: 'pass', subject: 'all receipts' });
    if (fails.sequence === 0) out.push({ id: 'receipt.sequence', status: 'pass', subject: 'all receipts' });
    if (fails.clock === 0) out.push({ id: 'receipt.clock_skew', status: 'pass', subject: 'all receipts' });
  }
  return out;
}

// ---------- §4.1 cards ----------
// §4.1.4 payload forms: object members whose processed value is "", [] or {} are dropped (array
// elements never are); the spec form keeps the members REQUIRED for their parent.
const REQUIRED: Record<string, string[]> = {
  '': [
    'name',
    'description',
    'supportedInterfaces',
    'version',
    'capabilities',
    'defaultInputModes',
    'defaultOutputModes',
    'skills',
  ],
  'supportedInterfaces[]': ['url', 'protocolBinding', 'protocolVersion'],
  'skills[]': ['id', 'name', 'description', 'tags'],
  provider: ['url', 'organization'],
};
const isEmpty = (v: Json) =>
  v === '' || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
function strip(v: Json, path: string, keepRequired: boolean): Json {
  if (Array.isArray(v)) return v.map((x) => strip(x, `${path}[]`, keepRequired));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const y = strip(x, path ? `${path}.${k}` : k, keepRequired);
    if (isEmpty(y) && !(keepRequired && (REQUIRED[path] ?? []).includes(k))) continue;
    out[k] = y;
  }
  return out;
}
export interface CardInput {
  trust: Obj;
  card: Obj;
  events?: { event: Obj; inclusion?: Obj }[];
  registration?: { event: Obj; inclusion?: Obj };
}
export function verifyCard(input: CardInput): Outcome[] {
  const trust = readTrust(input.trust);
  const card = input.card;
  const out: Outcome[] = [];
  const push = (id: string, status: Status, why?: string) => out.push({ id, status, subject: 'card', why });
  push('card.parse', 'pass');
  push(
    'card.shape',
    Array.isArray(card.supportedInterfaces) && typeof card.name === 'string' ? 'pass' : 'fail',
  );
  const caps = isObj(card.capabilities) ? card.capabilities : {};
  const exts = (Array.isArray(caps.extensions) ? caps.extensions : [])
    .filter(isObj)
    .filter((e) => e.uri === IDENTITY_URI);
  // Without a (well-formed) identity block the A2A signatures are still checked, against pinned keys.
  const p = exts.length === 1 && isObj(exts[0]!.params) ? (exts[0]!.params as Obj) : null;
  push('card.identity_block', p ? 'pass' : exts.length === 0 ? 'not_checked' : 'fail');
  const pub = String(p?.public_key);
  let blockOk = false;
  if (p) {
    const genesis = String(p.genesis_public_key ?? p.public_key);
    const idOk = agentId(unhex(genesis, 32)) === p.agent_id;
    push('card.agent_id', idOk ? 'pass' : 'fail');
    const proofOk = sigValid(
      { alg: 'Ed25519', public_key: pub, value: String(p.identity_proof) },
      signingInput('lineage/identity-proof/v1', identityClaims(p, String(card.name))),
    );
    push('card.identity_proof', proofOk ? 'pass' : 'fail');
    const digestOk = capabilityDigest(card) === p.capability_digest;
    push('card.capability_digest', digestOk ? 'pass' : 'fail');
    let keyCurrent: Status = 'not_checked';
    if (input.events) {
      const history = buildHistory(
        trust,
        input.events.map((x) => x.event),
      );
      if (hasHistory(history, String(p.agent_id))) {
        keyCurrent =
          keyAt(history, String(p.agent_id), Number.POSITIVE_INFINITY)?.current === pub ? 'pass' : 'fail';
      }
    }
    push('card.key_current', keyCurrent);
    if (isObj(p.lineage)) {
      const lin = p.lineage;
      const reg = input.registration;
      if (!reg?.inclusion) push('card.lineage', 'not_checked');
      else {
        const e = reg.event;
        const lc = isObj(e.lifecycle) ? e.lifecycle : {};
        const inc = reg.inclusion;
        const sth = checkSth(trust, String(lin.log_origin), String(inc.checkpoint));
        const ok =
          eventId(e) === lin.registration_event_id &&
          e.action === 'identity.register' &&
          lc.agent_id === p.agent_id &&
          lc.public_key === genesis &&
          sigValid(e.signature, eventSigningInput(e)) &&
          (e.signature as Obj).public_key === genesis &&
          inc.log_origin === lin.log_origin &&
          inc.leaf_index === lin.registration_leaf_index &&
          sth !== null &&
          sth !== 'unpinned' &&
          inc.tree_size === sth.size &&
          verifyInclusion(
            eventLeaf(e),
            Number(inc.leaf_index),
            sth.size,
            strs(inc.proof).map((x) => unhex(x, 32)),
            sth.root,
          );
        push('card.lineage', sth === 'unpinned' ? 'not_checked' : ok ? 'pass' : 'fail');
      }
    }
    blockOk = idOk && proofOk && digestOk && (genesis === pub || keyCurrent === 'pass');
  }
  const payloadDoc = without(card, 'signatures');
  const forms = [strip(payloadDoc, '', false), strip(payloadDoc, '', true), payloadDoc];
  const signatures = (Array.isArray(card.signatures) ? card.signatures : []).filter(isObj);
  if (signatures.length === 0) push('card.a2a_signature', 'not_checked', 'the card carries no A2A signature');
  for (const s of signatures) {
    const header = JSON.parse(Buffer.from(unb64url(String(s.protected))).toString('utf8')) as Obj;
    const sig = unb64url(String(s.signature));
    let key: { alg: string; key: Uint8Array } | null = null;
    const pinned = trust.cardSigners.find((c) => c.kid === header.kid && c.alg === header.alg);
    if (pinned) key = { alg: pinned.alg, key: unhex(pinned.key) };
    else if (header.alg === 'EdDSA' && header.kid === p?.agent_id && blockOk)
      key = { alg: 'EdDSA', key: unhex(pub) };
    if (!key || 'crit' in header) {
      push('card.a2a_signature', 'not_checked', 'signature present, not verified (no trusted key)');
      continue;
    }
    const ok = forms.some((f) => {
      const input = new TextEncoder().encode(
        `${s.protected}.${Buffer.from(jcsBytes(f as Json)).toString('base64url')}`,
      );
      return key.alg === 'EdDSA'
        ? sigValid({ alg: 'Ed25519', public_key: hex(key.key), value: hex(sig) }, input)
        : es256Verify(key.key, input, sig);
    });
    push('card.a2a_signature', ok ? 'pass' : 'fail');
  }
  return out;
}
