/**
 * The result of one low-level check. `code` is a stable identifier from a closed
 * vocabulary (documented in docs/spec.md); `message` says what was expected and
 * what was found, with the numbers involved.
 */
export type CheckResult = { ok: true } | ({ ok: false; code: string; message: string } & ExpectedFound);

/** What a check required and what it found: present together, on a failure that is a mismatch. */
export interface ExpectedFound {
  expected?: string;
  found?: string;
}

/** A failure's expected and found values for an outcome, or nothing when it has not both. */
export function expectedFoundOf(
  r: ExpectedFound,
): { expected: string; found: string } | Record<string, never> {
  return r.expected !== undefined && r.found !== undefined ? { expected: r.expected, found: r.found } : {};
}

/**
 * An error's detail with its expected and found values, for a one-line message; not repeated
 * when the detail already says both ("expected a value, found 'x' at byte 0").
 */
export function detailWithValues(e: LineageError): string {
  if (e.expected === undefined || e.found === undefined) return e.detail;
  if (e.detail.includes(e.expected) && e.detail.includes(e.found)) return e.detail;
  return `${e.detail} (expected ${e.expected}, found ${e.found})`;
}

/** A failure's expected and found, or `fallback` when it has not both (a host's own wording). */
export function expectedFoundOr(
  r: ExpectedFound,
  fallback: { expected: string; found: string },
): { expected: string; found: string } {
  return r.expected !== undefined && r.found !== undefined
    ? { expected: r.expected, found: r.found }
    : fallback;
}

export const OK: CheckResult = Object.freeze({ ok: true }) as CheckResult;

export function fail(code: string, message: string, values: ExpectedFound = {}): CheckResult {
  return { ok: false, code, message, ...expectedFoundOf(values) };
}

/**
 * Thrown by parsers and decoders for input that cannot be interpreted at all.
 * Verification functions catch it and turn it into a failed CheckResult; apps map
 * `code` to a message and `path` to the field that was wrong.
 */
export class LineageError extends Error {
  readonly code: string;
  /** Where in the input the problem is: a JSON pointer, a line number, a file name. */
  readonly path: string | undefined;
  /** The message without the path: what is wrong there. */
  readonly detail: string;
  /** What was required and what was found, for errors that are a mismatch (a field's type). */
  readonly expected?: string;
  readonly found?: string;
  constructor(code: string, message: string, path?: string, values?: { expected: string; found: string }) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'LineageError';
    this.code = code;
    this.path = path;
    this.detail = message;
    if (values) {
      this.expected = values.expected;
      this.found = values.found;
    }
  }
}

/** A failed outcome's reason, expected and found from an error whose path the outcome's subject names. */
export function errorOutcomeDetail(e: LineageError): { reason: string; expected?: string; found?: string } {
  return { reason: e.detail, ...expectedFoundOf(e) };
}

export function isLineageError(e: unknown): e is LineageError {
  return e instanceof LineageError;
}

/** Formats 1234567 as "1,234,567" so messages about sizes read well, without Intl. */
export function formatCount(n: number | bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "1 attestation", "18 events", "2 leaves": a count and its noun (plural: adds "s" unless given). */
export function formatCountOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : plural}`;
}

/**
 * The first `max` of `items` (each shown by `show`) joined by ", ", then ", … (N in all)" when there
 * are more (N with its noun when given): a message quoting a capsule's lists stays short whatever the
 * capsule holds. Only the items shown are formatted (a message per item of a 100k list stays linear).
 */
export function formatSome<T>(
  items: readonly T[],
  max: number,
  show: (x: T) => string,
  noun?: string,
): string {
  const shown = items.slice(0, max).map(show).join(', ');
  if (items.length <= max) return shown;
  return `${shown}, … (${noun === undefined ? formatCount(items.length) : formatCountOf(items.length, noun)} in all)`;
}
