import { describe, expect, it } from 'vitest';
import { cardPayloadValue } from './card-canonical.js';

describe('card payload forms', () => {
  it('strips an empty value under a member named like an Object.prototype property (found by fuzzing)', () => {
    // The required-field table was an object literal looked up by the card's own member names:
    // "toString" found Function.prototype.toString and `.includes` threw a TypeError.
    for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
      const card = { name: 'a', signatures: [] };
      Object.defineProperty(card, name, { value: { x: '', y: 1 }, enumerable: true });
      const spec = cardPayloadValue(card as never, 'spec');
      expect(Object.getOwnPropertyDescriptor(spec, name)?.value).toEqual({ y: 1 });
      expect(Object.getOwnPropertyDescriptor(cardPayloadValue(card as never, 'sdk'), name)?.value).toEqual({
        y: 1,
      });
    }
  });
});
