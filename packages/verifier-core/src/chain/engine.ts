import type { Attestation } from '../attestation/types.js';
import { type AttestedLeafProof, checkAttestation } from '../attestation/verify.js';
import type { Opening } from '../commitments/types.js';
import { checkOpenings, parseOpening } from '../commitments/verify.js';
import { getCryptoBackend } from '../crypto/current.js';
import { fromHex } from '../encoding/hex.js';
import { outcome, short } from '../events/outcome.js';
import { parseEvent } from '../events/parse.js';
import { prepareEvent, ReadEvent } from '../events/prepared.js';
import { SignatureQueue } from '../events/signature-queue.js';
import { parseTimestamp } from '../events/time.js';
import type { LineageEvent } from '../events/types.js';
import {
  buildKeyHistories,
  type KeyHistories,
  keyBelongsToAgent,
  keyStatusAt,
} from '../identity/key-history.js';
import type { JsonValue } from '../json/index.js';
import type { LineageSth } from '../note/index.js';
import { checkReceipts, type ReceiptVerificationOptions } from '../receipts/verify.js';
import type { CheckOutcome, CheckSubject } from '../report/model.js';
import { isLineageError } from '../result.js';
import { OutcomeSink } from '../trust/sink.js';
import { SthVerifier } from '../trust/sth.js';
import type { ApproverRole, TrustStore, WorkflowPolicy } from '../trust/types.js';
import { findCycles } from './graph.js';
import { checkDirectInclusion } from './inclusion.js';
import { findTaskBindingFailures, type TaskBindingFailure, taskAncestry } from './task-binding.js';
import type { CallChainInput, ChainEventSummary, CitedEvent } from './types.js';

/**
 * The call-chain engine (spec §4.3). Runs every check in a fixed order and pushes
 * each outcome to the sink; the assessor sink keeps going, the agent sink stops at
 * the first outcome that is not a pass. Both modes therefore agree by construction:
 * the agent's quarantine reason is the assessor's first non-pass outcome.
 */

interface Node {
  index: number;
  event: LineageEvent;
  id: string;
  leaf: string;
  t: number;
  step?: string;
  /** Signature verified and key bound: counts as an authentic root or approver action. */
  authentic: boolean;
  /** Inclusion under a verified tree head passed. */
  included: boolean;
  /** Position of its signature in the batches (-1: key or signature undecodable). */
  signature: number;
  subject?: CheckSubject;
  /** Its predecessors among the supplied events, resolved once (chainStructure). */
  preds?: Node[];
}

const TITLES = {
  schema: 'event is well-formed',
  actor: "the signing key is bound to the actor's identity",
  signature: "the actor's signature over the canonical event verifies",
  keyTime: 'the signing key was valid at the event time',
  inclusion: 'the event is in a log under a verified tree head',
  sthTime: 'the event is not timestamped after the tree head that logs it',
  allowed: 'the actor is allowed to perform this action',
  dangling: 'every predecessor the event cites is present',
  cycle: 'predecessor pointers contain no cycle',
  fork: 'the workflow is linear as the policy requires',
  sequence: "each actor's sequence numbers are consecutive",
  timeOrder: 'no event is timestamped before an event it builds on',
  root: 'every chain starts at a human approval by a required role',
};

const LIFECYCLE_REVOKERS: ApproverRole[] = ['security_officer', 'authorizing_official'];

