import { LineageError } from '../result.js';

/**
 * RFC 3339 timestamps restricted to UTC with "Z" (spec §4 conventions), so two
 * timestamps compare as instants without time-zone arithmetic. Returns epoch ms.
 */
const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

export function parseTimestamp(s: string, field = 'timestamp'): number {
  const m = RFC3339_UTC.exec(s);
  if (!m) {
    throw new LineageError(
      'time.format',
      `expected an RFC 3339 UTC timestamp like "2026-11-20T14:03:07Z", found ${JSON.stringify(s).slice(0, 60)}`,
      field,
    );
  }
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) + Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  // Date.UTC silently rolls 2026-02-30 into March; a round trip catches impossible dates.
  const back = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  if (
    back.getUTCFullYear() !== y ||
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi ||
    back.getUTCSeconds() !== se
  ) {
    throw new LineageError('time.range', `${s} is not a real instant (field out of range)`, field);
  }
  return ms;
}

/** Formats epoch ms as RFC 3339 UTC with milliseconds, for messages and producers. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
