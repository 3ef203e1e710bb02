import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VECTORS_DIR } from './generate-vectors.paths.js';
import { WORKED_EXAMPLE_BEGIN, WORKED_EXAMPLE_END, workedExample } from './worked-example.js';

describe('spec §4.12 worked example', () => {
  it('the spec text equals what the producer generates today', () => {
    const spec = readFileSync(resolve(VECTORS_DIR, '../../spec/04-identity-and-lineage.md'), 'utf8');
    const start = spec.indexOf(WORKED_EXAMPLE_BEGIN);
    const end = spec.indexOf(WORKED_EXAMPLE_END);
    expect(start).toBeGreaterThan(0);
    expect(spec.slice(start, end + WORKED_EXAMPLE_END.length)).toBe(workedExample());
  });
});
