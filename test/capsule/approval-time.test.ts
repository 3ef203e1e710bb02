/**
 * A SAR approval's times against the verifier's clock and against the tree heads it relied on
 * (spec §5.9 "Times"): no approval is signed in the future, and no verification relied on a tree
 * head the log signed after it. Every approval here is really signed by the pinned 3PAO key (by
 * the producer, or edited and re-signed), so only the time can fail it.
 */
import { buildFedrampSample, buildTamperedVariants, SAMPLE_LOG_ID } from '@lineage/producer';
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
    expect(failures(r).filter((f) => f.id === 'approval.sths')).toEqual(
      u.relied_sths.map((t, i) => ({
        id: 'approval.sths',
        status: 'fail',
        field: `/relied_sths/${i}/timestamp`,
        expected: `a tree head dated at or before ${back} (verification.verified_at, with 10 minutes for clock differences)`,
        found: `tree head of size ${t.size} dated ${t.timestamp}`,
      })),
    );
    // …and so are the events it cites, and the capsule it states verified then.
    expect(failures(r).filter((f) => f.id !== 'approval.sths')).toEqual([
      expect.objectContaining({ id: 'approval.capsule_digest', field: '/verification/verified_at' }),
      expect.objectContaining({ id: 'approval.cited_events', field: '/cited_events/0' }),
    ]);
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
    // …and its events are then in no tree head it relied on.
    expect(failures(none)).toEqual([
      expect.objectContaining({ id: 'approval.sths', field: '/relied_sths', found: 'none' }),
      expect.objectContaining({
        id: 'approval.cited_events',
        field: '/cited_events/0',
        found: `no relied-on tree head of ${u.relied_sths[0]!.log_id}`,
      }),
    ]);
  });

  // The sample's events are all verified under its size-18 tree head (2026-11-03T05:00:01Z); it
  // also holds heads of size 6 (14:09:01 the day before) and 12. An approver dating the decision
  // back to 14:20, citing only the size-6 head, passed every check before: the stated result is
  // the capsule's real one today, the cited events verify and the one head is the capsule's.
  const backdated = '2026-11-02T14:20:00.000Z';
  const honestNow = () => (({ signature: _, ...rest }) => rest)(approve(good, verifiedAt));
  const headOfSize = (u: UnsignedSarApproval, size: string) => u.relied_sths.filter((t) => t.size === size);
  const eventAt = (u: UnsignedSarApproval, i: number) =>
    good.events.find((e) => e.id === u.cited_events[i]!.event_id)!;
  const short = (id: string) => `${id.slice(0, 12)}…`;

  it('fails an approval dated back between tree heads, before the SAR it approves existed, that relies on the older head', async () => {
    const u = honestNow();
    const back = {
      ...u,
      signed_at: backdated,
      verification: { ...u.verification, verified_at: backdated },
      relied_sths: headOfSize(u, '6'),
    };
    const r = await verifySarApproval(resigned(back), sample.trust, { verifiedAt, capsule: good });
    const last = good.events.at(-1)!;
    const first = (i: number) => eventAt(u, i);
    expect(failures(r)).toEqual([
      {
        id: 'approval.capsule_digest',
        status: 'fail',
        field: '/verification/verified_at',
        expected: `every event of the capsule dated at or before ${backdated} (verification.verified_at, with 10 minutes for clock differences)`,
        found: `event ${short(last.id)} (step "6", approval.grant) dated 2026-11-03T05:00:00.000Z`,
      },
      {
        id: 'approval.cited_events',
        status: 'fail',
        field: '/cited_events/7',
        expected: `cited events dated at or before ${backdated} (verification.verified_at, with 10 minutes for clock differences)`,
        found: `event ${short(first(7).id)} (step "A2", inventory.generate) dated 2026-11-02T14:45:00.000Z`,
      },
      {
        id: 'approval.cited_events',
        status: 'fail',
        field: '/cited_events/6',
        expected: `a relied-on tree head of ${SAMPLE_LOG_ID} of size greater than 6 (event ${short(first(6).id)} is its leaf 6)`,
        found: `relied-on tree heads of ${SAMPLE_LOG_ID}: size 6`,
      },
    ]);
    expect(r.report.checks.filter((c) => c.status === 'fail').map((c) => c.reason)).toEqual([
      expect.stringMatching(
        /says this capsule verified at 2026-11-02T14:20:00\.000Z, but it holds an event dated after that/,
      ),
      expect.stringMatching(/^11 cited events are dated after the verification the approval reports/),
      expect.stringMatching(/^12 cited events are in no tree head the approval relied on/),
    ]);
  });

  it('fails an approval dated back that cites only the events and the tree head of its date: the capsule it states verified holds later events', async () => {
    const u = honestNow();
    const early = {
      ...u,
      signed_at: backdated,
      verification: { ...u.verification, verified_at: backdated },
      cited_events: u.cited_events.slice(0, 6),
      relied_sths: headOfSize(u, '6'),
    };
    const r = await verifySarApproval(resigned(early), sample.trust, { verifiedAt, capsule: good });
    expect(failures(r)).toEqual([
      expect.objectContaining({ id: 'approval.capsule_digest', field: '/verification/verified_at' }),
    ]);
  });

  it('fails an approval dated today that relies on an older tree head of the log than the one its events were verified in', async () => {
    const u = honestNow();
    for (const size of ['6', '12']) {
      const r = await verifySarApproval(resigned({ ...u, relied_sths: headOfSize(u, size) }), sample.trust, {
        verifiedAt,
        capsule: good,
      });
      expect(failures(r)).toEqual([
        {
          id: 'approval.cited_events',
          status: 'fail',
          field: `/cited_events/${size}`,
          expected: `a relied-on tree head of ${SAMPLE_LOG_ID} of size greater than ${size} (event ${short(eventAt(u, Number(size)).id)} is its leaf ${size})`,
          found: `relied-on tree heads of ${SAMPLE_LOG_ID}: size ${size}`,
        },
      ]);
    }
    // The newest head alone holds every event: what the producer cites is enough, not required.
    const newest = await verifySarApproval(
      resigned({ ...u, relied_sths: headOfSize(u, '18') }),
      sample.trust,
      {
        verifiedAt,
        capsule: good,
      },
    );
    expect(failures(newest)).toEqual([]);
  });
});
