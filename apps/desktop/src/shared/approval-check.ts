import {
  type CapsuleVerification,
  describeUnreadableCapsule,
  type SarApproval,
  unreadableCapsuleCheck,
  type VerificationReport,
} from '@lineage/verifier-core';
import type { ApprovalCheck, ApprovalStatement } from './api.js';

/**
 * Maps the core's approval verification to the three-state view the renderer shows. `capsule` is
 * the open capsule's verification the approval was checked against, if any.
 */
export function toApprovalCheck(
  r: { report: VerificationReport; approval?: SarApproval },
  capsule?: Pick<CapsuleVerification, 'report'>,
): ApprovalCheck {
  const { report } = r;
  // An open capsule that could not be read is not "no capsule": opening it again will not help.
  const unreadable = capsule ? unreadableCapsuleCheck(capsule.report) : undefined;
  const lines = report.checks.map((c) => ({
    status: c.status,
    title: c.title,
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.expected !== undefined ? { expected: c.expected } : {}),
    ...(c.found !== undefined ? { found: c.found } : {}),
  }));
  const summary =
    report.verdict === 'verified'
      ? 'The approval is authentic: signed by a pinned approver holding the role, over the capsule that is open.'
      : report.verdict === 'failed'
        ? 'The approval does NOT verify. Do not rely on it.'
        : unreadable
          ? `Signature and approver were checked, but the open capsule could not be read (${describeUnreadableCapsule(unreadable)}), so whether the approval is about it is not known. Open the capsule the approval names (its digest is below) to check that binding.`
          : 'Signature and approver were checked, but not everything: open and verify the capsule it is about to check that binding too.';
  return {
    verdict: report.verdict,
    summary,
    ...(r.approval ? { statement: statementOf(r.approval) } : {}),
    lines,
  };
}

/** The approval's own claims, for the reader to see what was decided (the CLI prints the same). */
function statementOf(a: SarApproval): ApprovalStatement {
  return {
    decision: a.decision,
    approverId: a.approver.id,
    role: a.approver.role,
    signedAt: a.signed_at,
    comment: a.comment,
    capsule: { id: a.capsule.capsule_id, title: a.capsule.title, digest: a.capsule.digest },
    verification: {
      verifiedAt: a.verification.verified_at,
      verdict: a.verification.verdict,
      pass: a.verification.pass,
      fail: a.verification.fail,
      notChecked: a.verification.not_checked,
    },
  };
}
