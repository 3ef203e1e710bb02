// Chapter 5 from the spec text alone: the independent capsule verifier (capsule.ts) against the
// project verifier (@lineage/verifier-core's verifyCapsule, used here only to compare) on the FedRAMP
// sample, every tampered variant and the semantic cases of test/capsule/semantic-tamper.test.ts,
// each written out as a capsule directory and read through the CLI's directory source.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants, type SampleHooks } from '@lineage/producer';
import {
  type CapsuleVerification,
  sha256,
  type TrustStore,
  toHex,
  verifyCapsule,
} from '@lineage/verifier-core';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryCapsuleSource } from '../../apps/cli/src/node-capsule-source.js';
import * as scenario from '../capsule/support/semantic-cases.js';
import { lines, withLines } from '../redteam/support.js';
import { type CapsuleVerdict, verifyCapsuleDir } from './capsule.js';
import type { Obj } from './primitives.js';

const verifiedAt = '2026-11-22T00:00:00Z';
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

describe('the semantic cases of test/capsule/semantic-tamper.test.ts', () => {
  // The hooks are shared with that test (test/capsule/support/semantic-cases.ts), so both run the same capsules.
  const cases: [string, SampleHooks][] = [
    ['risk acceptance by the compliance lead in her own role', scenario.riskAcceptedByComplianceLead()],
    ['rejected risk acceptance', scenario.rejected('3a')],
    ['ATO decision on a rejected SAR', scenario.rejected('5a')],
    ['boundary rejected by the AO', scenario.rejected('e0')],
    ['risk acceptance dated before the scan', scenario.signedAt('3a', 140)],
    ['ATO decision signed before the SAR', scenario.signedAt('6', 590)],
    ['sequence gap', scenario.baselinesSequence(4)],
    ['sequence used twice', scenario.baselinesSequence(2)],
    [
      'revocation by a pinned approver without a revoking role',
      scenario.revokedBy({ kind: 'human', human: 'co' }),
    ],
    ['revocation by the revoked key itself', scenario.revokedBy({ kind: 'agent', agent: 'A3' })],
    ["card lineage naming another agent's registration", scenario.cardLineageToA2()],
    ['events dated after the only tree head', scenario.earlyTreeHead()],
    ['receipt signatures swapped', scenario.receiptSignaturesSwapped()],
    ['the same event twice in one step', scenario.eventTwiceInStep()],
    ["the SAR and ATO decision by the CSP's own staff", scenario.sarAndAtoByCspStaff()],
    ['agency_ao claimed by an approver not pinned with it', scenario.atoByUnpinnedApprover()],
    ['risk acceptance before the scan, citing only the earlier approval', scenario.riskAcceptedBeforeScan()],
    ['receipt handing over the scan 50 minutes before the scan', scenario.receiptBeforeScan()],
    ['a rescan after the ATO decision that nothing builds on', scenario.rescanNotCovered(1000)],
    ['a rescan before the SSP that nothing builds on', scenario.rescanNotCovered(210)],
    ['a second engagement beside the one the decision belongs to', scenario.secondEngagement()],
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
