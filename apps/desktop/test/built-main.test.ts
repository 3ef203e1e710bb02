// The built main-process bundles (what `electron-vite build` ships, not the TypeScript source the
// other tests run): every file parses, and the built verification worker verifies real capsules.
// Electron cannot run here, but the worker is plain Node: it is what the app starts for every
// capsule. A bundling fault (electron-vite's CommonJS shim declared `require` a second time in a
// chunk with fflate's own) once made every file of the app fail to load while every test passed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFedrampSample, buildTamperedVariants, zipCapsule } from '@lineage/producer';
import { describe, expect, it } from 'vitest';
import { VerificationService } from '../src/main/services/verification.js';

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
});
