// Chapter 5 from the spec text alone: the independent capsule verifier (capsule.ts) against the
// project verifier (@lineage/verifier-core's verifyCapsule, used here only to compare) on the FedRAMP
// sample, every tampered variant and the semantic cases of test/capsule/semantic-tamper.test.ts,
// each written out as a capsule directory and read through the CLI's directory source.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  acknowledgeHandoff,
  buildFedrampSample,
  buildTamperedVariants,
  type Ed25519Key,
  type EventSpec,
  LineageStore,
  lineageSthSigner,
  ProofServer,
  revokeA3,
  SAMPLE_AGENTS,
  SAMPLE_LOG_ID,
  SAMPLE_PROOF_SERVER,
  type SampleHooks,
  sendHandoff,
} from '@lineage/producer';
import {
  type CapsuleVerification,
  eventEntryBytes,
  formatTimestamp,
  type HandoffReceipt,
  sha256,
  type TrustStore,
  toHex,
  type UnsignedAttestation,
  verifyCapsule,
  without,
} from '@lineage/verifier-core';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryCapsuleSource } from '../../apps/cli/src/node-capsule-source.js';
import { lines, reissueCard, withLines } from '../redteam/support.js';
import { type CapsuleVerdict, verifyCapsuleDir } from './capsule.js';
import type { Obj } from './primitives.js';

const verifiedAt = '2026-11-22T00:00:00Z';
const BASE = Date.parse('2026-11-02T14:00:00.000Z');
const minutes = (m: number) => formatTimestamp(BASE + m * 60_000);
const root = mkdtempSync(join(tmpdir(), 'lineage-independent-capsule-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** The project verifier over the same files, laid out as a capsule directory. */
async function project(files: Map<string, Uint8Array>, trust: TrustStore): Promise<CapsuleVerification> {
  const dir = join(root, `c${n++}`);
  for (const [p, b] of files) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), b);
  }
  return verifyCapsule(directoryCapsuleSource(dir), trust, { verifiedAt, capsuleName: 'x.capsule' });
}
const projectFailing = (r: CapsuleVerification) =>
  [...new Set(r.report.checks.filter((c) => c.status === 'fail').map((c) => c.id))].sort();

interface Compared {
  ours: CapsuleVerdict;
  theirs: CapsuleVerification;
}
async function compare(
  files: Map<string, Uint8Array>,
  trustText: string,
  trust: TrustStore,
): Promise<Compared> {
  const ours = verifyCapsuleDir(files, JSON.parse(trustText) as Obj);
  const theirs = await project(files, trust);
  expect({ verdict: ours.verdict, failing: ours.failing }).toEqual({
    verdict: theirs.report.verdict,
    failing: projectFailing(theirs),
  });
  expect(ours.digest).toBe(theirs.capsuleDigest);
  return { ours, theirs };
}
async function compareHooks(hooks: SampleHooks): Promise<Compared & { s: Sample }> {
  const s = await buildFedrampSample({ hooks });
  return { s, ...(await compare(s.files, s.trustText, s.trust)) };
}
type Sample = Awaited<ReturnType<typeof buildFedrampSample>>;
const spec = (specs: EventSpec[], key: string) => specs.find((x) => x.key === key)!;

describe('the FedRAMP sample and its tampered variants', () => {
  it('the sample verifies under both, with the same digest', async () => {
    const s = await buildFedrampSample();
    const { ours } = await compare(s.files, s.trustText, s.trust);
    expect(ours.verdict).toBe('verified');
  });

  it.each([
    'forged-event-signature',
    'edited-artifact',
    'dropped-event',
    'reordered-sequence',
    'replayed-receipt',
    'swapped-agent-key',
    'revoked-key-used',
    'untrusted-log-sth',
    'split-view',
    'proof-for-another-leaf',
    'approval-without-role',
    'capsule-supplied-trust-root',
  ])('%s: same verdict and failing checks, the documented one among them', async (name) => {
    const [v] = await buildTamperedVariants({ only: [name] });
    const { ours } = await compare(v!.sample.files, v!.sample.trustText, v!.sample.trust);
    expect(ours.failing).toContain(v!.checkId);
    if (v!.eventKey) expect(ours.subjects[v!.checkId]).toContain(v!.sample.eventIds[v!.eventKey]);
  });
});

