import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical.js';
import { type JsonValue, ParsedJsonText, parseStrictJson, parseStrictJsonText } from './strict-parse.js';

/** What the text would be without member `name`, computed the slow way. */
function jcsWithout(v: JsonValue, name: string): string {
  const copy = { ...(v as Record<string, JsonValue>) };
  delete copy[name];
  return canonicalize(copy);
}

describe('parseStrictJsonText: is the text already its RFC 8785 form?', () => {
  it('says so for canonical text and cuts members out of it exactly', () => {
    const text = '{"a":1,"b":[true,null,"x\\n\\"y\\\\"],"signature":{"v":"00"},"z":-2.5e-7}';
    const p = parseStrictJsonText(text);
    expect(p.canonicalText).toBe(text);
    expect(canonicalize(p.value)).toBe(text);
    expect(p.canonicalWithout('a')).toBeUndefined(); // no member named when parsing
    // Only the member named when parsing can be cut: its place is the one known.
    expect(parseStrictJsonText(text, { member: 'a' }).canonicalWithout('z')).toBeUndefined();
    for (const member of ['signature', 'a', 'z', 'b'])
      expect(parseStrictJsonText(text, { member }).canonicalWithout(member)).toBe(
        jcsWithout(p.value, member),
      );
    expect(parseStrictJsonText(text, { member: 'absent' }).canonicalWithout('absent')).toBe(text);
    expect(parseStrictJsonText('{"only":1}', { member: 'only' }).canonicalWithout('only')).toBe('{}');
    // Only a top-level member is cut, never a nested one of the same name.
    const nested = '{"a":{"signature":1},"b":2}';
    expect(parseStrictJsonText(nested, { member: 'signature' }).canonicalWithout('signature')).toBe(nested);
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['members out of order', '{"b":1,"a":2}'],
    ['an escaped solidus', '{"a":"\\/"}'],
    ['a \\u escape of a plain letter', '{"a":"\\u0041"}'],
    ['a number not as ECMAScript prints it', '{"a":1.0}'],
    ['an exponent ECMAScript would not write', '{"a":1e2}'],
    ['negative zero', '{"a":-0}'],
    ['a nested object out of order', '{"a":{"y":1,"x":2}}'],
    ['two trailing newlines', '{"a":1}\n\n'],
    ['a trailing CR LF', '{"a":1}\r\n'],
    ['a leading newline', '\n{"a":1}'],
  ])('says no for %s (the caller re-serializes)', (_what, text) => {
    const p = parseStrictJsonText(text, { member: 'a' });
    expect(p.canonicalText).toBeUndefined();
    expect(p.canonicalWithout('a')).toBeUndefined();
    expect(p.value).toEqual(parseStrictJson(text));
  });

  it("takes a file's one final newline as the end of the canonical text", () => {
    const p = parseStrictJsonText('{"a":1,"signature":2}\n', { member: 'signature' });
    expect(p.canonicalText).toBe('{"a":1,"signature":2}');
    expect(p.canonicalWithout('signature')).toBe('{"a":1}');
  });

  it('orders members by UTF-16 code units, as RFC 8785 does', () => {
    // U+FB01 sorts after U+1F600's high surrogate (0xD83D) in UTF-16, before it in code points.
    expect(parseStrictJsonText('{"\u{1F600}":1,"\uFB01":2}').canonicalText).toBeDefined();
    expect(parseStrictJsonText('{"\uFB01":2,"\u{1F600}":1}').canonicalText).toBeUndefined();
  });

  it('rejects exactly what parseStrictJson rejects', () => {
    for (const bad of ['{"a":1,"a":2}', '{"a":"\\ud800"}', '[1,]', '{"a":1e400}'])
      expect(() => parseStrictJsonText(bad)).toThrow();
  });

  it('cannot be forged: only the parser makes one', () => {
    const fake = { value: { a: 1 }, canonicalText: '{"a":2}', canonicalWithout: () => '{}' };
    expect(ParsedJsonText.isParsed(fake)).toBe(false);
    expect(ParsedJsonText.isParsed(parseStrictJsonText('{"a":1}'))).toBe(true);
  });

  it('never claims a text is canonical when it is not (random documents, both ways)', () => {
    const doc = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    fc.assert(
      fc.property(doc, fc.boolean(), (v, pretty) => {
        const text = pretty ? JSON.stringify(v, null, 1) : JSON.stringify(v);
        let p: ParsedJsonText;
        try {
          p = parseStrictJsonText(text);
        } catch {
          return; // lone surrogates and the like: rejected, as by parseStrictJson
        }
        const jcs = canonicalize(p.value);
        if (p.canonicalText !== undefined) {
          expect(p.canonicalText).toBe(jcs);
          for (const member of Object.keys(p.value as object))
            expect(parseStrictJsonText(text, { member }).canonicalWithout(member)).toBe(
              jcsWithout(p.value, member),
            );
        } else if (!text.includes('\\u')) {
          // Conservative only about \u escapes: any other canonical text is recognized.
          expect(text).not.toBe(jcs);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
