/**
 * A build into LINEAGE_EXT_DIST (what the browser test does when dist/ is stale or missing) must
 * write everything it makes there, the Firefox package included. It used to write the zip to the
 * shared dist/: on a fresh clone (no dist/) the build failed, so `npx vitest run apps/extension`
 * failed before testing anything; otherwise it replaced the shipped package with a test's build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { makeManifest } from '../build/manifest.js';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(appDir, '../..');
const sharedZip = join(appDir, 'dist/lineage-firefox.zip');
const privateDist = mkdtempSync(join(tmpdir(), 'lineage-ext-private-'));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

afterAll(() => rmSync(privateDist, { recursive: true, force: true }));

describe('a private extension build (LINEAGE_EXT_DIST)', () => {
  it('writes the Firefox package beside its own builds, not into the shared dist/', () => {
    const sharedBefore = existsSync(sharedZip) ? statSync(sharedZip).mtimeMs : null;
    execFileSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build'], {
      cwd: appDir,
      stdio: 'pipe',
      timeout: 120_000,
      env: { ...process.env, LINEAGE_EXT_DIST: privateDist },
    });
    const zipPath = join(privateDist, 'lineage-firefox.zip');
    expect(existsSync(zipPath)).toBe(true);
    expect(existsSync(sharedZip) ? statSync(sharedZip).mtimeMs : null).toBe(sharedBefore);

    // The package is exactly the Firefox build next to it.
    const zip = unzipSync(readFileSync(zipPath));
    const firefox = join(privateDist, 'firefox');
    const files = listFiles(firefox).map((f) => relative(firefox, f));
    expect(Object.keys(zip).sort()).toEqual(files.sort());
    for (const f of files) expect(Buffer.from(zip[f]!).equals(readFileSync(join(firefox, f))), f).toBe(true);
    const m = JSON.parse(new TextDecoder().decode(zip['manifest.json'])) as ReturnType<typeof makeManifest>;
    expect(m).toEqual(makeManifest('firefox', m.version));
  });
});
