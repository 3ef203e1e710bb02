import { LineageError } from '../result.js';

export const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Canonical unsigned decimal: digits only, no sign, no spaces, no leading zeros
 * (except "0"), at most 2^64-1. `BigInt()` alone accepts '', ' 16', '+16', '0x10'.
 */
export function parseUint64(s: string, field = 'number'): bigint {
  // A JSON number (or anything else) must not slip through via regex coercion.
  if (typeof s !== 'string') {
    throw new LineageError('encoding.decimal', `expected a decimal string, found ${typeof s}`, field);
  }
  if (!/^(0|[1-9][0-9]*)$/.test(s)) {
    throw new LineageError(
      'encoding.decimal',
      `"${truncateForMessage(s)}" is not a canonical unsigned decimal`,
      field,
    );
  }
  if (s.length > 20) {
    throw new LineageError(
      'encoding.decimal',
      `${truncateForMessage(s)} exceeds 2^64-1 (${s.length} digits)`,
      field,
    );
  }
  const n = BigInt(s);
  if (n > UINT64_MAX) throw new LineageError('encoding.decimal', `${s} exceeds 2^64-1`, field);
  return n;
}

/** Converts a bigint to number when it is exactly representable, else throws. */
export function toSafeNumber(n: bigint, field = 'number'): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new LineageError('encoding.range', `${n} is outside ±(2^53-1)`, field);
  }
  return Number(n);
}

/** Accepts number | bigint and returns a bigint, rejecting negative, fractional and unsafe numbers. */
export function toUint64(n: number | bigint, field = 'number'): bigint {
  if (typeof n === 'bigint') {
    if (n < 0n || n > UINT64_MAX)
      throw new LineageError('encoding.range', `${n} is outside 0..2^64-1`, field);
    return n;
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new LineageError('encoding.range', `${n} is not a non-negative safe integer`, field);
  }
  return BigInt(n);
}

export function truncateForMessage(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
}
