import { buildFedrampSample, buildTamperedVariants, TAMPERED_VARIANT_NAMES } from '@lineage/producer';
import {
  type CapsuleVerification,
  eventId,
  getCryptoBackend,
  setCryptoBackend,
  toOscalAssessmentResults,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';

const verifiedAt = '2026-11-22T00:00:00Z';

describe('the FedRAMP sample capsule', () => {
  let v: CapsuleVerification;
  let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
  beforeAll(async () => {
    sample = await buildFedrampSample();
    v = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
      verifiedAt,
      capsuleName: 'sample.zip',
    });
  });

  it('verifies with every check passing', () => {
    const notPassed = v.report.checks.filter((c) => c.status !== 'pass');
    expect(notPassed).toEqual([]);
    expect(v.report.verdict).toBe('verified');
    expect(v.report.summary.pass).toBeGreaterThan(200);
  });

  it('gives each check id one title, specifics only in a trailing parenthesis (summaries of many passes drop it)', () => {
    const titles = new Map<string, Set<string>>();
    for (const c of v.report.checks) {
      const general = c.title.replace(/ \([^)]*\)$/, '');
      titles.set(c.id, (titles.get(c.id) ?? new Set()).add(general));
    }
    const varying = [...titles]
      .filter(([, t]) => t.size > 1)
      .map(([id, t]) => `${id}: ${[...t].join(' | ')}`);
    expect(varying).toEqual([]);
    expect(v.report.checks.find((c) => c.id === 'capsule.artifact_hash')?.title).toBe(
      'the artifact is the one its event signed (artifacts/0-boundary.json, signed by event approval.grant)',
    );
  });

  it('is deterministic from its seed, and another seed gives other keys', async () => {
    const again = await buildFedrampSample();
    expect(Buffer.from(again.zip).equals(Buffer.from(sample.zip))).toBe(true);
    const other = await buildFedrampSample({ seed: 'another seed' });
    expect(other.trust.logs[0]!.vkey).not.toBe(sample.trust.logs[0]!.vkey);
  });

  it('records the whole workflow: steps 0 … 6, A1–A5 cards, controls, receipts, an undisclosed commitment', () => {
    const steps = new Set(v.events.map((e) => e.step));
    for (const s of ['0', 'A1', 'A2', '2a', 'A3', '3a', 'A4', '4a', 'A5', '5a', '6'])
      expect(steps).toContain(s);
    const controls = new Set(v.events.flatMap((e) => e.controls));
    for (const c of ['PL-2', 'CA-6', 'AU-2', 'AU-10', 'CM-8', 'AU-6', 'CA-2', 'RA-5', 'SI-2'])
      expect(controls).toContain(c);
    expect(v.report.checks.filter((c) => c.id === 'card.identity_proof' && c.status === 'pass')).toHaveLength(
      5,
    );
    expect(v.lineage.edges.filter((e) => e.kind === 'handoff')).toHaveLength(5);
    const commitments = v.events.flatMap((e) => e.commitments);
    expect(commitments.some((c) => !c.disclosed)).toBe(true);
    expect(commitments.some((c) => c.disclosed && c.value === 'ACA Platform Engineering')).toBe(true);
    const e0 = v.events.find((e) => e.step === '0')!;
    expect(e0.approval?.role).toBe('authorizing_official');
    expect(e0.inclusion?.auditPath.length).toBeGreaterThan(0);
    expect(v.sths.every((s) => s.status === 'pass')).toBe(true);
  });

  it('tells the backend how many signatures to expect before it reads the events', async () => {
    const real = getCryptoBackend();
    const calls: string[] = [];
    setCryptoBackend({
      ...real,
      expectBatch: (n) => calls.push(`expect ${n}`),
      ed25519VerifyBatch: (items) => {
        calls.push(`batch ${items.length}`);
        return real.ed25519VerifyBatch(items);
      },
    });
    try {
      const again = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
        verifiedAt,
        capsuleName: 'sample.zip',
      });
      expect(again.report.verdict).toBe('verified');
    } finally {
      setCryptoBackend(real);
    }
    // One hint, sized from events.jsonl (an estimate of one signature per ~512 bytes), then the batches.
    expect(calls[0]).toMatch(/^expect \d+$/);
    expect(Number(calls[0]!.split(' ')[1])).toBeGreaterThanOrEqual(sample.events.length / 2);
    expect(calls.slice(1).every((c) => c.startsWith('batch '))).toBe(true);
    expect(calls.length).toBeGreaterThan(1);
    // The agents' lifecycle signatures go in one batch, once: the capsule engine reuses the chain
    // engine's key histories instead of verifying them again.
    const lifecycle = sample.events.filter((e) => e.lifecycle).length;
    expect(lifecycle).toBeGreaterThan(0);
    expect(calls.filter((c) => c === `batch ${lifecycle}`)).toHaveLength(1);
  });

  it('locates every card check at its file; a field is a pointer inside the card', () => {
    const cards = v.report.checks.filter((c) => c.subject.kind === 'card');
    expect(cards.length).toBeGreaterThanOrEqual(5 * 9);
    for (const c of cards) {
      expect(c.subject.where, c.id).toMatch(/^cards\/[a-z0-9-]+\.json$/);
      if (c.subject.field !== undefined) expect(c.subject.field, c.id).toMatch(/^\//);
    }
  });

  it('labels lineage nodes by step and actor, without repeating a step the agent is named for', () => {
    const labels = new Set(v.lineage.nodes.map((n) => n.label));
    expect(labels).toContain('2a · Raj Patel (Compliance Officer)');
    expect(labels).toContain('A2 Evidence Harvester');
    expect([...labels].filter((l) => l.startsWith('A2 · A2'))).toEqual([]);
  });

  it('hands over its lineage graph as an ordinary property: JSON and structured clone carry it whole', async () => {
    // A fresh result, its graph not yet read: cloning and serializing must build it.
    const fresh = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
      verifiedAt,
      capsuleName: 'sample.zip',
    });
    expect(Object.keys(fresh)).toContain('lineage');
    const cloned = structuredClone(fresh).lineage;
    const json = JSON.parse(JSON.stringify(fresh)).lineage;
    const graph = fresh.lineage;
    expect(fresh.lineage).toBe(graph); // built once, then kept
    expect(cloned).toEqual(graph);
    expect(json).toEqual(graph);
    expect(graph).toEqual(v.lineage);
    expect(graph.nodes.map((n) => n.id)).toEqual(fresh.events.map((e) => e.id));
    expect(graph.edges.filter((e) => e.kind === 'predecessor')).toHaveLength(
      fresh.events.reduce((n, e) => n + e.predecessors.length, 0),
    );
  });

  it('never takes trust from the capsule: the sample verified against the wrong trust store fails', async () => {
    const other = await buildFedrampSample({ seed: 'another seed' });
    const r = await verifyCapsule(zipCapsuleSource(sample.zip), other.trust, {
      verifiedAt,
      capsuleName: 'sample.zip',
    });
    expect(r.report.verdict).toBe('failed');
    expect(r.report.checks.some((c) => c.id === 'attestation.sth_signature' && c.status === 'fail')).toBe(
      true,
    );
  });
});

