import {
  type CapsuleVerification,
  parseSarApproval,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFedrampSample } from '../sample/index.js';
import { createSarApproval } from './approval.js';

describe('createSarApproval', () => {
  let v: CapsuleVerification;
  let key: Uint8Array;
  beforeAll(async () => {
    const s = await buildFedrampSample();
    v = await verifyCapsule(zipCapsuleSource(s.zip), s.trust, {
      verifiedAt: '2026-11-22T10:00:00Z',
      capsuleName: 'sample.zip',
    });
    key = s.keys.humans['3pao']!.secretKey;
  });
  const sign = (signedAt: string) =>
    createSarApproval({
      capsule: v,
      decision: 'approve',
      comment: 'ok',
      approver: { id: 'lin:human:3pao', role: '3pao_assessor' },
      signingKey: key,
      signedAt,
    });

  it('signs an approval the parser reads back', () => {
    const a = sign('2026-11-22T10:05:00Z');
    expect(parseSarApproval(JSON.stringify(a)).signed_at).toBe('2026-11-22T10:05:00Z');
  });

  it('refuses a signing time every verifier refuses, instead of signing it', () => {
    // Dated before the verification it reports (a clock set back, a preview held past a clock change).
    expect(() => sign('2026-11-22T09:59:59Z')).toThrow(
      expect.objectContaining({
        code: 'approval.signed_at',
        message: expect.stringMatching(/before the verification it reports \(2026-11-22T10:00:00Z\)/),
      }),
    );
    expect(() => sign('22 Nov 2026')).toThrow(expect.objectContaining({ code: 'approval.signed_at' }));
    expect(() => sign('2026-02-30T00:00:00Z')).toThrow(
      expect.objectContaining({ code: 'approval.signed_at' }),
    );
  });
});
