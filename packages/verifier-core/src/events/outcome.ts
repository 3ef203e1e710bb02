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

/**
 * Shortens a hex id for messages to its first 12 hex digits; an actor id ("lin:agent:<hex>")
 * keeps its prefix, so the shortened id still says what it names.
 */
export function short(id: string): string {
  const colon = id.lastIndexOf(':') + 1;
  return id.length - colon > 16 ? `${id.slice(0, colon + 12)}…` : id;
}