describe('tree heads from the future', () => {
  let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
  let newest: number;
  const verifyAt = (ms: number) =>
    verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
      verifiedAt: new Date(ms).toISOString(),
      capsuleName: 'sample.zip',
    });
  beforeAll(async () => {
    sample = await buildFedrampSample();
    const v = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, {
      verifiedAt,
      capsuleName: 'sample.zip',
    });
    newest = Math.max(...v.sths.map((s) => Date.parse(s.timestamp)));
  });

  it('a capsule whose tree heads are dated after the verification fails event.sth_time for the events they log', async () => {
    const r = await verifyAt(newest - 11 * 60_000);
    expect(r.report.verdict).toBe('failed');
    const failed = r.report.checks.filter((c) => c.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    // The attestation, issued after those heads, is dated after the verification too.
    expect(new Set(failed.map((c) => c.id))).toEqual(new Set(['event.sth_time', 'attestation.schema']));
    expect(failed.find((c) => c.id === 'attestation.schema')!.subject.field).toBe('/issued_at');
    const f = failed.find((c) => c.id === 'event.sth_time')!;
    expect(f.subject.kind).toBe('event');
    expect(f.reason).toMatch(/dated after this verification/);
    expect(f.expected).toContain(`dated at or before ${new Date(newest - 11 * 60_000).toISOString()}`);
    expect(f.found).toBe(`tree head of size ${sizeAt(r, newest)} dated ${new Date(newest).toISOString()}`);
  });

  it('ten minutes are allowed for clock differences', async () => {
    expect((await verifyAt(newest - 9 * 60_000)).report.verdict).toBe('verified');
  });
});

