import { describe, expect, it } from 'vitest';
import { HIDDEN_CHARS, revealHidden, revealOneLine, withoutInvisible } from './hidden-chars.js';

const hidden = (cp: number) => revealHidden(String.fromCodePoint(cp)) !== String.fromCodePoint(cp);
const markOf = (cp: number) => `⟨U+${cp.toString(16).toUpperCase().padStart(4, '0')}⟩`;

describe('hidden characters', () => {
  it('covers each range to its edges, and nothing beside it', () => {
    const ranges: [number, number][] = [
      [0x00, 0x08],
      [0x0b, 0x1f],
      [0x7f, 0x9f],
      [0x61c, 0x61c],
      [0x200b, 0x200f],
      [0x2028, 0x202e],
      [0x2060, 0x206f],
      [0xfeff, 0xfeff],
    ];
    for (const [lo, hi] of ranges)
      for (let cp = lo; cp <= hi; cp++) expect(hidden(cp), cp.toString(16)).toBe(true);
    for (const cp of [
      0x09, 0x0a, 0x20, 0x7e, 0xa0, 0xac, 0xae, 0x34e, 0x350, 0x61b, 0x61d, 0x115e, 0x1161, 0x180a, 0x1810,
      0x200a, 0x2010, 0x2027, 0x202f, 0x205f, 0x3000, 0x3163, 0x3165, 0xfdff, 0xfe10, 0xfefe, 0xff9f, 0xffa1,
      0x1d11e, 0x1f600, 0xdffff, 0xe1000,
    ])
      expect(hidden(cp), cp.toString(16)).toBe(false);
  });

  it('shows the characters that draw nothing, astral ones as one mark each', () => {
    const listed: [number, number][] = [
      [0xe0000, 0xe007f], // tag characters
      [0xad, 0xad], // soft hyphen
      [0x115f, 0x1160], // Hangul choseong/jungseong fillers
      [0x3164, 0x3164], // Hangul filler
      [0xffa0, 0xffa0], // halfwidth Hangul filler
      [0x34f, 0x34f], // combining grapheme joiner
      [0xfe00, 0xfe0f], // variation selectors
      [0xe0100, 0xe01ef], // variation selectors supplement
      [0x180b, 0x180f], // Mongolian free variation selectors, vowel separator
      [0x17b4, 0x17b5], // Khmer inherent vowels
      [0xfff9, 0xfffb], // interlinear annotation marks (format characters that hide text)
    ];
    for (const [lo, hi] of listed)
      for (let cp = lo; cp <= hi; cp++)
        expect(revealHidden(`a${String.fromCodePoint(cp)}b`), cp.toString(16)).toBe(`a${markOf(cp)}b`);
    expect(revealHidden('Pay\u00adroll \u{e0041}\u{e0042}run')).toBe('Pay⟨U+00AD⟩roll ⟨U+E0041⟩⟨U+E0042⟩run');
  });

  it('no exception for emoji sequences: a joiner or variation selector inside one is shown too', () => {
    expect(revealHidden('⚠\ufe0f 👩\u200d💻')).toBe('⚠⟨U+FE0F⟩ 👩⟨U+200D⟩💻');
  });

  it('what a name comparison ignores is exactly what the reader is shown as a mark, controls apart', () => {
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const c = String.fromCodePoint(cp);
      const ignored = withoutInvisible(c) === '';
      const control = cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029;
      if (ignored !== (hidden(cp) && !control))
        expect.fail(`U+${cp.toString(16)}: ignored ${ignored}, shown as a mark ${hidden(cp)}`);
      if (hidden(cp)) expect(revealHidden(c)).toBe(markOf(cp));
    }
    expect(withoutInvisible('Ra\u{e0041}j\u200b Pa\u00adtel\n')).toBe('Raj Patel\n');
  });

  it('shows each as ⟨U+XXXX⟩ and leaves the rest as it is', () => {
    expect(revealHidden('ok\u202Eevil\u200B\u0007\u001b[2J')).toBe(
      'ok⟨U+202E⟩evil⟨U+200B⟩⟨U+0007⟩⟨U+001B⟩[2J',
    );
    expect(revealHidden('✓ Verified — tab\tand\nnewline, 𝄞')).toBe('✓ Verified — tab\tand\nnewline, 𝄞');
  });

  it('on one line, tab and newline are shown as marks too', () => {
    expect(revealOneLine('Scan\n✓ Passed\t\u{e0041}\u202e')).toBe(
      'Scan⟨U+000A⟩✓ Passed⟨U+0009⟩⟨U+E0041⟩⟨U+202E⟩',
    );
  });

  it('the shared pattern is global and keeps no state between uses', () => {
    expect(HIDDEN_CHARS.global).toBe(true);
    expect(HIDDEN_CHARS.unicode).toBe(true);
    expect(revealHidden('\u202e')).toBe('⟨U+202E⟩');
    expect(revealHidden('\u202e')).toBe('⟨U+202E⟩');
  });
});
