import {
  type ApproverRole,
  type CapsuleVerification,
  CLOCK_ALLOWANCE_MS,
  LineageError,
  parseTimestamp,
  type SarApproval,
  type SarDecision,
  sarApprovalSigningInput,
  sarCommentTooLong,
  toHex,
  type UnsignedSarApproval,
} from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * Signs a SAR approval (docs/spec/05-capsules.md §5.9) for a capsule the approver has just
 * verified. It cites every event that verified, and the tree heads that verified, so a later
 * reader can tell exactly what the decision relied on. Approving (or conditionally approving)
 * a capsule that did not verify is refused; rejecting one is allowed.
 */
export interface CreateSarApprovalInput {
  capsule: CapsuleVerification;
  decision: SarDecision;
  comment: string;
  approver: { id: string; role: ApproverRole };
  /** 32-byte Ed25519 secret key (from a key file). */
  signingKey: Uint8Array;
  signedAt: string;
}

/**
 * Why this decision may not be signed for this capsule, or undefined when it may: only a
 * capsule that verified can be approved (a rejection is always possible), and a conditional
 * approval must state its conditions. Hosts show it before asking for a signature.
 */
export function sarDecisionRefusal(
  decision: SarDecision,
  comment: string,
  cap: Pick<CapsuleVerification, 'report'>,
): LineageError | undefined {
  if (decision !== 'reject' && cap.report.verdict !== 'verified') {
    return new LineageError(
      'approval.verdict',
      `cannot ${decision === 'conditional' ? 'approve with conditions' : decision} a capsule whose verification ${cap.report.verdict === 'failed' ? `failed (${cap.report.summary.fail} checks)` : 'is incomplete'}: only a capsule that verified can be approved; a rejection is still possible`,
    );
  }
  const long = sarCommentTooLong(comment);
  if (long)
    return new LineageError('approval.comment', `the comment is too long: ${long.found}, ${long.expected}`);
  if (decision === 'conditional' && comment.trim() === '') {
    return new LineageError(
      'approval.conditions',
      'a conditional approval must state its conditions in the comment (they are signed with it)',
    );
  }
  return undefined;
}

export function createSarApproval(input: CreateSarApprovalInput): SarApproval {
  const { capsule: cap } = input;
  if (!cap.manifest || !cap.capsuleDigest) {
    throw new LineageError(
      'approval.capsule',
      'the capsule could not be read, so there is nothing to approve',
    );
  }
  const refusal = sarDecisionRefusal(input.decision, input.comment, cap);
  if (refusal) throw refusal;
  checkSignedAt(input.signedAt, cap.report.verifiedAt);
  const latestTreeHead = parseTimestamp(cap.report.verifiedAt) + CLOCK_ALLOWANCE_MS;
  const s = cap.report.summary;
  const unsigned: UnsignedSarApproval = {
    type: 'lineage.sar_approval',
    version: 1,
    capsule: { capsule_id: cap.manifest.capsuleId, digest: cap.capsuleDigest, title: cap.manifest.title },
    decision: input.decision,
    comment: input.comment,
    approver: input.approver,
    signed_at: input.signedAt,
    verification: {
      verified_at: cap.report.verifiedAt,
      verdict: cap.report.verdict,
      pass: s.pass,
      fail: s.fail,
      not_checked: s.not_checked,
    },
    cited_events: cap.events
      .filter((e) => e.status === 'pass')
      .map((e) => ({ event_id: e.id, leaf_hash: e.leafHash, step: e.step })),
    // Only tree heads the verification could rely on: verified, and not dated after it (a head
    // from the future fails the events it logs, §4.2.4, and every verifier refuses an approval
    // that cites one). A rejection of a capsule with none left cites none.
    relied_sths: cap.sths
      .filter(
        (t) => t.status === 'pass' && t.timestamp !== '' && parseTimestamp(t.timestamp) <= latestTreeHead,
      )
      .map((t) => ({
        log_id: t.logId,
        size: t.size,
        root: t.rootHex,
        timestamp: t.timestamp,
        checkpoint: t.checkpoint,
      })),
  };
  const sig = ed25519.sign(sarApprovalSigningInput(unsigned), input.signingKey);
  return {
    ...unsigned,
    signature: {
      alg: 'Ed25519',
      public_key: toHex(ed25519.getPublicKey(input.signingKey)),
      value: toHex(sig),
    },
  };
}

/**
 * The signing time must be one the approval parser accepts: a real RFC 3339 UTC instant, not
 * before the verification the approval reports (a clock set back would otherwise sign a
 * document every verifier refuses as approval.schema).
 */
function checkSignedAt(signedAt: string, verifiedAt: string): void {
  let ms: number;
  try {
    ms = parseTimestamp(signedAt, 'signed_at');
  } catch (e) {
    throw new LineageError('approval.signed_at', e instanceof Error ? e.message : String(e));
  }
  if (ms < parseTimestamp(verifiedAt, 'verification.verified_at'))
    throw new LineageError(
      'approval.signed_at',
      `signed at ${signedAt}, before the verification it reports (${verifiedAt}): check this machine's clock, then verify again and sign`,
    );
}
