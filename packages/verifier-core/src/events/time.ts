import { LineageError } from '../result.js';

/**
 * How far after the verification time a signed time (a tree head's, an approval's, a receipt's)
 * may be: clocks differ, as a cosignature's may (§3); past this, the time is in the future.
 */
export const CLOCK_ALLOWANCE_MS = 600_000;

/**
 * RFC 3339 timestamps restricted to UTC with "Z" (spec §4 conventions), so two
 * timestamps compare as instants without time-zone arithmetic. Returns epoch ms.
 */
// YYYY-MM-DDTHH:MM:SS, an optional fraction of 1–9 digits, then Z — read by position (this runs
// for every event of a capsule, twice: a regex and a Date round trip cost more than the rest).
const LAYOUT = 'dddd-dd-ddTdd:dd:dd';
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function formatError(s: string, field: string): LineageError {
  const values = {
    expected: 'an RFC 3339 UTC timestamp like "2026-11-20T14:03:07Z"',
    // JSON.stringify gives undefined (not a string) for undefined: a missing value is named too.
    found: (JSON.stringify(s) ?? String(s)).slice(0, 60),
  };
  return new LineageError('time.format', `expected ${values.expected}, found ${values.found}`, field, values);
}

function num(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + (s.charCodeAt(i) - 0x30);
  return v;
}

export function parseTimestamp(s: string, field = 'timestamp'): number {
  if (typeof s !== 'string' || s.length < 20 || s.length > 30) throw formatError(s, field);
  for (let i = 0; i < LAYOUT.length; i++) {
    const c = s.charCodeAt(i);
    const want = LAYOUT.charCodeAt(i);
    if (want === 0x64 /* d */ ? c < 0x30 || c > 0x39 : c !== want) throw formatError(s, field);
  }
  let end = LAYOUT.length;
  let ms = 0;
  if (s.charCodeAt(end) === 0x2e /* . */) {
    const start = ++end;
    while (end < s.length && s.charCodeAt(end) >= 0x30 && s.charCodeAt(end) <= 0x39) end++;
    const digits = end - start;
    if (digits < 1 || digits > 9) throw formatError(s, field);
    // Milliseconds: the first three digits, truncated (".5" is 500 ms, ".1239" is 123 ms).
    ms = digits >= 3 ? num(s, start, 3) : num(s, start, digits) * (digits === 1 ? 100 : 10);
  }
  if (end !== s.length - 1 || s.charCodeAt(end) !== 0x5a /* Z */) throw formatError(s, field);
  const y = num(s, 0, 4);
  const mo = num(s, 5, 2);
  const d = num(s, 8, 2);
  const h = num(s, 11, 2);
  const mi = num(s, 14, 2);
  const se = num(s, 17, 2);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : (DAYS[mo - 1] ?? 0);
  // Date.UTC would roll 2026-02-30 into March (and read years 0–99 as 1900–1999): refuse instead.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || se > 59) {
    throw new LineageError('time.range', `${s} is not a real instant (field out of range)`, field, {
      expected: 'a real UTC instant (month 1–12, a day of that month, 00:00:00–23:59:59, no leap second)',
      found: s,
    });
  }
  return Date.UTC(y, mo - 1, d, h, mi, se) + ms;
}

/** Formats epoch ms as RFC 3339 UTC with milliseconds, for messages and producers. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
