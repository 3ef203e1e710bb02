import type { AttestedLeafProof, RefutedLeaf } from '../attestation/verify.js';
import { fromHex } from '../encoding/hex.js';
import { outcome, short } from '../events/outcome.js';
import { CLOCK_ALLOWANCE_MS } from '../events/time.js';
import {
  type KeyHistories,
  keyBelongsToAgent,
  keyStatusAt,
  type LifecycleProblem,
  type LogPosition,
} from '../identity/key-history.js';
import type { JsonValue } from '../json/index.js';
import type { LineageSth } from '../note/index.js';
import type { CheckOutcome, CheckSubject } from '../report/model.js';
import { expectedFoundOf } from '../result.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { SthVerifier } from '../trust/sth.js';
import type { ApproverRole, TrustStore, WorkflowPolicy } from '../trust/types.js';
import { checkDirectInclusion } from './inclusion.js';
import { field, type Node, subject, TITLES } from './node.js';

// Each event's own checks (spec §4.3): what is decided before its signature result is known,
// held, then reported in the engine's fixed order once the results are in.

const LIFECYCLE_REVOKERS: ApproverRole[] = ['security_officer', 'authorizing_official'];

/** An event's outcomes decided before its signature result is known, held to be reported in order. */
export interface HeldEventOutcomes {
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
export interface Included {
  inclusion: CheckOutcome;
  sth: LineageSth | undefined;
  /** Where a direct inclusion proof puts the event (attested positions are in the attestations). */
  position?: LogPosition;
  /** Evidence exists but the trust store cannot check it (not the capsule's fault). */
  unchecked: boolean;
}

/** Inclusion through a verified attestation (how a capsule proves most events), per event. */
export class AttestedInclusion {
  constructor(
    private readonly attested: ReadonlyMap<string, AttestedLeafProof[]>,
    private readonly unverifiable: ReadonlyMap<string, string>,
    private readonly refuted: ReadonlyMap<string, RefutedLeaf>,
  ) {}

