import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/errors.js';
import { LineageError } from '../result.js';
import { parseStrictJson, parseStrictJsonBytes, StrictJsonError } from './strict-parse.js';

const jsonErrorOf = (f: () => unknown): StrictJsonError => errorOf(f, StrictJsonError);

describe('parseStrictJson: accepts RFC 8259 JSON', () => {
  it('parses every kind of value', () => {
    expect(parseStrictJson(' {"a":[1,-2.5e3,true,false,null,"x"],"b":{}, "c":[]}\n')).toEqual({
      a: [1, -2500, true, false, null, 'x'],
      b: {},
      c: [],
    });
    expect(parseStrictJson('0')).toBe(0);
    expect(Object.is(parseStrictJson('-0'), -0)).toBe(true);
    expect(parseStrictJson('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude02"')).toBe('"\\/\b\f\n\r\té😂');
    expect(parseStrictJson('"é😂"')).toBe('é😂');
    expect(parseStrictJson('1E+2')).toBe(100);
    expect(parseStrictJson('5e-324')).toBe(5e-324);
    expect(parseStrictJson('1.7976931348623157e308')).toBe(Number.MAX_VALUE);
    expect(parseStrictJson('0.000e-999')).toBe(0);
  });

  it('agrees with JSON.parse on arbitrary valid JSON', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 8 }), (text) => {
        expect(parseStrictJson(text)).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but StrictJsonError, and never accepts what JSON.parse rejects', () => {
    const arb = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc
        .tuple(fc.json(), fc.nat(), fc.string({ maxLength: 2, unit: 'binary' }))
        .map(([j, n, ins]) => j.slice(0, n % (j.length + 1)) + ins + j.slice(n % (j.length + 1))),
    );
    fc.assert(
      fc.property(arb, (text) => {
        let ours: unknown;
        try {
          ours = parseStrictJson(text);
        } catch (e) {
          expect(e).toBeInstanceOf(StrictJsonError);
          expect((e as StrictJsonError).code).toMatch(/^json\./);
          return;
        }
        expect(ours).toStrictEqual(JSON.parse(text));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps "__proto__" as an own data member, never the prototype', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(jsonErrorOf(() => parseStrictJson('{"__proto__":1,"__proto__":2}')).code).toBe(
      'json.duplicate-key',
    );
  });
});

