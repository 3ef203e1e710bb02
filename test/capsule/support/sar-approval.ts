// SAR approvals by the sample's pinned 3PAO assessor, for tests that edit one claim and re-sign it.
import { type buildFedrampSample, createSarApproval } from '@lineage/producer';
import {
  type CapsuleVerification,
  type SarApproval,
  sarApprovalSigningInput,
  toHex,
  type UnsignedSarApproval,
} from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';

type Sample = Awaited<ReturnType<typeof buildFedrampSample>>;

/** The producer's approval of `cap`, signed at `signedAt` with the pinned 3PAO key of `s`. */
export function approvalBy3pao(
  s: Sample,
  cap: CapsuleVerification,
  signedAt: string,
  decision: SarApproval['decision'] = 'approve',
): SarApproval {
  return createSarApproval({
    capsule: cap,
    decision,
    comment: 'assessed',
    approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
    signingKey: s.keys.humans['3pao']!.secretKey,
    signedAt,
  });
}

/** `u` signed with the pinned 3PAO key of `s`: a real Ed25519 signature over the edited approval. */
export function signedBy3pao(s: Sample, u: UnsignedSarApproval): string {
  const key = s.keys.humans['3pao']!.secretKey;
  const a: SarApproval = {
    ...u,
    signature: {
      alg: 'Ed25519',
      public_key: toHex(ed25519.getPublicKey(key)),
      value: toHex(ed25519.sign(sarApprovalSigningInput(u), key)),
    },
  };
  return JSON.stringify(a);
}
