import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './time.js';

describe('RFC 3339 UTC timestamps', () => {
  it('parses Z timestamps with 0–9 fractional digits at millisecond precision', () => {
    expect(parseTimestamp('2026-11-20T14:03:07Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7));
    expect(parseTimestamp('2026-11-20T14:03:07.125Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7, 125));
    expect(parseTimestamp('2026-11-20T14:03:07.123456789Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7, 123));
    expect(formatTimestamp(parseTimestamp('2024-02-29T00:00:00Z'))).toBe('2024-02-29T00:00:00.000Z');
    expect(formatTimestamp(parseTimestamp('2000-02-29T23:59:59.5Z'))).toBe('2000-02-29T23:59:59.500Z');
    expect(formatTimestamp(parseTimestamp('2026-01-31T00:00:00.07Z'))).toBe('2026-01-31T00:00:00.070Z');
  });

  it('agrees with a Date round trip on random well-formed strings, valid or not', () => {
    // The reference: what Date itself says, with years 0–99 (which Date.UTC maps to 19xx) refused.
    const reference = (s: string): number | 'range' => {
      const [y, mo, d, h, mi, se] = [0, 5, 8, 11, 14, 17].map((i) => Number(s.slice(i, i + (i ? 2 : 4))));
      const t = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!);
      const b = new Date(t);
      const same =
        b.getUTCFullYear() === y &&
        b.getUTCMonth() === mo! - 1 &&
        b.getUTCDate() === d &&
        b.getUTCHours() === h;
      if (!same || b.getUTCMinutes() !== mi || b.getUTCSeconds() !== se || y! < 100) return 'range';
      const frac = /\.(\d+)Z$/.exec(s)?.[1] ?? '';
      return t + Number(frac.slice(0, 3).padEnd(3, '0'));
    };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 61 }),
          fc.option(fc.stringMatching(/^\d{1,9}$/)),
        ),
        ([y, mo, d, h, mi, se, frac]) => {
          const s = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}${frac === null ? '' : `.${frac}`}Z`;
          const want = reference(s);
          if (want === 'range') expect(() => parseTimestamp(s)).toThrow(/not a real instant/);
          else expect(parseTimestamp(s)).toBe(want);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it.each([
    '2026-11-20T14:03:07+00:00',
    '2026-11-20 14:03:07Z',
    '2026-11-20T14:03:07z',
    '2026-11-20T14:03:07.Z',
    '2026-11-20T14:03:07.1234567890Z',
    '2026-11-20T14:03Z',
    ' 2026-11-20T14:03:07Z',
    '2026-11-20T14:03:07Z ',
    '2026-11-20T14:03:07.12aZ',
    '2026-1a-20T14:03:07Z',
    '+2026-11-20T14:03:07Z',
  ])('rejects the format %s', (s) => {
    expect(() => parseTimestamp(s, '/timestamp')).toThrow(/RFC 3339 UTC/);
  });

  it.each([
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-20T24:00:00Z',
    '2026-11-20T23:59:60Z',
    '0050-01-01T00:00:00Z',
  ])('rejects the impossible instant %s', (s) => {
    expect(() => parseTimestamp(s)).toThrow(/not a real instant/);
  });

  it('refuses a missing value with a time.format error naming the field, not a TypeError (found by fuzzing)', () => {
    expect(() => parseTimestamp(undefined as never, 'verifiedAt')).toThrow(
      expect.objectContaining({ code: 'time.format', path: 'verifiedAt', found: 'undefined' }),
    );
  });
});
