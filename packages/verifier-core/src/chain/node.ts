import type { LineageEvent } from '../events/types.js';
import type { CheckSubject } from '../report/model.js';

// What the call-chain engine's parts share: an event as the engine holds it, check titles,
// and the subjects outcomes name.

/** An event as the engine holds it, from reading to the report. */
export interface Node {
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

export const TITLES = {
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

/** The event's subject, one object shared by its outcomes that name no field (100k events, ~6 each). */
export function subject(n: Node): CheckSubject {
  if (n.subject) return n.subject;
  const s: CheckSubject = { kind: 'event', id: n.id };
  if (n.step !== undefined) s.step = n.step;
  n.subject = s;
  return s;
}

/** The subject with a field named; built member by member (a spread gives each copy its own map). */
export function field(s: CheckSubject, f: string): CheckSubject {
  const out: CheckSubject = { kind: s.kind, id: s.id, field: f };
  if (s.step !== undefined) out.step = s.step;
  return out;
}

export const NO_NODES: Node[] = [];

/** A node's predecessors among the supplied events (resolved by chainStructure). */
export function predsOf(n: Node): readonly Node[] {
  return n.preds ?? NO_NODES;
}
