import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/errors.js';
import { LineageError } from '../result.js';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from './base64.js';

describe('base64 (RFC 4648 §4, padded)', () => {
  it('agrees with Buffer on every length 0..64 and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const s = toBase64(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(fromBase64(s)).toEqual(b);
      }),
    );
  });

  it('decodes the RFC 4648 §10 test vectors', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, enc] of cases) {
      expect(new TextDecoder().decode(fromBase64(enc))).toBe(plain);
      expect(toBase64(new TextEncoder().encode(plain))).toBe(enc);
    }
  });

  it.each([
    ['missing padding', 'Zg', 'length 2 is not a multiple of 4'],
    ['one pad where two are needed', 'Zg=', 'not a multiple of 4'],
    ['too much padding', 'Zm8==', 'not a multiple of 4'],
    ['three pad chars', 'Z===', "invalid character '='"],
    ['pad in the middle', 'Zg==Zg==', "invalid character '='"],
    ['pad only', '====', "invalid character '='"],
    ['whitespace', 'Zm9v Yg=', 'invalid character U+0020 at offset 4'],
    ['newline (MIME style)', 'Zm9v\nYmFy', 'not a multiple of 4'],
    ['trailing newline', 'Zm9vYmFy\n', 'not a multiple of 4'],
    ['url alphabet in std', 'ab-_', "invalid character '-' at offset 2"],
    ['non-ASCII', 'Zm9vYmF€', 'invalid character U+20AC'],
    ['non-zero trailing bits (1 byte)', 'Zh==', 'non-zero trailing bits'],
    ['non-zero trailing bits (2 bytes)', 'Zm9=', 'non-zero trailing bits'],
    ['impossible 1-char final group', 'Zm9vY===', "invalid character '='"],
  ])('rejects %s', (_name, input, message) => {
    const e = errorOf(() => fromBase64(input, undefined, 'sig'));
    expect(e.code).toBe('encoding.base64');
    expect(e.path).toBe('sig');
    expect(e.message).toContain(message);
  });

  it('shows why: atob and Buffer accept what we reject', () => {
    // Buffer silently ignores garbage and decodes non-canonical trailing bits.
    expect(Buffer.from('Zh==', 'base64')).toEqual(Buffer.from('Zg==', 'base64'));
    expect(Buffer.from('Zm9v Yg', 'base64').toString()).toBe('foob');
    expect(() => fromBase64('Zh==')).toThrow(LineageError);
  });

  it('checks the expected length', () => {
    const e = errorOf(() => fromBase64(toBase64(new Uint8Array(31)), 32, 'key'));
    expect(e.code).toBe('encoding.length');
    expect(e.message).toBe('key: expected 32 bytes, found 31');
  });
});

describe('base64url (RFC 4648 §5, unpadded)', () => {
  it('agrees with Buffer and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const s = toBase64Url(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(fromBase64Url(s)).toEqual(b);
      }),
    );
  });

  it('decodes the RFC 8032 TEST 1 JWK x', () => {
    expect(
      Buffer.from(fromBase64Url('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', 32)).toString('hex'),
    ).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  });

  it.each([
    ['padding', 'Zg==', 'must not be padded'],
    ['impossible length', 'Zm9vY', 'length 5 is impossible'],
    ['std alphabet +', 'a+b/', "invalid character '+'"],
    ['whitespace', 'Zm9 ', 'invalid character U+0020 at offset 3'],
    ['non-zero trailing bits', 'Zh', 'non-zero trailing bits'],
    ['non-zero trailing bits (2 bytes)', 'Zm9', 'non-zero trailing bits'],
  ])('rejects %s', (_name, input, message) => {
    const e = errorOf(() => fromBase64Url(input));
    expect(e.code).toBe('encoding.base64');
    expect(e.message).toContain(message);
  });

  it('rejects non-strings', () => {
    expect(errorOf(() => fromBase64Url(null as unknown as string)).code).toBe('encoding.base64');
    expect(errorOf(() => fromBase64(7 as unknown as string)).code).toBe('encoding.base64');
  });

  it('decodes long input without losing bits', () => {
    const b = new Uint8Array(100_003).map((_, i) => (i * 131) & 0xff);
    expect(fromBase64Url(toBase64Url(b))).toEqual(b);
    expect(fromBase64(toBase64(b))).toEqual(b);
  });
});
