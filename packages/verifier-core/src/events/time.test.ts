import { describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimestamp } from './time.js';

describe('RFC 3339 UTC timestamps', () => {
  it('parses Z timestamps with 0–9 fractional digits at millisecond precision', () => {
    expect(parseTimestamp('2026-11-20T14:03:07Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7));
    expect(parseTimestamp('2026-11-20T14:03:07.125Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7, 125));
    expect(parseTimestamp('2026-11-20T14:03:07.123456789Z')).toBe(Date.UTC(2026, 10, 20, 14, 3, 7, 123));
    expect(formatTimestamp(parseTimestamp('2024-02-29T00:00:00Z'))).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each([
    '2026-11-20T14:03:07+00:00',
    '2026-11-20 14:03:07Z',
    '2026-11-20T14:03:07z',
    '2026-11-20T14:03:07.Z',
    '2026-11-20T14:03:07.1234567890Z',
    '2026-11-20T14:03Z',
    ' 2026-11-20T14:03:07Z',
  ])('rejects the format %s', (s) => {
    expect(() => parseTimestamp(s, '/timestamp')).toThrow(/RFC 3339 UTC/);
  });

  it.each(['2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-11-20T24:00:00Z', '2026-11-20T23:59:60Z'])(
    'rejects the impossible instant %s',
    (s) => {
      expect(() => parseTimestamp(s)).toThrow(/not a real instant/);
    },
  );
});
