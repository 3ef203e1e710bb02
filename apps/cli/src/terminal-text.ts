import { HIDDEN_CHARS } from '@lineage/verifier-core';

/**
 * What lineage prints comes partly from the capsule, card or note being verified: a hostile one
 * could carry terminal control sequences (move the cursor up and overwrite "FAILED" with
 * "VERIFIED", retitle the window) or bidi overrides that reorder what is shown. Every line printed
 * goes through here: the core's hidden characters (see hidden-chars.ts) appear as \uXXXX escapes,
 * which inside a JSON string is the same string, so --json output stays valid and means the same
 * (an astral one, a tag character, is its UTF-16 pair "\udb40\udc41", as JSON writes it).
 */
export function terminalSafe(text: string): string {
  return text.replace(HIDDEN_CHARS, (c) => {
    let escaped = '';
    for (let i = 0; i < c.length; i++) escaped += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`;
    return escaped;
  });
}

/**
 * For a line that holds values read from the input (`lineage inspect`'s "name   …"): a line break
 * or tab inside a value would start a line (or a column) of the input's own making, so they are
 * shown as \n and \t. The other controls (\r among them) are terminalSafe's, which every printed
 * line goes through.
 */
export function oneLine(text: string): string {
  return text.replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}
