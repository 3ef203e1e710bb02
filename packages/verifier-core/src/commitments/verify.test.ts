import { describe, expect, it } from 'vitest';
import type { LineageEvent } from '../events/types.js';
import type { Commitment, Opening } from './types.js';
import { checkOpenings } from './verify.js';

describe('checkOpenings on hostile sizes', () => {
  // One event with 20k commitments and 20k openings naming none of them: a scan of the
  // commitments per opening, and every name listed in every failure (20k × 20k names, GBs), timed
  // this out; it is one lookup per opening and a few names per message now.
  it('looks each opening up once and names a few of the commitments', () => {
    const n = 20_000;
    const commitments: Commitment[] = Array.from({ length: n }, (_, i) => ({
      name: `c${i}`,
      scheme: 'sha256-salted-v1',
      value: '00'.repeat(32),
    }));
    const event = { commitments } as unknown as LineageEvent;
    const openings: Opening[] = Array.from({ length: n }, (_, i) => ({
      event_id: 'e',
      name: `x${i}`,
      scheme: 'sha256-salted-v1',
      value: i,
      salt: '00',
    }));
    const { outcomes } = checkOpenings(new Map([['e', event]]), openings, new Set(['e']));
    const failed = outcomes.filter((o) => o.id === 'commitment.opening');
    expect(failed).toHaveLength(n);
    expect(failed.every((o) => o.status === 'fail')).toBe(true);
    expect(failed[0]!.reason).toBe('event e has no commitment named "x0"');
    expect(failed[0]!.found).toBe(
      'commitments "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", … (20,000 commitments in all)',
    );
    // Every commitment is still listed as committed and not disclosed.
    expect(outcomes.filter((o) => o.id === 'commitment.undisclosed')).toHaveLength(n);
  });
});
