import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '@lineage/verifier-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './generate-vectors.paths.js';
import { compareToExpected, type IdentityVector, runIdentityVector } from './vectors.js';

/**
 * Hostile input: random structural mutations of every spec vector must yield a
 * report (never an exception), and a mutated valid vector must never still be
 * "verified" unless the mutation left the signed content intact.
 */
const vectors = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8')) as IdentityVector);

type Path = Array<string | number>;
function paths(v: JsonValue, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) paths(x, [...at, i], out);
  } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

const replacements: JsonValue[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  'ff'.repeat(32),
  [],
  {},
  true,
  '2026-11-20T14:00:00Z',
];

function mutate(input: JsonValue, path: Path, replacement: JsonValue | undefined): JsonValue {
  const copy = structuredClone(input);
  if (path.length === 0) return replacement ?? null;
  let parent = copy as Record<string | number, JsonValue>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, JsonValue>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

describe('hostile input never crashes the chapter-4 verifiers', () => {
  it('random mutations of every vector produce a report', async () => {
    const tasks = vectors.map((v) => ({
      v,
      ps: paths(v.input as unknown as JsonValue).filter((p) => p.length > 0 && p[0] !== 'trust'),
    }));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: tasks.length - 1 }),
        fc.nat(),
        fc.option(fc.constantFrom(...replacements), { nil: undefined }),
        async (ti, pi, rep) => {
          const { v, ps } = tasks[ti]!;
          const path = ps[pi % ps.length]!;
          const input = mutate(
            v.input as unknown as JsonValue,
            path,
            rep,
          ) as unknown as IdentityVector['input'];
          const mutated: IdentityVector = { ...v, input: { ...input, trust: v.input.trust } };
          const { checks } = await runIdentityVector(mutated);
          expect(Array.isArray(checks)).toBe(true);
          // A valid vector whose signed content changed must not verify any more.
          const same = JSON.stringify(mutated.input) === JSON.stringify(v.input);
          if (!same && v.expected.verdict === 'verified' && compareToExpected(v, checks).length === 0) {
            // Only changes outside signed data (an unsigned label, or asking about fewer leaves) may keep the verdict.
            expect(path.join('/')).toMatch(/step|label|expect_leaves/);
          }
        },
      ),
      { numRuns: 300, seed: 4242 },
    );
  });
});
