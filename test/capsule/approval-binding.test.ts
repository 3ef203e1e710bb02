/**
 * A SAR approval must say true things about the capsule it is bound to: its verification
 * result, its decision (only a verified capsule is approved), the events it cites and the tree
 * heads it relied on (size, root and time, as the signed note and the capsule have them), and
 * real signing times. Every approval here is really signed by the pinned 3PAO key, so the
 * signature and approver checks pass and only the false claim can fail it.
 */
import {
  buildFedrampSample,
  buildTamperedVariants,
  makeLineageSth,
  noteSigner,
  SAMPLE_LOG_ID,
  testKey,
  zipCapsule,
} from '@lineage/producer';
import {
  type CapsuleVerification,
  fromHex,
  type SarApproval,
  type UnsignedSarApproval,
  verifyCapsule,
  verifySarApproval,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvalBy3pao, signedBy3pao } from './support/sar-approval.js';

const verifiedAt = '2026-11-22T00:00:00Z';
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
let good: CapsuleVerification;
let bad: CapsuleVerification;
let badSample: Awaited<ReturnType<typeof buildFedrampSample>>;

const verify = async (zip: Uint8Array, trust: typeof sample.trust, name: string) =>
  verifyCapsule(zipCapsuleSource(zip), trust, { verifiedAt, capsuleName: name });

beforeAll(async () => {
  sample = await buildFedrampSample();
  good = await verify(sample.zip, sample.trust, 'sample.zip');
  const [t] = await buildTamperedVariants({ only: ['forged-event-signature'] });
  badSample = t!.sample;
  bad = await verify(badSample.zip, badSample.trust, 'forged.zip');
});

/** Signs `u` with the pinned 3PAO key of `s` (a real Ed25519 signature over the approval). */
const signed = (u: UnsignedSarApproval, s = sample) => signedBy3pao(s, u);

/** The approval the producer makes (unsigned part), to edit one claim and re-sign. */
function honest(cap: CapsuleVerification, decision: SarApproval['decision'] = 'approve', s = sample) {
  const { signature: _, ...u } = approvalBy3pao(s, cap, verifiedAt, decision);
  return u;
}

const failures = (r: Awaited<ReturnType<typeof verifySarApproval>>, id?: string) =>
  r.report.checks
    .filter((c) => c.status === 'fail' && (id === undefined || c.id === id))
    .map((c) => ({
      id: c.id,
      field: c.subject.field,
      reason: c.reason,
      expected: c.expected,
      found: c.found,
    }));
const statusOf = (r: Awaited<ReturnType<typeof verifySarApproval>>, id: string) =>
  r.report.checks.filter((c) => c.id === id).map((c) => c.status);

