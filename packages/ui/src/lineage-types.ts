/**
 * The view model of a verified capsule (the desktop app's CapsuleVerification
 * minus the report): plain data, structured-cloneable, shared by the desktop
 * renderer, the offline page and the extension.
 */
export type ItemStatus = 'pass' | 'fail' | 'not_checked';

export interface LineageNodeView {
  id: string;
  kind: 'agent' | 'human';
  label: string;
  actor: string;
  action: string;
  step: string;
  status: ItemStatus;
}

export interface LineageEdgeView {
  from: string;
  to: string;
  kind: 'predecessor' | 'handoff';
  status: ItemStatus;
  receiptId?: string;
}

export interface InclusionView {
  logId: string;
  index: number;
  treeSize: number;
  auditPath: string[];
  root: string;
  proofKind?: 'inclusion' | 'multiproof';
}

export interface CommitmentView {
  name: string;
  scheme?: string;
  disclosed: boolean;
  /** An opening was supplied but did not pass its check (not the same as not disclosed). */
  rejected?: boolean;
  /** Disclosed value as the verifier decoded it (any JSON value); shown as JSON text. */
  value?: unknown;
}

export interface SthView {
  logId: string;
  /** Decimal string (uint64) or number. */
  size: string | number;
  rootHex: string;
  timestamp: string;
  status?: ItemStatus;
}

export interface EventView {
  id: string;
  step: string;
  stepTitle?: string;
  actor: string;
  actorLabel?: string;
  actor_kind: 'agent' | 'human';
  action: string;
  timestamp: string;
  controls: string[];
  payloadHash?: string | null;
  artifactPath?: string;
  signature?: { publicKey: string; value: string };
  leafHash?: string;
  inclusion?: InclusionView;
  sth?: SthView;
  attestation?: { server: string; issuedAt?: string; file?: string };
  approval?: { role: string; decision: string; statement?: string };
  commitments: CommitmentView[];
  predecessors?: string[];
  status: ItemStatus;
  failedChecks?: string[];
}