export async function runCallChain(
  input: CallChainInput,
  sink: OutcomeSink,
): Promise<{ events: ChainEventSummary[]; attestations: (Attestation | undefined)[] }> {
  const trust: TrustStore = input.trust;
  const policy: WorkflowPolicy = input.policy ?? trust.policy;
  const sths = new SthVerifier(trust);
  const backend = input.backend;

  // Inputs may come from untyped JSON (capsules, vectors): anything but an array is reported, not thrown.
  const list = <T>(v: readonly T[] | undefined, name: string): readonly T[] => {
    if (v === undefined || Array.isArray(v)) return v ?? [];
    sink.push(
      outcome('event.schema', 'fail', { kind: 'chain', id: 'call chain', field: `/${name}` }, TITLES.schema, {
        reason: `${name} must be an array`,
      }),
    );
    return [];
  };
  const cites = list(input.events, 'events').map((c) =>
    typeof c === 'object' && c !== null && !Array.isArray(c)
      ? c
      : ({ event: c as unknown as JsonValue } as CitedEvent),
  );
  const attestations = list(input.attestations, 'attestations');
  const receipts = list(input.receipts, 'receipts');
  const openingValues = input.openings === undefined ? undefined : list(input.openings, 'openings');

  // 1. Attestations: verified once, then consulted per event.
  const attested = new Map<string, AttestedLeafProof[]>();
  // Leaves an attestation covers but whose proof could not be checked (unpinned server or log).
  const unverifiable = new Map<string, string>();
  // Each attestation as parsed (undefined where attestation.schema failed), for hosts that show it.
  const parsedAttestations: (Attestation | undefined)[] = [];
  for (const [i, a] of attestations.entries()) {
    const opts: Parameters<typeof checkAttestation>[4] = { sths };
    if (backend) opts.backend = backend;
    const r = await checkAttestation(
      a,
      input.attestationLabels?.[i] ?? `attestation ${i}`,
      trust,
      sink,
      opts,
    );
    parsedAttestations.push(r.attestation);
    for (const [leaf, proofs] of r.proven) {
      const known = attested.get(leaf);
      if (known) for (const p of proofs) known.push(p);
      else attested.set(leaf, proofs);
    }
    for (const [leaf, why] of r.unverifiable) if (!unverifiable.has(leaf)) unverifiable.set(leaf, why);
  }

  // 2. Parse every event, canonicalizing it once (id, signing input and leaf from one
  // serialization), and hand its signature to the backend's batch path as we go, so the
  // workers verify while this thread parses the rest.
  const nodes: Node[] = [];
  const byId = new Map<string, Node>();
  // Events read ahead (ReadEvent) may already be queued on the caller's queue.
  const signatures = input.signatures ?? new SignatureQueue(backend ?? getCryptoBackend());
  for (const [index, cited] of cites.entries()) {
    const label = `event ${index}`;
    // Only a ReadEvent that readEventText made is taken: its event and hashes agree by construction.
    const read = ReadEvent.is(cited.read) ? cited.read : undefined;
    const raw = cited.event;
    if (input.consumeEvents) {
      (cited as { event: JsonValue }).event = null;
      (cited as { read?: unknown }).read = undefined;
    }
    try {
      const event = read ? read.event : parseEvent(raw);
      const prepared = read ? undefined : prepareEvent(event, { parsed: true });
      const node: Node = {
        index,
        event,
        id: read ? read.id : prepared!.id,
        leaf: read ? read.leaf : prepared!.leaf,
        t: parseTimestamp(event.timestamp),
        authentic: false,
        included: false,
        signature: -1,
      };
      if (cited.step !== undefined) node.step = cited.step;
      if (byId.has(node.id)) {
        sink.push(
          outcome('event.schema', 'fail', subject(node), TITLES.schema, {
            reason: `the same event is supplied twice (also at position ${byId.get(node.id)!.index})`,
          }),
        );
        continue;
      }
      sink.push(outcome('event.schema', 'pass', subject(node), TITLES.schema));
      node.signature = read
        ? read.queueSignature(signatures)
        : signatures.add(event.signature, prepared!.signingInput);
      nodes.push(node);
      byId.set(node.id, node);
    } catch (e) {
      if (!isLineageError(e)) throw e;
      const s: CheckSubject = { kind: 'event', id: label, field: e.path ?? '/' };
      if (cited.step !== undefined) s.step = cited.step;
      sink.push(outcome('event.schema', 'fail', s, TITLES.schema, { reason: e.message }));
    }
  }

  // 3. Key histories from the lifecycle events among them.
  const built = await buildKeyHistories(
    nodes.map((n) => n.event),
    trust,
    backend,
  );
  const histories: KeyHistories = built.histories;
  const lifecycleProblems = new Map(built.problems.map((p) => [p.eventId, p.reason]));

  // The chain's structure (predecessors, cycles, sequences, time order, the walk to its roots)
  // does not depend on signatures: it is worked out while the workers finish, and its outcomes
  // are held back and reported after the per-event ones, in the engine's fixed order.
  const structure = new OutcomeSink(false);
  const walk = chainStructure(nodes, byId, policy, input.targets, structure);
  const judged = walk ? judgeRoots(walk, nodes, trust) : undefined;

  // 4. Per-event checks, in input order. Everything that does not need the signature
  // results is decided while the workers verify (held per event); the results are awaited
  // once, then each event's outcomes are reported in the fixed order (agent mode still stops
  // at the first failure).
  const decide = new BeforeSignatures(trust, policy, histories, lifecycleProblems, attested, unverifiable);
  const held: HeldEventOutcomes[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const s = subject(n);
    const direct = cites[n.index]!.inclusion;
    // Only direct inclusion proofs wait (for their tree head); attested events are decided at once.
    const included =
      direct === undefined ? decide.attestedInclusion(n, s) : await directInclusion(n, direct, sths, s);
    held[i] = decide.held(n, s, included);
  }

  const events = summaries(nodes);
  await input.whileVerifying?.({ events, attestations: parsedAttestations });
  reportEventOutcomes(nodes, held, await signatures.results(), sink);

  sink.pushAll(structure.outcomes);
  if (judged) rootApprovals(judged, nodes, sink);

  // Handoff receipts between the agents, with the same key histories.
  if (receipts.length > 0) {
    const ro: ReceiptVerificationOptions = { ...(input.receiptClock ?? {}), keyHistories: histories };
    if (backend) ro.backend = backend;
    await checkReceipts(receipts, sink, ro);
  }

  // Commitments: openings checked against proven events; the rest "committed, not disclosed".
  // Only when the caller asks (openings given, possibly empty), so a host that checks
  // openings itself does not get every commitment listed twice.
  if (openingValues === undefined) return { events, attestations: parsedAttestations };
  const openings: Opening[] = [];
  for (const [i, o] of openingValues.entries()) {
    try {
      openings.push(parseOpening(o, `/openings/${i}`));
    } catch (e) {
      if (!isLineageError(e)) throw e;
      sink.push(
        outcome(
          'commitment.opening',
          'fail',
          { kind: 'commitment', id: `opening ${i}`, field: e.path ?? '/' },
          'the disclosed value opens the commitment in a proven event',
          {
            reason: e.message,
          },
        ),
      );
    }
  }
  const withCommitments = new Map(
    nodes.filter((n) => n.event.commitments.length > 0).map((n) => [n.id, n.event]),
  );
  for (const o of openings) {
    const n = byId.get(o.event_id);
    if (n) withCommitments.set(n.id, n.event);
  }
  const proven = new Set(nodes.filter((n) => n.authentic && n.included).map((n) => n.id));
  sink.pushAll(checkOpenings(withCommitments, openings, proven));
  return { events, attestations: parsedAttestations };
}