  of(n: Node, s: CheckSubject): Included {
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
    // An attestation covers the leaf but its evidence failed: name that failure, the cause.
    const refuted = this.refuted.get(n.leaf);
    if (refuted !== undefined) {
      return {
        inclusion: outcome('event.inclusion', 'fail', s, TITLES.inclusion, {
          reason: `${refuted.attestation} covers this event's leaf, but its ${refuted.check} check failed (${refuted.reason}): the event is not anchored in a log`,
          expected: `an inclusion proof or a verified attestation covering leaf ${n.leaf}`,
          found: `${refuted.attestation}, which fails ${refuted.check}`,
        }),
        sth: undefined,
        unchecked: false,
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
}

/** Where verified inclusion puts an event: its attested leaves, or its direct proof's. */
export function logPositions(
  n: Node,
  included: Included,
  attested: ReadonlyMap<string, AttestedLeafProof[]>,
): LogPosition[] {
  if (included.position) return [included.position];
  if (!included.sth) return [];
  return (attested.get(n.leaf) ?? []).map((p) => ({
    log: p.logOrigin,
    index: p.leafIndex,
    sthMs: p.sth.timestampMs,
    sthTime: p.sth.timestamp,
  }));
}

/**
 * Everything about one event that its signature result does not decide: the actor's key
 * binding, the key's validity at the event time, inclusion, the tree-head time bound and
 * the policy. One instance per chain; `held` is called once per event.
 */
export class BeforeSignatures {
  /** Agents sign many events with one key: each (actor, key) binding is decided once. */
  readonly #bindings = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly trust: TrustStore,
    private readonly policy: WorkflowPolicy,
    private readonly histories: KeyHistories,
    private readonly lifecycleProblems: ReadonlyMap<string, LifecycleProblem>,
    private readonly attested: ReadonlyMap<string, AttestedLeafProof[]>,
    /** The verification time, if given: tree heads may not be dated after it (plus the skew). */
    private readonly verifiedAt?: { text: string; ms: number },
  ) {}

  held(n: Node, s: CheckSubject, included: Included): HeldEventOutcomes {
    n.included = included.sth !== undefined;
    const { actor, bound } = this.actor(n, s);
    const { keyTime, keyOk } = this.keyTime(n, s, bound, included);
    return {
      actor,
      bound,
      keyTime,
      keyOk,
      inclusion: included.inclusion,
      sthTime: sthTimeOutcome(n, s, included, this.verifiedAt),
      allowed: actionAllowed(n, this.trust, this.policy),
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

  private actor(n: Node, s: CheckSubject): { actor: CheckOutcome; bound: boolean } {
    const e = n.event;
    const key = e.signature.public_key;
    if (e.actor_kind === 'human') {
      const a = this.trust.approvers.find((x) => x.id === e.actor);
      if (!a) {
        return {
          actor: outcome('event.actor_known', 'fail', field(s, '/actor'), TITLES.actor, {
            reason: `human actor ${e.actor} is not an approver in the trust store`,
            expected: 'an approver pinned in the trust store',
            found: `${e.actor}, not pinned`,
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
    included: Included,
  ): { keyTime: CheckOutcome | undefined; keyOk: boolean } {
    const e = n.event;
    const problem = this.lifecycleProblems.get(n.id);
    if (problem) {
      return {
        keyTime: outcome('event.actor_key_valid_at_time', 'fail', field(s, '/lifecycle'), TITLES.keyTime, {
          reason: problem.reason,
          expected: problem.expected,
          found: problem.found,
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
              expected: `the key pinned for ${e.actor}`,
              found: `${short(e.signature.public_key)}, not that key`,
            }),
        keyOk: bound,
      };
    }
    const st = keyStatusAt(
      this.histories,
      e.actor,
      e.signature.public_key,
      n.t,
      e.timestamp,
      included.unchecked ? 'unchecked' : () => logPositions(n, included, this.attested),
    );
    return {
      keyTime: outcome(
        'event.actor_key_valid_at_time',
        st.status === 'valid' ? 'pass' : st.status === 'invalid' ? 'fail' : 'not_checked',
        field(s, '/signature/public_key'),
        TITLES.keyTime,
        st.status === 'valid'
          ? { found: st.detail }
          : st.status === 'invalid'
            ? { reason: st.detail, expected: st.expected, found: st.found }
            : { reason: st.detail, ...expectedFoundOf(st) },
      ),
      keyOk: st.status === 'valid',
    };
  }
}

/** Inclusion by the event's own proof under a trusted tree head (spec §4.2.4). */
export async function directInclusion(
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
      position: { log: r.logOrigin, index: r.leafIndex, sthMs: r.sth.timestampMs, sthTime: r.sth.timestamp },
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
        ...expectedFoundOf(r),
      },
    ),
    sth: undefined,
    unchecked: r.untrusted,
  };
}

/** The event's time against the tree head that logs it. */
function sthTimeOutcome(
  n: Node,
  s: CheckSubject,
  { sth, unchecked }: Included,
  verifiedAt: { text: string; ms: number } | undefined,
): CheckOutcome {
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
  // Checked first: a tree head from the future bounds nothing (the event's own time could be
  // as late as the tree head's and still pass the comparison below).
  if (verifiedAt && sth.timestampMs > verifiedAt.ms + CLOCK_ALLOWANCE_MS) {
    return outcome('event.sth_time', 'fail', s, TITLES.sthTime, {
      reason:
        "the tree head that logs this event is dated after this verification: no log signs a tree head in the future — the log's clock or key was misused, or this machine's clock is behind",
      expected: `a tree head of ${sth.logId} dated at or before ${verifiedAt.text} (the verification time, with ${CLOCK_ALLOWANCE_MS / 60_000} minutes for clock differences)`,
      found: `tree head of size ${sth.treeSize} dated ${sth.timestamp}`,
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
export function reportEventOutcomes(
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
            expected: `an Ed25519 signature by ${short(n.event.signature.public_key)} over event ${short(n.id)}`,
            found: `signature ${short(n.event.signature.value)}, which does not verify`,
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

/** Shared: agents hold no roles, and this runs for every event. */
const NO_ROLES: readonly ApproverRole[] = Object.freeze([]);

function actionAllowed(n: Node, trust: TrustStore, policy: WorkflowPolicy): CheckOutcome {
  const e = n.event;
  const s: CheckSubject = { kind: 'chain', id: n.id, field: '/action' };
  if (n.step !== undefined) s.step = n.step;
  // Each problem with the rule it broke: the reason lists the problems, expected the rules.
  const problems: { reason: string; expected: string }[] = [];
  const approver = e.actor_kind === 'human' ? trust.approvers.find((a) => a.id === e.actor) : undefined;
  const held: readonly ApproverRole[] = approver?.roles ?? NO_ROLES;
  if (e.approval && approver && !held.includes(e.approval.role)) {
    problems.push({
      reason: `${approver.name} approves as ${e.approval.role} but holds only ${held.join(', ') || 'no roles'}`,
      expected: `an approver holding the role ${e.approval.role}`,
    });
  }
  if (e.lifecycle?.op === 'revoke' && e.actor_kind === 'human') {
    if (!held.some((r) => LIFECYCLE_REVOKERS.includes(r)))
      problems.push({
        reason: 'only a security officer or authorizing official may revoke an agent',
        expected: `an approver holding one of the roles ${LIFECYCLE_REVOKERS.join(', ')}`,
      });
  } else if (e.lifecycle && e.actor !== e.lifecycle.agent_id) {
    problems.push({
      reason: `${e.action} for ${e.lifecycle.agent_id} is signed by another actor`,
      expected: `signed by ${e.lifecycle.agent_id} itself`,
    });
  }
  // Own rules only: an action named "constructor" must not find Object.prototype's.
  const rule =
    policy.actions && Object.hasOwn(policy.actions, e.action) ? policy.actions[e.action] : undefined;
  if (rule) {
    if (rule.actors && !rule.actors.includes(e.actor))
      problems.push({
        reason: `policy allows ${e.action} only for ${rule.actors.map(short).join(', ')}`,
        expected: `one of the actors ${rule.actors.join(', ')}`,
      });
    if (rule.actor_kinds && !rule.actor_kinds.includes(e.actor_kind))
      problems.push({
        reason: `policy allows ${e.action} only for ${rule.actor_kinds.join('/')} actors`,
        expected: `a ${rule.actor_kinds.join('/')} actor`,
      });
    if (rule.roles && !rule.roles.some((r) => held.includes(r)))
      problems.push({
        reason: `policy requires one of the roles ${rule.roles.join(', ')}; actor holds ${held.join(', ') || 'none'}`,
        expected: `an actor holding one of the roles ${rule.roles.join(', ')}`,
      });
  }
  return problems.length === 0
    ? outcome('chain.action_allowed', 'pass', s, TITLES.allowed, {
        found: rule ? 'allowed by policy' : 'action not restricted by policy',
      })
    : outcome('chain.action_allowed', 'fail', s, TITLES.allowed, {
        reason: problems.map((p) => p.reason).join('; '),
        expected: problems.map((p) => p.expected).join('; '),
        found: `${e.actor_kind} ${e.actor}${approver ? ` holding ${held.join(', ') || 'no roles'}` : ''} did ${e.action}`,
      });
}
