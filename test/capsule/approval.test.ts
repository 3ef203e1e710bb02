import {
  buildFedrampSample,
  buildTamperedVariants,
  createSarApproval,
  sarDecisionRefusal,
} from '@lineage/producer';
import {
  type CapsuleVerification,
  toOscalAssessmentResults,
  verifyCapsule,
  verifySarApproval,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';

const verifiedAt = '2026-11-22T00:00:00Z';
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
let cap: CapsuleVerification;

beforeAll(async () => {
  sample = await buildFedrampSample();
  cap = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
    verifiedAt,
    capsuleName: 'sample.zip',
  });
});

/** An approval in `who`'s name, signed by `signer`'s key (by default their own). */
function sign(
  who: string,
  role: Parameters<typeof createSarApproval>[0]['approver']['role'],
  c = cap,
  signer = who,
) {
  const h = { '3pao': 'lin:human:3pao.sam-okafor', co: 'lin:human:co.raj-patel' }[who]!;
  return createSarApproval({
    capsule: c,
    decision: 'approve',
    comment: 'ok',
    approver: { id: h, role },
    signingKey: sample.keys.humans[signer]!.secretKey,
    signedAt: verifiedAt,
  });
}

const status = (r: Awaited<ReturnType<typeof verifySarApproval>>, id: string) =>
  r.report.checks.filter((c) => c.id === id).map((c) => c.status);

