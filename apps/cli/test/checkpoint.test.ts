import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../test/support/vectors.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const TESSERA_VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx';
const LOG3 = 'log2025-alpha3.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp';
const WITNESSES = [
  'witness.navigli.sunlight.geomys.org+a3e00fe2+BNy/co4C1Hn1p+INwJrfUlgz7W55dSZReusH/GhUhJ/G',
  'witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv',
  'staging.witness.transparency.goog/ring-any-bells+2e1a8dc9+BG5JTpLc3FJtwzgh1Uv+Qelz9qeOH2bfWjS1s0s+y4rL',
];

interface NoteCase {
  id: string;
  verifierKeys: string[];
  noteBase64: string;
  expect: { result: string; reason?: string };
}
const noteCases: NoteCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'signed-note-vectors.json'), 'utf8'),
).cases;

/** Writes each signed-note vector's exact bytes to a temp file. */
const tmp = mkdtempSync(join(tmpdir(), 'lineage-cli-checkpoint-'));
function noteFile(c: NoteCase): string {
  const p = join(tmp, `${c.id}.note`);
  writeFileSync(p, Buffer.from(c.noteBase64, 'base64'));
  return p;
}

const CHECKPOINT_TEXT = /^[^\n]+\n(0|[1-9][0-9]*)\n[A-Za-z0-9+/]{43}=\n/;

/**
 * Exit code the CLI must give for each signed-note vector used as a checkpoint.
 * Log keys (--vkey) are the trusted keys that are not cosignature/v1 (0x04); the
 * 0x04 keys are witnesses (--witness, --witnesses 0). Vectors with no log key
 * (empty or witness-only trust sets) are covered by dedicated tests.
 */
function plan(c: NoteCase): { args: string[]; exit: number } | undefined {
  const text = Buffer.from(c.noteBase64, 'base64').toString('utf8');
  const isWitness = (v: string) =>
    Buffer.from(v.slice(v.indexOf('+', v.indexOf('+') + 1) + 1), 'base64')[0] === 4;
  const logKeys = c.verifierKeys.filter((v) => !isWitness(v));
  const witnesses = c.verifierKeys.filter(isWitness);
  if (logKeys.length === 0) return undefined;
  const isCheckpoint = CHECKPOINT_TEXT.test(text);
  const args = logKeys.flatMap((k) => ['--vkey', k]);
  if (witnesses.length) args.push(...witnesses.flatMap((w) => ['--witness', w]), '--witnesses', '0');
  let exit: number;
  if (c.expect.reason === 'malformed note') exit = 2;
  else if (!isCheckpoint || c.expect.result === 'invalid') exit = 1;
  else exit = 0;
  return { args, exit };
}

