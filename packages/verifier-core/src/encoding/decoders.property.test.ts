import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../events/time.js';
import { LineageError } from '../result.js';
import { fromBase64, fromBase64Url, toBase64, toBase64Url } from './base64.js';
import { utf8DecodeStrict } from './bytes.js';
import { parseUint64 } from './decimal.js';
import { fromHex, fromHexLower, toHex } from './hex.js';

/**
 * Property tests of the text decoders every wire format uses (base64, base64url, hex, uint64
 * decimals, RFC 3339 timestamps, strict UTF-8): any string decodes to the one value whose
 * canonical encoding it is, or throws a LineageError naming the field; never another error.
 */
const FIELD = '/some/field';

function decodeOrError<T>(f: () => T, input: unknown): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof LineageError))
      throw new Error(`non-structured error for ${JSON.stringify(input)}: ${e}`);
    expect(e.path).toBe(FIELD);
    return undefined;
  }
}

const anyChar = fc.oneof(
  fc.constantFrom(...'AZaz09+/-_=. \n\t:TZ'.split(''), '\0', '\ufeff', '\ud800', '\udc00', 'é', '٣', '０'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const anyText = fc.array(anyChar, { maxLength: 40 }).map((a) => a.join(''));

describe('text decoders on hostile input (fast-check)', () => {
  it('base64 / base64url / hex: decode only canonical encodings, refuse the rest with a LineageError', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fc.uint8Array({ maxLength: 40 }).map(toBase64), fc.uint8Array().map(toHex)),
        (s) => {
          const b = decodeOrError(() => fromBase64(s, undefined, FIELD), s);
          if (b) expect(toBase64(b)).toBe(s);
          const u = decodeOrError(() => fromBase64Url(s, undefined, FIELD), s);
          if (u) expect(toBase64Url(u)).toBe(s);
          const h = decodeOrError(() => fromHexLower(s, undefined, FIELD), s);
          if (h) expect(toHex(h)).toBe(s);
          const H = decodeOrError(() => fromHex(s, undefined, FIELD), s);
          if (H) expect(toHex(H)).toBe(s.toLowerCase());
          decodeOrError(() => fromBase64(s, 32, FIELD), s);
          decodeOrError(() => fromHex(s, 32, FIELD), s);
        },
      ),
      { numRuns: 4000, seed: 4648 },
    );
  });

  it('base64 of any bytes with one character changed never decodes to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), anyChar, (bytes, pos, c) => {
        const s = toBase64(bytes);
        const i = pos % s.length;
        const t = s.slice(0, i) + c + s.slice(i + 1);
        if (t === s) return;
        const d = decodeOrError(() => fromBase64(t, undefined, FIELD), t);
        if (d) expect(toHex(d)).not.toBe(toHex(bytes));
      }),
      { numRuns: 2000, seed: 6 },
    );
  });

  it('uint64 decimals: canonical digits only, at most 2^64-1', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.bigInt({ min: 0n, max: 1n << 70n }).map(String),
          fc.nat().map((n) => `0${n}`),
        ),
        (s) => {
          const n = decodeOrError(() => parseUint64(s, FIELD), s);
          if (n !== undefined) {
            expect(String(n)).toBe(s);
            expect(n <= (1n << 64n) - 1n).toBe(true);
          }
        },
      ),
      { numRuns: 3000, seed: 64 },
    );
    expect(() => parseUint64('9'.repeat(1_000_000), FIELD)).toThrow(LineageError);
  });

  it('RFC 3339 timestamps: a real UTC instant or a time.* LineageError, never NaN', () => {
    const nearValid = fc
      .tuple(
        fc.date({ min: new Date('0100-01-01Z'), max: new Date('9999-12-31Z'), noInvalidDate: true }),
        fc.nat(),
        anyChar,
      )
      .map(([d, pos, c]) => {
        const s = d.toISOString();
        const i = pos % (s.length + 1);
        return pos % 3 === 0 ? s : s.slice(0, i) + c + s.slice(i + 1);
      });
    fc.assert(
      fc.property(fc.oneof(anyText, nearValid), (s) => {
        try {
          const ms = parseTimestamp(s, FIELD);
          expect(Number.isFinite(ms)).toBe(true);
          // The instant read is the one written (to the millisecond).
          expect(new Date(ms).toISOString().slice(0, 19)).toBe(s.slice(0, 19));
        } catch (e) {
          if (!(e instanceof LineageError))
            throw new Error(`non-structured error for ${JSON.stringify(s)}: ${e}`);
          expect(e.code).toMatch(/^time\.(format|range)$/);
          expect(e.path).toBe(FIELD);
        }
      }),
      { numRuns: 4000, seed: 3339 },
    );
  });

  it('strict UTF-8: arbitrary bytes decode to what they encode or throw a LineageError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const s = decodeOrError(() => utf8DecodeStrict(bytes, FIELD), [...bytes]);
        if (s !== undefined) expect([...new TextEncoder().encode(s)]).toEqual([...bytes]);
      }),
      { numRuns: 3000, seed: 8 },
    );
  });

  it('non-string inputs (a parsed JSON value of the wrong type) are LineageErrors too', () => {
    for (const v of [null, 1, true, [], {}, undefined]) {
      decodeOrError(() => fromBase64(v as never, undefined, FIELD), v);
      decodeOrError(() => fromBase64Url(v as never, undefined, FIELD), v);
      decodeOrError(() => fromHex(v as never, undefined, FIELD), v);
      decodeOrError(() => fromHexLower(v as never, undefined, FIELD), v);
      decodeOrError(() => parseUint64(v as never, FIELD), v);
      decodeOrError(() => parseTimestamp(v as never, FIELD), v);
    }
  });
});
