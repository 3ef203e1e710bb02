import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/errors.js';
import { parseUint64, toSafeNumber, toUint64, truncateForMessage, UINT64_MAX } from './decimal.js';

describe('parseUint64', () => {
  it('parses canonical decimals up to 2^64-1', () => {
    expect(parseUint64('0')).toBe(0n);
    expect(parseUint64('16')).toBe(16n);
    expect(parseUint64('9007199254740993')).toBe(9007199254740993n); // 2^53+1: beyond number
    expect(parseUint64('18446744073709551615')).toBe(UINT64_MAX);
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: UINT64_MAX }), (n) => parseUint64(n.toString()) === n));
  });

  it.each([
    ['empty', ''],
    ['leading space', ' 16'],
    ['trailing space', '16 '],
    ['trailing newline', '16\n'],
    ['plus sign', '+16'],
    ['minus sign', '-1'],
    ['negative zero', '-0'],
    ['hex', '0x10'],
    ['octal-looking', '0123'],
    ['double zero', '00'],
    ['binary', '0b1'],
    ['fraction', '1.0'],
    ['exponent', '1e3'],
    ['underscore', '1_000'],
    ['comma', '1,000'],
    ['Arabic-Indic digits', '١٢'],
  ])('rejects %s (BigInt would accept some of these)', (_name, input) => {
    const e = errorOf(() => parseUint64(input, 'tree_size'));
    expect(e.code).toBe('encoding.decimal');
    expect(e.path).toBe('tree_size');
    expect(e.message).toContain('is not a canonical unsigned decimal');
  });

  it('rejects values above 2^64-1', () => {
    expect(errorOf(() => parseUint64('18446744073709551616')).message).toContain('exceeds 2^64-1');
    expect(errorOf(() => parseUint64('99999999999999999999')).message).toContain('exceeds 2^64-1');
    const long = errorOf(() => parseUint64('1'.repeat(5000)));
    expect(long.message).toContain('exceeds 2^64-1 (5000 digits)');
    expect(long.message.length).toBeLessThan(200);
  });

  it('rejects a JSON number that arrives where a string was expected', () => {
    expect(errorOf(() => parseUint64(16 as unknown as string)).message).toContain('found number');
  });
});

describe('toUint64 / toSafeNumber', () => {
  it('accepts in-range values', () => {
    expect(toUint64(0)).toBe(0n);
    expect(toUint64(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
    expect(toUint64(UINT64_MAX)).toBe(UINT64_MAX);
    expect(toSafeNumber(9007199254740991n)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('toUint64 rejects %s', (n) => {
    expect(errorOf(() => toUint64(n)).code).toBe('encoding.range');
  });

  it('rejects bigints outside the ranges', () => {
    expect(errorOf(() => toUint64(-1n)).code).toBe('encoding.range');
    expect(errorOf(() => toUint64(UINT64_MAX + 1n)).code).toBe('encoding.range');
    expect(errorOf(() => toSafeNumber(2n ** 53n)).code).toBe('encoding.range');
    expect(errorOf(() => toSafeNumber(-(2n ** 53n))).code).toBe('encoding.range');
  });

  it('truncates long values in messages', () => {
    expect(truncateForMessage('x'.repeat(100), 10)).toBe('xxxxxxxxxx… (100 chars)');
    expect(truncateForMessage('short')).toBe('short');
  });
});