function summaries(nodes: Node[]): ChainEventSummary[] {
  return nodes.map((n) => {
    const sum: ChainEventSummary = {
      index: n.index,
      eventId: n.id,
      leafHash: n.leaf,
      event: n.event,
      actor: n.event.actor,
      actorKind: n.event.actor_kind,
      action: n.event.action,
      timestamp: n.event.timestamp,
      sequence: n.event.sequence,
      predecessors: n.event.predecessors,
    };
    if (n.step !== undefined) sum.step = n.step;
    return sum;
  });
}

/** The event's subject, one object shared by its outcomes that name no field (100k events, ~6 each). */
function subject(n: Node): CheckSubject {
  if (n.subject) return n.subject;
  const s: CheckSubject = { kind: 'event', id: n.id };
  if (n.step !== undefined) s.step = n.step;
  n.subject = s;
  return s;
}

/** The subject with a field named; built member by member (a spread gives each copy its own map). */
function field(s: CheckSubject, f: string): CheckSubject {
  const out: CheckSubject = { kind: s.kind, id: s.id, field: f };
  if (s.step !== undefined) out.step = s.step;
  return out;
}

/** An event's outcomes decided before its signature result is known, held to be reported in order. */
interface HeldEventOutcomes {
  actor: CheckOutcome;
  bound: boolean;
  /** Undefined for a lifecycle event: its key validity is its own signature's. */
  keyTime: CheckOutcome | undefined;
  keyOk: boolean;
  inclusion: CheckOutcome;
  sthTime: CheckOutcome;
  allowed: CheckOutcome;
}

/** An event's inclusion outcome and the tree head it proved it under (none when it did not). */
interface Included {
  inclusion: CheckOutcome;
  sth: LineageSth | undefined;
  /** Evidence exists but the trust store cannot check it (not the capsule's fault). */
  unchecked: boolean;
}

/**
 * Everything about one event that its signature result does not decide: the actor's key
 * binding, the key's validity at the event time, inclusion, the tree-head time bound and
 * the policy. One instance per chain; `held` is called once per event.
 */