function sizeAt(r: CapsuleVerification, at: number): string {
  return r.sths.find((s) => Date.parse(s.timestamp) === at)!.size;
}

describe('approvals the workflow requires', () => {
  it('a sample whose signers left out the risk acceptance and the SAR fails chain.required_approval on the steps they gate, and chain.required_event for the missing SAR', async () => {
    // The signers cooperate (the sample's own keys): every signature, proof and predecessor holds.
    const s = await buildFedrampSample({
      hooks: {
        specs: (specs) => {
          for (let i = specs.length - 1; i >= 0; i--)
            if (specs[i]!.key === '3a' || specs[i]!.key === '5a') specs.splice(i, 1);
          specs.find((x) => x.key === 'A4-ssp')!.predecessors = ['A3-scan', 'A4-register'];
          specs.find((x) => x.step === '6')!.predecessors = ['A5-package'];
        },
      },
    });
    const r = await verifyCapsule(zipCapsuleSource(s.zip), s.trust, {
      verifiedAt,
      capsuleName: 'no-3a-no-5a.zip',
    });
    // The manifest still lists the two steps, now empty: a label cannot claim a step happened.
    const empty = r.report.checks.filter((c) => c.id === 'capsule.workflow_steps' && c.status === 'fail');
    expect(empty.map((c) => [c.subject.field, c.found])).toEqual([
      [expect.stringMatching(/^\/workflow\/steps\/\d+\/events$/), 'none'],
      [expect.stringMatching(/^\/workflow\/steps\/\d+\/events$/), 'none'],
    ]);
    expect(empty.map((c) => c.subject.step)).toEqual([
      expect.stringMatching(/^3a /),
      expect.stringMatching(/^5a /),
    ]);
    const failed = r.report.checks.filter((c) => c.status === 'fail' && c.id !== 'capsule.workflow_steps');
    expect(failed.map((c) => c.id)).toEqual([
      'chain.required_approval',
      'chain.required_approval',
      'chain.required_event',
    ]);
    expect(failed.slice(0, 2).map((c) => r.events.find((e) => e.id === c.subject.id)?.action)).toEqual([
      'ssp.package',
      'approval.grant',
    ]);
    expect(failed[2]).toMatchObject({
      subject: { kind: 'chain', id: 'call chain', field: '/policy/must_include/0' },
      expected: 'an approval by 3pao_assessor, authentic, by an approver pinned with that role',
      found:
        'none; the approvals present are by agency_ao, authorizing_official, compliance_lead, compliance_officer',
    });
    expect(failed[0]).toMatchObject({
      subject: { kind: 'chain', field: '/predecessors', step: expect.stringMatching(/^A4 /) },
      expected:
        'an authentic approve or conditional approval by security_officer, pinned with that role, among the events it builds on',
      found: 'only authorizing_official, compliance_officer among the events it builds on',
    });
    expect(failed[1]!.reason).toMatch(
      /^agency_ao approval by lin:human:\S+ does not build on an authentic approval by 3pao_assessor/,
    );
  });
});

