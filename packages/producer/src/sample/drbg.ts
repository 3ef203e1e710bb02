import { concatBytes, sha256, uint64BE, utf8Encode } from '@lineage/verifier-core';

/**
 * Deterministic byte stream from a seed and a label: SHA-256(seed ‖ 0x00 ‖ label ‖ 0x00 ‖ counter).
 * Used only to make the sample reproducible (keys, salts, data); never for real secrets.
 */
export class Drbg {
  private counter = 0n;
  private readonly prefix: Uint8Array;
  constructor(seed: string, label: string) {
    this.prefix = concatBytes(utf8Encode(seed), Uint8Array.of(0), utf8Encode(label), Uint8Array.of(0));
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let o = 0; o < n; o += 32) {
      const block = sha256(concatBytes(this.prefix, uint64BE(this.counter++)));
      out.set(block.subarray(0, Math.min(32, n - o)), o);
    }
    return out;
  }
  /** Uniform-ish integer in [0, n). */
  int(n: number): number {
    const b = this.bytes(4);
    return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

/** A 32-byte secret derived from the seed for one named key. */
export function seededKey(seed: string, name: string): Uint8Array {
  return new Drbg(seed, `key:${name}`).bytes(32);
}
