import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const here = dirname(fileURLToPath(import.meta.url));

// Workspace packages are TypeScript source, so everything except Electron is bundled.
export default defineConfig({
  main: {
    resolve: {
      conditions: ['node'],
      // fflate's Node build declares its own `require` (createRequire), and electron-vite adds a
      // CommonJS shim declaring `require` again to any ES chunk that calls require(): the chunk
      // then fails to parse and neither the app nor its verification worker starts. The portable
      // build is the same code without that (the main process inflates with node:zlib anyway).
      alias: { fflate: 'fflate/browser' },
    },
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: {
          index: resolve(here, 'src/main/app.main.ts'),
          'verify-worker': resolve(here, 'src/main/services/verify-worker.ts'),
        },
        external: ['electron'],
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(here, 'src/preload/preload.ts') },
        external: ['electron'],
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(here, 'src/renderer'),
    plugins: [react()],
    base: './',
    build: {
      rollupOptions: { input: resolve(here, 'src/renderer/index.html') },
    },
  },
});