describe('parseStrictJson: rejects', () => {
  it.each([
    // [name, text, code, JSON pointer, byte offset]
    ['duplicate key', '{"a":1,"a":2}', 'json.duplicate-key', '/a', 7],
    ['escaped-equal duplicate key', '{"a":1,"\\u0061":2}', 'json.duplicate-key', '/a', 7],
    ['duplicate key with surrogate escapes', '{"😂":1,"\\ud83d\\ude02":2}', 'json.duplicate-key', '/😂', 10],
    ['nested duplicate key', '{"x":[{"k":1},{"k":1,"k":2}]}', 'json.duplicate-key', '/x/1/k', 21],
    ['lone escaped high surrogate', '{"s":"\\ud800"}', 'json.lone-surrogate', '/s', 6],
    ['lone escaped low surrogate', '["ok","\\udc00"]', 'json.lone-surrogate', '/1', 7],
    ['escaped high + escaped non-low', '["\\ud800\\u0041"]', 'json.lone-surrogate', '/0', 2],
    ['reversed escaped pair', '["\\ude02\\ud83d"]', 'json.lone-surrogate', '/0', 2],
    ['escaped high + raw low', '["\\ud83d\ude02"]', 'json.lone-surrogate', '/0', 2],
    ['raw lone high surrogate', '["a\ud800"]', 'json.lone-surrogate', '/0', 3],
    ['raw lone low surrogate', '{"k\udc00":1}', 'json.lone-surrogate', '', 3],
    ['1e999', '{"n":1e999}', 'json.number-range', '/n', 5],
    ['-1e400', '[-1e400]', 'json.number-range', '/0', 1],
    ['non-zero underflow', '[1e-400]', 'json.number-range', '/0', 1],
    ['NaN', '[NaN]', 'json.syntax', '/0', 1],
    ['Infinity', '[Infinity]', 'json.syntax', '/0', 1],
    ['-Infinity', '-Infinity', 'json.syntax', '', 1],
    ['leading zero', '[01]', 'json.syntax', '/0', 1],
    ['plus sign', '[+1]', 'json.syntax', '/0', 1],
    ['bare minus', '[-]', 'json.syntax', '/0', 2],
    ['trailing dot', '[1.]', 'json.syntax', '/0', 3],
    ['leading dot', '[.5]', 'json.syntax', '/0', 1],
    ['hex number', '[0x10]', 'json.syntax', '', 2],
    ['empty exponent', '[1e]', 'json.syntax', '/0', 3],
    ['invalid escape \\x', '["\\x41"]', 'json.invalid-escape', '/0', 2],
    ["invalid escape \\'", '["\\\'"]', 'json.invalid-escape', '/0', 2],
    ['short \\u escape', '["\\u12"]', 'json.invalid-escape', '/0', 2],
    ['non-hex \\u escape', '["\\u12g4"]', 'json.invalid-escape', '/0', 2],
    ['raw newline in string', '["a\nb"]', 'json.control-char', '/0', 3],
    ['raw tab in string', '{"k":"\t"}', 'json.control-char', '/k', 6],
    ['raw NUL in key', '{"\u0000":1}', 'json.control-char', '', 2],
    ['trailing garbage', '{} x', 'json.trailing-data', '', 3],
    ['two values', '1 2', 'json.trailing-data', '', 2],
    ['trailing comma in array', '[1,]', 'json.syntax', '/1', 3],
    ['trailing comma in object', '{"a":1,}', 'json.syntax', '', 7],
    ['single quotes', "{'a':1}", 'json.syntax', '', 1],
    ['unquoted key', '{a:1}', 'json.syntax', '', 1],
    ['comment', '[1 /* c */]', 'json.syntax', '', 3],
    ['missing colon', '{"a" 1}', 'json.syntax', '/a', 5],
    ['BOM', '\ufeff{}', 'json.bom', '', 0],
    ['empty input', '', 'json.syntax', '', 0],
    ['whitespace only', ' \n', 'json.syntax', '', 2],
    ['non-JSON whitespace (NBSP)', '\u00a0[]', 'json.syntax', '', 0],
    ['vertical tab', '[1,\u000b2]', 'json.syntax', '/1', 3],
    ['unterminated string', '{"a":"abc', 'json.syntax', '/a', 5],
    ['unterminated array', '[1,2', 'json.syntax', '', 4],
    ['bad literal', '[tru]', 'json.syntax', '/0', 1],
    ['capitalised literal', '[True]', 'json.syntax', '/0', 1],
    ['offset counts UTF-8 bytes', '{"é😂":"x", "é😂":1}', 'json.duplicate-key', '/é😂', 15],
    ['pointer escapes ~ and /', '{"a/b":{"c~d":[0,1e999]}}', 'json.number-range', '/a~1b/c~0d/1', 17],
  ])('%s', (_name, text, code, pointer, offset) => {
    const e = jsonErrorOf(() => parseStrictJson(text));
    expect(e).toBeInstanceOf(LineageError);
    expect({ code: e.code, path: e.path, offset: e.offset }).toEqual({ code, path: pointer, offset });
    expect(e.message).toContain(`at byte ${offset}`);
  });

  it('writes messages that say what was found', () => {
    expect(jsonErrorOf(() => parseStrictJson('{"a":1,"\\u0061":2}')).message).toBe(
      '/a: duplicate member name "a" at byte 7',
    );
    expect(jsonErrorOf(() => parseStrictJson('[1e999]')).message).toBe(
      '/0: number 1e999 overflows an IEEE-754 double at byte 1',
    );
    expect(jsonErrorOf(() => parseStrictJson('[1] x')).message).toContain(
      "unexpected 'x' after the JSON value",
    );
  });
});

