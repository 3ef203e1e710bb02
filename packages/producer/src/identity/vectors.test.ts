import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './generate-vectors.paths.js';
import {
  buildIdentityVectors,
  compareToExpected,
  type IdentityVector,
  outcomeDigest,
  runIdentityVector,
} from './vectors.js';

const files = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (f: string) => JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8')) as IdentityVector;

describe('committed chapter-4 spec vectors (docs/vectors/identity) re-verify', () => {
  it('there is a valid vector and at least one invalid vector for every rule family', () => {
    const names = files.map((f) => f.replace(/\.json$/, ''));
    for (const family of ['card', 'chain', 'receipts', 'attestation', 'commitments']) {
      expect(
        names.some((n) => n.startsWith(`${family}-valid`)),
        family,
      ).toBe(true);
      expect(
        names.some((n) => n.startsWith(`${family}-invalid`)),
        family,
      ).toBe(true);
    }
    expect(files.length).toBeGreaterThanOrEqual(35);
  });

  it('spec §4.11 gives their number', () => {
    const spec = readFileSync(join(VECTORS_DIR, '../../spec/04-identity-and-lineage.md'), 'utf8');
    expect(spec).toContain(`\`docs/vectors/identity/\` holds ${files.length} vectors`);
  });

  it.each(files)('%s: verdict, failing checks, first failure and every outcome match', async (f) => {
    const v = load(f);
    const { checks, agent } = await runIdentityVector(v);
    expect(compareToExpected(v, checks)).toEqual([]);
    expect(outcomeDigest(checks)).toEqual(v.outcomes);
    if (agent) {
      // Agent mode agrees: accept iff everything passed, else quarantine on the first non-pass.
      const first = checks.find((c) => c.status !== 'pass');
      if (first) expect(agent).toMatchObject({ decision: 'quarantine', reason: first });
      else expect(agent.decision).toBe('accept');
    }
  });

  it('the generator reproduces the committed inputs byte for byte (deterministic keys and signatures)', () => {
    const fresh = new Map(buildIdentityVectors().map((v) => [v.name, v]));
    for (const f of files) {
      const v = load(f);
      expect(JSON.parse(JSON.stringify(fresh.get(v.name)?.input)), v.name).toEqual(v.input);
    }
  });
});
