/**
 * SAR approvals: preview exactly what will be signed, sign with the unlocked
 * approver key (main process only), and verify approvals others made.
 *
 * The preview is the *unsigned* approval document: built when previewed, held
 * here, and shown verbatim; nothing is signed until "Sign". Signing re-checks
 * what could have changed since (the capsule's verification, the key, the
 * decision) and signs exactly the held document. So what the approver read is
 * byte for byte what they sign, and an abandoned preview leaves no approval.
 */
import { createPrivateKey, sign as edSign, verify as edVerify, randomBytes } from 'node:crypto';
import { createSarApproval, sarDecisionRefusal } from '@lineage/producer';
import {
  type ApproverRole,
  formatCount,
  formatCountOf,
  type SarApproval,
  sarApprovalSigningInput,
  type TrustStore,
  toBase64Url,
  toHex,
  type UnsignedSarApproval,
  verifySarApproval,
} from '@lineage/verifier-core';
import type { ApprovalCheck, ApprovalPreview, ApprovalRequest, SignedApproval } from '../../shared/api.js';
import { toApprovalCheck } from '../../shared/approval-check.js';
import type { CapsuleVerification } from '../../shared/contract.js';
import { toQrFrames } from '../../shared/qr-frames.js';
import { ROLE_LABEL } from '../../shared/role-labels.js';
import type { KeyStore, Unlocked } from './key-store.js';

const UNLOCK = 'Unlock your approver key to prepare the exact text you will sign.';

export function roleWords(role: ApproverRole): string {
  return ROLE_LABEL[role];
}

interface Pending {
  /** The request previewed (capsule, decision, comment). */
  key: string;
  /** The verification the document was built from: signing needs this very one. */
  verification: CapsuleVerification;
  /** The key the preview named (hex public key, id, role). */
  publicKey: string;
  unsigned: UnsignedSarApproval;
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
    if (!this.keys.current()) return UNLOCK;
    return sarDecisionRefusal(req.decision, req.comment, v)?.message;
  }

  async preview(req: ApprovalRequest, capsuleName: string, v: CapsuleVerification): Promise<ApprovalPreview> {
    this.pending = undefined;
    const blocked = this.blocked(req, v);
    // The key read once: the idle lock may fall between two reads.
    const k = this.keys.current();
    if (blocked || !k) {
      const why = blocked ?? UNLOCK;
      return { lines: describe(req, capsuleName, v, undefined), documentJson: '', blocked: why };
    }
    this.keys.touch();
    const signedAt = this.now().toISOString();
    const unsigned = unsignedApproval(req, v, k, signedAt);
    const fileName = `sar-approval-${v.capsuleDigest.slice(0, 12)}-${req.decision}.json`;
    this.pending = {
      key: requestKey(req),
      verification: v,
      publicKey: toHex(k.publicKey),
      unsigned,
      fileName,
    };
    // The sentences name the tree heads the document relies on, not every one the capsule holds:
    // a head that failed (an untrusted log) or is dated after the verification is not cited.
    return {
      lines: describe(req, capsuleName, v, { ...k, signedAt }, unsigned.relied_sths),
      documentJson: documentText(unsigned),
    };
  }

  async sign(req: ApprovalRequest, _capsuleName: string, v: CapsuleVerification): Promise<SignedApproval> {
    const blocked = this.blocked(req, v);
    if (blocked) throw new Error(blocked);
    const p = this.pending;
    if (!p || p.key !== requestKey(req)) {
      throw new Error('review the preview first: the request changed since it was shown');
    }
    if (p.verification !== v) {
      throw new Error('the capsule was verified again since the preview: review the new preview first');
    }
    const k = this.keys.current();
    if (!k) throw new Error(UNLOCK);
    if (
      toHex(k.publicKey) !== p.publicKey ||
      k.id !== p.unsigned.approver.id ||
      k.role !== p.unsigned.approver.role
    ) {
      throw new Error('the approver key changed since the preview: review the new preview first');
    }
    this.pending = undefined;
    const approval = signDocument(p.unsigned, k);
    this.keys.touch();
    const text = `${JSON.stringify(approval, null, 2)}\n`;
    this.lastFileName = p.fileName;
    return { fileName: p.fileName, text, qrFrames: toQrFrames(text) };
  }

  async verify(text: string, capsule?: CapsuleVerification): Promise<ApprovalCheck> {
    const r = await verifySarApproval(text, await this.trust(), {
      verifiedAt: this.now().toISOString(),
      ...(capsule ? { capsule } : {}),
    });
    return toApprovalCheck(r, capsule);
  }
}

function requestKey(req: ApprovalRequest): string {
  return JSON.stringify([req.capsuleId, req.decision, req.comment]);
}

