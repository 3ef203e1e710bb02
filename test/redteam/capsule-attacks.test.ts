import {
  acknowledgeHandoff,
  buildFedrampSample,
  buildTamperedVariants,
  createSarApproval,
  sendHandoff,
  zipCapsule,
} from '@lineage/producer';
import {
  CAPSULE_CHECK_IDS,
  type CapsuleVerification,
  type HandoffReceipt,
  IDENTITY_CHECK_IDS,
  receiptHash,
  verifySarApproval,
} from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  dec,
  enc,
  failed,
  failedIds,
  lines,
  reissueCard,
  repack,
  type Sample,
  verifiedAt,
  verifyZip,
  withLines,
  withText,
} from './support.js';

/**
 * Red team, evidence capsules: the attacker rewrites anything in the capsule (the manifest is
 * unsigned) but holds no pinned key. Every attack must end in a verdict other than "verified",
 * caught by the check named in the test.
 */
let s: Sample;
let other: Sample;
let ev: string[];
let base: CapsuleVerification;

beforeAll(async () => {
  s = await buildFedrampSample();
  other = await buildFedrampSample({ seed: 'red team: another workflow' });
  ev = lines(s.files, 'events.jsonl');
  base = await verifyZip(s.zip, s.trust);
});

type Manifest = {
  files: { path: string; kind: string; event_id?: string; size?: number; sha256?: string }[];
};
const manifest = (): Manifest => JSON.parse(dec.decode(s.files.get('manifest.json')!));
const withManifest = (m: Manifest, files = s.files) =>
  zipCapsule(new Map([...files, ['manifest.json', enc.encode(JSON.stringify(m))]]));
const replaceLine = (i: number, line: string) =>
  withLines(
    s.files,
    'events.jsonl',
    ev.map((l, k) => (k === i ? line : l)),
  );

async function rejectedBy(zip: Uint8Array, id: string, status: 'fail' | 'not_checked' = 'fail') {
  const v = await verifyZip(zip, s.trust);
  expect(v.report.verdict).not.toBe('verified');
  expect(v.report.checks.filter((c) => c.id === id && c.status === status).length).toBeGreaterThan(0);
  return v;
}

describe('red team: the harness is sound', () => {
  it('the untouched sample verifies, and repacking it unchanged still verifies', async () => {
    expect(base.report.verdict).toBe('verified');
    expect((await verifyZip(repack(s.files), s.trust)).report.verdict).toBe('verified');
  });
});

describe('red team: JSON parser differentials in signed documents', () => {
  it('a duplicate member spelled with a unicode escape ("\\u0061ction") is a parse failure, not a second reading', async () => {
    const v = await rejectedBy(
      repack(replaceLine(0, ev[0]!.replace('"action":', '"\\u0061ction":"x","action":'))),
      'capsule.parse',
    );
    expect(failed(v).find((c) => c.id === 'capsule.parse')!.reason).toMatch(/duplicate member name "action"/);
  });

  it('a "__proto__" member cannot smuggle fields through the prototype: the closed schema refuses it', async () => {
    const line = ev[0]!.replace('{"action"', '{"__proto__":{"actor_kind":"agent"},"action"');
    const v = await rejectedBy(repack(replaceLine(0, line)), 'event.schema');
    expect(JSON.stringify(failed(v).filter((c) => c.id === 'event.schema'))).toMatch(/__proto__/);
  });

  it('an integer beyond 2^53 (sequence 9007199254740993) is refused, not rounded into a valid one', async () => {
    await rejectedBy(
      repack(replaceLine(1, ev[1]!.replace(/"sequence":\d+/, '"sequence":9007199254740993'))),
      'event.schema',
    );
  });

  it('textual variants of the same JSON value (-0, 0e5, escaped letters) parse to the signed value, so they verify', async () => {
    // Not an attack: the signature covers the canonical form of the parsed value, which is unchanged.
    for (const line of [
      ev[0]!.replace('"sequence":0', '"sequence":-0'),
      ev[0]!.replace('"sequence":0', '"sequence":0e5'),
      ev[0]!.replace('"approval.grant"', '"\\u0061pproval.grant"'),
    ]) {
      const v = await verifyZip(repack(replaceLine(0, line)), s.trust);
      expect(v.report.verdict).toBe('verified');
    }
  });

  it('a 100,000-deep document and a 50,000-predecessor event finish quickly with failures, no crash', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const v = await rejectedBy(
      repack(withText(s.files, 'cards/a1-readiness-coordinator.json', deep)),
      'capsule.parse',
    );
    expect(failed(v).find((c) => c.id === 'capsule.parse')!.reason).toMatch(/nest|depth/i);
    const e = JSON.parse(ev[4]!);
    e.predecessors = Array.from({ length: 50_000 }, (_, i) => i.toString(16).padStart(64, '0'));
    await rejectedBy(repack(replaceLine(4, JSON.stringify(e))), 'event.signature');
  });
});

