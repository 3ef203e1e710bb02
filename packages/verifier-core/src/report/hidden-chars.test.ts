import { describe, expect, it } from 'vitest';
import { HIDDEN_CHARS, revealHidden } from './hidden-chars.js';

const hidden = (cp: number) => revealHidden(String.fromCodePoint(cp)) !== String.fromCodePoint(cp);

describe('hidden characters', () => {
  it('covers each range to its edges, and nothing beside it', () => {
    const ranges: [number, number][] = [
      [0x00, 0x08],
      [0x0b, 0x1f],
      [0x7f, 0x9f],
      [0x61c, 0x61c],
      [0x200b, 0x200f],
      [0x2028, 0x202e],
      [0x2060, 0x2069],
      [0xfeff, 0xfeff],
    ];
    for (const [lo, hi] of ranges)
      for (let cp = lo; cp <= hi; cp++) expect(hidden(cp), cp.toString(16)).toBe(true);
    for (const cp of [
      0x09, 0x0a, 0x20, 0x7e, 0xa0, 0x61b, 0x61d, 0x200a, 0x2010, 0x2027, 0x202f, 0x205f, 0x206a, 0xfefe,
      0x1d11e,
    ])
      expect(hidden(cp), cp.toString(16)).toBe(false);
  });

  it('shows each as ⟨U+XXXX⟩ and leaves the rest as it is', () => {
    expect(revealHidden('ok\u202Eevil\u200B\u0007\u001b[2J')).toBe(
      'ok⟨U+202E⟩evil⟨U+200B⟩⟨U+0007⟩⟨U+001B⟩[2J',
    );
    expect(revealHidden('✓ Verified — tab\tand\nnewline, 𝄞')).toBe('✓ Verified — tab\tand\nnewline, 𝄞');
  });

  it('the shared pattern is global and keeps no state between uses', () => {
    expect(HIDDEN_CHARS.global).toBe(true);
    expect(revealHidden('\u202e')).toBe('⟨U+202E⟩');
    expect(revealHidden('\u202e')).toBe('⟨U+202E⟩');
  });
});
