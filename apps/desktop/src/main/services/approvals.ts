/**
 * SAR approvals: preview exactly what will be signed, sign with the unlocked
 * approver key (main process only), and verify approvals others made.
 *
 * The preview *is* the approval: it is built and signed when previewed and
 * held here; "Sign" releases that same text only for the same request. So
 * what the approver read is byte for byte what they sign.
 */
import { createSarApproval, sarDecisionRefusal } from '@lineage/producer';
import { formatCountOf, type TrustStore, verifySarApproval } from '@lineage/verifier-core';
import type { ApprovalCheck, ApprovalPreview, ApprovalRequest, SignedApproval } from '../../shared/api.js';
import { toApprovalCheck } from '../../shared/approval-check.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { toQrFrames } from '../../shared/qr-frames.js';
import type { KeyStore } from './key-store.js';

const ROLE_WORDS: Record<string, string> = {
  authorizing_official: 'Authorizing Official',
  compliance_officer: 'Compliance Officer',
  security_officer: 'Security Officer',
  compliance_lead: 'Compliance Lead',
  '3pao_assessor': '3PAO Assessor',
  agency_ao: 'Agency Authorizing Official',
};

export function roleWords(role: string): string {
  return ROLE_WORDS[role] ?? role;
}

interface Pending {
  key: string;
  text: string;
  fileName: string;
}

export class ApprovalService {
  private pending: Pending | undefined;
  /** File name of the last approval signed, suggested when it is saved. */
  lastFileName: string | undefined;
  constructor(
    private readonly keys: KeyStore,
    private readonly trust: () => Promise<TrustStore>,
    private readonly now: () => Date,
  ) {}

  private blocked(req: ApprovalRequest, v: CapsuleVerification): string | undefined {
    if (!this.keys.current()) return 'Unlock your approver key to prepare the exact text you will sign.';
    return sarDecisionRefusal(req.decision, req.comment, v)?.message;
  }

  async preview(req: ApprovalRequest, capsuleName: string, v: CapsuleVerification): Promise<ApprovalPreview> {
    this.pending = undefined;
    const blocked = this.blocked(req, v);
    if (blocked) return { lines: describe(req, capsuleName, v, undefined), signedJson: '', blocked };
    const k = this.keys.current()!;
    const signedAt = this.now().toISOString();
    const approval = createSarApproval({
      capsule: v,
      decision: req.decision,
      comment: req.comment,
      approver: { id: k.id, role: k.role },
      signingKey: k.secretKey,
      signedAt,
    });
    const text = `${JSON.stringify(approval, null, 2)}\n`;
    const fileName = `sar-approval-${v.capsuleDigest.slice(0, 12)}-${req.decision}.json`;
    this.pending = { key: requestKey(req), text, fileName };
    return { lines: describe(req, capsuleName, v, { ...k, signedAt }), signedJson: text };
  }

  async sign(req: ApprovalRequest, _capsuleName: string, v: CapsuleVerification): Promise<SignedApproval> {
    const blocked = this.blocked(req, v);
    if (blocked) throw new Error(blocked);
    const p = this.pending;
    if (!p || p.key !== requestKey(req)) {
      throw new Error('review the preview first: the request changed since it was shown');
    }
    this.pending = undefined;
    this.lastFileName = p.fileName;
    return { fileName: p.fileName, text: p.text, qrFrames: toQrFrames(p.text) };
  }

  async verify(text: string, capsule?: CapsuleVerification): Promise<ApprovalCheck> {
    const r = await verifySarApproval(text, await this.trust(), {
      verifiedAt: this.now().toISOString(),
      ...(capsule ? { capsule } : {}),
    });
    return toApprovalCheck(r);
  }
}

function requestKey(req: ApprovalRequest): string {
  return JSON.stringify([req.capsuleId, req.decision, req.comment]);
}

/** The plain-language statement shown before signing. */
export function describe(
  req: ApprovalRequest,
  capsuleName: string,
  v: CapsuleVerification,
  signer: { id: string; name: string; role: string; signedAt: string } | undefined,
): string[] {
  const who = signer ? `${signer.name} (${signer.id}), acting as ${roleWords(signer.role)},` : 'You';
  const verb =
    req.decision === 'approve'
      ? 'APPROVES'
      : req.decision === 'conditional'
        ? 'CONDITIONALLY APPROVES'
        : 'REJECTS';
  const verified = v.events.filter((e) => e.status === 'pass');
  const lines = [
    `${who} ${verb} the security assessment evidence in capsule "${capsuleName}".`,
    `The signature binds the capsule digest ${v.capsuleDigest}.`,
    `It cites the ${formatCountOf(verified.length, 'event')} this computer verified, from ${describeSpan(verified.map((e) => e.step))}.`,
    ...v.sths.map(
      (s) =>
        `It relies on the signed tree head of log "${s.logId}" at size ${s.size} with root ${s.rootHex}.`,
    ),
    req.comment.trim() ? `Comment: "${req.comment.trim()}"` : 'No comment.',
  ];
  if (signer) lines.push(`Signed at ${signer.signedAt} with the key whose fingerprint is shown below.`);
  return lines;
}

function describeSpan(steps: string[]): string {
  if (steps.length === 0) return 'no steps';
  const first = steps[0];
  const last = steps[steps.length - 1];
  return first === last ? `step ${first}` : `step ${first} to step ${last}`;
}
