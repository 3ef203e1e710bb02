import { describe, expect, it } from 'vitest';
import { detailWithValues, formatCount, formatCountOf, LineageError } from './result.js';

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

describe('detailWithValues', () => {
  it('adds expected and found, unless the detail already quotes what was found', () => {
    const pin = new LineageError('trust.store', 'key ID 0612a133 does not match the key', '/logs/0/vkey', {
      expected: 'key ID f612a133',
      found: 'key ID 0612a133',
    });
    expect(detailWithValues(pin)).toBe(
      'key ID 0612a133 does not match the key (expected key ID f612a133, found key ID 0612a133)',
    );
    const hex = new LineageError(
      'trust.store',
      'expected 64 lowercase hex characters, found the string "C664"',
      '/a',
      {
        expected: '64 lowercase hex characters',
        found: 'the string "C664"',
      },
    );
    expect(detailWithValues(hex)).toBe('expected 64 lowercase hex characters, found the string "C664"');
    expect(detailWithValues(new LineageError('x', 'plain'))).toBe('plain');
  });
});