describe('tampered variants', () => {
  let variants: Awaited<ReturnType<typeof buildTamperedVariants>>;
  beforeAll(async () => {
    variants = await buildTamperedVariants();
  });

  it('covers every documented attack', () => {
    expect(variants.map((v) => v.name)).toEqual(TAMPERED_VARIANT_NAMES);
    expect(TAMPERED_VARIANT_NAMES).toHaveLength(12);
  });

  it('locates each failure about an event in the capsule (file and line) besides naming its field', async () => {
    const t = variants.find((v) => v.name === 'forged-event-signature')!;
    const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
      verifiedAt,
      capsuleName: 'forged.zip',
    });
    const target = t.sample.eventIds[t.eventKey!]!;
    // events.jsonl holds the events in this order, one per line.
    const line = t.sample.events.findIndex((e) => eventId(e) === target) + 1;
    expect(line).toBeGreaterThan(0);
    const failures = r.report.checks.filter((c) => c.status !== 'pass' && c.subject.id === target);
    expect(failures.map((c) => c.id)).toEqual(['event.signature', 'event.inclusion', 'event.sth_time']);
    for (const c of failures) expect(c.subject.where, c.id).toBe(`events.jsonl:${line}`);
    const signature = failures.find((c) => c.id === 'event.signature')!;
    expect(signature.subject.field).toBe('/signature/value');
    const forged = t.sample.events.find((e) => eventId(e) === target)!;
    expect(signature.expected).toBe(
      `an Ed25519 signature by ${forged.signature.public_key.slice(0, 12)}… over event ${target.slice(0, 12)}…`,
    );
    // The capsule's line carries the forged value (the sample keeps the genuine event).
    const inCapsule = JSON.parse(
      new TextDecoder()
        .decode(await zipCapsuleSource(t.sample.zip).read('events.jsonl', 1 << 20))
        .split('\n')[line - 1]!,
    ) as { signature: { value: string } };
    expect(inCapsule.signature.value).not.toBe(forged.signature.value);
    expect(signature.found).toBe(
      `signature ${inCapsule.signature.value.slice(0, 12)}…, which does not verify`,
    );
    // Nothing else is located as an event of the capsule: a field stays a field.
    for (const c of r.report.checks) expect(c.subject.field ?? '').not.toMatch(/^events\.jsonl:/);
    // The OSCAL observation of the event says the same: each failure's field, and where the event is.
    const oscal = toOscalAssessmentResults(r.report, r)['assessment-results'] as {
      results: { observations: { description: string; props: { name: string; value: string }[] }[] }[];
    };
    const obs = oscal.results[0]!.observations.find((o) =>
      o.props.some((p) => p.name === 'lineage-event-id' && p.value === target),
    )!;
    expect(obs.description).toContain(
      `the actor's signature over the canonical event verifies (field /signature/value, at events.jsonl:${line})`,
    );
    expect(obs.props.filter((p) => p.name === 'lineage-location').map((p) => p.value)).toEqual([
      `events.jsonl:${line}`,
    ]);
  });

  it('says, for every check that does not pass in any variant, what was expected and what was found', async () => {
    const missing: string[] = [];
    for (const t of variants) {
      const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
        verifiedAt,
        capsuleName: t.name,
      });
      for (const c of r.report.checks) {
        if (c.status === 'pass') continue;
        if (!c.reason || !c.expected || !c.found)
          missing.push(`${t.name}: ${c.id} ${c.subject.id.slice(0, 16)}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names the failed attestation check behind every event it leaves unproven', async () => {
    const verify = async (name: string) => {
      const t = variants.find((v) => v.name === name)!;
      return (
        await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
          verifiedAt,
          capsuleName: t.name,
        })
      ).report.checks;
    };
    // A log the assessor does not trust: every event is covered, none is proven, each says why.
    const untrusted = (await verify('untrusted-log-sth')).filter(
      (c) => c.id === 'event.inclusion' && c.status === 'fail',
    );
    expect(untrusted).toHaveLength(18);
    for (const c of untrusted) {
      expect(c.reason).toMatch(
        /^attestations\/000\.json covers this event's leaf, but its attestation\.sth_signature check failed \(tree head of lineage\.example\/fedramp-evidence-log: checkpoint\.log-signature\): the event is not anchored in a log$/,
      );
      expect(c.expected).toMatch(/^an inclusion proof or a verified attestation covering leaf [0-9a-f]{64}$/);
      expect(c.found).toBe('attestations/000.json, which fails attestation.sth_signature');
    }
    // One wrong proof: only its event is unproven, and the pointer names the proof.
    const another = (await verify('proof-for-another-leaf')).filter(
      (c) => c.id === 'event.inclusion' && c.status === 'fail',
    );
    expect(another.map((c) => c.reason)).toEqual([
      "attestations/000.json covers this event's leaf, but its attestation.inclusion check failed (/logs/0/inclusion/13: merkle.inclusion.root_mismatch): the event is not anchored in a log",
    ]);
    // The attestation's own failure says which root it expected and which the proof leads to.
    const t = variants.find((v) => v.name === 'split-view')!;
    const split = (
      await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, { verifiedAt, capsuleName: t.name })
    ).report.checks.find((c) => c.id === 'attestation.consistency' && c.status === 'fail')!;
    expect(split.expected).toMatch(/^root [0-9a-f]{64} of the older tree \(6 leaves\)$/);
    // The roots are in expected and found; the reason says what happened without repeating them.
    expect(split.reason).toBe(
      "merkle.consistency.root1_mismatch: the proof leads to another root for the older tree than its tree head's — the newer tree head is not shown to extend the older one: the log forked or rewrote history, or the proof is wrong",
    );
    expect(split.found).toMatch(/^root [0-9a-f]{64}, recomputed from the proof$/);
    // An event whose leaf no attestation lists keeps the plain reason.
    const forged = (await verify('forged-event-signature')).find(
      (c) => c.id === 'event.inclusion' && c.status === 'fail',
    )!;
    expect(forged.found).toBe('none');
    // Its logged leaf has no event now: said to be the altered event, not a withheld one.
    const attested = (await verify('forged-event-signature')).find(
      (c) => c.id === 'capsule.attested_events' && c.status === 'fail',
    )!;
    expect(attested.reason).toContain(
      `and 1 event of the capsule (${forged.subject.id.slice(0, 12)}…) has a leaf no attestation vouches for: an event altered after logging changes its leaf, so see its event.signature and event.inclusion`,
    );
    expect(attested.reason).not.toContain('withheld');
  });

  it('marks the tree head of a split view as failed, not only its consistency check', async () => {
    const t = variants.find((v) => v.name === 'split-view')!;
    const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
      verifiedAt,
      capsuleName: t.name,
    });
    // Both notes are signed by the pinned log key; the older one is on another history.
    expect(r.sths.map((x) => [x.size, x.status])).toEqual([
      ['18', 'pass'],
      ['6', 'fail'],
    ]);
  });

  it('shows an opening that was supplied but not accepted as such, not as "not disclosed"', async () => {
    const t = variants.find((v) => v.name === 'untrusted-log-sth')!;
    const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
      verifiedAt,
      capsuleName: t.name,
    });
    const commitments = r.events.flatMap((e) => e.commitments);
    const opened = r.report.checks.filter((c) => c.id === 'commitment.opening');
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((c) => c.status !== 'pass')).toBe(true);
    // Every supplied opening is on a commitment marked rejected; none reads as simply undisclosed.
    const rejected = commitments
      .filter((c) => c.rejected)
      .map((c) => c.name)
      .sort();
    expect(rejected).toEqual(opened.map((c) => c.subject.id.split('#')[1]!).sort());
    expect(commitments.filter((c) => c.rejected && c.disclosed)).toEqual([]);
    // The untampered sample: the same openings pass and are disclosed.
    const base = await buildFedrampSample();
    const ok = await verifyCapsule(zipCapsuleSource(base.zip), base.trust, { verifiedAt, capsuleName: 'ok' });
    const mine = ok.events.flatMap((e) => e.commitments);
    expect(mine.filter((c) => c.rejected)).toEqual([]);
    expect(
      mine
        .filter((c) => c.disclosed)
        .map((c) => c.name)
        .sort(),
    ).toEqual(rejected);
  });

  it('points a replayed receipt at its own line, not only at the handoff id it reuses', async () => {
    const t = variants.find((v) => v.name === 'replayed-receipt')!;
    const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
      verifiedAt,
      capsuleName: 'replayed.zip',
    });
    const text = new TextDecoder().decode(
      await zipCapsuleSource(t.sample.zip).read('receipts.jsonl', 1 << 20),
    );
    const ids = text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { handoff_id: string }).handoff_id);
    const replay = r.report.checks.find((c) => c.id === 'receipt.replay' && c.status === 'fail')!;
    const id = replay.subject.id;
    const second = ids.indexOf(id, ids.indexOf(id) + 1);
    expect(second).toBeGreaterThan(0);
    expect(replay.subject.where).toBe(`receipts.jsonl:${second + 1}`);
    expect(replay.subject.field).toBe('/handoff_id');
    expect(replay.expected).toBe('each handoff id used by one receipt');
    expect(replay.found).toBe(`${id} again, first used at receipts.jsonl:${ids.indexOf(id) + 1}`);
  });

  it('says which key was expected and which was found when a key is not valid at the time', async () => {
    const revoked = variants.find((v) => v.name === 'revoked-key-used')!;
    const r1 = await verifyCapsule(zipCapsuleSource(revoked.sample.zip), revoked.sample.trust, {
      verifiedAt,
      capsuleName: 'revoked.zip',
    });
    const late = r1.report.checks.find((c) => c.id === 'receipt.sender_signature' && c.status === 'fail')!;
    expect(late.reason).toMatch(/^key was revoked at \S+, before the signature dated \S+$/);
    expect(late.expected).toBe(
      'an unrevoked key of the agent at 2026-11-02T16:31:00.000Z (the agent had none then)',
    );
    expect(late.found).toBe(
      `key ${revoked.sample.keys.agents.A3!.publicKeyHex.slice(0, 12)}…, revoked at 2026-11-02T16:00:00.000Z`,
    );
    const swapped = variants.find((v) => v.name === 'swapped-agent-key')!;
    const r2 = await verifyCapsule(zipCapsuleSource(swapped.sample.zip), swapped.sample.trust, {
      verifiedAt,
      capsuleName: 'swapped.zip',
    });
    const target = swapped.sample.eventIds[swapped.eventKey!]!;
    const key = r2.report.checks.find(
      (c) => c.id === 'event.actor_key_valid_at_time' && c.status === 'fail' && c.subject.id === target,
    )!;
    const genuine = swapped.sample.keys.agents.A3!.publicKeyHex;
    expect(key.expected).toBe(
      `the agent's key at ${swapped.sample.events.find((e) => eventId(e) === target)!.timestamp}: ${genuine.slice(0, 12)}…`,
    );
    expect(key.found).toMatch(/^key [0-9a-f]{12}…, in no interval of the agent's key history$/);
    expect(key.found).not.toContain(genuine.slice(0, 12));
  });

  it.each(TAMPERED_VARIANT_NAMES)(
    '%s is rejected by its documented check, pointing at the right subject',
    async (name) => {
      const t = variants.find((v) => v.name === name)!;
      const r = await verifyCapsule(zipCapsuleSource(t.sample.zip), t.sample.trust, {
        verifiedAt,
        capsuleName: `${name}.zip`,
      });
      expect(r.report.verdict).toBe('failed');
      const hits = r.report.checks.filter((c) => c.id === t.checkId && c.status === 'fail');
      expect(hits.length, `${name}: no failing ${t.checkId}`).toBeGreaterThan(0);
      expect(hits.some((c) => c.subject.kind === t.subjectKind)).toBe(true);
      if (t.eventKey) {
        const target = t.sample.eventIds[t.eventKey]!;
        expect(hits.map((c) => c.subject.id)).toContain(target);
        // The failing event is also what the report groups under its workflow step.
        const step =
          t.sample.events.length > 0 ? hits.find((c) => c.subject.id === target)!.subject.step : undefined;
        expect(step).toBeTruthy();
      }
    },
  );
});