/** Re-signs a receipt after editing its sender part (as test/capsule/semantic-tamper.test.ts does). */
function resign(r: HandoffReceipt, edit: Partial<HandoffReceipt>, sender: Ed25519Key, receiver: Ed25519Key) {
  const {
    sender_signature: _s,
    receiver_signature: _r,
    type: _t,
    version: _v,
    acknowledgement,
    ...part
  } = { ...r, ...edit };
  const received = formatTimestamp(Date.parse(part.sent_at) + 2_000);
  return acknowledgeHandoff(
    sendHandoff(part, sender),
    { ...acknowledgement, received_at: received },
    receiver,
  );
}

describe('the semantic cases of test/capsule/semantic-tamper.test.ts', () => {
  const cases: [string, SampleHooks][] = [
    [
      'risk acceptance by the compliance lead in her own role',
      {
        specs: (specs) => {
          spec(specs, '3a').actor = { kind: 'human', human: 'cl' };
          spec(specs, '3a').approval = {
            role: 'compliance_lead',
            decision: 'approve',
            statement: 'Risk accepted.',
          };
        },
      },
    ],
    [
      'rejected risk acceptance',
      {
        specs: (specs) => {
          spec(specs, '3a').approval = { ...spec(specs, '3a').approval!, decision: 'reject' };
        },
      },
    ],
    [
      'ATO decision on a rejected SAR',
      {
        specs: (specs) => {
          spec(specs, '5a').approval = { ...spec(specs, '5a').approval!, decision: 'reject' };
        },
      },
    ],
    [
      'boundary rejected by the AO',
      {
        specs: (specs) => {
          spec(specs, 'e0').approval = { ...spec(specs, 'e0').approval!, decision: 'reject' };
        },
      },
    ],
    [
      'risk acceptance dated before the scan',
      {
        specs: (specs) => {
          spec(specs, '3a').at = 140;
        },
      },
    ],
    [
      'ATO decision signed before the SAR',
      {
        specs: (specs) => {
          spec(specs, '6').at = 590;
        },
      },
    ],
    [
      'sequence gap',
      {
        specs: (specs) => {
          spec(specs, 'A2-baselines').sequence = 4;
        },
      },
    ],
    [
      'sequence used twice',
      {
        specs: (specs) => {
          spec(specs, 'A2-baselines').sequence = 2;
        },
      },
    ],
    [
      'revocation by a pinned approver without a revoking role',
      revokeA3({ kind: 'human', human: 'co' }, 'key exposed'),
    ],
    ['revocation by the revoked key itself', revokeA3({ kind: 'agent', agent: 'A3' }, 'key exposed')],
    [
      "card lineage naming another agent's registration",
      {
        content: (c, { keys }) => {
          const a1 = SAMPLE_AGENTS.find((q) => q.key === 'A1')!;
          reissueCard(c, 'A1', keys.agents.A1!, `A1 ${a1.name}`, keys.agents.A2!.agentId);
        },
      },
    ],
    [
      'events dated after the only tree head',
      {
        attestation: async (_u, { keys, events }) => {
          const dir = mkdtempSync(join(tmpdir(), 'lineage-early-sth-'));
          try {
            const store = LineageStore.open(dir, {
              origin: SAMPLE_LOG_ID,
              signer: lineageSthSigner(SAMPLE_LOG_ID, keys.log, () => BASE + 400 * 60_000),
              sthEvery: 1_000_000,
              fsync: false,
            });
            for (const e of events) await store.append(eventEntryBytes(e));
            await store.publish();
            const a = new ProofServer(SAMPLE_PROOF_SERVER, keys.proofServer.secretKey, [store]).attest({
              leaves: events.map((e) => toHex(sha256(Uint8Array.of(0, ...eventEntryBytes(e))))),
              issuedAt: minutes(401),
              proofStyle: 'both',
            });
            store.close();
            return without(a, 'signature') as unknown as UnsignedAttestation;
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      },
    ],
    [
      'receipt signatures swapped',
      {
        content: (c) => {
          c.receipts = c.receipts.map((x) =>
            x.handoff_id === 'handoff-04'
              ? { ...x, sender_signature: x.receiver_signature, receiver_signature: x.sender_signature }
              : x,
          );
        },
      },
    ],
    [
      'the same event twice in one step',
      {
        content: (c) => {
          const st = c.workflow.steps.find((x) => x.id === 'A3')!;
          st.events = [...st.events, st.events[0]!];
        },
      },
    ],
    [
      "the SAR and ATO decision by the CSP's own staff",
      {
        specs: (specs) => {
          spec(specs, '5a').actor = { kind: 'human', human: 'cl' };
          spec(specs, '5a').approval = { role: 'compliance_lead', decision: 'approve', statement: 'SAR.' };
          spec(specs, '6').actor = { kind: 'human', human: 'ao' };
          spec(specs, '6').approval = {
            role: 'authorizing_official',
            decision: 'approve',
            statement: 'ATO.',
          };
        },
      },
    ],
    [
      'agency_ao claimed by an approver not pinned with it',
      {
        specs: (specs) => {
          spec(specs, '6').actor = { kind: 'human', human: 'ao' };
        },
      },
    ],
    [
      'risk acceptance before the scan, citing only the earlier approval',
      {
        specs: (specs) => {
          const a3 = specs.splice(
            specs.findIndex((x) => x.key === '3a'),
            1,
          )[0]!;
          specs.splice(
            specs.findIndex((x) => x.key === 'A3-scan'),
            0,
            { ...a3, at: 140, predecessors: ['2a'] },
          );
          spec(specs, 'A4-ssp').predecessors = ['3a', 'A3-scan', 'A4-register'];
        },
      },
    ],
    [
      'receipt handing over the scan 50 minutes before the scan',
      {
        content: (c, { keys }) => {
          c.receipts = c.receipts.map((x) =>
            x.handoff_id === 'handoff-04'
              ? resign(x, { sent_at: minutes(100) }, keys.agents.A3!, keys.agents.A4!)
              : x,
          );
        },
      },
    ],
  ];
  it.each(cases)('%s', async (_name, hooks) => {
    const { ours } = await compareHooks(hooks);
    expect(ours.verdict).toBe('failed');
  });

  it('an event supplied twice in events.jsonl (the manifest rewritten to match)', async () => {
    const s = await buildFedrampSample();
    const ev = lines(s.files, 'events.jsonl');
    const files = relist(withLines(s.files, 'events.jsonl', [...ev.slice(0, 5), ev[3]!, ...ev.slice(5)]));
    const { ours } = await compare(files, s.trustText, s.trust);
    expect(ours.failing).toEqual(['event.schema']);
  });
});

/** Re-lists every file's size and SHA-256 in the (unsigned) manifest, as an attacker would. */
function relist(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const m = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!));
  for (const f of m.files) {
    const b = files.get(f.path);
    if (b) {
      f.size = b.length;
      f.sha256 = toHex(sha256(b));
    }
  }
  return new Map([...files, ['manifest.json', new TextEncoder().encode(JSON.stringify(m))]]);
}

