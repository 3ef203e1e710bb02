import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineageError } from '../result.js';
import {
  bytesEqual,
  concatBytes,
  firstInvalidUtf8,
  readUint64BE,
  uint64BE,
  utf8DecodeStrict,
  utf8Encode,
} from './bytes.js';

describe('bytes', () => {
  it('concatenates and compares', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });

  it('writes and reads uint64 big-endian, rejecting values that would wrap', () => {
    expect(uint64BE(0x0102030405060708n)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(readUint64BE(Uint8Array.of(9, 1, 2, 3, 4, 5, 6, 7, 8), 1)).toBe(0x0102030405060708n);
    expect(uint64BE(2n ** 64n - 1n)).toEqual(new Uint8Array(8).fill(255));
    expect(() => uint64BE(-1n)).toThrow(LineageError);
    expect(() => uint64BE(2n ** 64n)).toThrow(/outside 0..2\^64-1/);
    expect(() => readUint64BE(new Uint8Array(7))).toThrow(/need 8 bytes at offset 0, have 7/);
  });
});

describe('utf8DecodeStrict', () => {
  it('round-trips well-formed strings, including astral characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(utf8DecodeStrict(utf8Encode(s))).toBe(s);
        expect(firstInvalidUtf8(utf8Encode(s))).toBe(-1);
      }),
    );
  });

  it('keeps a BOM so a strict parser can reject it', () => {
    expect(utf8DecodeStrict(Uint8Array.of(0xef, 0xbb, 0xbf, 0x31))).toBe('\ufeff1');
  });

  it.each([
    ['lone continuation byte', [0x41, 0x80], 1],
    ['overlong "/" (C0 AF)', [0xc0, 0xaf], 0],
    ['overlong 3-byte (E0 80 AF)', [0x20, 0xe0, 0x80, 0xaf], 1],
    ['encoded surrogate U+D800 (ED A0 80)', [0xed, 0xa0, 0x80], 0],
    ['above U+10FFFF (F4 90 80 80)', [0xf4, 0x90, 0x80, 0x80], 0],
    ['F5 lead byte', [0xf5, 0x80, 0x80, 0x80], 0],
    ['truncated 2-byte', [0x61, 0x62, 0xc3], 2],
    ['truncated 4-byte', [0xf0, 0x9f, 0x98], 0],
    ['FF byte', [0xff], 0],
  ])('rejects %s at the right byte', (_name, bytes, at) => {
    const input = Uint8Array.from(bytes);
    expect(firstInvalidUtf8(input)).toBe(at);
    try {
      utf8DecodeStrict(input, 'doc');
      throw new Error('accepted invalid UTF-8');
    } catch (e) {
      expect(e).toBeInstanceOf(LineageError);
      expect((e as LineageError).code).toBe('encoding.utf8');
      expect((e as LineageError).message).toBe(`doc: invalid UTF-8 at byte ${at} of ${input.length}`);
    }
  });
});
