/**
 * The verification report shared by the CLI, the desktop app and the extension.
 * Every check has a stable id (docs/spec.md "Check ids"), a status, the subject it
 * was about (which event, card, receipt, field) and, when it did not pass, what was
 * expected and what was found. A report never says "verified" if any check failed
 * or was not performed.
 */

export type CheckStatus = 'pass' | 'fail' | 'not_checked';

export type SubjectKind =
  | 'capsule'
  /** A file inside a capsule (events.jsonl, a card, an attestation), named by path or path:line. */
  | 'file'
  | 'manifest'
  | 'artifact'
  | 'event'
  | 'card'
  | 'receipt'
  | 'sth'
  | 'checkpoint'
  | 'inclusion'
  | 'consistency'
  | 'attestation'
  | 'commitment'
  | 'approval'
  | 'trust'
  | 'chain';

export interface CheckSubject {
  kind: SubjectKind;
  /** Identifier of the thing checked: event id, agent id, handoff id, log id, file name… */
  id: string;
  /** JSON pointer or field name inside the subject, when the check is about one field. */
  field?: string;
  /**
   * Where the subject is in what was verified, when the host knows: for a capsule's events the
   * file and line ("events.jsonl:9"), set on every outcome about an event that did not pass and
   * on the subject an event's passing outcomes share; for its receipts the file and line too, and
   * for its cards the file ("cards/a2.json").
   */
  where?: string;
  /** Workflow step the subject belongs to (e.g. "2a compliance officer approval"), for grouping. */
  step?: string;
}

export interface CheckOutcome {
  /** Stable check id from a closed, documented list, e.g. "event.signature". */
  id: string;
  status: CheckStatus;
  subject: CheckSubject;
  /** One line saying what this check establishes when it passes. */
  title: string;
  /** For fail / not_checked: why, in one sentence. */
  reason?: string;
  expected?: string;
  found?: string;
  /**
   * For a failure raised as a LineageError, its specific code when the check id alone does not
   * say which rule broke (capsule.container: "capsule.path", "capsule.symlink", "capsule.zip"…).
   */
  code?: string;
}

export type Verdict = 'verified' | 'failed' | 'incomplete';

export interface VerificationReport {
  /** Report schema version (docs/spec.md "Report JSON"). */
  reportVersion: 1;
  verdict: Verdict;
  /** What was verified: capsule file name and SHA-256, or card URL, etc. */
  target: { kind: string; name: string; sha256?: string };
  /** RFC 3339 time the verification ran (supplied by the caller; the core reads no clock). */
  verifiedAt: string;
  checks: CheckOutcome[];
  /** Counts per status, derived from `checks`. */
  summary: { pass: number; fail: number; not_checked: number };
}

/** The worse of two statuses: fail > not_checked > pass. */
export function worseStatus(a: CheckStatus, b: CheckStatus): CheckStatus {
  if (a === 'fail' || b === 'fail') return 'fail';
  if (a === 'not_checked' || b === 'not_checked') return 'not_checked';
  return 'pass';
}

/** The verdict rule: any failure fails; otherwise anything unchecked (or nothing checked) makes it incomplete. */
export function verdictOf(checks: readonly CheckOutcome[]): Verdict {
  return verdictOfSummary(summarize(checks));
}

function verdictOfSummary(s: VerificationReport['summary']): Verdict {
  if (s.fail > 0) return 'failed';
  if (s.not_checked > 0 || s.pass === 0) return 'incomplete';
  return 'verified';
}

export function summarize(checks: readonly CheckOutcome[]): VerificationReport['summary'] {
  const s = { pass: 0, fail: 0, not_checked: 0 };
  // Indexed: a one-shot pass over 700k outcomes runs mostly before V8 optimizes it, and an
  // unoptimized for…of (or a Map's) allocates an iterator result per element — 300 MB at 100k
  // events across the verifier's passes, before they were written this way.
  for (let i = 0; i < checks.length; i++) s[checks[i]!.status]++;
  return s;
}

export function buildReport(
  target: VerificationReport['target'],
  verifiedAt: string,
  checks: CheckOutcome[],
): VerificationReport {
  // One pass over the outcomes (700k for a 100k-event capsule); the verdict rule on its counts.
  const summary = summarize(checks);
  return { reportVersion: 1, verdict: verdictOfSummary(summary), target, verifiedAt, checks, summary };
}
