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

import type { CapsuleVerification } from '@lineage/verifier-core';

/**
 * A verification as the page gets it: whole, or, for a capsule too large to send whole
 * (main/services/report-view.ts), the first rows of each list (failures first) and `shown`,
 * which says how many of how many. The verdict and summary are always over everything.
 */
export interface ReportView extends CapsuleVerification {
  shown?: { checks: number; totalChecks: number; events: number; totalEvents: number };
}

export interface VerifyProgress {
  phase: string;
  done: number;
  total: number;
}
