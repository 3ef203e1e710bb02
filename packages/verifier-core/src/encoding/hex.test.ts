import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/errors.js';
import { fromHex, fromHexLower, toHex } from './hex.js';

describe('hex', () => {
  it('round-trips arbitrary bytes and agrees with Buffer on valid input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const h = toHex(b);
        expect(h).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(h)).toEqual(b);
        expect(fromHex(h.toUpperCase())).toEqual(b);
      }),
    );
  });

  it('encodes inputs larger than its scratch buffer, and successive calls do not share output', () => {
    const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 255);
    expect(toHex(big)).toBe(Buffer.from(big).toString('hex'));
    const a = toHex(Uint8Array.of(1, 2));
    const b = toHex(Uint8Array.of(3, 4));
    expect([a, b]).toEqual(['0102', '0304']);
    expect(toHex(new Uint8Array(0))).toBe('');
  });

  it('decodes known values', () => {
    expect(fromHex('')).toEqual(new Uint8Array());
    expect(fromHex('00ff10Aa')).toEqual(Uint8Array.of(0, 255, 16, 170));
    expect(toHex(Uint8Array.of(0, 1, 254, 255))).toBe('0001feff');
  });

  it.each([
    ['odd length', 'abc', 'odd number of hex digits (3)'],
    ['0x prefix', '0x10', 'non-hex character "x" at offset 1'],
    ['whitespace', 'ab cde', 'non-hex character " " at offset 2'],
    ['trailing newline', 'abcd\n', 'odd number'],
    ['leading space', ' abc', 'non-hex character " " at offset 0'],
    ['letter g', 'g0', 'non-hex character "g" at offset 0'],
    ['sign', '-1', 'non-hex character "-" at offset 0'],
    ['full-width digit', '０1', 'offset 0'],
  ])('rejects %s', (_name, input, message) => {
    const e = errorOf(() => fromHex(input, undefined, 'field.x'));
    expect(e.code).toBe('encoding.hex');
    expect(e.path).toBe('field.x');
    expect(e.message).toContain(message);
  });

  it('rejects the wrong length with both numbers in the message', () => {
    const e = errorOf(() => fromHex('00'.repeat(31), 32, 'publicKey'));
    expect(e.code).toBe('encoding.length');
    expect(e.message).toBe('publicKey: expected 32 bytes, found 31');
    expect(fromHex('00'.repeat(32), 32)).toHaveLength(32);
  });

  it('rejects non-strings that arrive from untyped JSON', () => {
    expect(errorOf(() => fromHex(1234 as unknown as string)).code).toBe('encoding.hex');
  });

  it('fromHexLower accepts only the canonical lowercase spelling', () => {
    expect(fromHexLower('00ff', 2)).toEqual(Uint8Array.of(0, 255));
    const e = errorOf(() => fromHexLower('00fF', 2, 'leaf_hash'));
    expect(e.code).toBe('encoding.hex');
    expect(e.message).toBe('leaf_hash: uppercase hex digit "F" at offset 3');
    expect(errorOf(() => fromHexLower('0g')).message).toContain('non-hex character "g" at offset 1');
    expect(errorOf(() => fromHexLower('00', 2)).code).toBe('encoding.length');
  });
});
