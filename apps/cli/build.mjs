// Bundles the CLI into one ESM file so `lineage` runs with plain Node, no TS loader.
import { chmodSync } from 'node:fs';
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
// The shebang is there to run it as a command: `./dist/lineage.mjs` too, not only through npm's bin link.
chmodSync('dist/lineage.mjs', 0o755);
