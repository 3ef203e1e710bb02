import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.js';
import {
  type JsonValue,
  parseStrictJson,
  parseStrictJsonBytes,
  parseStrictJsonText,
  StrictJsonError,
} from './strict-parse.js';

/**
 * Property tests of the strict parser on hostile text: every input either parses or throws a
 * StrictJsonError with a documented code, a JSON pointer and an offset inside the input; never
 * a TypeError or RangeError (stack overflow). Inputs are size-capped, so no case can run long.
 */
const CODES = new Set([
  'json.syntax',
  'json.bom',
  'json.trailing-data',
  'json.duplicate-key',
  'json.lone-surrogate',
  'json.invalid-escape',
  'json.control-char',
  'json.number-range',
  'json.depth',
  'json.string-length',
  'json.size',
  'json.utf8',
]);
const enc = new TextEncoder();

/** Parses, and if it throws, checks the error is a documented StrictJsonError; returns the value or undefined. */
function strict(text: string): JsonValue | undefined {
  try {
    return parseStrictJson(text);
  } catch (e) {
    if (!(e instanceof StrictJsonError)) throw new Error(`non-structured error for ${show(text)}: ${e}`);
    expect(CODES).toContain(e.code);
    expect(e.path === '' || e.path?.startsWith('/')).toBe(true);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(enc.encode(text).length);
    return undefined;
  }
}

