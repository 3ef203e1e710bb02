import { describe, expect, it } from 'vitest';
import { short } from './outcome.js';

describe('short', () => {
  it('keeps the first 12 hex digits of a long id, and an actor id its prefix', () => {
    const hex = 'ab'.repeat(32);
    expect(short(hex)).toBe('abababababab…');
    expect(short(`lin:agent:${hex}`)).toBe('lin:agent:abababababab…');
  });

  it('leaves short ids whole', () => {
    expect(short('lin:human:ao')).toBe('lin:human:ao');
    expect(short('handoff-02')).toBe('handoff-02');
    expect(short('0123456789abcdef')).toBe('0123456789abcdef');
  });
});