describe('limits', () => {
  const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('allows 64 levels by default and rejects 65', () => {
    expect(() => parseStrictJson(nest(64))).not.toThrow();
    const e = jsonErrorOf(() => parseStrictJson(nest(65)));
    expect(e.code).toBe('json.depth');
    expect(e.path).toBe(`/0`.repeat(64));
    expect(e.offset).toBe(64);
    expect(jsonErrorOf(() => parseStrictJson('{"a":{"b":{}}}', { maxDepth: 2 })).path).toBe('/a/b');
  });

  it('rejects a million levels quickly, without a stack overflow', () => {
    expect(jsonErrorOf(() => parseStrictJson(nest(1_000_000))).code).toBe('json.depth');
    expect(jsonErrorOf(() => parseStrictJson('{"a":'.repeat(1_000_000))).code).toBe('json.depth');
  });

  it('limits string length (decoded), keys included', () => {
    expect(parseStrictJson(`"${'a'.repeat(10)}"`, { maxStringLength: 10 })).toHaveLength(10);
    expect(jsonErrorOf(() => parseStrictJson(`["${'a'.repeat(11)}"]`, { maxStringLength: 10 })).code).toBe(
      'json.string-length',
    );
    expect(jsonErrorOf(() => parseStrictJson(`{"${'k'.repeat(11)}":1}`, { maxStringLength: 10 })).code).toBe(
      'json.string-length',
    );
    // Six characters of escape decode to one: the limit is on what is decoded.
    expect(parseStrictJson(`"${'\\u0041'.repeat(10)}"`, { maxStringLength: 10 })).toBe('A'.repeat(10));
  });

  it('limits the document size in UTF-8 bytes', () => {
    expect(parseStrictJson('"éé"', { maxBytes: 6 })).toBe('éé');
    expect(jsonErrorOf(() => parseStrictJson('"ééé"', { maxBytes: 7 })).code).toBe('json.size');
    expect(jsonErrorOf(() => parseStrictJsonBytes(new Uint8Array(9).fill(0x20), { maxBytes: 8 })).code).toBe(
      'json.size',
    );
  });

  it('rejects nonsensical limits', () => {
    expect(() => parseStrictJson('1', { maxDepth: 0 })).toThrow(/positive integer/);
    // A limit given as undefined is the default, not an invalid limit.
    expect(parseStrictJson('[[1]]', { maxDepth: undefined })).toEqual([[1]]);
    expect(() => parseStrictJson('1', { maxDepth: 100_000 })).toThrow(/ceiling/);
  });

  it('handles large inputs in linear time', () => {
    const big = `[${Array.from({ length: 200_000 }, (_, i) => `{"k${i % 7}":"${'x'.repeat(20)}\\n","n":${i}.5}`).join(',')}]`;
    const v = parseStrictJson(big) as unknown[];
    expect(v).toHaveLength(200_000);
    const longString = `"${'\\u00e9'.repeat(500_000)}${'y'.repeat(3_000_000)}"`;
    expect((parseStrictJson(longString) as string).length).toBe(3_500_000);
    const manyKeys = `{${Array.from({ length: 100_000 }, (_, i) => `"${i}":${i}`).join(',')},"5":0}`;
    expect(jsonErrorOf(() => parseStrictJson(manyKeys)).code).toBe('json.duplicate-key');
  });
});

describe('parseStrictJsonBytes', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('parses UTF-8', () => {
    expect(parseStrictJsonBytes(enc('{"é":"😂"}'))).toEqual({ é: '😂' });
  });

  it.each([
    ['BOM', [0xef, 0xbb, 0xbf, 0x7b, 0x7d], 'json.bom', 0],
    ['invalid UTF-8 in a string', [0x22, 0x61, 0xff, 0x22], 'json.utf8', 2],
    ['overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22], 'json.utf8', 1],
    ['CESU-8 surrogate half', [0x22, 0xed, 0xa0, 0x80, 0x22], 'json.utf8', 1],
    ['truncated sequence', [0x22, 0xe2, 0x82], 'json.utf8', 1],
  ])('rejects %s', (_name, bytes, code, offset) => {
    const e = jsonErrorOf(() => parseStrictJsonBytes(Uint8Array.from(bytes)));
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
  });

  it('reports offsets in bytes of the original input', () => {
    const e = jsonErrorOf(() => parseStrictJsonBytes(enc('["€", 1e999]')));
    expect(e.offset).toBe(8);
    expect(e.path).toBe('/1');
  });
});

describe('every refusal carries expected and found (spec §4.9)', () => {
  it.each([
    ['x', 'json.syntax', 'a value', "'x' at byte 0"],
    ['{"a":1,}', 'json.syntax', 'a member name', "'}' at byte 7"],
    [
      '{"a":1,"a":2}',
      'json.duplicate-key',
      'each member name at most once in an object',
      'duplicate member name "a" at byte 7',
    ],
    ['\uFEFF{}', 'json.bom', 'JSON text without a byte order mark (RFC 8259 §8.1)', undefined],
    ['[[[1]]]', 'json.depth', 'at most 2 levels of nesting', 'nesting deeper than 2 levels at byte 2'],
    ['1e999', 'json.number-range', 'a number an IEEE-754 double holds', undefined],
    ['{} x', 'json.trailing-data', 'nothing after the JSON value but white space', undefined],
    ['tru', 'json.syntax', 'JSON text (RFC 8259)', 'invalid literal (expected "true") at byte 0'],
  ])('%j → %s', (text, code, expected, found) => {
    const e = errorOf(() => parseStrictJson(text, { maxDepth: 2 }));
    expect(e).toBeInstanceOf(StrictJsonError);
    expect(e).toMatchObject({ code, expected });
    expect((e as LineageError).found).toBeTruthy();
    if (found !== undefined) expect((e as LineageError).found).toBe(found);
  });
});