class BeforeSignatures {
  /** Agents sign many events with one key: each (actor, key) binding is decided once. */
  readonly #bindings = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly trust: TrustStore,
    private readonly policy: WorkflowPolicy,
    private readonly histories: KeyHistories,
    private readonly lifecycleProblems: ReadonlyMap<string, string>,
    private readonly attested: ReadonlyMap<string, AttestedLeafProof[]>,
    private readonly unverifiable: ReadonlyMap<string, string>,
  ) {}

  held(n: Node, s: CheckSubject, included: Included): HeldEventOutcomes {
    n.included = included.sth !== undefined;
    const { actor, bound } = this.actor(n, s);
    const { keyTime, keyOk } = this.keyTime(n, s, bound);
    return {
      actor,
      bound,
      keyTime,
      keyOk,
      inclusion: included.inclusion,
      sthTime: sthTimeOutcome(n, s, included),
      allowed: actionAllowed(n, this.trust, this.policy),
    };
  }

  /** Inclusion through a verified attestation (how a capsule proves most events). */
  attestedInclusion(n: Node, s: CheckSubject): Included {
    const proofs = this.attested.get(n.leaf);
    if (proofs && proofs.length > 0) {
      const p = proofs[0]!;
      const text = this.#textFor(p);
      let found = `${text.before}${p.leafIndex}${text.after}`;
      if (proofs.length > 1) found += ` (+${proofs.length - 1} more logs)`;
      return {
        inclusion: outcome('event.inclusion', 'pass', s, TITLES.inclusion, { found }),
        sth: p.sth,
        unchecked: false,
      };
    }
    const why = this.unverifiable.get(n.leaf);
    if (why !== undefined) {
      return {
        inclusion: outcome('event.inclusion', 'not_checked', s, TITLES.inclusion, {
          reason: `the attestation covering leaf ${short(n.leaf)} could not be checked: ${why}`,
        }),
        sth: undefined,
        unchecked: true,
      };
    }
    // A cited event no proof covers is evidence not anchored in the log (e.g. altered
    // after logging, so its leaf changed): a failure, not a gap in what could be checked.
    return {
      inclusion: outcome('event.inclusion', 'fail', s, TITLES.inclusion, {
        reason:
          'no inclusion proof and no verified attestation covers the event: it is not anchored in a log',
        expected: `an inclusion proof or a verified attestation covering leaf ${n.leaf}`,
        found: 'none',
      }),
      sth: undefined,
      unchecked: false,
    };
  }

  #belongs(actor: string, key: string): boolean {
    let keys = this.#bindings.get(actor);
    if (keys === undefined) {
      keys = new Map();
      this.#bindings.set(actor, keys);
    }
    let b = keys.get(key);
    if (b === undefined) {
      b = keyBelongsToAgent(this.histories, actor, key);
      keys.set(key, b);
    }
    return b;
  }

  // Most events are proven by one attestation of one log: the text around the leaf index of an
  // inclusion outcome is made once per (server, tree head) and shared by every event it proves.
  #proofText: { server: string; sth: LineageSth; origin: string; before: string; after: string } | undefined;

  #textFor(p: AttestedLeafProof): { before: string; after: string } {
    const t = this.#proofText;
    if (t && t.server === p.server && t.sth === p.sth && t.origin === p.logOrigin) return t;
    const made = {
      server: p.server,
      sth: p.sth,
      origin: p.logOrigin,
      before: `attested by ${p.server}: leaf `,
      after: ` of ${p.sth.treeSize} in ${p.logOrigin}`,
    };
    this.#proofText = made;
    return made;
  }

  private actor(n: Node, s: CheckSubject): { actor: CheckOutcome; bound: boolean } {
    const e = n.event;
    const key = e.signature.public_key;
    if (e.actor_kind === 'human') {
      const a = this.trust.approvers.find((x) => x.id === e.actor);
      if (!a) {
        return {
          actor: outcome('event.actor_known', 'fail', field(s, '/actor'), TITLES.actor, {
            reason: `human actor ${e.actor} is not an approver in the trust store`,
          }),
          bound: false,
        };
      }
      if (a.public_key !== key) {
        return {
          actor: outcome('event.actor_known', 'fail', field(s, '/signature/public_key'), TITLES.actor, {
            reason: `signed by a key other than the one pinned for ${a.name}`,
            expected: a.public_key,
            found: key,
          }),
          bound: false,
        };
      }
      return {
        actor: outcome('event.actor_known', 'pass', s, TITLES.actor, {
          found: `${a.name} (pinned approver)`,
        }),
        bound: true,
      };
    }
    if (this.#belongs(e.actor, key)) {
      return { actor: outcome('event.actor_known', 'pass', s, TITLES.actor), bound: true };
    }
    return {
      actor: outcome('event.actor_known', 'fail', field(s, '/signature/public_key'), TITLES.actor, {
        reason: "the key neither derives the agent id nor appears in the agent's key history: impersonation",
        expected: `a key of ${e.actor}`,
        found: key,
      }),
      bound: false,
    };
  }

  /** Key validity at the event time; a lifecycle event's is its own signature's (undefined here). */
  private keyTime(
    n: Node,
    s: CheckSubject,
    bound: boolean,
  ): { keyTime: CheckOutcome | undefined; keyOk: boolean } {
    const e = n.event;
    const problem = this.lifecycleProblems.get(n.id);
    if (problem) {
      return {
        keyTime: outcome('event.actor_key_valid_at_time', 'fail', field(s, '/lifecycle'), TITLES.keyTime, {
          reason: problem,
        }),
        keyOk: false,
      };
    }
    if (e.lifecycle) return { keyTime: undefined, keyOk: false };
    if (e.actor_kind === 'human') {
      return {
        keyTime: bound
          ? outcome('event.actor_key_valid_at_time', 'pass', s, TITLES.keyTime, {
              found: 'pinned approver key',
            })
          : outcome('event.actor_key_valid_at_time', 'fail', s, TITLES.keyTime, {
              reason: 'key not pinned for this approver',
            }),
        keyOk: bound,
      };
    }
    const st = keyStatusAt(this.histories, e.actor, e.signature.public_key, n.t, e.timestamp);
    return {
      keyTime: outcome(
        'event.actor_key_valid_at_time',
        st.status === 'valid' ? 'pass' : st.status === 'invalid' ? 'fail' : 'not_checked',
        field(s, '/signature/public_key'),
        TITLES.keyTime,
        st.status === 'valid' ? { found: st.detail } : { reason: st.detail },
      ),
      keyOk: st.status === 'valid',
    };
  }
}

