// Writes docs/vectors/identity/*.json from the producer (run: npx tsx packages/producer/src/identity/generate-vectors.ts).
// Refuses to write a vector our own verifier disagrees with.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VECTORS_DIR } from './generate-vectors.paths.js';
import { buildIdentityVectors, compareToExpected, outcomeDigest, runIdentityVector } from './vectors.js';

async function main(): Promise<void> {
  mkdirSync(VECTORS_DIR, { recursive: true });
  let bad = 0;
  for (const v of buildIdentityVectors()) {
    const { checks } = await runIdentityVector(v);
    const problems = compareToExpected(v, checks);
    if (problems.length > 0) {
      bad++;
      console.error(`${v.name}: ${problems.join('; ')}`);
      for (const c of checks.filter((x) => x.status !== 'pass'))
        console.error(`   ${c.id} ${c.status} ${c.subject.id.slice(0, 16)} ${c.reason ?? ''}`);
      continue;
    }
    writeFileSync(
      join(VECTORS_DIR, `${v.name}.json`),
      `${JSON.stringify({ ...v, outcomes: outcomeDigest(checks) }, null, 2)}\n`,
    );
  }
  if (bad > 0) {
    console.error(`${bad} vector(s) not written`);
    process.exitCode = 1;
  }
}

await main();