/** The sample's files with `edit` applied to the parsed manifest (files re-listed afterwards). */
async function variant(
  edit: (files: Map<string, Uint8Array>, m: { files: Obj[]; workflow: { steps: Obj[] } }) => void,
  relisted = true,
) {
  const s = await buildFedrampSample();
  const files = new Map(s.files);
  const m = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!));
  edit(files, m);
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(m)));
  return { s, files: relisted ? relist(files) : files };
}
const text = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const entry = (path: string, kind: string, bytes: Uint8Array, extra: Obj = {}): Obj => ({
  path,
  kind,
  size: bytes.length,
  sha256: toHex(sha256(bytes)),
  ...extra,
});

describe('chapter 5 probes (each the same under both)', () => {
  const probes: [string, Parameters<typeof variant>[0]][] = [
    [
      'trust.json listed as an attestation',
      (f, m) => {
        const b = text({ logs: [], approvers: [] });
        f.set('trust.json', b);
        m.files.push(entry('trust.json', 'attestation', b));
      },
    ],
    [
      'trust.json listed but absent',
      (_f, m) => {
        m.files.push(entry('trust.json', 'openings', text('[]')));
      },
    ],
    ['artifacts/roots.tar.gz, unlisted', (f) => f.set('artifacts/roots.tar.gz', text('x'))],
    ['artifacts/trust.yaml, unlisted', (f) => f.set('artifacts/trust.yaml', text('x'))],
    ['artifacts/root, unlisted', (f) => f.set('artifacts/root', text('x'))],
    [
      'an artifact withheld (file and entry removed)',
      (f, m) => {
        f.delete('artifacts/A3-scan-results.json');
        m.files = m.files.filter((x) => x.path !== 'artifacts/A3-scan-results.json');
      },
    ],
    ['an artifact listed but missing', (f) => f.delete('artifacts/A3-scan-results.json')],
    [
      'an artifact naming an event not in the capsule',
      (_f, m) => {
        const a = m.files.find((x) => x.path === 'artifacts/A3-scan-results.json')!;
        a.event_id = 'ab'.repeat(32);
      },
    ],
    [
      'two artifacts for one event',
      (f, m) => {
        const a = m.files.find((x) => x.path === 'artifacts/A3-scan-results.json')!;
        f.set('artifacts/copy.json', f.get('artifacts/A3-scan-results.json')!);
        m.files.push({ ...a, path: 'artifacts/copy.json' });
      },
    ],
    [
      'an empty workflow step',
      (_f, m) => {
        m.workflow.steps.push({ id: 'Z', title: 'nothing', events: [] });
      },
    ],
    [
      'a step id used twice',
      (_f, m) => {
        m.workflow.steps.push({ ...m.workflow.steps[0]!, events: [] });
      },
    ],
    [
      'a step naming an unknown event',
      (_f, m) => {
        (m.workflow.steps[0]!.events as string[]).push('cd'.repeat(32));
      },
    ],
    [
      'an unknown manifest field',
      (_f, m) => {
        (m as unknown as Obj).signed_by = 'nobody';
      },
    ],
    [
      'an unknown file-entry field',
      (_f, m) => {
        m.files[0]!.mode = 420;
      },
    ],
    [
      'event_id on a non-artifact',
      (_f, m) => {
        m.files[0]!.event_id = 'ab'.repeat(32);
      },
    ],
    [
      'manifest.json listed in files',
      (_f, m) => {
        m.files.push(entry('manifest.json', 'openings', text('[]')));
      },
    ],
    [
      'a second events file',
      (f, m) => {
        f.set('more.jsonl', text(''));
        m.files.push(entry('more.jsonl', 'events', text('')));
      },
    ],
    [
      'events.jsonl without its final newline',
      (f) => {
        const b = f.get('events.jsonl')!;
        f.set('events.jsonl', b.subarray(0, b.length - 1));
      },
    ],
    [
      'a blank line in receipts.jsonl',
      (f) => {
        f.set('receipts.jsonl', text(`\n${new TextDecoder().decode(f.get('receipts.jsonl')!)}`));
      },
    ],
    ['openings.json is an object', (f) => f.set('openings.json', text({}))],
    ['a card that is not JSON', (f) => f.set('cards/a1-readiness-coordinator.json', text('{'))],
    [
      'an attestation leaf that is not an event of the capsule',
      (f) => {
        const ev = new TextDecoder().decode(f.get('events.jsonl')!).split('\n');
        f.set(
          'events.jsonl',
          text(`${ev.filter((l) => !l.includes('"config.baselines.capture"')).join('\n')}`),
        );
      },
    ],
    [
      'card named like a pinned approver',
      (f) => {
        const c = JSON.parse(new TextDecoder().decode(f.get('cards/a1-readiness-coordinator.json')!));
        c.name = 'Mei Chen (Security Officer)';
        f.set('cards/a1-readiness-coordinator.json', text(c));
      },
    ],
  ];
  it.each(probes)('%s', async (_name, edit) => {
    const { s, files } = await variant(edit);
    await compare(files, s.trustText, s.trust);
  });
  it('a file edited without re-listing it (capsule.file_hash)', async () => {
    const { s, files } = await variant((f) => f.set('openings.json', text('[]')), false);
    await compare(files, s.trustText, s.trust);
  });
});

