import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants, writeCapsuleDirectory } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-verify-'));
let capsule = '';
let trust = '';

beforeAll(async () => {
  const s = await buildFedrampSample({ dir });
  capsule = s.paths!.capsule;
  trust = s.paths!.trust;
});

describe('lineage verify', () => {
  it('prints the verdict first and exits 0 for the sample', async () => {
    const c = capture(dir);
    expect(await runCli(['verify', capsule, '--trust', trust], c.io)).toBe(0);
    const text = c.stdout();
    expect(text.split('\n')[0]).toMatch(/^VERIFIED — every cited piece of evidence is authentic/);
    expect(text).toMatch(/Passed \(\d+\):/);
    expect(text).toMatch(/Not checked \(0\): nothing/);
    expect(text.indexOf('Passed')).toBeLessThan(text.indexOf('Not checked'));
  });

  it('verifies the same capsule laid out as a directory', async () => {
    const s = await buildFedrampSample();
    const d = join(dir, 'as-dir');
    mkdirSync(d);
    writeCapsuleDirectory(s.files, d);
    const c = capture(dir);
    expect(await runCli(['verify', d, '--trust', trust], c.io)).toBe(0);
  });

  it('names the manifest field when the manifest is unusable (verify headline and inspect)', async () => {
    const s = await buildFedrampSample();
    const d = join(dir, 'bad-manifest');
    mkdirSync(d);
    const m = JSON.parse(new TextDecoder().decode(s.files.get('manifest.json')!));
    m.files[1].size = -5;
    writeCapsuleDirectory(
      new Map([...s.files, ['manifest.json', new TextEncoder().encode(JSON.stringify(m))]]),
      d,
    );
    const c = capture(dir);
    expect(await runCli(['verify', d, '--trust', trust], c.io)).toBe(2);
    expect(c.stdout().split('\n')[0]).toBe(
      'UNUSABLE INPUT — the capsule cannot be read: manifest.json /files/1/size: expected a non-negative integer, found number -5',
    );
    expect(c.stdout()).toContain('expected: a non-negative integer');
    const i = capture(dir);
    expect(await runCli(['inspect', d], i.io)).toBe(2);
    expect(i.stderr()).toContain(
      'manifest.json /files/1/size: expected a non-negative integer, found number -5',
    );
  });

  it('exits 1 and groups failures by workflow step, naming event, field, expected and found', async () => {
    const [v] = await buildTamperedVariants({ only: ['edited-artifact'] });
    const file = join(dir, 'edited.zip');
    writeFileSync(file, v!.sample.zip);
    const c = capture(dir);
    expect(await runCli(['verify', file, '--trust', trust], c.io)).toBe(1);
    const text = c.stdout();
    expect(text.split('\n')[0]).toMatch(/^FAILED — 1 check failed/);
    expect(text).toMatch(/Step A3 Scanner Orchestrator: scan results\n {4}✗ capsule\.artifact_hash/);
    expect(text).toMatch(
      /event [0-9a-f]{12}… \(scan\.run by A3 Scanner Orchestrator, .*\) · at events\.jsonl:12 · field \/payload_hash/,
    );
    expect(text).toMatch(/expected: SHA-256 [0-9a-f]{64}\n\s+found: {4}SHA-256 [0-9a-f]{64}/);
    expect(text.indexOf('Failures')).toBeLessThan(text.indexOf('Passed'));
    expect(text).toMatch(/✗ A3 {2}scan\.run/);
    expect(text).toMatch(/✓ A2 {2}inventory\.generate/);
  });

  it('writes JSON, an HTML report and OSCAL assessment-results', async () => {
    const c = capture(dir);
    const html = join(dir, 'r.html');
    const oscal = join(dir, 'r.oscal.json');
    expect(
      await runCli(
        ['verify', capsule, '--trust', trust, '--json', '--report-html', html, '--oscal', oscal],
        c.io,
      ),
    ).toBe(0);
    const j = JSON.parse(c.stdout());
    // Each output names the verifier that made it.
    const verifier = `lineage ${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version}`;
    expect(Object.keys(j)[0]).toBe('verifier');
    expect(j.verifier).toBe(verifier);
    expect(readFileSync(html, 'utf8')).toContain(`by ${verifier} — `);
    expect(JSON.parse(readFileSync(oscal, 'utf8'))['assessment-results'].metadata.props).toContainEqual(
      expect.objectContaining({ name: 'lineage-verifier', value: verifier }),
    );
    expect(j.report.verdict).toBe('verified');
    expect(j.capsuleDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(j.lineage.nodes).toHaveLength(j.events.length);
    expect(readFileSync(html, 'utf8')).toMatch(/<h1 class="verified">VERIFIED<\/h1>/);
    expect(readFileSync(html, 'utf8')).toMatch(/ — 0 failed, 0 not checked, \d{3} passed<\/p>/);
    const ar = JSON.parse(readFileSync(oscal, 'utf8'))['assessment-results'];
    expect(ar.metadata['oscal-version']).toBe('1.1.2');
    const findings = ar.results[0].findings as {
      target: { 'target-id': string; status: { state: string } };
    }[];
    expect(findings.map((f) => f.target['target-id'])).toContain('ra-5_obj');
    expect(findings.every((f) => f.target.status.state === 'satisfied')).toBe(true);
    expect(ar.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses an output path it cannot write before verifying anything', async () => {
    const c = capture(dir);
    const html = join(dir, 'no-such-dir', 'report.html');
    // The capsule path is wrong too: the output path is what is reported, so nothing was opened.
    expect(
      await runCli(['verify', join(dir, 'nope.zip'), '--trust', trust, '--report-html', html], c.io),
    ).toBe(2);
    expect(c.stderr()).toContain(
      `--report-html ${html}: the directory ${join(dir, 'no-such-dir')} does not exist`,
    );
    const o = capture(dir);
    expect(await runCli(['verify', capsule, '--trust', trust, '--oscal', dir], o.io)).toBe(2);
    expect(o.stderr()).toContain(`--oscal ${dir} is a directory`);
    expect(o.stdout()).toBe('');
  });

  it('exits 2 for unusable input: no trust file, unreadable capsule, not a zip', async () => {
    expect(await runCli(['verify', capsule], capture(dir).io)).toBe(2);
    const c = capture(dir);
    expect(await runCli(['verify', join(dir, 'nope.zip'), '--trust', trust], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/cannot open capsule/);
    const junk = join(dir, 'junk.zip');
    writeFileSync(junk, 'this is not a zip file at all');
    const j = capture(dir);
    expect(await runCli(['verify', junk, '--trust', trust], j.io)).toBe(2);
    expect(j.stdout()).toMatch(/capsule\.container/);
    expect(j.stdout().split('\n')[0]).toMatch(
      /^UNUSABLE INPUT — the capsule cannot be read: .*not a zip file/,
    );
    const badTrust = join(dir, 'bad-trust.json');
    writeFileSync(badTrust, '{"version":1,"logs":[],"logs":[]}');
    const t = capture(dir);
    expect(await runCli(['verify', capsule, '--trust', badTrust], t.io)).toBe(2);
    expect(t.stderr()).toMatch(/trust file/);
  });
});