/** Inclusion by the event's own proof under a trusted tree head (spec §4.2.4). */
async function directInclusion(
  n: Node,
  raw: JsonValue,
  sths: SthVerifier,
  s: CheckSubject,
): Promise<Included> {
  const r = await checkDirectInclusion(raw, `${n.index}/inclusion`, fromHex(n.leaf, 32), sths);
  if (r.ok) {
    return {
      inclusion: outcome('event.inclusion', 'pass', s, TITLES.inclusion, { found: r.detail }),
      sth: r.sth,
      unchecked: false,
    };
  }
  return {
    inclusion: outcome(
      'event.inclusion',
      r.untrusted ? 'not_checked' : 'fail',
      field(s, '/inclusion'),
      TITLES.inclusion,
      {
        reason: r.reason,
      },
    ),
    sth: undefined,
    unchecked: r.untrusted,
  };
}

/** The event's time against the tree head that logs it. */
function sthTimeOutcome(n: Node, s: CheckSubject, { sth, unchecked }: Included): CheckOutcome {
  const e = n.event;
  if (!sth && unchecked) {
    return outcome('event.sth_time', 'not_checked', s, TITLES.sthTime, {
      reason: 'no verified tree head for this event: its inclusion could not be checked',
    });
  }
  if (!sth) {
    return outcome('event.sth_time', 'fail', field(s, '/timestamp'), TITLES.sthTime, {
      reason: 'no verified tree head logs this event (its inclusion failed), so its time is unbounded',
      expected: 'at or before the time of a verified tree head that logs the event',
      found: `${e.timestamp}, and no verified tree head`,
    });
  }
  if (n.t > sth.timestampMs) {
    return outcome('event.sth_time', 'fail', field(s, '/timestamp'), TITLES.sthTime, {
      reason: 'the event claims a time after the tree head that already contains it',
      expected: `at or before ${sth.timestamp}`,
      found: e.timestamp,
    });
  }
  return outcome('event.sth_time', 'pass', s, TITLES.sthTime, { found: `${e.timestamp} ≤ ${sth.timestamp}` });
}

/**
 * Reports each event's outcomes in the fixed order once the signature results are in:
 * actor, signature, key validity, inclusion, tree-head time, policy. Sets `n.authentic`.
 */
function reportEventOutcomes(
  nodes: readonly Node[],
  held: readonly HeldEventOutcomes[],
  sigResults: readonly boolean[],
  sink: OutcomeSink,
): void {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const h = held[i]!;
    const s = subject(n);
    const sigOk = n.signature >= 0 && sigResults[n.signature] === true;
    sink.push(h.actor);
    sink.push(
      sigOk
        ? outcome('event.signature', 'pass', s, TITLES.signature)
        : outcome('event.signature', 'fail', field(s, '/signature/value'), TITLES.signature, {
            reason:
              'signature does not verify over the canonical event: the event was altered after signing or signed by another key',
          }),
    );
    let keyOk = h.keyOk;
    if (h.keyTime) sink.push(h.keyTime);
    else {
      keyOk = sigOk;
      sink.push(
        sigOk
          ? outcome('event.actor_key_valid_at_time', 'pass', s, TITLES.keyTime, {
              found: `${n.event.lifecycle!.op} applied to the key history`,
            })
          : outcome('event.actor_key_valid_at_time', 'fail', s, TITLES.keyTime, {
              reason: 'lifecycle event not applied',
            }),
      );
    }
    n.authentic = h.bound && sigOk && keyOk;
    sink.push(h.inclusion);
    sink.push(h.sthTime);
    sink.push(h.allowed);
  }
}

