/**
 * The capsule-verification result the desktop app renders is exactly what
 * `verifyCapsule` in @lineage/verifier-core returns: plain, structured-cloneable
 * data that crosses IPC and worker boundaries unchanged.
 */
export type {
  CapsuleVerification,
  EventDetail,
  LineageGraph,
  SthSummary,
} from '@lineage/verifier-core';

export interface VerifyProgress {
  phase: string;
  done: number;
  total: number;
}
