import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build as esbuild } from 'esbuild';
import { zipSync } from 'fflate';
import { defineConfig, type Plugin } from 'vite';
import { drawIcon, ICON_STATES } from './build/icons.js';
import { makeManifest } from './build/manifest.js';

const here = fileURLToPath(new URL('.', import.meta.url));
// LINEAGE_EXT_DIST lets a test build into a private directory instead of the shared dist/.
const distRoot = process.env.LINEAGE_EXT_DIST ?? resolve(here, 'dist');
const outChromium = resolve(distRoot, 'chromium');
const outFirefox = resolve(distRoot, 'firefox');
const version = (JSON.parse(readFileSync(resolve(here, 'package.json'), 'utf8')) as { version: string })
  .version;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

/**
 * After the pages are built: bundle the service worker into one self-contained file (no remote
 * code, no shared chunks to load), draw the icons, write both manifests and zip the Firefox build.
 */
function extensionPackaging(): Plugin {
  return {
    name: 'lineage-extension-packaging',
    apply: 'build',
    async closeBundle() {
      await esbuild({
        entryPoints: [resolve(here, 'src/background/service-worker.ts')],
        outfile: join(outChromium, 'background.js'),
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        conditions: ['browser'],
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
      mkdirSync(join(outChromium, 'icons'), { recursive: true });
      for (const s of ICON_STATES) {
        for (const size of [16, 32, 128])
          writeFileSync(join(outChromium, `icons/${s}-${size}.png`), drawIcon(s, size));
      }
      writeFileSync(
        join(outChromium, 'manifest.json'),
        `${JSON.stringify(makeManifest('chromium', version), null, 2)}\n`,
      );

      rmSync(outFirefox, { recursive: true, force: true });
      cpSync(outChromium, outFirefox, { recursive: true });
      writeFileSync(
        join(outFirefox, 'manifest.json'),
        `${JSON.stringify(makeManifest('firefox', version), null, 2)}\n`,
      );
      const files: Record<string, Uint8Array> = {};
      for (const f of listFiles(outFirefox)) files[relative(outFirefox, f)] = readFileSync(f);
      // Beside the builds it packages: a private build (LINEAGE_EXT_DIST) never touches dist/.
      writeFileSync(
        join(distRoot, 'lineage-firefox.zip'),
        zipSync(files, { level: 9, mtime: new Date('2026-01-01') }),
      );
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [react(), extensionPackaging()],
  build: {
    outDir: outChromium,
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: false,
    rollupOptions: {
      // Only stylesheets have import side effects here; this drops shared-UI modules the pages
      // never use (graph layout, QR codes) instead of shipping them in the extension.
      treeshake: { moduleSideEffects: (id: string) => id.endsWith('.css') },
      input: {
        popup: resolve(here, 'popup.html'),
        options: resolve(here, 'options.html'),
        details: resolve(here, 'details.html'),
      },
    },
  },
});