describe('red team: events, attestations, checkpoints', () => {
  it('the same event twice is caught', async () => {
    await rejectedBy(repack(withLines(s.files, 'events.jsonl', [...ev, ev[3]!])), 'event.schema');
  });

  it('an event from another workflow and log (other keys, other log) is not included under a pinned log', async () => {
    const foreign = lines(other.files, 'events.jsonl')[3]!;
    const v = await rejectedBy(
      repack(withLines(s.files, 'events.jsonl', [...ev, foreign])),
      'event.inclusion',
    );
    expect(failed(v).some((c) => c.id === 'event.inclusion' && c.subject.id !== undefined)).toBe(true);
  });

  it("another workflow's attestation replacing ours: the proof server and log keys are not pinned", async () => {
    await rejectedBy(
      repack(new Map([...s.files, ['attestations/000.json', other.files.get('attestations/000.json')!]])),
      'attestation.sth_signature',
    );
  });

  it('a checkpoint inside the attestation with an extra extension line breaks both signatures', async () => {
    const at = JSON.parse(dec.decode(s.files.get('attestations/000.json')!));
    at.logs[0].checkpoint = at.logs[0].checkpoint.replace('\n\n', '\nextension: evil\n\n');
    const v = await rejectedBy(
      repack(withText(s.files, 'attestations/000.json', JSON.stringify(at))),
      'attestation.server_signature',
    );
    expect(failedIds(v)).toContain('attestation.sth_signature');
    expect(failedIds(v)).toContain('event.inclusion');
    // Each event left unproven names the first check its attestation failed: the server signature.
    const unproven = failed(v).filter((c) => c.id === 'event.inclusion');
    expect(unproven).toHaveLength(ev.length);
    for (const c of unproven) {
      expect(c.reason).toMatch(
        /^attestations\/000\.json covers this event's leaf, but its attestation\.server_signature check failed \(the signature does not verify\)/,
      );
      expect(c.found).toBe('attestations/000.json, which fails attestation.server_signature');
    }
  });

  it('an attestation whose inclusion proof claims another tree size is caught (size is bound to the signed STH)', async () => {
    const at = JSON.parse(dec.decode(s.files.get('attestations/000.json')!));
    const inc = at.logs[0].inclusion;
    const first = Array.isArray(inc) ? inc[0] : inc;
    if (first && typeof first === 'object' && 'tree_size' in first) first.tree_size += 1;
    else
      at.logs[0].checkpoint = at.logs[0].checkpoint.replace(
        /\n(\d+)\n/,
        (_m: string, n: string) => `\n${Number(n) + 1}\n`,
      );
    await rejectedBy(
      repack(withText(s.files, 'attestations/000.json', JSON.stringify(at))),
      'attestation.server_signature',
    );
  });
});

