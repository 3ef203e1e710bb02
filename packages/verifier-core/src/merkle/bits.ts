import { toUint64 } from '../encoding/decimal.js';
import { LineageError } from '../result.js';

/**
 * Sizes and indices as they arrive: a number (up to 2^53-1) or a bigint (up to
 * 2^64-1, what RFC 6962 and C2SP checkpoints allow). Internally everything is bigint.
 */
export type Size = number | bigint;

/** Normalises a size or index, turning a bad value into a merkle.invalid_number error. */
export function toSize(n: Size, field: string): bigint {
  try {
    return toUint64(n, field);
  } catch {
    const what = typeof n === 'bigint' || typeof n === 'number' ? String(n) : typeof n;
    throw new LineageError(
      'merkle.invalid_number',
      `${field} is ${what}; expected an integer in 0..2^64-1`,
      field,
    );
  }
}

/** Number of bits needed to write n (bits.Len64 in Go): 0 for 0, 3 for 5. */
export function bitLength(n: bigint): number {
  // Fast path through 32-bit integer math; most trees and indices are below 2^32.
  if (n <= 0xffffffffn) return 32 - Math.clz32(Number(n));
  return n.toString(2).length;
}

/** Number of set bits (bits.OnesCount64). */
export function popCount(n: bigint): number {
  let c = 0;
  for (let x = n; x > 0n; x >>= 32n) {
    let w = Number(x & 0xffffffffn);
    while (w !== 0) {
      w &= w - 1;
      c++;
    }
  }
  return c;
}

/** Number of trailing zero bits (bits.TrailingZeros64); 64 for 0 like Go. */
export function trailingZeros(n: bigint): number {
  if (n === 0n) return 64;
  const s = n.toString(2);
  return s.length - 1 - s.lastIndexOf('1');
}

/** Bit i of n. */
export function bitAt(n: bigint, i: number): boolean {
  return ((n >> BigInt(i)) & 1n) === 1n;
}

/** Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point k. */
export function splitPoint(n: bigint): bigint {
  return 1n << BigInt(bitLength(n - 1n) - 1);
}
