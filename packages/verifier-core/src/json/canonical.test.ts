import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../../../test/support/errors.js';
import { vectorPath } from '../../../../test/support/vectors.js';
import { canonicalBytes, canonicalize, canonicalJson } from './canonical.js';
import { type JsonValue, parseStrictJsonText } from './strict-parse.js';

const cyberphone = vectorPath('jcs-rfc8785', 'cyberphone');
const names = readdirSync(join(cyberphone, 'input')).map((f) => f.replace(/\.json$/, ''));

/** [1, <hole>, 3], built at run time (a literal hole is a lint error). */
function holey(): number[] {
  const a = [1];
  a[2] = 3;
  return a;
}

describe('RFC 8785 cyberphone vectors', () => {
  it('has all six pairs', () => {
    expect(names.sort()).toEqual(['arrays', 'french', 'structures', 'unicode', 'values', 'weird']);
  });

  it.each(names)('%s: canonicalJson(input) equals outhex byte for byte', (name) => {
    const input = readFileSync(join(cyberphone, 'input', `${name}.json`), 'utf8');
    const outhex = readFileSync(join(cyberphone, 'outhex', `${name}.txt`), 'utf8')
      .trim()
      .split(/\s+/)
      .join('');
    const expected = readFileSync(join(cyberphone, 'output', `${name}.json`));
    expect(Buffer.from(expected).toString('hex')).toBe(outhex);
    const text = canonicalJson(input);
    expect(Buffer.from(new TextEncoder().encode(text)).toString('hex')).toBe(outhex);
    // Idempotent: the canonical form is its own canonical form.
    expect(canonicalJson(text)).toBe(text);
    // The text-level recognizer knows the expected output is canonical and the input (spaced) is
    // not; it is conservative only about \u escapes, which the output keeps for control characters.
    const recognized = parseStrictJsonText(expected.toString('utf8'));
    if (!text.includes('\\u') && text.startsWith('{')) expect(recognized.canonicalText).toBe(text);
    if (recognized.canonicalText !== undefined) expect(recognized.canonicalText).toBe(text);
    if (input !== text) expect(parseStrictJsonText(input).canonicalText).toBeUndefined();
  });
});

/** Every line is `hex-ieee,expected`: the bit pattern of a double and its JCS serialization. */
function numberLines(file: string): [string, number, string][] {
  const text = readFileSync(vectorPath('jcs-rfc8785', 'es6-numbers', file), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [hex, expected] = line.split(',') as [string, string];
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, BigInt(`0x${hex}`));
      return [hex, view.getFloat64(0), expected];
    });
}

describe.each(['es6testfile-lines-0001-1000.txt', 'es6testfile-lines-2169-2468.txt'])(
  'es6 numbers %s',
  (file) => {
    const lines = numberLines(file);

    it('has every line', () => {
      expect(lines.length).toBe(file.includes('0001-1000') ? 1000 : 300);
    });

    it('value-level canonicalize matches every line', () => {
      const bad = lines.filter(([, v, expected]) => canonicalize(v) !== expected);
      expect(bad).toEqual([]);
    });

    it('text-level canonicalJson of the expected form round-trips every line, also nested', () => {
      const bad = lines.filter(([, , expected]) => canonicalJson(expected) !== expected);
      expect(bad).toEqual([]);
      // Number::toString spellings are recognized as canonical, other spellings not.
      const missed = lines.filter(([, , e]) => parseStrictJsonText(`{"n":${e}}`).canonicalText === undefined);
      expect(missed).toEqual([]);
      const long = lines.filter(([, v, e]) => {
        const alt = v.toPrecision(17).replace('+', '');
        return alt !== e && parseStrictJsonText(`{"n":${alt}}`).canonicalText !== undefined;
      });
      expect(long).toEqual([]);
      const arr = lines.map(([, , e]) => e);
      expect(canonicalJson(`[${arr.join(' , ')}]`)).toBe(`[${arr.join(',')}]`);
    });

    it('parsing a long-form spelling of each value gives the same canonical number', () => {
      // toPrecision(17) is a different but exact spelling of the same double.
      const bad = lines.filter(
        ([, v, expected]) => canonicalJson(v.toPrecision(17).replace('+', '')) !== expected,
      );
      expect(bad).toEqual([]);
    });
  },
);

