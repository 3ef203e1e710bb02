import { type CheckOutcome, verdictOf } from '@lineage/verifier-core';
import type { FinalStatus } from '../storage/types.js';

/**
 * verifier-core's verdict rule, mapped to the toolbar: failed → failed, incomplete → warning,
 * verified → verified. No check is exempt: a page is verified only when every check passed.
 */
export function statusOf(checks: readonly CheckOutcome[]): Exclude<FinalStatus, 'timeout'> {
  const v = verdictOf(checks);
  return v === 'verified' ? 'verified' : v === 'failed' ? 'failed' : 'warning';
}
