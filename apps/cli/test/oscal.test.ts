// The OSCAL assessment-results `lineage verify --oscal` writes: a finding says why a control is not
// satisfied, `import-ap` points to something in the document, and no array is empty (OSCAL arrays
// have at least one item).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-oscal-'));
let trust = '';

interface Finding {
  title: string;
  description: string;
  target: { status: { state: string } };
  'related-observations': { 'observation-uuid': string }[];
}
interface Observation {
  uuid: string;
  title: string;
  props: { name: string; value: string }[];
}
interface AssessmentResults {
  'import-ap': { href: string };
  'back-matter'?: { resources: { uuid: string; title: string; description: string }[] };
  results: {
    'reviewed-controls': { 'control-selections': Record<string, unknown>[] };
    observations?: Observation[];
    findings?: Finding[];
  }[];
}

async function oscalOf(capsule: string, trustFile: string, expectCode: number): Promise<AssessmentResults> {
  const out = join(dir, `${capsule.split('/').pop()}.oscal.json`);
  expect(await runCli(['verify', capsule, '--trust', trustFile, '--oscal', out], capture(dir).io)).toBe(
    expectCode,
  );
  return JSON.parse(readFileSync(out, 'utf8'))['assessment-results'] as AssessmentResults;
}

/** JSON pointers of every empty array in `v`. */
function emptyArrays(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [at] : v.flatMap((x, i) => emptyArrays(x, `${at}/${i}`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => emptyArrays(x, `${at}/${k}`));
  return [];
}

/** import-ap's href is a fragment naming a back-matter resource (no dangling reference). */
function importedResource(ar: AssessmentResults) {
  expect(ar['import-ap'].href).toMatch(/^#[0-9a-f-]{36}$/);
  return ar['back-matter']?.resources.find((r) => `#${r.uuid}` === ar['import-ap'].href);
}

beforeAll(async () => {
  const s = await buildFedrampSample({ dir });
  trust = s.paths!.trust;
});

describe('lineage verify --oscal', () => {
  it('the verified sample: import-ap resolves to the capsule in back-matter, with its digest; no empty array', async () => {
    const capsule = join(dir, 'fedramp-sample.capsule.zip');
    const ar = await oscalOf(capsule, trust, 0);
    const res = importedResource(ar);
    expect(res).toBeDefined();
    expect(res!.title).toBe('Lineage evidence capsule fedramp-sample.capsule.zip');
    expect(res!.description).toMatch(/SHA-256 [0-9a-f]{64}, is the SHA-256 of its canonical manifest/);
    expect(emptyArrays(ar)).toEqual([]);
  });

  it('edited artifact: a control whose events all verified names the check that failed elsewhere', async () => {
    const v = (await buildTamperedVariants()).find((x) => x.name === 'edited-artifact')!;
    const capsule = join(dir, 'edited-artifact.capsule.zip');
    const t = join(dir, 'edited-artifact.trust.json');
    writeFileSync(capsule, v.sample.zip);
    writeFileSync(t, v.sample.trustText);
    const ar = await oscalOf(capsule, t, 1);
    const result = ar.results[0]!;
    const au10 = result.findings!.find((f) => f.title.startsWith('AU-10:'))!;
    expect(au10.target.status.state).toBe('not-satisfied');
    expect(au10.title).toBe('AU-10: evidence verified, but the capsule did not verify');
    expect(au10.description).toMatch(
      /^8 events in the capsule record AU-10; 8 verified, but the capsule as a whole did not verify: capsule\.artifact_hash failed for step A3 scan\.run \(event [0-9a-f]{12}…\)\.$/,
    );
    // The failing event's observation is related to the finding, so the reason can be followed.
    const a3Obs = result.observations!.find((o) => o.title.startsWith('Step A3: scan.run'))!;
    expect(au10['related-observations'].map((r) => r['observation-uuid'])).toContain(a3Obs.uuid);
    // A control the failing event records says which of its events did not verify.
    const ra5 = result.findings!.find((f) => f.title.startsWith('RA-5:'))!;
    expect(ra5.description).toMatch(/; 1 verified, 1 did not \(step A3\)\.$/);
    expect(importedResource(ar)).toBeDefined();
    expect(emptyArrays(ar)).toEqual([]);
  });

  it('an unreadable capsule: no empty arrays (no findings, controls said in words), import-ap still resolves', async () => {
    const junk = join(dir, 'junk.zip');
    writeFileSync(junk, 'this is not a zip file at all');
    const ar = await oscalOf(junk, trust, 2);
    expect(emptyArrays(ar)).toEqual([]);
    const result = ar.results[0]!;
    expect(result.findings).toBeUndefined();
    expect(result['reviewed-controls']['control-selections']).toEqual([
      { description: expect.stringMatching(/^No controls/) },
    ]);
    expect(importedResource(ar)!.description).toMatch(/could not be read/);
  });
});
