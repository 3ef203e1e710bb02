// `npm run desktop` without an Electron binary explains how to get one, and downloads nothing.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('says plainly how to get Electron when the binary is missing', () => {
  // An empty override directory stands for "no binary", even on a machine that has one installed.
  const empty = mkdtempSync(join(tmpdir(), 'no-electron-'));
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../scripts/start.mjs')], {
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('needs the Electron 45 binary');
  expect(r.stdout).toContain('npx install-electron');
  expect(r.stdout).toContain('lineage-offline.html');
});

it('builds from the current sources before it launches, even when out/ already holds a build', () => {
  // `npx` and Electron are stood in by scripts that only record that they ran, in order; the
  // shared out/ is left alone. It used to launch whatever out/main/index.js held (in CI, where
  // out/ is built before the tests, that skipped the build) — after a pull, the old app.
  const dir = mkdtempSync(join(tmpdir(), 'fake-electron-'));
  const log = join(dir, 'ran.log');
  for (const [name, line] of [
    ['npx', 'npx $*'],
    ['electron', 'electron'],
  ] as const) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${line}" >> "${log}"\n`);
    chmodSync(join(dir, name), 0o755);
  }
  const r = spawnSync(process.execPath, [join(import.meta.dirname, '../scripts/start.mjs')], {
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dir, PATH: `${dir}:${process.env.PATH}` },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(r.status).toBe(0);
  expect(readFileSync(log, 'utf8')).toBe('npx electron-vite build\nelectron\n');
});
