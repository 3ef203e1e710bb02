// `npm run desktop` without an Electron binary explains how to get one, and downloads nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
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
