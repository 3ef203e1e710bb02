/**
 * Text from a document under verification is shown to people (CLI, HTML report, desktop,
 * extension) and compared with names people trust (a card name against pinned approvers).
 * Characters that draw nothing, change direction or drive a terminal could make it pose as our
 * verdict, reorder what the reader sees, or make two different names look the same, so every host
 * shows them as visible marks and comparisons ignore the invisible ones. One rule here; each host
 * picks its visible form.
 */

/**
 * Characters that draw nothing of their own: Unicode's Default_Ignorable_Code_Point (zero-width
 * characters, bidi controls, soft hyphen, combining grapheme joiner, Hangul fillers, Mongolian
 * vowel separator, variation selectors, tag characters, and the code points reserved for more of
 * them) and the other format characters (Cf: they change how their neighbours are drawn, as the
 * interlinear annotation marks hide text). Taken from the Unicode properties, not a hand list, so
 * none is missed. No exception for emoji sequences: a ZWJ or variation selector inside one is
 * shown as a mark too (a run of variation selectors after an emoji is how text is smuggled).
 */
const INVISIBLE = String.raw`\p{Default_Ignorable_Code_Point}\p{Cf}`;
/** C0/C1 controls (terminal escapes among them; tab and newline apart) and the line/paragraph separators. */
const CONTROLS = String.raw`\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029`;

// `u`: an astral character (a tag character, U+E0041) is matched, and shown, as one.
const INVISIBLE_CHARS = new RegExp(`[${INVISIBLE}]`, 'gu');
/** Invisible characters, controls and line separators; tab and newline are kept (prose has them). */
export const HIDDEN_CHARS = new RegExp(`[${INVISIBLE}${CONTROLS}]`, 'gu');
const HIDDEN_ON_ONE_LINE = new RegExp(`[${INVISIBLE}${CONTROLS}\\t\\n]`, 'gu');

function mark(c: string): string {
  return `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Shows each hidden character as "⟨U+202E⟩", "⟨U+E0041⟩" (for people: the desktop, the extension, HTML). */
export function revealHidden(value: string): string {
  return value.replace(HIDDEN_CHARS, mark);
}

/**
 * For values shown on one line (ids, names, step titles, graph labels, OSCAL titles): a line break
 * or tab is shown as a mark too. Prose keeps them, but inside a one-line value a break would split
 * it into what reads as two values ("Scan\n✓ Passed").
 */
export function revealOneLine(value: string): string {
  return value.replace(HIDDEN_ON_ONE_LINE, mark);
}

/** The text as a reader sees it, for comparing names: each invisible character (as above) removed. */
export function withoutInvisible(value: string): string {
  return value.replace(INVISIBLE_CHARS, '');
}
