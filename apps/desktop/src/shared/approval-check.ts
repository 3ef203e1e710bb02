import type { VerificationReport } from '@lineage/verifier-core';
import type { ApprovalCheck } from './api.js';

/** Maps the core's approval verification to the three-state view the renderer shows. */
export function toApprovalCheck(r: { report: VerificationReport }): ApprovalCheck {
  const { report } = r;
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
        : 'Signature and approver were checked, but not everything: open and verify the capsule it is about to check that binding too.';
  return { verdict: report.verdict, summary, lines };
}
