// Rewrites spec §4.12 from worked-example.ts (run: npx tsx packages/producer/src/identity/write-worked-example.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { VECTORS_DIR } from './generate-vectors.paths.js';
import { WORKED_EXAMPLE_BEGIN, WORKED_EXAMPLE_END, workedExample } from './worked-example.js';

const p = resolve(VECTORS_DIR, '../../spec/04-identity-and-lineage.md');
let s = readFileSync(p, 'utf8');
const a = s.indexOf(WORKED_EXAMPLE_BEGIN);
if (a >= 0)
  s = s.slice(0, a) + workedExample() + s.slice(s.indexOf(WORKED_EXAMPLE_END) + WORKED_EXAMPLE_END.length);
else s = `${s.trimEnd()}\n\n## 4.12 Worked example\n\n${workedExample()}\n`;
writeFileSync(p, s);
