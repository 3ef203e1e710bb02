import type { CheckOutcome, VerificationReport } from '../report/model.js';

/**
 * The failed check that left a capsule unreadable — its container or its manifest — or undefined.
 * Such a capsule has no digest, events or tree heads (`capsuleDigest` is ""): nothing can be bound
 * to it, and nothing can be found not to be.
 */
export function unreadableCapsuleCheck(report: VerificationReport): CheckOutcome | undefined {
  return report.checks.find(
    (c) => (c.id === 'capsule.container' || c.id === 'capsule.manifest') && c.status === 'fail',
  );
}

/**
 * "capsule.container: cut.zip: no end-of-central-directory record: not a zip file" — the check,
 * the file (and the entry or JSON pointer, unless the reason already quotes it), and why.
 */
export function describeUnreadableCapsule(c: CheckOutcome): string {
  const why = c.reason ?? c.title;
  const field = c.subject.field;
  const at = field && field !== c.subject.id && !why.includes(JSON.stringify(field)) ? ` ${field}` : '';
  return `${c.id}: ${c.subject.id}${at}: ${why}`;
}