describe('canonicalize: value-level rules', () => {
  it('sorts keys by UTF-16 code units and keeps array order', () => {
    expect(
      canonicalize({ b: [3, 1, 2], a: { d: 1, c: null }, '': true, '\ud83d\ude02': 1, '\ufb33': 2 }),
    ).toBe('{"":true,"a":{"c":null,"d":1},"b":[3,1,2],"\ud83d\ude02":1,"\ufb33":2}');
    expect(canonicalize(-0)).toBe('0');
    expect(canonicalize('\u007f\u0080\u000f</script>')).toBe('"\u007f\u0080\\u000f</script>"');
  });

  it('keeps a "__proto__" member as data', () => {
    const v = canonicalJson('{"__proto__":{"x":1},"a":2}');
    expect(v).toBe('{"__proto__":{"x":1},"a":2}');
  });

  it('encodes to UTF-8 bytes', () => {
    expect(Array.from(canonicalBytes({ e: '€' }))).toEqual([
      0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d,
    ]);
  });

  it.each([
    ['NaN', { a: [1, Number.NaN] }, 'json.number-range', '/a/1'],
    ['Infinity', { a: Number.POSITIVE_INFINITY }, 'json.number-range', '/a'],
    ['-Infinity', [Number.NEGATIVE_INFINITY], 'json.number-range', '/0'],
    ['undefined member', { a: { b: undefined } }, 'json.not-json', '/a/b'],
    ['undefined element', [undefined], 'json.not-json', '/0'],
    ['function', { f: () => 1 }, 'json.not-json', '/f'],
    ['bigint', { n: 1n }, 'json.not-json', '/n'],
    ['symbol', { s: Symbol('x') }, 'json.not-json', '/s'],
    ['Date', { when: new Date(0) }, 'json.not-json', '/when'],
    ['Uint8Array', { b: new Uint8Array(2) }, 'json.not-json', '/b'],
    ['Map', { m: new Map() }, 'json.not-json', '/m'],
    ['array hole', { h: holey() }, 'json.not-json', '/h/1'],
    ['lone surrogate value', { 'a/b~c': '\ud800' }, 'json.lone-surrogate', '/a~1b~0c'],
    ['lone surrogate key', { '\udc00': 1 }, 'json.lone-surrogate', '/\udc00'],
    ['toJSON function member', { toJSON: () => 'x' }, 'json.not-json', '/toJSON'],
  ])('rejects %s with its path', (_name, value, code, path) => {
    const e = errorOf(() => canonicalize(value as unknown as JsonValue));
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
  });

  it('rejects cycles and over-deep values instead of overflowing the stack', () => {
    const a: JsonValue[] = [];
    a.push(a);
    expect(errorOf(() => canonicalize(a)).message).toContain('circular reference');
    let deep: JsonValue = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expect(errorOf(() => canonicalize(deep)).code).toBe('json.depth');
  });

  it('accepts shared (non-circular) references and null-prototype objects', () => {
    const shared = { x: 1 };
    const o = Object.create(null) as Record<string, JsonValue>;
    o.b = shared;
    o.a = shared;
    expect(canonicalize(o)).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('canonicalJson: strict parse first', () => {
  it.each([
    ['duplicate key', '{"a":1,"a":2}', 'json.duplicate-key'],
    ['escaped-equal duplicate key', '{"a":1,"\\u0061":2}', 'json.duplicate-key'],
    ['lone surrogate', '["\\ud800"]', 'json.lone-surrogate'],
    ['1e999', '{"n":1e999}', 'json.number-range'],
  ])('rejects %s (JSON.parse would accept it)', (_name, text, code) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(errorOf(() => canonicalJson(text)).code).toBe(code);
  });
});