function show(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

/** Characters that matter to a JSON scanner, plus any UTF-16 code unit (lone surrogates included). */
const jsonChar = fc.oneof(
  fc.constantFrom(...'{}[]:,"\\/ \t\n\r0123456789-+.eEtrufalsn'.split(''), '\u2028', '\ufeff', '\0'),
  fc.constantFrom('\\u', '\\ud800', '\\udc00', '\\ud800\\udc00', 'true', 'null', '1e400', '1e-400'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
const jsonish = fc.array(jsonChar, { maxLength: 80 }).map((a) => a.join(''));

describe('strict JSON parser on hostile input (fast-check)', () => {
  it('arbitrary text only ever parses or throws a documented StrictJsonError', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        const v = strict(text);
        // Strictness: whatever it accepts, JSON.parse accepts with the same meaning.
        if (v !== undefined) expect(v).toEqual(JSON.parse(text));
      }),
      { numRuns: 3000, seed: 20261122 },
    );
  });

  it('valid documents parse to what JSON.parse gives, and a "canonical" text is exactly JCS(value)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const v = strict(text);
        const reference = JSON.parse(text) as unknown;
        if (v === undefined) {
          // Only rules beyond RFC 8259 may reject what JSON.parse takes.
          expect(() => parseStrictJson(text)).toThrow(
            expect.objectContaining({
              code: expect.stringMatching(/^json\.(duplicate-key|lone-surrogate|number-range)$/),
            }),
          );
          return;
        }
        expect(v).toEqual(reference);
        const parsed = parseStrictJsonText(text);
        if (parsed.canonicalText !== undefined) expect(parsed.canonicalText).toBe(canonicalize(v));
        // The canonical form of any accepted value is itself accepted and flagged canonical (when an object).
        const jcs = canonicalize(v);
        const again = parseStrictJsonText(jcs);
        expect(again.value).toEqual(v);
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) expect(again.canonicalText).toBe(jcs);
      }),
      { numRuns: 1500, seed: 8785 },
    );
  });

  it('mutated valid documents (flip, truncate, duplicate, insert) never crash and are never looser than JSON.parse', () => {
    const mutation = fc.record({
      kind: fc.constantFrom('flip', 'truncate', 'duplicate', 'insert', 'delete'),
      at: fc.nat(),
      len: fc.nat({ max: 12 }),
      snippet: jsonish,
    });
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), mutation, (text, m) => {
        const i = text.length === 0 ? 0 : m.at % text.length;
        let t: string;
        switch (m.kind) {
          case 'flip':
            t =
              text.slice(0, i) +
              String.fromCharCode(text.charCodeAt(i) ^ (1 + (m.len % 127))) +
              text.slice(i + 1);
            break;
          case 'truncate':
            t = text.slice(0, i);
            break;
          case 'duplicate':
            t = text.slice(0, i + m.len) + text.slice(i);
            break;
          case 'delete':
            t = text.slice(0, i) + text.slice(i + 1 + m.len);
            break;
          default:
            t = text.slice(0, i) + m.snippet + text.slice(i);
        }
        const v = strict(t);
        let loose: unknown;
        let looseOk = true;
        try {
          loose = JSON.parse(t);
        } catch {
          looseOk = false;
        }
        if (v !== undefined) {
          expect(looseOk).toBe(true);
          expect(v).toEqual(loose);
        }
      }),
      { numRuns: 3000, seed: 7493 },
    );
  });

  it('arbitrary bytes only ever parse or throw a documented StrictJsonError (json.utf8 at the first bad byte)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          parseStrictJsonBytes(bytes);
          parseStrictJsonBytesTextOk(bytes);
        } catch (e) {
          if (!(e instanceof StrictJsonError)) throw new Error(`non-structured error for ${bytes}: ${e}`);
          expect(CODES).toContain(e.code);
          expect(e.offset).toBeLessThanOrEqual(bytes.length);
        }
      }),
      { numRuns: 3000, seed: 3629 },
    );
  });

  it.each([
    ['100k nested arrays', '['.repeat(100_000), 'json.depth'],
    ['100k nested objects', '{"a":'.repeat(100_000), 'json.depth'],
    ['1000 nested arrays, closed', `${'['.repeat(1000)}${']'.repeat(1000)}`, 'json.depth'],
    ['a 1M-digit integer', '9'.repeat(1_000_000), 'json.number-range'],
    ['a 1M-digit exponent', `1e${'9'.repeat(1_000_000)}`, 'json.number-range'],
    ['a tiny non-zero', `0.${'0'.repeat(1_000_000)}1`, 'json.number-range'],
    ['a 9M-character string', `"${'a'.repeat(9 * 1024 * 1024)}"`, 'json.string-length'],
    ['100k escapes of a high surrogate', `"${'\\ud800'.repeat(100_000)}"`, 'json.lone-surrogate'],
    ['a raw lone surrogate', '"\ud800"', 'json.lone-surrogate'],
    ['a raw low surrogate first', '"\udc00\ud800"', 'json.lone-surrogate'],
    ['a BOM', '\ufeff{}', 'json.bom'],
    ['a NUL in a string', '"a\0b"', 'json.control-char'],
    ['a NUL after the value', '{}\0', 'json.trailing-data'],
    ['100k members named the same', `{${'"a":1,'.repeat(100_000)}"a":1}`, 'json.duplicate-key'],
    ['"__proto__" twice', '{"__proto__":1,"__proto__":2}', 'json.duplicate-key'],
    ['an unterminated 1M string', `"${'\\n'.repeat(500_000)}`, 'json.syntax'],
  ])('%s is a %s error, not a crash', (_name, text, code) => {
    expect(() => parseStrictJson(text)).toThrow(expect.objectContaining({ code }));
    expect(() => parseStrictJson(text)).toThrow(StrictJsonError);
  });

  it('a 100k-element flat array and 100k members parse (width is not depth)', () => {
    expect((parseStrictJson(`[${'0,'.repeat(99_999)}0]`) as JsonValue[]).length).toBe(100_000);
    const members = Array.from({ length: 100_000 }, (_, i) => `"k${i}":${i}`).join(',');
    expect(Object.keys(parseStrictJson(`{${members}}`) as object).length).toBe(100_000);
  });

  it('"__proto__", "constructor" and "toString" are plain own members', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":1},"constructor":2,"toString":3}') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function parseStrictJsonBytesTextOk(bytes: Uint8Array): void {
  // Same bytes through the text-keeping reader: same verdict, same value.
  const a = parseStrictJsonBytes(bytes);
  const b = parseStrictJsonText(new TextDecoder().decode(bytes));
  expect(b.value).toEqual(a);
}