describe('SAR approvals', () => {
  it('a 3PAO approval of the verified sample verifies with the capsule, and cites what it relied on', async () => {
    const a = sign('3pao', '3pao_assessor');
    expect(a.capsule.digest).toBe(cap.capsuleDigest);
    expect(a.cited_events.map((e) => e.event_id).sort()).toEqual(cap.events.map((e) => e.id).sort());
    expect(a.relied_sths.length).toBe(cap.sths.length);
    const r = await verifySarApproval(JSON.stringify(a), sample.trust, { verifiedAt, capsule: cap });
    expect(r.report.verdict).toBe('verified');
  });

  it('without the capsule, a passing approval.sths does not claim the capsule verified the tree heads', async () => {
    const a = JSON.stringify(sign('3pao', '3pao_assessor'));
    const title = async (capsule?: CapsuleVerification) =>
      (
        await verifySarApproval(a, sample.trust, { verifiedAt, ...(capsule ? { capsule } : {}) })
      ).report.checks.find((c) => c.id === 'approval.sths');
    const alone = await title();
    expect(alone).toMatchObject({ status: 'pass' });
    expect(alone!.title).not.toMatch(/capsule/);
    expect((await title(cap))!.title).toMatch(/is one the capsule verified/);
  });

  it('fails an approver signing as a role they do not hold', async () => {
    const r = await verifySarApproval(JSON.stringify(sign('co', '3pao_assessor')), sample.trust, {
      verifiedAt,
      capsule: cap,
    });
    expect(status(r, 'approval.approver_role')).toEqual(['fail']);
    expect(r.report.checks.find((c) => c.id === 'approval.approver_role')!.reason).toMatch(
      /holds compliance_officer/,
    );
  });

  it('fails a relied-on tree head that does not verify, and a cited event that is not in the capsule', async () => {
    const a = sign('3pao', '3pao_assessor');
    const forgedSth = {
      ...a,
      relied_sths: [
        { ...a.relied_sths[0]!, checkpoint: a.relied_sths[0]!.checkpoint.replace(/\n(\d+)\n/, '\n999\n') },
      ],
    };
    // Re-signed by the approver: the signature is fine, the tree head is not.
    const resigned = createSarApproval({
      capsule: cap,
      decision: 'approve',
      comment: 'ok',
      approver: a.approver,
      signingKey: sample.keys.humans['3pao']!.secretKey,
      signedAt: verifiedAt,
    });
    const r1 = await verifySarApproval(JSON.stringify(forgedSth), sample.trust, { verifiedAt });
    expect(status(r1, 'approval.sths')).toContain('fail');
    // The forged size breaks the log's signature over the note: right key, signature that no longer verifies.
    const sth = r1.report.checks.find((c) => c.id === 'approval.sths' && c.status === 'fail')!;
    expect(sth.reason).toMatch(/^note\.bad-signature: /);
    expect(sth.expected).toMatch(
      /^a signature by lineage\.example\/fedramp-evidence-log\+[0-9a-f]{8} over this note text$/,
    );
    expect(sth.found).toMatch(/^signature line \d+, which does not verify over it$/);
    expect(status(r1, 'approval.signature')).toEqual(['fail']);
    const sig = r1.report.checks.find((c) => c.id === 'approval.signature')!;
    expect(sig.expected).toBe(
      `an Ed25519 signature by ${forgedSth.signature.public_key.slice(0, 12)}… over this approval`,
    );
    expect(sig.found).toBe(`signature ${forgedSth.signature.value.slice(0, 12)}…, which does not verify`);
    const other = await buildFedrampSample({ seed: 'other' });
    const otherCap = await verifyCapsule(zipCapsuleSource(other.zip), other.trust, {
      verifiedAt,
      capsuleName: 'other.zip',
    });
    const r2 = await verifySarApproval(JSON.stringify(resigned), sample.trust, {
      verifiedAt,
      capsule: otherCap,
    });
    expect(status(r2, 'approval.capsule_digest')).toEqual(['fail']);
    expect(status(r2, 'approval.cited_events')).toContain('fail');
  });

  it("fails an approval made in a pinned approver's name with another key, though its signature verifies", async () => {
    // Raj Patel signs, validly, with his own key, but the approval names Sam Okafor as its approver.
    const forged = sign('3pao', '3pao_assessor', cap, 'co');
    const r = await verifySarApproval(JSON.stringify(forged), sample.trust, { verifiedAt, capsule: cap });
    expect(status(r, 'approval.signature')).toEqual(['pass']);
    expect(r.report.verdict).toBe('failed');
    const role = r.report.checks.find((c) => c.id === 'approval.approver_role')!;
    expect(role).toMatchObject({
      status: 'fail',
      subject: expect.objectContaining({ field: '/signature/public_key' }),
      reason: 'signed by a key other than the one pinned for Sam Okafor (3PAO Lead Assessor)',
      expected: sample.keys.humans['3pao']!.publicKeyHex,
      found: sample.keys.humans.co!.publicKeyHex,
    });
  });

  it('fails relied-on tree heads of a log that is not pinned, or of another size than their note', async () => {
    const approve = (sths: CapsuleVerification['sths']) => sign('3pao', '3pao_assessor', { ...cap, sths });
    const [first, ...rest] = cap.sths;
    const unpinned = approve([{ ...first!, logId: 'other.example/log' }, ...rest]);
    const r1 = await verifySarApproval(JSON.stringify(unpinned), sample.trust, { verifiedAt, capsule: cap });
    expect(status(r1, 'approval.signature')).toEqual(['pass']);
    expect(r1.report.checks.filter((c) => c.id === 'approval.sths' && c.status === 'fail')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ field: '/relied_sths/0' }),
        reason: 'no log key pinned for "other.example/log"',
        expected: 'a log key pinned for other.example/log',
        found: 'none in the trust store',
      }),
    ]);
    const resized = approve([{ ...first!, size: String(Number(first!.size) + 1) }, ...rest]);
    const r2 = await verifySarApproval(JSON.stringify(resized), sample.trust, { verifiedAt, capsule: cap });
    expect(r2.report.checks.filter((c) => c.id === 'approval.sths' && c.status === 'fail')).toEqual([
      expect.objectContaining({
        reason: `the note says size ${first!.size}, the approval says ${Number(first!.size) + 1}`,
        expected: `size ${Number(first!.size) + 1}, as the approval says`,
        found: `size ${first!.size} in the signed note`,
      }),
    ]);
  });

  it('fails a malformed approval with the field that is wrong, and nothing else is claimed of it', async () => {
    const a = sign('3pao', '3pao_assessor');
    for (const [bad, field, expected, found] of [
      [
        { ...a, decision: 'maybe' },
        '/decision',
        'one of "approve", "reject", "conditional"',
        'the string "maybe"',
      ],
      [{ ...a, extra: true }, '/extra', expect.stringMatching(/^only the fields type, version, /), '"extra"'],
      [
        { ...a, capsule: { ...a.capsule, digest: 'not hex' } },
        '/capsule/digest',
        '64 lowercase hex characters (32 bytes)',
        'the string "not hex"',
      ],
      [
        { ...a, verification: { ...a.verification, fail: -1 } },
        '/verification/fail',
        'a non-negative integer',
        'number -1',
      ],
    ] as const) {
      const r = await verifySarApproval(JSON.stringify(bad), sample.trust, { verifiedAt });
      const schema = r.report.checks.find((c) => c.id === 'approval.schema')!;
      expect(schema.status).toBe('fail');
      expect(schema.subject.field).toBe(field);
      expect(schema).toMatchObject({ expected, found });
      expect(r.report.verdict).not.toBe('verified');
      expect(r.report.checks.filter((c) => c.status === 'pass')).toEqual([]);
    }
    const broken = await verifySarApproval('{"type":', sample.trust, { verifiedAt });
    expect(status(broken, 'approval.schema')).toEqual(['fail']);
  });

  it('refuses to approve a capsule that failed, but allows rejecting it', async () => {
    const [t] = await buildTamperedVariants({ only: ['edited-artifact'] });
    const bad = await verifyCapsule(zipCapsuleSource(t!.sample.zip), t!.sample.trust, {
      verifiedAt,
      capsuleName: 'bad.zip',
    });
    expect(() => sign('3pao', '3pao_assessor', bad)).toThrow(
      /cannot approve a capsule whose verification failed/,
    );
    expect(sarDecisionRefusal('conditional', 'fix it', bad)?.message).toMatch(
      /^cannot approve with conditions a capsule whose verification failed \(\d+ checks\)/,
    );
    const rej = createSarApproval({
      capsule: bad,
      decision: 'reject',
      comment: 'artifact edited',
      approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
      signingKey: sample.keys.humans['3pao']!.secretKey,
      signedAt: verifiedAt,
    });
    expect(rej.cited_events.length).toBe(bad.events.filter((e) => e.status === 'pass').length);
    expect(rej.cited_events.map((e) => e.event_id)).not.toContain(t!.sample.eventIds['A3-scan']);
    // OSCAL: the controls of the edited scan are not satisfied, and the failure is an observation.
    const ar = toOscalAssessmentResults(bad.report, bad)['assessment-results'] as {
      results: {
        findings: { target: { 'target-id': string; status: { state: string } } }[];
        observations: { description: string }[];
      }[];
    };
    const ra5 = ar.results[0]!.findings.find((f) => f.target['target-id'] === 'ra-5_obj')!;
    expect(ra5.target.status.state).toBe('not-satisfied');
    expect(
      ar.results[0]!.observations.some((o) => /capsule\.artifact_hash|is not what event/.test(o.description)),
    ).toBe(true);
  });
});