describe('JSON Lines holding values that are not documents', () => {
  it.each([
    ['events.jsonl', '[]'],
    ['events.jsonl', 'null'],
    ['receipts.jsonl', '5'],
    ['receipts.jsonl', 'null'],
  ])('%s with a line %s', async (path, line) => {
    const { s, files } = await variant((f) => {
      f.set(path, text(`${line}\n${new TextDecoder().decode(f.get(path)!)}`));
    });
    await compare(files, s.trustText, s.trust);
  });
});

describe('a trust store listed in the manifest is never read (§5.4)', () => {
  it('trust.json listed as an attestation is named by capsule.embedded_trust and not verified as one', async () => {
    const { s, files } = await variant((f, m) => {
      const b = text({ logs: [], approvers: [] });
      f.set('trust.json', b);
      m.files.push(entry('trust.json', 'attestation', b));
    });
    const { theirs } = await compare(files, s.trustText, s.trust);
    expect(projectFailing(theirs)).toEqual(['capsule.embedded_trust']);
    // Before, the project parsed it as an attestation (attestation.schema failed at trust.json)
    // and hashed it, while its report said the file was ignored.
    expect(
      theirs.report.checks.filter((c) => JSON.stringify(c.subject).includes('trust.json')).map((c) => c.id),
    ).toEqual(['capsule.embedded_trust']);
  });
});