function actionAllowed(n: Node, trust: TrustStore, policy: WorkflowPolicy): CheckOutcome {
  const e = n.event;
  const s: CheckSubject = { kind: 'chain', id: n.id, field: '/action' };
  if (n.step !== undefined) s.step = n.step;
  const problems: string[] = [];
  const approver = e.actor_kind === 'human' ? trust.approvers.find((a) => a.id === e.actor) : undefined;
  if (e.approval && approver && !approver.roles.includes(e.approval.role)) {
    problems.push(
      `${approver.name} approves as ${e.approval.role} but holds only ${approver.roles.join(', ') || 'no roles'}`,
    );
  }
  if (e.lifecycle?.op === 'revoke' && e.actor_kind === 'human') {
    if (!approver?.roles.some((r) => LIFECYCLE_REVOKERS.includes(r)))
      problems.push('only a security officer or authorizing official may revoke an agent');
  } else if (e.lifecycle && e.actor !== e.lifecycle.agent_id) {
    problems.push(`${e.action} for ${e.lifecycle.agent_id} is signed by another actor`);
  }
  const rule = policy.actions?.[e.action];
  if (rule) {
    if (rule.actors && !rule.actors.includes(e.actor))
      problems.push(`policy allows ${e.action} only for ${rule.actors.map(short).join(', ')}`);
    if (rule.actor_kinds && !rule.actor_kinds.includes(e.actor_kind))
      problems.push(`policy allows ${e.action} only for ${rule.actor_kinds.join('/')} actors`);
    if (rule.roles) {
      const held = approver?.roles ?? [];
      if (!rule.roles.some((r) => held.includes(r)))
        problems.push(
          `policy requires one of the roles ${rule.roles.join(', ')}; actor holds ${held.join(', ') || 'none'}`,
        );
    }
  }
  return problems.length === 0
    ? outcome('chain.action_allowed', 'pass', s, TITLES.allowed, {
        found: rule ? 'allowed by policy' : 'action not restricted by policy',
      })
    : outcome('chain.action_allowed', 'fail', s, TITLES.allowed, {
        reason: problems.join('; '),
        found: `${e.actor_kind} ${e.actor} did ${e.action}`,
      });
}

function chainStructure(
  nodes: Node[],
  byId: Map<string, Node>,
  policy: WorkflowPolicy,
  targets: readonly string[] | undefined,
  sink: OutcomeSink,
): ChainWalk | undefined {
  resolvePredecessors(nodes, byId, sink);
  const cycles = findCycles(nodes, predsOf);
  for (const c of cycles) {
    sink.push(
      outcome('chain.cycle', 'fail', { kind: 'chain', id: c[0]!.id, field: '/predecessors' }, TITLES.cycle, {
        reason: `following predecessors returns to the same event after ${c.length - 1} step(s)`,
        found: c.map((n) => short(n.id)).join(' → '),
      }),
    );
  }
  if (cycles.length === 0) sink.push(outcome('chain.cycle', 'pass', CHAIN_SUBJECT, TITLES.cycle));

  const workflow = nodes.filter((n) => !n.event.lifecycle);
  // Workflow events some workflow event builds on, each with those that do (in input order).
  const children = new Map<Node, Node[]>();
  for (const n of workflow)
    for (const p of predsOf(n)) {
      const kids = children.get(p);
      if (kids) kids.push(n);
      else children.set(p, [n]);
    }
  if (policy.linear) checkLinear(workflow, children, sink);
  checkSequencesAndTimeOrder(nodes, sink);
  // Root approvals: walk back from the targets (default: the workflow events nothing builds on).
  const targetNodes = targets
    ? targets.map((t) => byId.get(t)).filter((n): n is Node => n !== undefined)
    : workflow.filter((n) => !children.has(n));
  return walkToRoots(targetNodes, targets ?? [], byId, policy, sink);
}

const CHAIN_SUBJECT: CheckSubject = Object.freeze({ kind: 'chain', id: 'call chain' });

/** Resolves each node's predecessors to nodes once (every rule follows these); the missing are dangling. */
function resolvePredecessors(
  nodes: readonly Node[],
  byId: ReadonlyMap<string, Node>,
  sink: OutcomeSink,
): void {
  let dangling = 0;
  for (const n of nodes) {
    const ids = n.event.predecessors;
    let missing: string[] | undefined;
    let found = 0;
    // Exact-size arrays (pushing from empty reserves 17 slots; there are 100k+ nodes).
    const preds: Node[] = ids.length === 0 ? NO_NODES : new Array<Node>(ids.length);
    for (const p of ids) {
      const pn = byId.get(p);
      if (pn) preds[found++] = pn;
      else {
        missing ??= [];
        missing.push(p);
      }
    }
    n.preds = missing === undefined ? preds : preds.slice(0, found);
    if (missing !== undefined) {
      dangling++;
      sink.push(
        outcome(
          'chain.predecessor_dangling',
          'fail',
          { ...subject(n), kind: 'chain', field: '/predecessors' },
          TITLES.dangling,
          {
            reason: `${missing.length} of ${ids.length} predecessor(s) are not among the ${nodes.length} supplied events`,
            found: missing.join(', '),
          },
        ),
      );
    }
  }
  if (dangling === 0)
    sink.push(outcome('chain.predecessor_dangling', 'pass', CHAIN_SUBJECT, TITLES.dangling));
}

