/**
 * A SAR approval's times against the verifier's clock and against the tree heads it relied on
 * (spec §5.9 "Times"): no approval is signed in the future, and no verification relied on a tree
 * head the log signed after it. Every approval here is really signed by the pinned 3PAO key (by
 * the producer, or edited and re-signed), so only the time can fail it.
 */
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import {
  type CapsuleVerification,
  type SarApproval,
  type UnsignedSarApproval,
  verifyCapsule,
  verifySarApproval,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvalBy3pao, signedBy3pao } from './support/sar-approval.js';

const verifiedAt = '2026-11-22T00:00:00Z';
const MINUTE = 60_000;
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
let good: CapsuleVerification;

const iso = (ms: number) => new Date(ms).toISOString();
const verifyAt = (s: typeof sample, at: string) =>
  verifyCapsule(zipCapsuleSource(s.zip), s.trust, { verifiedAt: at, capsuleName: 'sample.zip' });

beforeAll(async () => {
  sample = await buildFedrampSample();
  good = await verifyAt(sample, verifiedAt);
});

/** The producer's approval of `cap`, signed with the pinned 3PAO key of `s`. */
/** The producer's approval of `cap`, signed at `signedAt` with the pinned 3PAO key of `s`. */
const approve = (
  cap: CapsuleVerification,
  signedAt: string,
  decision: SarApproval['decision'] = 'approve',
  s = sample,
) => approvalBy3pao(s, cap, signedAt, decision);

/** `u` re-signed with the pinned 3PAO key: a real signature over the edited approval. */
const resigned = (u: UnsignedSarApproval) => signedBy3pao(sample, u);

const failures = (r: Awaited<ReturnType<typeof verifySarApproval>>) =>
  r.report.checks
    .filter((c) => c.status !== 'pass')
    .map((c) => ({
      id: c.id,
      status: c.status,
      field: c.subject.field,
      expected: c.expected,
      found: c.found,
    }));

describe('SAR approval times', () => {
  it('fails an approval signed in the future of the verification (a machine clock ahead), past the 10 minutes allowed', async () => {
    // `lineage approve` on a machine whose clock is 50 years ahead: the capsule verifies then, and
    // the approval is signed then. Checked today, it is dated in the future.
    const ahead = iso(Date.parse(verifiedAt) + 50 * 365 * 24 * 60 * MINUTE);
    const a = approve(await verifyAt(sample, ahead), ahead);
    const r = await verifySarApproval(JSON.stringify(a), sample.trust, { verifiedAt, capsule: good });
    expect(failures(r)).toEqual([
      {
        id: 'approval.schema',
        status: 'fail',
        field: '/signed_at',
        expected: `a signing time at or before ${verifiedAt} (the verification time, with 10 minutes for clock differences)`,
        found: ahead,
      },
    ]);
    expect(r.report.checks.find((c) => c.id === 'approval.schema')!.reason).toMatch(
      /dated after this verification.*or this machine's clock is behind/,
    );
  });

  it('allows 10 minutes for clock differences, not a millisecond more', async () => {
    const u = (({ signature: _, ...rest }) => rest)(approve(good, verifiedAt));
    const at = (ms: number) => ({ ...u, signed_at: iso(Date.parse(verifiedAt) + ms) });
    const edge = await verifySarApproval(resigned(at(10 * MINUTE)), sample.trust, {
      verifiedAt,
      capsule: good,
    });
    expect(failures(edge)).toEqual([]);
    const past = await verifySarApproval(resigned(at(10 * MINUTE + 1)), sample.trust, {
      verifiedAt,
      capsule: good,
    });
    expect(failures(past)).toEqual([expect.objectContaining({ id: 'approval.schema', field: '/signed_at' })]);
  });

  it('fails each relied-on tree head dated after the verification the approval reports (an approval dated back)', async () => {
    // The approver dates the decision (and the verification) a year before the evidence existed;
    // the stated result is the capsule's real one, so only the times give it away.
    const u = (({ signature: _, ...rest }) => rest)(approve(good, verifiedAt));
    const back = '2025-11-01T00:00:00.000Z';
    const r = await verifySarApproval(
      resigned({ ...u, signed_at: back, verification: { ...u.verification, verified_at: back } }),
      sample.trust,
      { verifiedAt, capsule: good },
    );
    expect(failures(r)).toEqual(
      u.relied_sths.map((t, i) => ({
        id: 'approval.sths',
        status: 'fail',
        field: `/relied_sths/${i}/timestamp`,
        expected: `a tree head dated at or before ${back} (verification.verified_at, with 10 minutes for clock differences)`,
        found: `tree head of size ${t.size} dated ${t.timestamp}`,
      })),
    );
  });

  it('a rejection made where some tree heads are dated after the verification cites only the others, and verifies', async () => {
    // A clock 11 minutes behind the newest tree head: the events it logs fail event.sth_time, so
    // the capsule can only be rejected, and that head was not relied on.
    const newest = Math.max(...good.sths.map((t) => Date.parse(t.timestamp)));
    const behind = iso(newest - 11 * MINUTE);
    const cap = await verifyAt(sample, behind);
    expect(cap.report.verdict).toBe('failed');
    const a = approve(cap, behind, 'reject');
    expect(a.relied_sths.map((t) => t.timestamp)).toEqual(
      good.sths.map((t) => t.timestamp).filter((t) => Date.parse(t) < newest),
    );
    const r = await verifySarApproval(JSON.stringify(a), sample.trust, { verifiedAt: behind, capsule: cap });
    expect(failures(r)).toEqual([]);
  });

  it('a rejection of a capsule no tree head of which verified (an untrusted log) cites none, and verifies', async () => {
    const [t] = await buildTamperedVariants({ only: ['untrusted-log-sth'] });
    const cap = await verifyAt(t!.sample, verifiedAt);
    const a = approve(cap, verifiedAt, 'reject', t!.sample);
    expect(a.relied_sths).toEqual([]);
    const r = await verifySarApproval(JSON.stringify(a), t!.sample.trust, { verifiedAt, capsule: cap });
    expect(failures(r)).toEqual([]);
    // An approval still has to cite what it relied on.
    const { signature: _, ...u } = approve(good, verifiedAt);
    const none = await verifySarApproval(resigned({ ...u, relied_sths: [] }), sample.trust, {
      verifiedAt,
      capsule: good,
    });
    expect(failures(none)).toEqual([
      expect.objectContaining({ id: 'approval.sths', field: '/relied_sths', found: 'none' }),
    ]);
  });
});
