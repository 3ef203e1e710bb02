import { type CheckOutcome, verdictOf } from '@lineage/verifier-core';
import type { FinalStatus } from '../storage/types.js';

/**
 * Checks shown but not counted: the extension has no key history or registration log for the
 * agent, so verifier-core reports these as not checked on every card.
 */
export const INFORMATIONAL_CHECKS: ReadonlySet<string> = new Set(['card.key_current', 'card.lineage']);

/** verifier-core's verdict rule, mapped to the toolbar: failed → failed, incomplete → warning. */
export function statusOf(checks: readonly CheckOutcome[]): Exclude<FinalStatus, 'timeout'> {
  const counted = checks.filter((c) => !(c.status === 'not_checked' && INFORMATIONAL_CHECKS.has(c.id)));
  const v = verdictOf(counted);
  return v === 'verified' ? 'verified' : v === 'failed' ? 'failed' : 'warning';
}
