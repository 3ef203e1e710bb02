import type { CheckStatus, VerificationReport } from '../report/model.js';

/** What verifyCapsule returns (the CLI, desktop app and extension render it). */
export interface CapsuleVerification {
  report: VerificationReport;
  /** hex SHA-256 of JCS(manifest) (docs/spec/05-capsules.md §5.2); "" when the manifest is unreadable. */
  capsuleDigest: string;
  manifest?: { capsuleId: string; title: string; createdAt: string; workflow: string };
  lineage: LineageGraph;
  events: EventDetail[];
  sths: SthSummary[];
}

export interface SthSummary {
  logId: string;
  size: string;
  rootHex: string;
  timestamp: string;
  status: CheckStatus;
  /** Signed note text, so an approval can cite exactly what was relied on. */
  checkpoint: string;
}

export interface LineageGraph {
  nodes: {
    id: string;
    kind: 'agent' | 'human';
    label: string;
    actor: string;
    action: string;
    step: string;
    status: CheckStatus;
  }[];
  edges: {
    from: string;
    to: string;
    kind: 'predecessor' | 'handoff';
    status: CheckStatus;
    receiptId?: string;
  }[];
}

export interface EventInclusionDetail {
  logId: string;
  index: number;
  treeSize: number;
  auditPath: string[];
  root: string;
  /** 'inclusion' when auditPath is this leaf's own proof; 'multiproof' when it was proven in a batch. */
  proofKind: 'inclusion' | 'multiproof';
}

export interface EventDetail {
  id: string;
  step: string;
  stepTitle: string;
  actor: string;
  actorLabel: string;
  actor_kind: 'agent' | 'human';
  action: string;
  timestamp: string;
  sequence: number;
  controls: string[];
  payloadHash: string | null;
  artifactPath?: string;
  signature: { publicKey: string; value: string };
  leafHash: string;
  inclusion?: EventInclusionDetail;
  sth?: { logId: string; size: string; rootHex: string; timestamp: string };
  attestation?: { server: string; issuedAt: string; file: string };
  approval?: { role: string; decision: string; statement?: string };
  /** `disclosed`: an opening passed; `rejected`: one was supplied but did not pass commitment.opening. */
  commitments: { name: string; scheme: string; disclosed: boolean; rejected?: true; value?: unknown }[];
  predecessors: string[];
  status: CheckStatus;
  /** Ids of checks about this event that failed. */
  failedChecks: string[];
}
