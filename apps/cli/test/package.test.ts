// The CLI as packed (`npm pack -w @lineage/cli`) and run from its tarball, the way it reaches a
// machine outside this repository. It used to declare the workspace packages it bundles as
// dependencies, which are published nowhere: installing the tarball failed (E404) — or would
// fetch whatever someone else published under those names. Needs the built bundle (npm test
// builds it first).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const cliDir = resolve(__dirname, '..');
const BIN = join(cliDir, 'dist/lineage.mjs');
const work = mkdtempSync(join(tmpdir(), 'lineage-cli-pack-'));
let unpacked: string;

interface PackedFile {
  path: string;
  mode: number;
}

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build -w @lineage/cli" first`);
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
    cwd: cliDir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const [packed] = JSON.parse(out) as [{ filename: string; files: PackedFile[] }];
  execFileSync('tar', ['xzf', join(work, packed.filename), '-C', work]);
  unpacked = join(work, 'package');
});

describe('the packed lineage command', () => {
  it('holds the bundle and its manifest, nothing else (no sources, tests or build files)', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
      cwd: cliDir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const [packed] = JSON.parse(out) as [{ files: PackedFile[] }];
    expect(packed.files.map((f) => f.path).sort()).toEqual(['dist/lineage.mjs', 'package.json']);
  });

  it('needs nothing from a registry: no dependencies, and the bundle imports only Node built-ins', () => {
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) {
      expect(pkg[field], field).toBeUndefined();
    }
    expect(pkg.bin).toEqual({ lineage: './dist/lineage.mjs' });
    const code = readFileSync(join(unpacked, 'dist/lineage.mjs'), 'utf8');
    const specifiers = [
      ...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(["'])([^"']+)\1/g),
    ].map((m) => m[2]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith('node:') && s !== 'module')).toEqual([]);
  });

  it('starts with its shebang, is executable, and runs from another directory', () => {
    const bin = join(unpacked, 'dist/lineage.mjs');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
    const cwd = mkdtempSync(join(tmpdir(), 'lineage-cli-elsewhere-'));
    // Executed as a command, as `./dist/lineage.mjs` or an installed bin is.
    expect(execFileSync(BIN, ['--version'], { cwd, encoding: 'utf8' })).toMatch(/^lineage \d+\.\d+\.\d+ /);
    const demo = execFileSync(process.execPath, [bin, 'demo', '--dir', join(cwd, 'sample')], {
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(demo).toMatch(/^VERIFIED: \d+ passed, 0 failed, 0 not checked\.$/m);
  });
});