/** Forks, when the policy demands a linear workflow: merges and branches both fail. */
function checkLinear(
  workflow: readonly Node[],
  children: ReadonlyMap<Node, Node[]>,
  sink: OutcomeSink,
): void {
  let forks = 0;
  for (const n of workflow) {
    if (n.event.predecessors.length > 1) {
      forks++;
      sink.push(
        outcome('chain.fork', 'fail', { ...subject(n), kind: 'chain', field: '/predecessors' }, TITLES.fork, {
          reason: `event merges ${n.event.predecessors.length} branches; the policy requires a linear workflow`,
          expected: 'at most 1 predecessor',
          found: `${n.event.predecessors.length}`,
        }),
      );
    }
    const kids = children.get(n) ?? [];
    if (kids.length > 1) {
      forks++;
      sink.push(
        outcome('chain.fork', 'fail', { ...subject(n), kind: 'chain' }, TITLES.fork, {
          reason: `${kids.length} events build on this one; the policy requires a linear workflow`,
          found: kids.map((k) => short(k.id)).join(', '),
        }),
      );
    }
  }
  if (forks === 0) sink.push(outcome('chain.fork', 'pass', CHAIN_SUBJECT, TITLES.fork));
}

/** Per-actor sequences (all events an actor signed, lifecycle included) and time order along them and along predecessors. */
function checkSequencesAndTimeOrder(nodes: readonly Node[], sink: OutcomeSink): void {
  const byActor = new Map<string, Node[]>();
  for (const n of nodes) {
    const mine = byActor.get(n.event.actor);
    if (mine) mine.push(n);
    else byActor.set(n.event.actor, [n]);
  }
  let seqProblems = 0;
  let orderProblems = 0;
  for (const [actor, list] of byActor) {
    const sorted = inSequence(list);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      const d = cur.event.sequence - prev.event.sequence;
      if (d !== 1) {
        seqProblems++;
        sink.push(
          outcome(
            'chain.sequence',
            'fail',
            { ...subject(cur), kind: 'chain', field: '/sequence' },
            TITLES.sequence,
            {
              reason:
                d === 0
                  ? `${actor} used sequence ${cur.event.sequence} twice (events ${short(prev.id)} and ${short(cur.id)}): replay or equivocation`
                  : `${actor} jumps from sequence ${prev.event.sequence} to ${cur.event.sequence}: ${d - 1} event(s) missing`,
              expected: `${prev.event.sequence + 1}`,
              found: `${cur.event.sequence}`,
            },
          ),
        );
      }
      if (cur.t < prev.t) {
        orderProblems++;
        sink.push(
          outcome(
            'chain.timestamp_order',
            'fail',
            { ...subject(cur), kind: 'chain', field: '/timestamp' },
            TITLES.timeOrder,
            {
              reason: `${actor}'s sequence ${cur.event.sequence} is timestamped before its sequence ${prev.event.sequence}: time runs backwards`,
              expected: `at or after ${prev.event.timestamp}`,
              found: cur.event.timestamp,
            },
          ),
        );
      }
    }
  }
  if (seqProblems === 0) sink.push(outcome('chain.sequence', 'pass', CHAIN_SUBJECT, TITLES.sequence));
  for (const n of nodes) {
    for (const pred of predsOf(n)) {
      if (n.t < pred.t) {
        orderProblems++;
        sink.push(
          outcome(
            'chain.timestamp_order',
            'fail',
            { ...subject(n), kind: 'chain', field: '/timestamp' },
            TITLES.timeOrder,
            {
              reason: `event is timestamped before its predecessor ${short(pred.id)}`,
              expected: `at or after ${pred.event.timestamp}`,
              found: n.event.timestamp,
            },
          ),
        );
      }
    }
  }
  if (orderProblems === 0)
    sink.push(outcome('chain.timestamp_order', 'pass', CHAIN_SUBJECT, TITLES.timeOrder));
}

/** Walks back from the target events to the roots; undefined when there is nothing to walk. */
function walkToRoots(
  targetNodes: readonly Node[],
  targets: readonly string[],
  byId: ReadonlyMap<string, Node>,
  policy: WorkflowPolicy,
  sink: OutcomeSink,
): ChainWalk | undefined {
  const missingTargets = targets.filter((t) => !byId.has(t));
  for (const t of missingTargets) {
    sink.push(
      outcome('chain.root_approval_role', 'fail', { kind: 'chain', id: t }, TITLES.root, {
        reason: 'the target event is not among the supplied events',
      }),
    );
  }
  const roots = new Set<Node>();
  const seen = new Set<Node>();
  const todo = [...targetNodes];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.event.predecessors.length === 0) roots.add(n);
    for (const pn of predsOf(n)) todo.push(pn);
  }
  if (targetNodes.length === 0 && missingTargets.length === 0) {
    sink.push(
      outcome('chain.root_approval_role', 'not_checked', CHAIN_SUBJECT, TITLES.root, {
        reason: 'no workflow events to walk',
      }),
    );
    return undefined;
  }
  if (roots.size === 0 && missingTargets.length === 0) {
    sink.push(
      outcome('chain.root_approval_role', 'fail', CHAIN_SUBJECT, TITLES.root, {
        reason: 'no root reached: every walk ends at a dangling predecessor or a cycle',
      }),
    );
  }
  return { roots, seen, required: policy.root_roles ?? ['authorizing_official'] };
}

