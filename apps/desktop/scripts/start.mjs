// `npm run desktop`: launches Lineage Desktop when the Electron binary is installed; otherwise says how to get it.
// It checks for the binary without requiring the `electron` package (which would start a download).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(appDir, 'package.json'));

function electronBinary() {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(
      process.env.ELECTRON_OVERRIDE_DIST_PATH,
      process.platform === 'win32' ? 'electron.exe' : 'electron',
    );
    return existsSync(p) ? p : undefined;
  }
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const p = join(pkgDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(p) ? p : undefined;
}

const bin = electronBinary();
if (!bin) {
  console.log(`Lineage Desktop needs the Electron 45 binary, which is not installed on this machine.

To get it (needs network access once, then works offline):
  npx install-electron            # downloads Electron into node_modules/electron/dist
  npm run desktop

Or point to an Electron you already have:
  ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-dir npm run desktop

No network? The same verifier ships as one offline HTML file:
  npm run build:offline -w @lineage/desktop   # then open apps/desktop/out/offline/lineage-offline.html in a browser`);
  process.exit(1);
}

// Always build (about a second): a build left in out/ from older sources would otherwise be what
// runs, e.g. one made before a fix was pulled.
const r = spawnSync('npx', ['electron-vite', 'build'], { cwd: appDir, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
const child = spawn(bin, [appDir], { stdio: 'inherit' });
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
