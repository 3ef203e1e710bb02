import { describe, expect, it } from 'vitest';
import { stringifyJsonSafe } from '../src/format.js';
import { writeJsonSafe } from '../src/json-stream.js';

/** [1, <hole>, 3], built at run time (a literal hole is a lint error). */
function holey(): number[] {
  const a = [1];
  a[2] = 3;
  return a;
}

/** Values that exercise every rule JSON.stringify applies, nested in long and short arrays. */
function sample(n: number): unknown {
  const row = (i: number) => ({
    id: `e${i}`,
    n: i / 3,
    big: BigInt(i) * 10n ** 20n,
    bytes: new Uint8Array([i & 255, 1, 2]),
    when: new Date(Date.UTC(2026, 10, 22, 0, 0, i)),
    skipped: undefined,
    fn: () => i,
    nested: { list: [1, undefined, 'x\n"y"', null, Number.NaN], empty: [], none: {} },
  });
  return {
    report: { verdict: 'verified', checks: Array.from({ length: n }, (_, i) => row(i)), empty: [] },
    events: Array.from({ length: n }, (_, i) => [i, `s${i}`, { deep: { deeper: [row(i)] } }]),
    holes: holey(),
    text: 'ünïcödé ✓',
    top: undefined,
  };
}

describe('writeJsonSafe: the JSON report written in pieces', () => {
  it.each([
    [0, 8],
    [3, 8],
    [200, 64],
  ])('joins to exactly stringifyJsonSafe (%i rows, arrays over %i streamed)', (n, over) => {
    const pieces: string[] = [];
    writeJsonSafe((p) => pieces.push(p), sample(n), { chunkSize: 512, streamArraysOver: over });
    const whole = stringifyJsonSafe(sample(n));
    expect(pieces.join('')).toBe(whole);
    if (n === 200) expect(pieces.length).toBeGreaterThan(20);
    // Every piece but the last ends between two elements: a newline per write keeps it JSON.
    for (const p of pieces.slice(0, -1)) expect(p.endsWith(',')).toBe(true);
    expect(JSON.parse(pieces.join('\n'))).toEqual(JSON.parse(whole));
  });

  it('writes scalars and empty containers as JSON.stringify does', () => {
    for (const v of [null, 1, 'a', [], {}, [undefined], new Uint8Array([1]), 12n]) {
      const pieces: string[] = [];
      writeJsonSafe((p) => pieces.push(p), v);
      expect(pieces.join('')).toBe(stringifyJsonSafe(v));
    }
  });
});