describe('red team: artifacts and the manifest', () => {
  it('BYPASS (fixed): dropping an artifact and its manifest entry no longer verifies: its payload is not checked', async () => {
    const m = manifest();
    const a = m.files.find((x) => x.path.includes('scan-results'))!;
    m.files = m.files.filter((x) => x !== a);
    const v = await rejectedBy(
      withManifest(m, new Map([...s.files].filter(([k]) => k !== a.path))),
      'capsule.artifact_hash',
      'not_checked',
    );
    expect(v.report.verdict).toBe('incomplete');
    const c = v.report.checks.find((x) => x.id === 'capsule.artifact_hash' && x.status === 'not_checked')!;
    expect(c.subject).toMatchObject({
      kind: 'event',
      id: a.event_id,
      field: '/payload_hash',
      where: 'events.jsonl:12',
    });
    expect(c.reason).toMatch(
      /scan\.run|signed payload SHA-256 [0-9a-f]{64}, but the capsule carries no artifact/,
    );
    // Every other event with a payload still has its artifact checked.
    expect(
      v.report.checks.filter((x) => x.id === 'capsule.artifact_hash' && x.status === 'pass'),
    ).toHaveLength(7);
  });

  it('an edited artifact listed beside the honest one for the same event fails', async () => {
    const m = manifest();
    const a = m.files.find((x) => x.path.includes('scan-results'))!;
    const copy = { ...a, path: 'artifacts/A3-scan-results-v2.json' };
    m.files.push(copy);
    const bad = enc.encode(dec.decode(s.files.get(a.path)!).replace('"high"', '"low"'));
    const files = new Map([...s.files, [copy.path, bad], ['manifest.json', enc.encode(JSON.stringify(m))]]);
    await rejectedBy(repack(files), 'capsule.artifact_hash');
  });

  it('an artifact bound to an event the capsule does not carry fails capsule.artifact_hash', async () => {
    const m = manifest();
    const a = m.files.find((x) => x.path.includes('scan-results'))!;
    const missing = 'ab'.repeat(32);
    const copy = { ...a, path: 'artifacts/A3-scan-results-v2.json', event_id: missing };
    m.files.push(copy);
    const files = new Map([
      ...s.files,
      [copy.path, s.files.get(a.path)!],
      ['manifest.json', enc.encode(JSON.stringify(m))],
    ]);
    const v = await rejectedBy(repack(files), 'capsule.artifact_hash');
    const c = v.report.checks.find((x) => x.id === 'capsule.artifact_hash' && x.status === 'fail')!;
    expect(c).toMatchObject({
      subject: { kind: 'event', id: missing, field: '/payload_hash' },
      reason: `artifact "${copy.path}" names event ${missing.slice(0, 12)}…, which is not in the capsule`,
      expected: `event ${missing} among the capsule's events`,
      found: 'no such event',
    });
  });

  it('an artifact re-pointed at another event, unbound, or relabelled as "other" is a manifest failure', async () => {
    const cases: ((m: Manifest) => void)[] = [
      (m) => {
        const a = m.files.find((x) => x.path.includes('scan-results'))!;
        const b = m.files.find((x) => x.path.includes('inventory'))!;
        a.event_id = b.event_id;
        delete b.event_id;
      },
      (m) => delete m.files.find((x) => x.path.includes('scan-results'))!.event_id,
      (m) => {
        m.files.find((x) => x.path.includes('scan-results'))!.kind = 'other';
      },
      (m) => m.files.push({ ...m.files[0]! }),
    ];
    for (const change of cases) {
      const m = manifest();
      change(m);
      await rejectedBy(withManifest(m), 'capsule.manifest');
    }
  });

  it('a second events file, a file the manifest does not list, and a listed path in another case are refused', async () => {
    const m = manifest();
    m.files.push({ path: 'events2.jsonl', kind: 'events' });
    await rejectedBy(
      repack(
        new Map([
          ...s.files,
          ['manifest.json', enc.encode(JSON.stringify(m))],
          ['events2.jsonl', enc.encode(`${ev[5]}\n`)],
        ]),
      ),
      'capsule.manifest',
    );
    const unlisted = await rejectedBy(
      repack(new Map([...s.files, ['attestations/001.json', other.files.get('attestations/000.json')!]])),
      'capsule.file_listed',
    );
    const extra = unlisted.report.checks.find((c) => c.id === 'capsule.file_listed' && c.status === 'fail')!;
    expect(extra.subject).toMatchObject({ kind: 'file', id: 'attestations/001.json' });
    expect(extra.found).toMatch(/^attestations\/001\.json, [\d,]+ bytes, not listed$/);
    const m2 = manifest();
    m2.files.find((x) => x.path === 'openings.json')!.path = 'Openings.json';
    await rejectedBy(withManifest(m2), 'capsule.file_present');
  });

  it('NFC and NFD spellings of one name are refused as colliding entries', async () => {
    const m = manifest();
    m.files.push(
      { path: 'notes/caf\u00e9.txt', kind: 'other' },
      { path: 'notes/cafe\u0301.txt', kind: 'other' },
    );
    const files = new Map([
      ...s.files,
      ['manifest.json', enc.encode(JSON.stringify(m))],
      ['notes/caf\u00e9.txt', enc.encode('a')],
      ['notes/cafe\u0301.txt', enc.encode('b')],
    ]);
    const v = await rejectedBy(repack(files), 'capsule.container');
    expect(failed(v)[0]!.reason).toMatch(/caf/);
  });
});

