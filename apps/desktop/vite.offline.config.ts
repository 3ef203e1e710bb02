/**
 * The offline verifier: the same renderer built as ONE self-contained HTML
 * file (scripts, styles and the verification Web Worker inlined), for
 * assessors who cannot install software. The page's CSP pins its one inline
 * script by SHA-256 and allows no network at all.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

function inlineIntoHtml(): Plugin {
  return {
    name: 'lineage-inline-single-file',
    enforce: 'post',
    generateBundle(_opts, bundle) {
      const htmlName = Object.keys(bundle).find((n) => n.endsWith('.html'));
      if (!htmlName) this.error('no HTML output to inline into');
      const htmlAsset = bundle[htmlName!];
      if (htmlAsset?.type !== 'asset') this.error('HTML output is not an asset');
      let html = String(htmlAsset.source);
      const scripts: string[] = [];
      for (const [name, out] of Object.entries(bundle)) {
        if (out.type === 'chunk' && out.isEntry) {
          // "</script" inside the code would end the element early.
          scripts.push(out.code.replace(/<\/script/gi, '<\\/script'));
          delete bundle[name];
        }
      }
      const styles: string[] = [];
      for (const [name, out] of Object.entries(bundle)) {
        if (out.type === 'asset' && name.endsWith('.css')) {
          styles.push(String(out.source));
          delete bundle[name];
        }
      }
      const leftovers = Object.keys(bundle).filter((n) => n !== htmlName);
      if (leftovers.length > 0) this.error(`outputs could not be inlined: ${leftovers.join(', ')}`);
      html = html
        .replace(/<script type="module" crossorigin src="[^"]+"><\/script>/, '')
        .replace(/<link rel="stylesheet" crossorigin href="[^"]+">/, '')
        .replace(/<link rel="modulepreload"[^>]*>/g, '');
      const script = scripts.join('\n');
      const hash = createHash('sha256').update(script).digest('base64');
      const csp = [
        "default-src 'none'",
        `script-src 'sha256-${hash}'`,
        "style-src 'unsafe-inline'",
        'img-src data: blob:',
        'worker-src blob: data:',
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join('; ');
      // Function replacers: the code contains "$'" and "$&", which string replacements would expand.
      html = html
        .replace('%LINEAGE_CSP%', () => csp)
        .replace('</head>', () => `<style>${styles.join('\n')}</style>\n</head>`)
        .replace('</body>', () => `<script type="module">${script}</script>\n</body>`);
      htmlAsset.source = html;
      htmlAsset.fileName = 'lineage-offline.html';
    },
  };
}

export default defineConfig({
  root: resolve(here, 'src/renderer'),
  base: './',
  plugins: [react(), inlineIntoHtml()],
  // Classic workers: module workers from blob: URLs do not start in pages opened from file://.
  worker: { format: 'iife' },
  build: {
    outDir: resolve(here, 'out/offline'),
    emptyOutDir: true,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    cssCodeSplit: false,
    modulePreload: false,
    rollupOptions: {
      input: resolve(here, 'src/renderer/offline.html'),
      output: { codeSplitting: false },
    },
  },
});
