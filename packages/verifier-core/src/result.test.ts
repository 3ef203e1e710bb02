import { describe, expect, it } from 'vitest';
import { formatCount, formatCountOf } from './result.js';

describe('formatCount / formatCountOf', () => {
  it('groups thousands without Intl, for numbers and bigints', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12345678901234567890n)).toBe('12,345,678,901,234,567,890');
  });

  it('uses the singular for exactly one, a regular or given plural otherwise', () => {
    expect(formatCountOf(1, 'event')).toBe('1 event');
    expect(formatCountOf(0, 'event')).toBe('0 events');
    expect(formatCountOf(100000, 'event')).toBe('100,000 events');
    expect(formatCountOf(1, 'leaf', 'leaves')).toBe('1 leaf');
    expect(formatCountOf(18, 'leaf', 'leaves')).toBe('18 leaves');
  });
});