describe('lineage checkpoint verify', () => {
  const tessera = (n: number) => join(vectorPath('tessera-log'), `checkpoint.${n}`);

  it.each(Array.from({ length: 16 }, (_, i) => i))('tessera checkpoint.%i verifies (exit 0)', async (n) => {
    const c = capture();
    const code = await runCli(['checkpoint', 'verify', tessera(n), '--vkey', TESSERA_VKEY], c.io);
    expect(code, c.stderr()).toBe(0);
    expect(c.stdout()).toContain('VERIFIED');
    expect(c.stdout()).toMatch(new RegExp(`tree size:\\s+${n}\\n`));
    for (const id of ['note.parse', 'checkpoint.body', 'note.signatures', 'checkpoint.log-signature']) {
      expect(c.stdout()).toMatch(new RegExp(`PASS  ${id.replace('.', '\\.')}`));
    }
  });

  const planned = noteCases.flatMap((c) => {
    const p = plan(c);
    return p ? [[c.id, c, p] as const] : [];
  });

  it('plans a CLI run for nearly every signed-note vector', () =>
    expect(planned.length).toBeGreaterThanOrEqual(26));

  it.each(planned)('signed-note vector %s gives the expected exit code', async (_id, c, p) => {
    const cap = capture();
    const code = await runCli(['checkpoint', 'verify', noteFile(c), ...p.args], cap.io);
    expect(code, cap.stdout() + cap.stderr()).toBe(p.exit);
    if (code === 1)
      expect(cap.stdout()).toMatch(/FAIL {2}(checkpoint\.body|note\.signatures|checkpoint\.log-signature)/);
    if (code === 0) expect(cap.stdout()).toMatch(/PASS {2}checkpoint\.log-signature/);
  });

  it('rekor v2 checkpoint with 3-of-3 witnesses: exit 0; as --json lists the witnesses with timestamps', async () => {
    const c = noteCases.find((x) => x.id === 'rekor2-alpha3-cosigned-all-keys')!;
    const cap = capture();
    const args = ['checkpoint', 'verify', noteFile(c), '--vkey', LOG3, '--json'];
    for (const w of WITNESSES) args.push('--witness', w);
    expect(await runCli([...args, '--witnesses', '3'], cap.io)).toBe(0);
    const doc = JSON.parse(cap.stdout());
    expect(doc.verdict).toBe('verified');
    expect(doc.checks.map((x: { id: string }) => x.id)).toContain('checkpoint.witness-quorum');
    expect(doc.details.witnesses.map((w: { timestamp: string }) => w.timestamp)).toEqual([
      '1778700214',
      '1778700214',
      '1778700214',
    ]);
  });

  it('witness keys alone are not a log key: exit 1 naming the log-signature check', async () => {
    const c = noteCases.find((x) => x.id === 'rekor2-alpha3-cosigned-witness-keys-only')!;
    const cap = capture();
    const args = ['checkpoint', 'verify', noteFile(c), '--vkey', TESSERA_VKEY, '--witnesses', '3'];
    for (const w of WITNESSES) args.push('--witness', w);
    expect(await runCli(args, cap.io)).toBe(1);
    expect(cap.stdout()).toMatch(/FAIL {2}checkpoint\.log-signature/);
    expect(cap.stdout()).toMatch(/log signature not among verified signatures/);
    // A witness (0x04) key given as the log key is refused outright.
    const cap2 = capture();
    expect(await runCli(['checkpoint', 'verify', noteFile(c), '--vkey', WITNESSES[0]!], cap2.io)).toBe(2);
    expect(cap2.stderr()).toMatch(/witness key; pass it with --witness/);
  });

  it('a witness quorum that is not met: exit 1', async () => {
    const cap = capture();
    const args = ['checkpoint', 'verify', tessera(15), '--vkey', TESSERA_VKEY, '--witness', WITNESSES[0]!];
    expect(await runCli(args, cap.io)).toBe(1);
    expect(cap.stdout()).toMatch(/FAIL {2}checkpoint\.witness-quorum/);
    expect(cap.stdout()).toMatch(/0 of 1 configured witnesses cosigned; 1 required/);
  });

  it('usage and unusable input: exit 2', async () => {
    const cases: string[][] = [
      ['checkpoint', 'verify', tessera(1)],
      ['checkpoint', 'verify', '--vkey', TESSERA_VKEY],
      ['checkpoint', 'verify', tessera(1), '--vkey', 'not-a-vkey'],
      ['checkpoint', 'verify', tessera(1), '--vkey', TESSERA_VKEY, '--witnesses', '2'],
      [
        'checkpoint',
        'verify',
        tessera(1),
        '--vkey',
        TESSERA_VKEY,
        '--witness',
        WITNESSES[0]!,
        '--witnesses',
        '2',
      ],
      ['checkpoint', 'verify', tessera(1), '--vkey', TESSERA_VKEY, '--witnesses', '-1'],
      ['checkpoint', 'verify', tessera(1), '--vkey', TESSERA_VKEY, '--bogus'],
      ['checkpoint', 'verify', join(tmp, 'missing.note'), '--vkey', TESSERA_VKEY],
    ];
    for (const args of cases) {
      const cap = capture();
      expect(await runCli(args, cap.io), args.join(' ')).toBe(2);
      expect(cap.stderr().length).toBeGreaterThan(0);
    }
  });

  it('reads vkeys from a file, one per line', async () => {
    const f = join(tmp, 'keys.vkeys');
    writeFileSync(f, `# tessera test log\n${TESSERA_VKEY}\n\n`);
    const cap = capture();
    expect(await runCli(['checkpoint', 'verify', tessera(7), '--vkey', f], cap.io)).toBe(0);
  });

  it('--json for a malformed note prints verdict "unusable"', async () => {
    const c = noteCases.find((x) => x.id === 'xmod-malformed-control-char')!;
    const cap = capture();
    const code = await runCli(
      ['checkpoint', 'verify', noteFile(c), '--vkey', c.verifierKeys[0]!, '--json'],
      cap.io,
    );
    expect(code).toBe(2);
    expect(JSON.parse(cap.stdout())).toMatchObject({
      verdict: 'unusable',
      error: { code: 'note.malformed' },
    });
  });

  it('the real process exits with the same codes (tsx, no bundling)', async () => {
    const main = resolve(__dirname, '../src/main.ts');
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', main, ...args]).then(
        () => 0,
        (e: { code: number }) => e.code,
      );
    expect(await run(['checkpoint', 'verify', tessera(3), '--vkey', TESSERA_VKEY])).toBe(0);
    const bad = noteCases.find((x) => x.id === 'xmod-invalid-signature-known-key')!;
    expect(await run(['checkpoint', 'verify', noteFile(bad), '--vkey', bad.verifierKeys[0]!])).toBe(1);
    expect(await run(['checkpoint', 'verify', tessera(3)])).toBe(2);
  });
});
