// Bundles the CLI into one ESM file so `lineage` runs with plain Node, no TS loader.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['node'],
  outfile: 'dist/lineage.mjs',
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __lineageCreateRequire } from 'node:module'; const require = __lineageCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
