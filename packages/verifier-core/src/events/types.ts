/** Event wire format (docs/spec/04-identity-and-lineage.md §4.2). */
import type { Commitment } from '../commitments/types.js';
import type { ApproverRole } from '../trust/types.js';

export interface SignatureObject {
  alg: 'Ed25519';
  /** Hex Ed25519 public key. */
  public_key: string;
  /** Hex 64-byte signature. */
  value: string;
}

export interface EventContext {
  task_id: string;
  parent_task_id?: string;
  config_hash?: string;
  controls: string[];
}

export interface Approval {
  role: ApproverRole;
  decision: 'approve' | 'reject';
  statement?: string;
}

export type Lifecycle =
  | { op: 'register'; agent_id: string; public_key: string; card_digest?: string }
  | { op: 'rotate'; agent_id: string; public_key: string; new_public_key: string }
  | { op: 'revoke'; agent_id: string; public_key: string; reason: string }
  | { op: 'supersede'; agent_id: string; successor_agent_id: string };

export interface UnsignedEvent {
  type: 'lineage.event';
  version: 1;
  actor: string;
  actor_kind: 'agent' | 'human';
  action: string;
  timestamp: string;
  sequence: number;
  predecessors: string[];
  payload_hash: string | null;
  context: EventContext;
  commitments: Commitment[];
  approval?: Approval;
  lifecycle?: Lifecycle;
}

export interface LineageEvent extends UnsignedEvent {
  signature: SignatureObject;
}

/** Proof that an event's leaf is in a log (spec §4.2.4). */
export interface EventInclusion {
  log_origin: string;
  leaf_index: number;
  tree_size: number;
  proof: string[];
  /** Signed checkpoint note text (Lineage STH). */
  checkpoint: string;
}
