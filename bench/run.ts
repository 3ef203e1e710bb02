// `npm run bench`: runs every bench/*.bench.ts module, prints each table, and rewrites
// docs/performance.md with the tables and the machine they were measured on.
// Ratios compare a target with a baseline measured in the same run, so they are
// meaningful on any machine; absolute numbers are only context.
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

function table(s: BenchSection): string {
  const lines = [
    `## ${s.title}`,
    '',
    s.note,
    '',
    `| ${s.header.join(' | ')} |`,
    `|${s.header.map(() => ' --- ').join('|')}|`,
  ];
  for (const r of s.rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
console.log(`Machine: ${machine}\n`);

const sections: string[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as {
    default: () => Promise<BenchSection | BenchSection[]>;
  };
  const started = Date.now();
  const result = await mod.default();
  for (const s of Array.isArray(result) ? result : [result]) {
    const t = table(s);
    console.log(`${t}\n`);
    sections.push(t);
  }
  console.log(`(${f}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

if (only.length === 0) {
  const doc = [
    '# Performance',
    '',
    'Measured by `npm run bench` (this file is rewritten by it). Each target is a ratio against a',
    'baseline measured in the same run on the same machine; the absolute figures are context only.',
    '',
    `Machine: ${machine}. Measured ${new Date().toISOString().slice(0, 10)}.`,
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
  writeFileSync(resolve(here, '../docs/performance.md'), doc);
  console.log('Wrote docs/performance.md');
}