/**
 * The approval document without its signature, exactly as the producer builds it. The producer
 * only builds signed approvals, so it signs with a throwaway key that is discarded with the
 * signature: nothing signed by the approver exists until they press Sign.
 */
function unsignedApproval(
  req: ApprovalRequest,
  v: CapsuleVerification,
  k: Unlocked,
  signedAt: string,
): UnsignedSarApproval {
  const throwaway = randomBytes(32);
  try {
    const { signature: _discarded, ...unsigned } = createSarApproval({
      capsule: v,
      decision: req.decision,
      comment: req.comment,
      approver: { id: k.id, role: k.role },
      signingKey: throwaway,
      signedAt,
    });
    return unsigned;
  } finally {
    throwaway.fill(0);
  }
}

/** The held document as shown: the signed file is this text with the signature member added. */
function documentText(unsigned: UnsignedSarApproval): string {
  return `${JSON.stringify(unsigned, null, 2)}\n`;
}

/** Signs exactly `unsigned` (spec §5.9 signing input) with the unlocked key, and checks the signature. */
function signDocument(unsigned: UnsignedSarApproval, k: Unlocked): SarApproval {
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: toBase64Url(k.secretKey), x: toBase64Url(k.publicKey) },
    format: 'jwk',
  });
  const input = sarApprovalSigningInput(unsigned);
  const sig = new Uint8Array(edSign(null, input, key));
  if (!edVerify(null, input, key, sig))
    throw new Error('the signature just made does not verify; nothing was signed');
  return { ...unsigned, signature: { alg: 'Ed25519', public_key: toHex(k.publicKey), value: toHex(sig) } };
}

/** The plain-language statement shown before signing. */
export function describe(
  req: ApprovalRequest,
  capsuleName: string,
  v: CapsuleVerification,
  signer: { id: string; name: string; role: ApproverRole; signedAt: string } | undefined,
  relied: { log_id: string; size: string; root: string }[] = v.sths
    .filter((s) => s.status === 'pass')
    .map((s) => ({ log_id: s.logId, size: s.size, root: s.rootHex })),
): string[] {
  // Without a signer (key locked, request blocked) the sentence is in the second person: "You APPROVE".
  const who = signer ? `${signer.name} (${signer.id}), acting as ${roleWords(signer.role)},` : 'You';
  const verb = {
    approve: 'APPROVE',
    conditional: 'CONDITIONALLY APPROVE',
    reject: 'REJECT',
  }[req.decision];
  const s = signer ? 'S' : '';
  const verified = v.events.filter((e) => e.status === 'pass');
  const left = v.events.length - verified.length;
  const sum = v.report.summary;
  // The capsule is named as the document names it (its manifest's id and title, which are signed);
  // the file name is not in the document, so it is said to be only where this copy was opened from.
  const capsule = v.manifest
    ? `capsule "${v.manifest.title}" (capsule id ${v.manifest.capsuleId}; opened here from the file "${capsuleName}")`
    : `capsule "${capsuleName}"`;
  const lines = [
    `${who} ${verb}${s} the security assessment evidence in ${capsule}.`,
    `The signature binds the capsule digest ${v.capsuleDigest}.`,
    // The document states the verification's verdict and counts: a rejection of a failed capsule
    // says so in what is signed, so the sentence must say it too.
    `It states that this computer's verification at ${v.report.verifiedAt} found the capsule ${v.report.verdict.toUpperCase()}: ${formatCountOf(sum.fail, 'check')} failed, ${formatCount(sum.pass)} passed, ${formatCount(sum.not_checked)} not checked.`,
    `It cites the ${formatCountOf(verified.length, 'event')} this computer verified, from ${describeSpan(verified.map((e) => e.step))}${left > 0 ? `; the ${formatCountOf(left, 'event')} that did not verify ${left === 1 ? 'is' : 'are'} not cited` : ''}.`,
    ...(relied.length === 0
      ? [
          "It relies on no signed tree head: none of the capsule's verified, or each is dated after this verification.",
        ]
      : relied.map(
          (s) =>
            `It relies on the signed tree head of log "${s.log_id}" at size ${s.size} with root ${s.root}.`,
        )),
    req.comment.trim() ? `Comment: "${req.comment.trim()}"` : 'No comment.',
  ];
  if (signer)
    lines.push(
      `It is dated ${signer.signedAt} and will be signed with the key whose fingerprint is shown below.`,
    );
  return lines;
}

function describeSpan(steps: string[]): string {
  if (steps.length === 0) return 'no steps';
  const first = steps[0];
  const last = steps[steps.length - 1];
  return first === last ? `step ${first}` : `step ${first} to step ${last}`;
}