describe('red team: commitments', () => {
  it('an opening with another value, another salt, another name, a second contradicting opening, or another scheme fails', async () => {
    const op = JSON.parse(dec.decode(s.files.get('openings.json')!));
    const o = op[0];
    const flip = (h: string) => (h[0] === '0' ? '1' : '0') + h.slice(1);
    for (const bad of [
      [{ ...o, value: 'Evil Corp' }],
      [{ ...o, salt: flip(o.salt) }],
      [{ ...o, name: 'boundary.ip_ranges' }],
      [o, { ...o, value: 'Evil Corp' }],
      [{ ...o, scheme: 'pedersen-ristretto255-v1' }],
    ]) {
      await rejectedBy(repack(withText(s.files, 'openings.json', JSON.stringify(bad))), 'commitment.opening');
    }
  });
});

describe('red team: cards and receipts', () => {
  const cardPath = 'cards/a1-readiness-coordinator.json';
  const card = () => JSON.parse(dec.decode(s.files.get(cardPath)!));

  it('an identity block moved to a top-level "identity" key (outside the A2A signature) is not accepted as identity', async () => {
    const c = card();
    const i = c.capabilities.extensions.findIndex((x: { uri: string }) => x.uri.includes('identity'));
    c.identity = c.capabilities.extensions[i].params;
    c.capabilities.extensions.splice(i, 1);
    const v = await rejectedBy(
      repack(withText(s.files, cardPath, JSON.stringify(c))),
      'card.identity_block',
      'not_checked',
    );
    expect(
      v.report.checks.find((x) => x.id === 'card.identity_block' && x.status === 'not_checked')!.reason,
    ).toMatch(/top-level "identity" key is ignored/);
  });

  it("a card's endpoint URL or provider changed after signing fails the A2A signature in every payload form", async () => {
    for (const edit of [
      (c: { supportedInterfaces: { url: string }[] }) => {
        c.supportedInterfaces[0]!.url = 'https://evil.example/a2a';
      },
      (c: { provider: { organization: string } }) => {
        c.provider.organization = 'Evil Corp';
      },
    ]) {
      const c = card();
      edit(c);
      const v = await rejectedBy(
        repack(withText(s.files, cardPath, JSON.stringify(c))),
        'card.a2a_signature',
      );
      expect(failed(v).find((x) => x.id === 'card.a2a_signature')!.reason).toMatch(/does not verify/);
    }
  });

  it('a second A2A signature by the attacker (own kid, jku, embedded jwk) is never trusted', async () => {
    const c = card();
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    c.signatures.push({
      protected: b64({
        alg: 'EdDSA',
        kid: 'attacker',
        jku: 'https://evil.example/jwks',
        jwk: { kty: 'OKP' },
      }),
      signature: Buffer.alloc(64, 7).toString('base64url'),
    });
    const v = await rejectedBy(
      repack(withText(s.files, cardPath, JSON.stringify(c))),
      'card.a2a_signature',
      'not_checked',
    );
    expect(
      v.report.checks.find((x) => x.id === 'card.a2a_signature' && x.status === 'not_checked')!.reason,
    ).toMatch(/jku https:\/\/evil\.example\/jwks is never fetched/);
  });

  it('a card with an empty skill added breaks the shape and the capability digest', async () => {
    const c = card();
    c.skills.push({});
    const v = await rejectedBy(
      repack(withText(s.files, cardPath, JSON.stringify(c))),
      'card.capability_digest',
    );
    expect(failedIds(v)).toContain('card.shape');
  });

  it('a replayed receipt is caught as a replay', async () => {
    const rc = lines(s.files, 'receipts.jsonl');
    await rejectedBy(repack(withLines(s.files, 'receipts.jsonl', [...rc, rc[1]!])), 'receipt.replay');
  });

  it('colluding sender and receiver forking a channel with real signatures are caught', async () => {
    const rc = lines(s.files, 'receipts.jsonl').map((l) => JSON.parse(l) as HandoffReceipt);
    const h2 = rc.find((r) => r.handoff_id === 'handoff-02')!;
    const h3 = rc.find((r) => r.handoff_id === 'handoff-03')!;
    const a2 = s.keys.agents.A2!;
    const a3 = s.keys.agents.A3!;
    const forge = (o: Partial<HandoffReceipt>) => {
      const { sender_signature: _s, receiver_signature: _r, acknowledgement, ...part } = { ...h3, ...o };
      return acknowledgeHandoff(
        sendHandoff(part, a2),
        { ...acknowledgement, payload_hash: o.payload_hash ?? h3.payload_hash },
        a3,
      );
    };
    const other = '00'.repeat(32);
    // A second receipt at sequence 1 after handoff-02 (a fork), then one that skips ahead.
    const fork = forge({ handoff_id: 'handoff-03-fork', payload_hash: other });
    const skip = forge({ handoff_id: 'handoff-09', channel_sequence: 3, prev_receipt_hash: receiptHash(h2) });
    const v1 = await verifyZip(
      repack(
        withLines(
          s.files,
          'receipts.jsonl',
          [...rc, fork].map((r) => JSON.stringify(r)),
        ),
      ),
      s.trust,
    );
    expect(v1.report.verdict).toBe('failed');
    expect(failedIds(v1)).toEqual(['receipt.replay']);
    const v2 = await verifyZip(
      repack(
        withLines(
          s.files,
          'receipts.jsonl',
          [...rc, skip].map((r) => JSON.stringify(r)),
        ),
      ),
      s.trust,
    );
    expect(v2.report.verdict).toBe('failed');
    expect(failedIds(v2)).toEqual(expect.arrayContaining(['receipt.sequence', 'receipt.hash_link']));
  });
});

