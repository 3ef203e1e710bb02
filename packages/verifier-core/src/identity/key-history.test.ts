import { describe, expect, it } from 'vitest';
import { formatTimestamp } from '../events/time.js';
import { type AgentKeyHistory, type KeyInterval, keyBelongsToAgent, keyStatusAt } from './key-history.js';

describe('key history lookups on hostile sizes', () => {
  // An agent that rotated 50k times and signed 50k events: each lookup scanned the intervals
  // (the current key's is the last), 2.5 billion steps; it is a binary search now.
  it('finds the interval of each of 50k signatures among 50k rotations at once', () => {
    const n = 50_000;
    const T0 = Date.parse('2026-11-02T14:00:00.000Z');
    const key = (i: number) => i.toString(16).padStart(64, '0');
    const intervals: KeyInterval[] = Array.from({ length: n }, (_, i) => ({
      key: key(i),
      from: T0 + i * 1000,
      fromTime: formatTimestamp(T0 + i * 1000),
      ...(i < n - 1
        ? { until: T0 + (i + 1) * 1000, untilTime: formatTimestamp(T0 + (i + 1) * 1000), endedBy: 'rotate' }
        : {}),
    }));
    const agent = 'lin:agent:test';
    const h: AgentKeyHistory = { agentId: agent, genesisKey: key(0), intervals, revokedAt: new Map() };
    const histories = new Map([[agent, h]]);
    const late = T0 + n * 1000;
    let valid = 0;
    let rotatedOut = 0;
    for (let i = 0; i < n; i++) {
      const t = late + i;
      const time = formatTimestamp(t);
      if (keyStatusAt(histories, agent, key(n - 1), t, time).status === 'valid') valid++;
      // The genesis key, long rotated out: named as such, with the key valid then.
      const old = keyStatusAt(histories, agent, key(0), t, time);
      if (old.status === 'invalid' && old.detail.startsWith('key was rotated out at 2026-11-02T14:00:01'))
        rotatedOut++;
      if (!keyBelongsToAgent(histories, agent, key(i))) throw new Error(`key ${i} not found`);
    }
    expect(valid).toBe(n);
    expect(rotatedOut).toBe(n);
    // A key in the middle, at a time inside its own interval and just after it.
    expect(keyStatusAt(histories, agent, key(777), T0 + 777_500, 'then').status).toBe('valid');
    const after = keyStatusAt(histories, agent, key(777), T0 + 778_000, 'later');
    expect(after).toMatchObject({
      status: 'invalid',
      expected: `the agent's key at later: ${key(778).slice(0, 12)}…`,
    });
  });
});
