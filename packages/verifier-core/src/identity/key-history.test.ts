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

  // An agent that signed 60k events with its genesis key, rotated, then revoked the old key 60k
  // times (any key may revoke itself): each signature was checked against every revocation, 3.6
  // billion comparisons (30k took 16.7 s; this one outlasts the test timeout); the revocations are
  // summarized per key and per set of logs now (~0.1 s).
  it('checks each of 60k signatures against 60k revocations of its key at once, naming the one it fails', () => {
    const n = 60_000;
    const T0 = Date.parse('2026-11-02T14:00:00.000Z');
    const log = 'log.example/a';
    const old = 'aa'.repeat(32);
    const next = 'bb'.repeat(32);
    const agent = 'lin:agent:test';
    const rotated = T0 + n * 1000;
    // The revocations are logged after the n events and the rotation, at leaves n+1…2n.
    const revokedAt = new Map([
      [
        old,
        Array.from({ length: n }, (_, i) => ({
          at: rotated + (i + 1) * 1000,
          time: formatTimestamp(rotated + (i + 1) * 1000),
          positions: [{ log, index: n + 1 + i, sthMs: rotated + 10_000_000, sthTime: 'later' }],
        })),
      ],
    ]);
    const h: AgentKeyHistory = {
      agentId: agent,
      genesisKey: old,
      intervals: [
        {
          key: old,
          from: T0,
          fromTime: formatTimestamp(T0),
          until: rotated,
          untilTime: formatTimestamp(rotated),
          endedBy: 'rotate',
          // The rotation is logged at leaf n, after the n events.
          endedAt: [{ log, index: n, sthMs: rotated + 10_000_000, sthTime: 'later' }],
        },
        { key: next, from: rotated, fromTime: formatTimestamp(rotated) },
      ],
      revokedAt,
    };
    const histories = new Map([[agent, h]]);
    const at = (index: number) => () => [{ log, index, sthMs: rotated + 10_000_000, sthTime: 'later' }];
    let valid = 0;
    for (let i = 0; i < n; i++) {
      const t = T0 + i * 1000;
      if (keyStatusAt(histories, agent, old, t, formatTimestamp(t), at(i)).status === 'valid') valid++;
    }
    expect(valid).toBe(n);
    // Dated inside the old key's time but logged after the third revocation: backdated, and the
    // failure names the earliest revocation it is not logged before (leaf n+1).
    const late = keyStatusAt(histories, agent, old, T0 + 5000, 'then', at(n + 3));
    expect(late).toMatchObject({
      status: 'invalid',
      expected: `logged before the key was revoked (leaf ${n + 1} of ${log}), or under a tree head of ${formatTimestamp(rotated + 1000)} or earlier`,
      found: `leaf ${n + 3} of ${log}`,
    });
    // Signed after the earliest revocation's time: revoked, naming it.
    expect(keyStatusAt(histories, agent, old, rotated + 1500, 'later', at(5)).detail).toBe(
      `key was revoked at ${formatTimestamp(rotated + 1000)}, before the signature dated later`,
    );
  });
});