describe('red team: SAR approvals', () => {
  it('a genuine 3PAO approval replayed onto another capsule (even one with the same keys) fails the digest binding', async () => {
    const a = createSarApproval({
      capsule: base,
      decision: 'approve',
      comment: 'ok',
      approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
      signingKey: s.keys.humans['3pao']!.secretKey,
      signedAt: verifiedAt,
    });
    const ok = await verifySarApproval(JSON.stringify(a), s.trust, { verifiedAt, capsule: base });
    expect(ok.report.verdict).toBe('verified');
    // Same keys, same log origin, the scan artifact withheld: another capsule digest.
    const m = manifest();
    const scan = m.files.find((x) => x.path.includes('scan-results'))!;
    m.files = m.files.filter((x) => x !== scan);
    const sibling = await verifyZip(
      withManifest(m, new Map([...s.files].filter(([k]) => k !== scan.path))),
      s.trust,
    );
    for (const cap of [sibling, await verifyZip(other.zip, other.trust)]) {
      const r = await verifySarApproval(JSON.stringify(a), s.trust, { verifiedAt, capsule: cap });
      expect(r.report.verdict).toBe('failed');
      expect(r.report.checks.find((c) => c.id === 'approval.capsule_digest')!.status).toBe('fail');
    }
    // Re-labelled as approving for the other capsule: the signature breaks.
    const moved = { ...a, capsule: { ...a.capsule, digest: sibling.capsuleDigest } };
    const r = await verifySarApproval(JSON.stringify(moved), s.trust, { verifiedAt, capsule: sibling });
    expect(r.report.checks.find((c) => c.id === 'approval.signature')!.status).toBe('fail');
  });
});

