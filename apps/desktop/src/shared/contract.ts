/**
 * The capsule-verification result the desktop app renders: the shape of
 * `verifyCapsule` in @lineage/verifier-core (src/capsule/types.ts), re-stated
 * here as plain data types until the core's capsule barrel exports them.
 * Structured-cloneable, so it crosses IPC and worker boundaries unchanged.
 */
import type { CheckStatus, VerificationReport } from '@lineage/verifier-core';

export interface SthSummary {
  logId: string;
  size: string;
  rootHex: string;
  timestamp: string;
  status: CheckStatus;
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
  inclusion?: {
    logId: string;
    index: number;
    treeSize: number;
    auditPath: string[];
    root: string;
    proofKind: 'inclusion' | 'multiproof';
  };
  sth?: { logId: string; size: string; rootHex: string; timestamp: string };
  attestation?: { server: string; issuedAt: string; file: string };
  approval?: { role: string; decision: string; statement?: string };
  commitments: { name: string; scheme: string; disclosed: boolean; value?: unknown }[];
  predecessors: string[];
  status: CheckStatus;
  failedChecks: string[];
}

export interface CapsuleVerification {
  report: VerificationReport;
  capsuleDigest: string;
  manifest?: { capsuleId: string; title: string; createdAt: string; workflow: string };
  lineage: LineageGraph;
  events: EventDetail[];
  sths: SthSummary[];
}

export interface VerifyProgress {
  phase: string;
  done: number;
  total: number;
}