describe('SAR approval bindings', () => {
  it('the approvals the producer makes verify: approve of the verified sample, reject of a failed capsule', async () => {
    const ok = await verifySarApproval(signed(honest(good)), sample.trust, { verifiedAt, capsule: good });
    expect(failures(ok)).toEqual([]);
    expect(ok.report.verdict).toBe('verified');
    expect(ok.report.checks.find((c) => c.id === 'approval.capsule_digest')!.found).toBe(
      `${good.capsuleDigest.slice(0, 12)}…, verdict verified: ${good.report.summary.pass} pass, 0 fail, 0 not checked`,
    );
    const rej = await verifySarApproval(
      signed(honest(bad, 'reject', badSample), badSample),
      badSample.trust,
      {
        verifiedAt,
        capsule: bad,
      },
    );
    expect(failures(rej)).toEqual([]);
    expect(rej.report.verdict).toBe('verified');
  });

  it('checks an approval against a capsule that cannot be read as not checked, naming why, never "another capsule"', async () => {
    const approval = signed(honest(good));
    // The sample cut to 1,000 bytes (a container failure) and the sample with a manifest that is not JSON.
    const files = new Map(sample.files);
    files.set('manifest.json', new TextEncoder().encode('{"capsule_id": '));
    const unreadable = [
      {
        cap: await verify(sample.zip.subarray(0, 1000), sample.trust, 'cut.capsule.zip'),
        why: 'capsule.container: cut.capsule.zip: no end-of-central-directory record: not a zip file',
      },
      {
        cap: await verify(zipCapsule(files), sample.trust, 'bad-manifest.zip'),
        why: 'capsule.manifest: manifest.json /capsule_id: expected a value, found end of input at byte 15',
      },
    ];
    for (const { cap, why } of unreadable) {
      expect(cap.capsuleDigest).toBe('');
      const r = await verifySarApproval(approval, sample.trust, { verifiedAt, capsule: cap });
      // The approval's own checks still run, and pass: it is the 3PAO's real signature.
      expect(statusOf(r, 'approval.schema')).toEqual(['pass']);
      expect(statusOf(r, 'approval.signature')).toEqual(['pass']);
      expect(statusOf(r, 'approval.approver_role')).toEqual(['pass']);
      // Its tree heads verify under the pinned log key; whether the capsule verified them is not known.
      expect(statusOf(r, 'approval.sths')).toEqual(['pass']);
      expect(failures(r)).toEqual([]);
      expect(r.report.verdict).toBe('incomplete');
      for (const id of ['approval.capsule_digest', 'approval.cited_events']) {
        const c = r.report.checks.filter((x) => x.id === id);
        expect(c.map((x) => x.status)).toEqual(['not_checked']);
        expect(c[0]!.reason).toContain(`the capsule could not be read (${why}`);
        expect(c[0]!.reason).not.toMatch(/another capsule/);
      }
    }
  });

  it('fails an approval of another capsule with the same id, title and result (its manifest differs)', async () => {
    // The sample with one workflow step retitled: a different manifest, so a different capsule,
    // that verifies exactly as the original does.
    const m = JSON.parse(new TextDecoder().decode(sample.files.get('manifest.json')!));
    m.workflow.steps[0].title = `${m.workflow.steps[0].title} (revised)`;
    const files = new Map(sample.files);
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify(m)));
    const revised = await verify(zipCapsule(files), sample.trust, 'revised.zip');
    expect(revised.report.summary).toEqual(good.report.summary);
    expect(revised.capsuleDigest).not.toBe(good.capsuleDigest);
    const r = await verifySarApproval(signed(honest(good)), sample.trust, { verifiedAt, capsule: revised });
    expect(failures(r)).toEqual([
      {
        id: 'approval.capsule_digest',
        field: '/capsule/digest',
        reason: 'the approval was made for another capsule (or the capsule changed since)',
        expected: good.capsuleDigest,
        found: revised.capsuleDigest,
      },
    ]);
  });

  it('fails the reviewer’s forged approval of a failed capsule on every false claim', async () => {
    expect(bad.report.verdict).toBe('failed');
    const sth = bad.sths.find((x) => x.status === 'pass')!;
    const dayBefore = new Date(Date.parse(sth.timestamp) - 86_400_000).toISOString();
    const u: UnsignedSarApproval = {
      ...honest(bad, 'reject', badSample),
      decision: 'approve',
      comment: 'all good',
      verification: { verified_at: verifiedAt, verdict: 'verified', pass: 999, fail: 0, not_checked: 0 },
      cited_events: [],
      relied_sths: [{ ...sthClaim(sth), root: 'ff'.repeat(32), timestamp: dayBefore }],
    };
    const r = await verifySarApproval(signed(u, badSample), badSample.trust, { verifiedAt, capsule: bad });
    expect(r.report.verdict).toBe('failed');
    expect(statusOf(r, 'approval.signature')).toEqual(['pass']);
    expect(statusOf(r, 'approval.approver_role')).toEqual(['pass']);
    const { pass, fail } = bad.report.summary;
    expect(failures(r)).toEqual([
      {
        id: 'approval.sths',
        field: '/relied_sths/0/root',
        reason: `the note says root ${sth.rootHex}, the approval says ${'ff'.repeat(32)}`,
        expected: `root ${'ff'.repeat(32)}, as the approval says`,
        found: `root ${sth.rootHex} in the signed note`,
      },
      {
        id: 'approval.sths',
        field: '/relied_sths/0/timestamp',
        reason: `the note says timestamp ${sth.timestamp}, the approval says ${dayBefore}`,
        expected: `timestamp ${dayBefore}, as the approval says`,
        found: `timestamp ${sth.timestamp} in the signed note`,
      },
      {
        id: 'approval.cited_events',
        field: '/cited_events',
        reason: 'an approval that says approve must cite the verified events it relied on',
        expected: 'at least one cited event',
        found: 'none',
      },
      {
        id: 'approval.capsule_digest',
        field: '/verification',
        reason: 'the verification result the approval states is not this capsule’s',
        expected: 'verdict verified: 999 pass, 0 fail, 0 not checked, as the approval says',
        found: `verdict failed: ${pass} pass, ${fail} fail, 0 not checked when this capsule is verified`,
      },
      {
        id: 'approval.capsule_digest',
        field: '/decision',
        reason: `only a capsule that verified can be approved; this one failed ${fail} checks (a rejection is always possible)`,
        expected: 'a capsule that verifies, to approve it',
        found: 'a capsule whose verification failed',
      },
    ]);
    // The relied-on time that is no time at all ("yesterday") is refused as malformed.
    const words = await verifySarApproval(
      signed({ ...u, relied_sths: [{ ...sthClaim(sth), timestamp: 'yesterday' }] }, badSample),
      badSample.trust,
      { verifiedAt, capsule: bad },
    );
    expect(failures(words)).toEqual([
      {
        id: 'approval.schema',
        field: '/relied_sths/0/timestamp',
        reason: expect.stringMatching(/^expected an RFC 3339 UTC timestamp/),
        expected: 'an RFC 3339 UTC timestamp like "2026-11-20T14:03:07Z"',
        found: '"yesterday"',
      },
    ]);
  });

  it('fails approve or conditional of a failed capsule even when the stated result is true; reject passes', async () => {
    for (const decision of ['approve', 'conditional'] as const) {
      const u = { ...honest(bad, 'reject', badSample), decision };
      const r = await verifySarApproval(signed(u, badSample), badSample.trust, { verifiedAt, capsule: bad });
      expect(failures(r)).toEqual([
        expect.objectContaining({
          id: 'approval.capsule_digest',
          field: '/decision',
          expected: `a capsule that verifies, to ${decision} it`,
          found: 'a capsule whose verification failed',
        }),
      ]);
    }
  });

  it('fails a stated verification result that differs from the capsule’s by one count', async () => {
    const u = honest(good);
    for (const verification of [
      { ...u.verification, pass: u.verification.pass + 1 },
      { ...u.verification, not_checked: 1 },
      { ...u.verification, verdict: 'incomplete' as const },
    ]) {
      const r = await verifySarApproval(signed({ ...u, verification }), sample.trust, {
        verifiedAt,
        capsule: good,
      });
      const v = verification;
      expect(failures(r)).toEqual([
        {
          id: 'approval.capsule_digest',
          field: '/verification',
          reason: 'the verification result the approval states is not this capsule’s',
          expected: `verdict ${v.verdict}: ${v.pass} pass, ${v.fail} fail, ${v.not_checked} not checked, as the approval says`,
          found: `verdict verified: ${good.report.summary.pass} pass, 0 fail, 0 not checked when this capsule is verified`,
        },
      ]);
    }
  });

  it('fails a capsule id or title that is not the manifest’s', async () => {
    const u = honest(good);
    const r = await verifySarApproval(
      signed({ ...u, capsule: { ...u.capsule, capsule_id: 'other-capsule', title: 'Another title' } }),
      sample.trust,
      { verifiedAt, capsule: good },
    );
    expect(failures(r).map((f) => [f.field, f.expected, f.found])).toEqual([
      [
        '/capsule/capsule_id',
        'capsule id other-capsule, as the approval says',
        `capsule id ${good.manifest!.capsuleId} in the manifest`,
      ],
      [
        '/capsule/title',
        'title "Another title", as the approval says',
        `title ${JSON.stringify(good.manifest!.title)} in the manifest`,
      ],
    ]);
  });

  it('refuses impossible or out-of-order signing times as malformed', async () => {
    const u = honest(good);
    for (const [edit, field, expected, found] of [
      [
        { signed_at: '2026-02-30T00:00:00Z' },
        '/signed_at',
        'a real UTC instant (month 1–12, a day of that month, 00:00:00–23:59:59, no leap second)',
        '2026-02-30T00:00:00Z',
      ],
      [
        { verification: { ...u.verification, verified_at: '2026-11-22T24:00:00Z' } },
        '/verification/verified_at',
        'a real UTC instant (month 1–12, a day of that month, 00:00:00–23:59:59, no leap second)',
        '2026-11-22T24:00:00Z',
      ],
      [
        { signed_at: '2026-11-21T23:59:59Z' },
        '/signed_at',
        `a time at or after verification.verified_at ${u.verification.verified_at}`,
        '2026-11-21T23:59:59Z',
      ],
      // 65,537 bytes of UTF-8 (one over): a reviewer is never handed megabytes as the decision's reasons.
      [
        { comment: `${'é'.repeat(32_768)}x` },
        '/comment',
        'a comment of at most 65,536 bytes (UTF-8)',
        '65,537 bytes',
      ],
    ] as const) {
      const r = await verifySarApproval(signed({ ...u, ...edit }), sample.trust, {
        verifiedAt,
        capsule: good,
      });
      expect(failures(r)).toEqual([
        expect.objectContaining({ id: 'approval.schema', field, expected, found }),
      ]);
      expect(r.report.checks.filter((c) => c.status === 'pass')).toEqual([]);
    }
  });

  it('fails cited events that are not verified events of the capsule, in their step, cited once', async () => {
    const u = honest(good);
    const [first, second] = u.cited_events;
    const restep = await verifySarApproval(
      signed({ ...u, cited_events: [{ ...first!, step: 'Z9' }, ...u.cited_events.slice(1)] }),
      sample.trust,
      { verifiedAt, capsule: good },
    );
    expect(failures(restep)).toEqual([
      {
        id: 'approval.cited_events',
        field: '/cited_events/0/step',
        reason: 'the event is in another step of the capsule',
        expected: 'step "Z9", as the approval says',
        found: `step ${JSON.stringify(first!.step)} in the capsule`,
      },
    ]);
    // The right event id with another leaf hash: not the event the capsule logged.
    const releaf = await verifySarApproval(
      signed({ ...u, cited_events: [{ ...first!, leaf_hash: 'ab'.repeat(32) }, ...u.cited_events.slice(1)] }),
      sample.trust,
      { verifiedAt, capsule: good },
    );
    expect(failures(releaf)).toEqual([
      {
        id: 'approval.cited_events',
        field: '/cited_events/0/leaf_hash',
        reason: 'the event in the capsule has another leaf hash',
        expected: `leaf hash ${'ab'.repeat(32)}, as the approval says`,
        found: `leaf hash ${first!.leaf_hash} in the capsule`,
      },
    ]);
    const twice = await verifySarApproval(
      signed({ ...u, cited_events: [first!, second!, first!] }),
      sample.trust,
      { verifiedAt },
    );
    expect(failures(twice)).toEqual([
      expect.objectContaining({
        id: 'approval.schema',
        field: '/cited_events/2',
        expected: 'each event cited once',
        found: `event ${first!.event_id} again`,
      }),
    ]);
    // Without the capsule an approval that cites nothing already fails; a rejection may.
    const none = await verifySarApproval(signed({ ...u, cited_events: [] }), sample.trust, { verifiedAt });
    expect(statusOf(none, 'approval.cited_events')).toEqual(['fail']);
    const rejectNone = await verifySarApproval(
      signed({ ...u, decision: 'reject', cited_events: [] }),
      sample.trust,
      { verifiedAt, capsule: good },
    );
    expect(statusOf(rejectNone, 'approval.cited_events')).toEqual(['pass']);
    // The forged event of the failed capsule, cited by a rejection: not a verified event.
    const forgedId = bad.events.find((e) => e.status !== 'pass')!;
    const citesForged = honest(bad, 'reject', badSample);
    citesForged.cited_events.push({
      event_id: forgedId.id,
      leaf_hash: forgedId.leafHash,
      step: forgedId.step,
    });
    const r = await verifySarApproval(signed(citesForged, badSample), badSample.trust, {
      verifiedAt,
      capsule: bad,
    });
    expect(failures(r)).toEqual([
      {
        id: 'approval.cited_events',
        field: `/cited_events/${citesForged.cited_events.length - 1}`,
        reason: expect.stringMatching(/^the event does not verify in the capsule \(.*event\.signature/),
        expected: 'an event whose checks all pass',
        found: expect.stringMatching(/^failed .*event\.signature/),
      },
    ]);
  });

  it('fails a relied-on tree head that verifies under the pinned log key but is not one the capsule verified', async () => {
    const u = honest(good);
    const head = good.sths.find((t) => t.status === 'pass')!;
    // A genuine tree head, signed by the sample's own log key, that the capsule never showed.
    const checkpoint = makeLineageSth(
      {
        logId: SAMPLE_LOG_ID,
        treeSize: BigInt(head.size) + 1n,
        rootHash: fromHex('ab'.repeat(32)),
        timestampMs: Date.parse(head.timestamp) + 1000,
      },
      noteSigner(SAMPLE_LOG_ID, sample.keys.log),
    );
    const other = {
      log_id: SAMPLE_LOG_ID,
      size: String(BigInt(head.size) + 1n),
      root: 'ab'.repeat(32),
      timestamp: new Date(Date.parse(head.timestamp) + 1000).toISOString(),
      checkpoint,
    };
    const text = signed({ ...u, relied_sths: [...u.relied_sths, other] });
    // Alone, the approval's tree heads all verify under the pinned key.
    const alone = await verifySarApproval(text, sample.trust, { verifiedAt });
    expect(statusOf(alone, 'approval.sths')).toEqual(['pass']);
    const r = await verifySarApproval(text, sample.trust, { verifiedAt, capsule: good });
    const heads = good.sths.filter((t) => t.status === 'pass');
    expect(failures(r)).toEqual([
      {
        id: 'approval.sths',
        field: `/relied_sths/${u.relied_sths.length}`,
        reason: `the capsule did not verify this tree head of ${SAMPLE_LOG_ID}`,
        expected: `a tree head the capsule verified: ${SAMPLE_LOG_ID} size ${other.size}, root ${'ab'.repeat(6)}…, ${other.timestamp}`,
        found: `the capsule's verified tree heads of ${SAMPLE_LOG_ID}: ${heads.map((t) => `size ${t.size}, root ${t.rootHex.slice(0, 12)}…, ${t.timestamp}`).join('; ')}`,
      },
    ]);
  });

  it("fails a relied-on tree head that differs from the capsule's in its root alone, or its log alone", async () => {
    const u = honest(good);
    const head = good.sths.find((t) => t.status === 'pass')!;
    const same = { treeSize: BigInt(head.size), timestampMs: Date.parse(head.timestamp) };
    const claim = (log_id: string, root: string, checkpoint: string) => ({
      log_id,
      size: head.size,
      root,
      timestamp: head.timestamp,
      checkpoint,
    });
    // A split view: the sample's log signs another root for the same size at the same time.
    const fork = claim(
      SAMPLE_LOG_ID,
      'ab'.repeat(32),
      makeLineageSth(
        { logId: SAMPLE_LOG_ID, rootHash: fromHex('ab'.repeat(32)), ...same },
        noteSigner(SAMPLE_LOG_ID, sample.keys.log),
      ),
    );
    // Another pinned log whose head has the capsule's size, root and time.
    const mirrorId = 'lineage.example/mirror';
    const mirror = noteSigner(mirrorId, testKey('approval-binding mirror log'));
    const twin = claim(
      mirrorId,
      head.rootHex,
      makeLineageSth({ logId: mirrorId, rootHash: fromHex(head.rootHex), ...same }, mirror),
    );
    const trust = { ...sample.trust, logs: [...sample.trust.logs, { origin: mirrorId, vkey: mirror.vkey }] };
    for (const [other, logId] of [
      [fork, SAMPLE_LOG_ID],
      [twin, mirrorId],
    ] as const) {
      const text = signed({ ...u, relied_sths: [...u.relied_sths, other] });
      expect(statusOf(await verifySarApproval(text, trust, { verifiedAt }), 'approval.sths')).toEqual([
        'pass',
      ]);
      const r = await verifySarApproval(text, trust, { verifiedAt, capsule: good });
      expect(failures(r)).toEqual([
        expect.objectContaining({
          id: 'approval.sths',
          field: `/relied_sths/${u.relied_sths.length}`,
          reason: `the capsule did not verify this tree head of ${logId}`,
        }),
      ]);
    }
  });
});

function sthClaim(t: CapsuleVerification['sths'][number]): UnsignedSarApproval['relied_sths'][number] {
  return { log_id: t.logId, size: t.size, root: t.rootHex, timestamp: t.timestamp, checkpoint: t.checkpoint };
}
