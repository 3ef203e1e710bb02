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
}

export interface CommitmentView {
  name: string;
  disclosed: boolean;
  value?: string;
}

export interface SthView {
  logId: string;
  size: number;
  rootHex: string;
  timestamp: string;
  status?: ItemStatus;
}

export interface EventView {
  id: string;
  step: string;
  actor: string;
  actor_kind: 'agent' | 'human';
  action: string;
  timestamp: string;
  controls: string[];
  payloadHash?: string;
  artifactPath?: string;
  signature?: string;
  leafHash?: string;
  inclusion?: InclusionView;
  sth?: SthView;
  attestation?: { server: string; status: ItemStatus; detail?: string };
  commitments: CommitmentView[];
  status: ItemStatus;
}
