// The real `lineage` process runs each command in a worker with a bounded heap: out of memory,
// it ends with the structured "unusable" error (exit 2) instead of V8 aborting the process.
// These run the built bundle (npm test builds it first), as a user runs it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildFedrampSample } from '@lineage/producer';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/vectors.js';
import { heapLimitMiB } from '../src/bounded-run.js';

const MiB = 1024 * 1024;
const BIN = resolve(__dirname, '../dist/lineage.mjs');
const dir = mkdtempSync(join(tmpdir(), 'lineage-bounded-'));
let trust: string;
let zip: string;
let big: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lineage(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * MiB },
      (err, stdout, stderr) => {
        res({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build -w @lineage/cli" first`);
  const sample = await buildFedrampSample({ dir });
  trust = sample.paths!.trust;
  zip = sample.paths!.capsule;
  // A directory capsule whose events.jsonl holds the sample's events 200 times over (3,600 lines):
  // harmless in a normal heap, far more than a 16 MiB one holds.
  big = join(dir, 'big-capsule');
  for (const [path, bytes] of sample.files) {
    mkdirSync(dirname(join(big, path)), { recursive: true });
    writeFileSync(join(big, path), path === 'events.jsonl' ? Buffer.concat(Array(200).fill(bytes)) : bytes);
  }
});

describe('the heap limit the worker gets', () => {
  const facts = { defaultLimitBytes: 2048 * MiB, availableBytes: 16384 * MiB, userChosen: false };
  it('is half the machine when that is more than V8 would give', () => {
    expect(heapLimitMiB(facts)).toBe(8192);
  });
  it("is V8's default when half the machine is less", () => {
    expect(heapLimitMiB({ ...facts, availableBytes: 2048 * MiB })).toBe(2048);
  });
  it('is what the user chose with --max-old-space-size, even when smaller', () => {
    expect(heapLimitMiB({ ...facts, defaultLimitBytes: 64 * MiB, userChosen: true })).toBe(64);
  });
});

describe('lineage in its worker', () => {
  it('gives the command its exit code and output', async () => {
    const ok = await lineage(['verify', zip, '--trust', trust]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED/m);
    const failed = await lineage(['verify', big, '--trust', trust, '--json']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).report.verdict).toBe('failed');
    const usage = await lineage(['verify']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('expected exactly one CAPSULE');
  });

  it('out of memory: exit 2 with the unusable document and a message, and no report file left', async () => {
    const html = join(dir, 'report.html');
    const r = await lineage(['verify', big, '--trust', trust, '--json', '--report-html', html], {
      NODE_OPTIONS: '--max-old-space-size=16',
    });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { verdict: string; error: { code: string; message: string } };
    expect(doc).toMatchObject({
      command: 'lineage verify',
      verdict: 'unusable',
      error: { code: 'verifier.memory' },
    });
    expect(doc.error.message).toMatch(
      /needed more memory than the \d+ MiB it may use \(set by --max-old-space-size\)/,
    );
    const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/spec/verify-report.schema.json'), 'utf8'));
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(r.stderr).toContain('lineage verify: unusable input (verifier.memory)');
    expect(r.stderr).not.toContain('FATAL ERROR');
    expect(readdirSync(dir).filter((f) => f.includes('report.html'))).toEqual([]);
  });

  it('the same heap that stops the large capsule verifies the sample', async () => {
    const r = await lineage(['verify', zip, '--trust', trust], { NODE_OPTIONS: '--max-old-space-size=16' });
    expect(r.code).toBe(0);
  });

  it('a reader that stops early (| head) ends the run quietly', async () => {
    const r = await new Promise<Run>((res) => {
      execFile(
        '/bin/sh',
        ['-c', `"${process.execPath}" "${BIN}" verify "${zip}" --trust "${trust}" | head -1`],
        { cwd: dir },
        (err, stdout, stderr) => res({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    expect(r.stdout.split('\n')[0]).toMatch(/^VERIFIED/);
    expect(r.stderr).toBe('');
  });
});
