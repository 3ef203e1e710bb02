import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringifyJsonInPieces } from './stringify-pieces.js';

const pieces = (value: unknown, options = {}) => {
  const out: string[] = [];
  stringifyJsonInPieces((p) => out.push(p), value, options);
  return out;
};

describe('JSON in pieces', () => {
  it('joins to exactly JSON.stringify(value, null, 2), in bounded pieces', () => {
    const value = {
      report: {
        checks: Array.from({ length: 5000 }, (_, i) => ({
          id: `c${i}`,
          at: new Date(Date.UTC(2026, 10, 22, 0, 0, i % 60)),
          skipped: undefined,
          nested: { list: [i, null, 'x\n"y"', undefined], deep: Array.from({ length: 100 }, (_, k) => k) },
        })),
      },
      text: 'ünïcödé ✓ 𝄞',
      none: undefined,
    };
    const out = pieces(value, { chunkSize: 4096 });
    expect(out.join('')).toBe(JSON.stringify(value, null, 2));
    expect(out.length).toBeGreaterThan(100);
    expect(Math.max(...out.map((p) => p.length))).toBeLessThan(3 * 4096);
  });

  it('agrees with JSON.stringify on arbitrary JSON values and a replacer', () => {
    const replacer = function (this: unknown, _key: string, v: unknown) {
      return typeof v === 'number' ? v * 2 : v;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(pieces(v, { chunkSize: 16, streamArraysOver: 2 }).join('')).toBe(JSON.stringify(v, null, 2));
        expect(pieces(v, { chunkSize: 16, streamArraysOver: 2, replacer }).join('')).toBe(
          JSON.stringify(v, replacer, 2),
        );
      }),
      { numRuns: 300 },
    );
  });
});
