import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nativeCrc32 } from '#native-inflate';
import { Crc32 } from './crc32.js';

describe('Crc32 (slicing-by-8)', () => {
  const b = new Uint8Array(100_003).map((_, i) => (Math.imul(i, 2654435761) >>> 24) & 0xff);
  it.each([0, 1, 7, 8, 9, 1000, 100_003])('equals zlib for %i bytes', (n) => {
    const c = new Crc32();
    c.update(b.subarray(0, n));
    expect(c.digest()).toBe(crc32(b.subarray(0, n)));
  });
  it('is the same fed in uneven chunks', () => {
    const c = new Crc32();
    for (const [s, e] of [
      [0, 5],
      [5, 13],
      [13, 70_001],
      [70_001, 100_003],
    ] as const)
      c.update(b.subarray(s, e));
    expect(c.digest()).toBe(crc32(b));
    expect(c.digest()).not.toBe(crc32(b.subarray(1)));
  });
});

describe('the platform CRC-32 the zip reader prefers under Node', () => {
  it('continues across chunks and agrees with the table code', () => {
    expect(nativeCrc32).toBeTypeOf('function');
    const b = new Uint8Array(50_001).map((_, i) => (Math.imul(i, 40503) >>> 8) & 0xff);
    let v = 0;
    for (const [s, e] of [
      [0, 3],
      [3, 20_000],
      [20_000, 50_001],
    ] as const)
      v = nativeCrc32!(b.subarray(s, e), v);
    const c = new Crc32();
    c.update(b);
    expect(v).toBe(c.digest());
  });
});
