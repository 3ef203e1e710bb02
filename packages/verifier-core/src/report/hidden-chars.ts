/**
 * Text from a document under verification is shown to people (CLI, HTML report, desktop,
 * extension). Characters that are invisible or change direction — bidi controls, zero-width
 * characters, line/paragraph separators, C0/C1 controls (terminal escapes among them) — could
 * make it pose as our verdict or reorder what the reader sees, so every host shows them as
 * visible marks instead. One rule here; each host picks its visible form.
 */

/** Bidi controls, zero-width characters, line/paragraph separators and C0/C1 controls (tab and newline kept). */
export const HIDDEN_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job.
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Shows each hidden character as "⟨U+202E⟩" (for people: the desktop, the extension, HTML). */
export function revealHidden(value: string): string {
  return value.replace(
    HIDDEN_CHARS,
    (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
}
