// No command writes over its own input or writes two outputs to one file: `verify victim.zip
// --oscal victim.zip` must not replace the evidence with its report. Refused with exit 2 before
// any work, whatever spelling, symbolic link or hard link names the file.
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDistinctPaths } from '../src/file-output.js';
import { runCli } from '../src/main.js';
import { capture, sampleWithAssessorKey } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-outputs-'));
const env = { LINEAGE_PASSPHRASE: 'correct horse battery staple' };
let capsule = '';
let trust = '';
let key = '';
let zip: Uint8Array;

beforeAll(async () => {
  const made = await sampleWithAssessorKey(dir, env.LINEAGE_PASSPHRASE);
  capsule = made.s.paths!.capsule;
  trust = made.s.paths!.trust;
  zip = made.s.zip;
  key = made.key;
});

/** Runs `lineage ARGV`; the capsule and trust file must be unchanged afterwards, whatever happened. */
async function run(argv: string[], e: Record<string, string> = {}) {
  const c = capture(dir, e);
  const code = await runCli(argv, c.io);
  expect(Buffer.from(readFileSync(capsule)).equals(Buffer.from(zip))).toBe(true);
  expect(readFileSync(trust, 'utf8')).toMatch(/^\{/);
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

describe('lineage verify refuses an output that is an input or another output', () => {
  it('--oscal CAPSULE: exit 2 before verifying, and the capsule is untouched', async () => {
    const r = await run(['verify', capsule, '--trust', trust, '--oscal', capsule]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--oscal ${capsule} is the capsule being verified (${capsule})`);
    // Nothing was verified: no report was printed.
    expect(r.stdout).toBe('');
  });

  it('--report-html TRUST, and the capsule named through another spelling, a symbolic link or a hard link', async () => {
    const r = await run(['verify', capsule, '--trust', trust, '--report-html', trust]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--report-html ${trust} is the trust file (${trust})`);

    mkdirSync(join(dir, 'sub'), { recursive: true });
    const spelled = join(dir, 'sub', '..', 'fedramp-sample.capsule.zip');
    const sym = join(dir, 'capsule-link.zip');
    symlinkSync(capsule, sym);
    const hard = join(dir, 'capsule-hard.zip');
    linkSync(capsule, hard);
    const symDir = join(dir, 'dir-link');
    symlinkSync(dir, symDir);
    for (const out of [spelled, sym, hard, join(symDir, 'fedramp-sample.capsule.zip')]) {
      const o = await run(['verify', capsule, '--trust', trust, '--oscal', out]);
      expect({ out, code: o.code }).toEqual({ out, code: 2 });
      expect(o.stderr).toContain('is the capsule being verified');
    }
    // The capsule given through a link, the output under its real name.
    const l = await run(['verify', sym, '--trust', trust, '--report-html', capsule]);
    expect(l.code).toBe(2);
    expect(l.stderr).toContain(`--report-html ${capsule} is the capsule being verified (${sym})`);
  });

  it('--report-html F --oscal F (also through another spelling): one would overwrite the other', async () => {
    const same = join(dir, 'same.out');
    writeFileSync(same, 'previous\n');
    for (const [html, oscal] of [
      [same, same],
      [same, join(dir, 'sub', '..', 'same.out')],
      [join(dir, 'new.out'), join(dir, '.', 'new.out')],
    ] as const) {
      const r = await run(['verify', capsule, '--trust', trust, '--report-html', html, '--oscal', oscal]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--oscal ${oscal} is the same file as --report-html ${html}`);
    }
    expect(readFileSync(same, 'utf8')).toBe('previous\n');
    expect(readdirSync(dir)).not.toContain('new.out');
  });

  it('an output inside a capsule directory is refused', async () => {
    const capDir = join(dir, 'capsule-dir');
    mkdirSync(capDir, { recursive: true });
    writeFileSync(join(capDir, 'manifest.json'), '{}');
    const r = await run(['verify', capDir, '--trust', trust, '--oscal', join(capDir, 'manifest.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is inside the capsule being verified (${capDir})`);
    expect(readFileSync(join(capDir, 'manifest.json'), 'utf8')).toBe('{}');
  });

  it('with --json, the refusal is the schema\'s "unusable" document naming the file', async () => {
    const r = await run(['verify', capsule, '--trust', trust, '--json', '--oscal', capsule]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      command: 'lineage verify',
      verdict: 'unusable',
      error: {
        code: 'usage',
        file: capsule,
        message: expect.stringContaining('is the capsule being verified'),
      },
    });
    // The file as it was named on the command line (relative to the working directory, here dir).
    const rel = await run(['verify', capsule, '--trust', trust, '--json', '--oscal', basename(trust)]);
    expect(JSON.parse(rel.stdout).error).toMatchObject({ file: basename(trust) });
    expect(JSON.parse(rel.stdout).error.message).toMatch(
      new RegExp(`^--oscal ${basename(trust)} is the trust file`),
    );
  });

  it('distinct outputs beside the capsule are written', async () => {
    const html = join(dir, 'ok.html');
    const oscal = join(dir, 'ok.oscal.json');
    const r = await run(['verify', capsule, '--trust', trust, '--report-html', html, '--oscal', oscal]);
    expect(r.code).toBe(0);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/i);
    expect(JSON.parse(readFileSync(oscal, 'utf8'))).toHaveProperty('assessment-results');
  });
});

describe('approve and keygen refuse an output that is one of their inputs', () => {
  const approve = (out: string, extra: string[] = []) => [
    'approve',
    capsule,
    '--key',
    key,
    '--decision',
    'reject',
    '--comment',
    'x',
    '--trust',
    trust,
    '--out',
    out,
    ...extra,
  ];

  it('approve --out naming the capsule, the key file, the trust file or the passphrase file', async () => {
    const keyBefore = readFileSync(key, 'utf8');
    const pw = join(dir, 'pw.txt');
    writeFileSync(pw, `${env.LINEAGE_PASSPHRASE}\n`);
    for (const [out, what] of [
      [capsule, 'capsule being approved'],
      [key, 'key file'],
      [trust, 'trust file'],
      [pw, 'passphrase file'],
    ] as const) {
      const r = await run(approve(out, ['--passphrase-file', pw]));
      expect({ out, code: r.code }).toEqual({ out, code: 2 });
      expect(r.stderr).toContain(`approval file ${out} is the ${what} (`);
      expect(r.stdout).toBe('');
    }
    expect(readFileSync(key, 'utf8')).toBe(keyBefore);
    expect(readFileSync(pw, 'utf8')).toBe(`${env.LINEAGE_PASSPHRASE}\n`);
  });

  it('keygen --out naming its passphrase file', async () => {
    const pw = join(dir, 'keygen-pw.txt');
    writeFileSync(pw, `${env.LINEAGE_PASSPHRASE}\n`);
    const r = await run(['keygen', '--out', pw, '--passphrase-file', pw]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`key file ${pw} is the passphrase file (${pw})`);
    expect(readFileSync(pw, 'utf8')).toBe(`${env.LINEAGE_PASSPHRASE}\n`);
  });
});

describe('checkDistinctPaths', () => {
  const d = mkdtempSync(join(tmpdir(), 'lineage-distinct-'));
  writeFileSync(join(d, 'a'), 'a');
  it('takes distinct files, new or existing', () => {
    expect(() =>
      checkDistinctPaths(
        [
          { path: join(d, 'out1'), what: '--x' },
          { path: join(d, 'out2'), what: '--y' },
        ],
        [{ path: join(d, 'a'), what: 'input' }],
      ),
    ).not.toThrow();
  });
  it('refuses an input that does not exist yet named as an output (the write would create it)', () => {
    expect(() =>
      checkDistinctPaths(
        [{ path: join(d, 'missing'), what: '--x' }],
        [{ path: join(d, 'missing'), what: 'input' }],
      ),
    ).toThrow(`--x ${join(d, 'missing')} is the input`);
  });
});