describe('red team: withholding logged events', () => {
  it('BYPASS (fixed): dropping the logged revocation from "revoked-key-used" no longer verifies', async () => {
    const [t] = await buildTamperedVariants({ only: ['revoked-key-used'] });
    const f = t!.sample.files;
    const revokeId = t!.sample.eventIds['A3-revoke']!;
    const evs = lines(f, 'events.jsonl');
    const m = JSON.parse(dec.decode(f.get('manifest.json')!));
    for (const st of m.workflow.steps) st.events = st.events.filter((e: string) => e !== revokeId);
    const files = withLines(
      new Map([...f, ['manifest.json', enc.encode(JSON.stringify(m))]]),
      'events.jsonl',
      evs.filter((l) => !l.includes('"identity.revoke"')),
    );
    expect(lines(files, 'events.jsonl')).toHaveLength(evs.length - 1);
    const v = await verifyZip(repack(files), t!.sample.trust);
    expect(v.report.verdict).toBe('failed');
    // Without the revocation every event check passes; the attestation still lists its leaf.
    expect(failedIds(v)).toEqual(['capsule.attested_events']);
    const c = failed(v)[0]!;
    expect(c.subject).toMatchObject({ kind: 'attestation', field: '/leaves' });
    // Every event present is attested: nothing was altered, so the missing one was withheld.
    expect(c.reason).toMatch(
      /^1 of the \d+ leaves the attestation vouches for is the leaf of no event in the capsule \(withheld: [0-9a-f]{12}…\)$/,
    );
    expect(c.found).toBe('1 leaf without its event');
  });

  it('the untampered sample passes the attested-events check', () => {
    expect(base.report.checks.filter((c) => c.id === 'capsule.attested_events').map((c) => c.status)).toEqual(
      ['pass'],
    );
  });
});

describe('red team: volume and presentation', () => {
  it('30,000 junk event lines finish with schema failures, not a hang or a crash', async () => {
    const junk = Array.from({ length: 30_000 }, (_, i) => `{"type":"lineage.event","version":1,"n":${i}}`);
    const v = await verifyZip(repack(withLines(s.files, 'events.jsonl', [...ev, ...junk])), s.trust);
    expect(v.report.verdict).toBe('failed');
    expect(
      v.report.checks.filter((c) => c.id === 'event.schema' && c.status === 'fail').length,
    ).toBeGreaterThanOrEqual(30_000);
  });

  it('regrouping events under other workflow steps (unsigned presentation) never changes what an event says it is', async () => {
    // Documented limitation: steps are a manifest claim. The verdict rests on signed events only,
    // and each event's details still carry its signed actor, role and action.
    const m = manifest() as Manifest & { workflow: { steps: { id: string; events: string[] }[] } };
    const so = s.eventIds['3a']!;
    for (const st of m.workflow.steps) st.events = st.events.filter((e) => e !== so);
    m.workflow.steps.find((st) => st.id === '6')!.events.push(so);
    const v = await verifyZip(withManifest(m), s.trust);
    const e = v.events.find((x) => x.id === so)!;
    expect(e.step).toMatch(/^6/);
    expect(e.actor).toBe('lin:human:so.mei-chen');
    expect(e.approval?.role).toBe('security_officer');
  });

  it('a workflow step naming an event the capsule does not carry fails capsule.workflow_steps at that step', async () => {
    const m = manifest() as Manifest & {
      workflow: { steps: { id: string; title: string; events: string[] }[] };
    };
    const missing = 'ab'.repeat(32);
    m.workflow.steps.find((st) => st.id === 'A3')!.events.push(missing);
    const v = await rejectedBy(withManifest(m), 'capsule.workflow_steps');
    const c = v.report.checks.find((x) => x.id === 'capsule.workflow_steps' && x.status === 'fail')!;
    expect(c.subject).toMatchObject({
      kind: 'manifest',
      id: 'manifest.json',
      field: expect.stringMatching(/^\/workflow\/steps\/\d+\/events\/\d+$/),
    });
    expect(c.reason).toContain(`lists event ${missing.slice(0, 12)}…, which is not in the capsule`);
    expect(c.expected).toBe(`event ${missing} in events.jsonl`);
    expect(c.found).toBe('no such event in the capsule');
    expect(base.report.checks.filter((x) => x.id === 'capsule.workflow_steps').map((x) => x.status)).toEqual([
      'pass',
    ]);
  });
});

describe('check ids', () => {
  it('every outcome a capsule verification emits uses a listed id', () => {
    const listed = new Set<string>([...CAPSULE_CHECK_IDS, ...IDENTITY_CHECK_IDS]);
    expect(base.report.checks.filter((c) => !listed.has(c.id))).toEqual([]);
  });
});