const NO_NODES: Node[] = [];

/** A node's predecessors among the supplied events (resolved by chainStructure). */
function predsOf(n: Node): readonly Node[] {
  return n.preds ?? NO_NODES;
}

/** An actor's events by sequence, then input position (already in order, as a producer writes them: no sort). */
function inSequence(list: Node[]): Node[] {
  const before = (a: Node, b: Node) => a.event.sequence - b.event.sequence || a.index - b.index;
  for (let i = 1; i < list.length; i++) if (before(list[i - 1]!, list[i]!) > 0) return [...list].sort(before);
  return list;
}

/** Where the predecessor walk from the targets ended: the roots it reached and what it passed. */
interface ChainWalk {
  roots: Set<Node>;
  seen: Set<Node>;
  required: readonly ApproverRole[];
}

/**
 * What can be judged of the roots before the signatures are known: every rule but
 * authenticity, and the task binding of the roots that pass them (the costly walk), so
 * that only authenticity is left for after the workers finish.
 */
interface RootJudgement {
  walk: ChainWalk;
  /** Roots in input order, each with the first rule it breaks other than authenticity. */
  roots: { node: Node; why: string | undefined; approver: TrustStore['approvers'][number] | undefined }[];
  /** Task-binding failures assuming every root without a `why` proves authentic. */
  binding: TaskBindingFailure<Node>[];
}

function judgeRoots(walk: ChainWalk, nodes: Node[], trust: TrustStore): RootJudgement {
  const { required } = walk;
  const roots = [...walk.roots]
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const e = r.event;
      const approver = e.actor_kind === 'human' ? trust.approvers.find((a) => a.id === e.actor) : undefined;
      let why: string | undefined;
      if (e.action !== 'approval.grant' || !e.approval)
        why = `the root is a ${e.actor_kind} ${e.action} event, not a human approval`;
      else if (e.approval.decision !== 'approve')
        why = `the root approval's decision is "${e.approval.decision}"`;
      else if (!required.includes(e.approval.role))
        why = `the root approval is by role ${e.approval.role}; required: ${required.join(' or ')}`;
      else if (!approver?.roles.includes(e.approval.role))
        why = `the approver does not hold role ${e.approval.role} in the trust store`;
      return { node: r, why, approver };
    });
  const candidates = roots.filter((r) => r.why === undefined).map((r) => r.node);
  return { walk, roots, binding: findTaskBindingFailures(nodes, walk.seen, candidates, predsOf) };
}

/** Each root the walk reached must be an authentic approval by a required role, for this task. */
function rootApprovals(judged: RootJudgement, nodes: Node[], sink: OutcomeSink): void {
  const { required } = judged.walk;
  const approvedRoots: Node[] = [];
  for (const { node: r, why: rule, approver } of judged.roots) {
    const e = r.event;
    const s: CheckSubject = { ...subject(r), kind: 'chain' };
    const why =
      rule ??
      (r.authentic ? undefined : 'the root approval is not authentic (its signature or key did not verify)');
    sink.push(
      why
        ? outcome('chain.root_approval_role', 'fail', s, TITLES.root, {
            reason: why,
            expected: `approval.grant by ${required.join(' or ')}`,
            found: `${e.action}${e.approval ? ` by ${e.approval.role}` : ''} (${e.actor})`,
          })
        : outcome('chain.root_approval_role', 'pass', s, TITLES.root, {
            found: `${e.approval!.role} ${approver!.name} at ${e.timestamp}`,
          }),
    );
    if (!why) approvedRoots.push(r);
  }
  const candidates = judged.roots.filter((r) => r.why === undefined).length;
  const failures =
    approvedRoots.length === candidates
      ? judged.binding
      : findTaskBindingFailures(nodes, judged.walk.seen, approvedRoots, predsOf);
  // An approval authorizes its own task only: an event reaching an approval given for
  // another task fails here too (roots that already failed are not judged twice).
  for (const f of failures) {
    const task = f.node.event.context.task_id;
    sink.push(
      outcome(
        'chain.root_approval_role',
        'fail',
        { ...subject(f.node), kind: 'chain', field: '/context/task_id' },
        TITLES.root,
        {
          reason: `event ${short(f.node.id)} of task "${task}" walks back to root approval ${short(f.root.id)} of task "${f.root.event.context.task_id}", which approves task "${f.scope}" and the tasks under it, not this one`,
          expected: `task "${f.scope}" or a task under it (parent_task_id)`,
          found: `task ${taskAncestry(task, nodes)}`,
        },
      ),
    );
  }
}
