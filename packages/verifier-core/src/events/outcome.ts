import type { CapsuleCheckId } from '../capsule/check-ids.js';
import type { CheckOutcome, CheckStatus, CheckSubject } from '../report/model.js';
import type { IdentityCheckId } from '../trust/check-ids.js';

/** Builds a CheckOutcome; keeps verifiers to one line per result. Ids come from the closed lists. */
export function outcome(
  id: IdentityCheckId | CapsuleCheckId,
  status: CheckStatus,
  subject: CheckSubject,
  title: string,
  detail: { reason?: string; expected?: string; found?: string } = {},
): CheckOutcome {
  const o: CheckOutcome = { id, status, subject, title };
  if (detail.reason !== undefined) o.reason = detail.reason;
  if (detail.expected !== undefined) o.expected = detail.expected;
  if (detail.found !== undefined) o.found = detail.found;
  return o;
}

/** Shortens a hex id for messages: first 12 characters. */
export function short(hex: string): string {
  return hex.length > 16 ? `${hex.slice(0, 12)}…` : hex;
}