describe('red team: labels the capsule chooses', () => {
  type Steps = { id: string; title: string; events: string[] }[];
  const withSteps = (edit: (steps: Steps) => void) => {
    const m = JSON.parse(dec.decode(s.files.get('manifest.json')!)) as { workflow: { steps: Steps } };
    edit(m.workflow.steps);
    return zipCapsule(new Map([...s.files, ['manifest.json', enc.encode(JSON.stringify(m))]]));
  };

  it('an event moved into a second step, a step id used twice, or a step that names nothing fails capsule.workflow_steps', async () => {
    const twice = await rejectedBy(
      withSteps((st) =>
        st.find((x) => x.id === '3a')!.events.push(st.find((x) => x.id === 'A3')!.events.at(-1)!),
      ),
      'capsule.workflow_steps',
    );
    expect(failed(twice)[0]).toMatchObject({ expected: 'each event in one step', found: 'steps A3 and 3a' });
    const twin = await rejectedBy(
      withSteps((st) => st.push({ id: '3a', title: 'Security officer risk acceptance (again)', events: [] })),
      'capsule.workflow_steps',
    );
    expect(
      failed(twin)
        .map((c) => c.expected)
        .sort(),
    ).toEqual(['at least one event of the step', 'each step id once']);
  });

  it('an agent card named after a pinned approver fails capsule.card_name, and the agent is not shown by that name', async () => {
    const officer = s.trust.approvers.find((x) => x.roles.includes('security_officer'))!;
    // The CSP holds its own agents' keys: A3's card is re-issued under the officer's name.
    const t = await sampleWithA3CardNamed(`${officer.name.toUpperCase()}  `);
    const v = await verifyZip(t.zip, t.trust);
    expect(failedIds(v)).toEqual(['capsule.card_name']);
    expect(failed(v)[0]).toMatchObject({
      subject: { kind: 'card', field: '/name' },
      reason: expect.stringContaining(`carries the name of pinned approver ${officer.name}`),
    });
    const scan = v.events.find((e) => e.action === 'scan.run')!;
    expect(scan.actorLabel).toMatch(/^agent [0-9a-f]{12}… \(card name refused\)$/);
  });

  it('compares names by whole words with invisible characters removed: a zero-width space does not hide a name, "Li" is not "Liaison"', async () => {
    const officer = s.trust.approvers.find((x) => x.roles.includes('security_officer'))!;
    const [first, ...rest] = officer.name.replace(/\s*\(.*\)$/, '').split(' ');
    const hidden = `${first}\u200b ${rest.join(' ')}\u00ad`;
    const t = await sampleWithA3CardNamed(hidden);
    expect(failedIds(await verifyZip(t.zip, t.trust))).toEqual(['capsule.card_name']);
    // A pinned approver called "Li" leaves the honest "A5 3PAO Liaison" alone.
    const li = {
      ...s.trust,
      approvers: [...s.trust.approvers, { ...officer, id: 'lin:human:li', name: 'Li', roles: [] }],
    };
    expect((await verifyZip(s.zip, li)).report.verdict).toBe('verified');
  });

  it('an accent kept from its letter by a combining grapheme joiner, or a tag character, does not hide a name', async () => {
    const officer = s.trust.approvers.find((x) => x.roles.includes('security_officer'))!;
    // Drawn as "René Dupont": the joiner (invisible) keeps U+0301 from composing with the e.
    const t = await sampleWithA3CardNamed('Rene\u034f\u0301 Du\u{e0070}pont');
    const rene = {
      ...t.trust,
      approvers: [...t.trust.approvers, { ...officer, id: 'lin:human:rene', name: 'René Dupont', roles: [] }],
    };
    expect(failedIds(await verifyZip(t.zip, rene))).toEqual(['capsule.card_name']);
  });
});

/** The sample with A3's card re-issued (by the CSP, which holds its agents' keys) under another name. */
function sampleWithA3CardNamed(name: string): Promise<Sample> {
  return buildFedrampSample({
    hooks: {
      content: (c, { keys }) => reissueCard(c, 'A3', keys.agents.A3!, name),
    },
  });
}
