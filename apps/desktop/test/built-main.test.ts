// The built main-process bundles (what `electron-vite build` ships, not the TypeScript source the
// other tests run): every file parses, and the built verification worker verifies real capsules.
// Electron cannot run here, but the worker is plain Node: it is what the app starts for every
// capsule. A bundling fault (electron-vite's CommonJS shim declared `require` a second time in a
// chunk with fflate's own) once made every file of the app fail to load while every test passed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { buildFedrampSample, buildTamperedVariants, zipCapsule } from '@lineage/producer';
import { describe, expect, it } from 'vitest';
import { VerificationService } from '../src/main/services/verification.js';
import { API_METHODS, PRELOAD_METHODS } from '../src/shared/api.js';

// After the sample's history (2026-11-02…), as the app's own clock would be.
const VERIFIED_AT = '2026-11-22T00:00:00Z';
const out = fileURLToPath(new URL('../out/', import.meta.url));

function scripts(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(?:c|m)?js$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('the built main process (out/main, out/preload)', () => {
  it('exists: the test command builds the app before the tests run', () => {
    expect(existsSync(join(out, 'main/index.js')), 'run `npx electron-vite build` in apps/desktop').toBe(
      true,
    );
    expect(existsSync(join(out, 'main/verify-worker.js'))).toBe(true);
  });

  it('every script parses', () => {
    const files = [...scripts(join(out, 'main')), ...scripts(join(out, 'preload'))];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const r = spawnSync(process.execPath, ['--check', f], { encoding: 'utf8' });
      expect({ file: f, status: r.status, stderr: r.stderr }).toEqual({ file: f, status: 0, stderr: '' });
    }
  });

  it('its verification worker verifies the FedRAMP sample and fails a tampered one at the documented check', async () => {
    const service = new VerificationService({
      workerUrl: new URL('../out/main/verify-worker.js', import.meta.url),
    });
    const sample = await buildFedrampSample();
    const ok = await service.run(
      'sample',
      { name: 'sample.zip', bytes: zipCapsule(sample.files), trust: sample.trust, verifiedAt: VERIFIED_AT },
      () => {},
    );
    expect(ok.status === 'done' && ok.verification.report.verdict).toBe('verified');

    const [forged] = await buildTamperedVariants({ only: ['forged-event-signature'] });
    const bad = await service.run(
      'forged',
      {
        name: 'forged.zip',
        bytes: zipCapsule(forged!.sample.files),
        trust: forged!.sample.trust,
        verifiedAt: VERIFIED_AT,
      },
      () => {},
    );
    expect(bad.status).toBe('done');
    if (bad.status !== 'done') return;
    expect(bad.verification.report.verdict).toBe('failed');
    const failed = bad.verification.report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failed).toContain(forged!.checkId);
  });

  it('starts under Node with Electron stood in: its window, app:// page, IPC and a verification all work', async () => {
    const sample = await buildFedrampSample();
    const dir = mkdtempSync(join(tmpdir(), 'lineage-built-main-'));
    writeFileSync(join(dir, 'capsule.zip'), zipCapsule(sample.files));
    writeFileSync(join(dir, 'trust.json'), JSON.stringify(sample.trust));
    const run = spawnSync(
      process.execPath,
      [
        fileURLToPath(new URL('./support/built-app/run-built-main.mjs', import.meta.url)),
        join(dir, 'capsule.zip'),
        join(dir, 'trust.json'),
      ],
      { encoding: 'utf8', env: { ...process.env, LINEAGE_TEST_USER_DATA: dir }, timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    const got = JSON.parse(run.stdout) as {
      channels: string[];
      window: { url: string; preload: string; sandbox: boolean };
      page: { status: number; title: string };
      progressEvents: number;
      verdict: string;
      foreignFrame: string;
    };
    expect(got.channels).toEqual([...API_METHODS, ...PRELOAD_METHODS].map((m) => `lineage:${m}`).sort());
    // Taking in a key made with `lineage keygen`: read the file, then import it (never the seed back).
    expect(got.channels).toEqual(expect.arrayContaining(['lineage:keyFileInfo', 'lineage:keyImport']));
    expect(got.window).toEqual({
      url: 'app://lineage/index.html',
      preload: join(out, 'preload/preload.cjs'),
      sandbox: true,
    });
    expect(existsSync(got.window.preload)).toBe(true);
    expect(got.page).toEqual({ status: 200, title: 'Lineage' });
    expect(got.progressEvents).toBeGreaterThan(0);
    expect(got.verdict).toBe('verified');
    expect(got.foreignFrame).toBe('rejected: IPC from a frame that is not the app window');
  });

  it('its preload exposes exactly the API, each method one IPC call', async () => {
    const source = readFileSync(join(out, 'preload/preload.cjs'), 'utf8');
    const exposed = new Map<string, Record<string, unknown>>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (k: string, v: Record<string, unknown>) => exposed.set(k, v) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => invoked.push(a),
        on: () => {},
        removeListener: () => {},
      },
      webUtils: { getPathForFile: () => '' },
    };
    const module = { exports: {} };
    runInNewContext(source, {
      require: (m: string) => {
        if (m !== 'electron') throw new Error(`the preload may require only electron, not ${m}`);
        return electron;
      },
      module,
      exports: module.exports,
    });
    expect([...exposed.keys()]).toEqual(['lineage']);
    const api = exposed.get('lineage')!;
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, 'host', 'onEvent', 'openDroppedFile'].sort());
    expect(Object.keys(api)).toEqual(expect.arrayContaining(['keyFileInfo', 'keyImport']));
    expect(api.host).toBe('desktop');
    await (api.verify as (id: string) => Promise<unknown>)('capsule-1');
    // A File with no path (made by the page, not dropped) never reaches the main process.
    expect(await (api.openDroppedFile as (f: unknown) => Promise<unknown>)({})).toBeNull();
    const importReq = { keyfile: '{}', passphrase: 'p', name: 'n', role: 'agency_ao' };
    await (api.keyImport as (r: unknown) => Promise<unknown>)(importReq);
    expect(invoked).toEqual([
      ['lineage:verify', 'capsule-1'],
      ['lineage:keyImport', importReq],
    ]);
  });
});
