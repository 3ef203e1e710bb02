import { describe, expect, it } from 'vitest';
import { buildReport, type CheckOutcome, type CheckStatus, verdictOf } from './model.js';

const check = (status: CheckStatus): CheckOutcome => ({
  id: 'event.signature',
  status,
  subject: { kind: 'event', id: 'e' },
  title: 't',
});

describe('the verdict rule', () => {
  it.each([
    [[], 'incomplete'],
    [['pass'], 'verified'],
    [['pass', 'not_checked'], 'incomplete'],
    [['not_checked'], 'incomplete'],
    [['pass', 'not_checked', 'fail'], 'failed'],
    [['fail'], 'failed'],
  ] as [CheckStatus[], string][])(
    '%j → %s, in verdictOf and in the report with its counts',
    (statuses, verdict) => {
      const checks = statuses.map(check);
      expect(verdictOf(checks)).toBe(verdict);
      const r = buildReport({ kind: 'test', name: 'x' }, '2026-11-22T00:00:00Z', checks);
      expect(r.verdict).toBe(verdict);
      expect(r.summary).toEqual({
        pass: statuses.filter((s) => s === 'pass').length,
        fail: statuses.filter((s) => s === 'fail').length,
        not_checked: statuses.filter((s) => s === 'not_checked').length,
      });
    },
  );
});
