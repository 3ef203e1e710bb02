import {
  buildKeyHistories,
  type CryptoBackend,
  type Ed25519VerifyItem,
  getCryptoBackend,
  keyStatusAt,
  type LogPosition,
  loggedBefore,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { registerEvent, rotateEvent, signEvent, supersedeEvent } from './event.js';
import { asAgentKey, testKey } from './keys.js';

const at = (m: number) => new Date(Date.UTC(2026, 10, 2, 9, m)).toISOString();

/** The real backend, recording how signatures reach it. */
function recording(): { backend: CryptoBackend; single: number; batches: number[] } {
  const real = getCryptoBackend();
  const r = {
    single: 0,
    batches: [] as number[],
    backend: {
      ...real,
      ed25519Verify: (item: Ed25519VerifyItem) => {
        r.single++;
        return real.ed25519Verify(item);
      },
      ed25519VerifyBatch: (items: readonly Ed25519VerifyItem[]) => {
        r.batches.push(items.length);
        return real.ed25519VerifyBatch(items);
      },
    } as CryptoBackend,
  };
  return r;
}

describe('buildKeyHistories', () => {
  it('verifies every lifecycle signature in one batch, and still refuses a forged one', async () => {
    const a = asAgentKey(testKey('history-a'));
    const b = asAgentKey(testKey('history-b'));
    const a2 = testKey('history-a:2');
    const regA = registerEvent(a, { timestamp: at(0), sequence: 0 });
    const rotA = rotateEvent(a, a, a2, { timestamp: at(1), sequence: 1 });
    const regB = registerEvent(b, { timestamp: at(2), sequence: 0 });
    // B's registration with one changed signature byte: not B's signature any more.
    const v = regB.signature.value;
    const forged = {
      ...regB,
      signature: { ...regB.signature, value: `${v[0] === '0' ? '1' : '0'}${v.slice(1)}` },
    };

    const r = recording();
    const { histories, problems } = await buildKeyHistories([regA, rotA, forged], { backend: r.backend });
    expect(r.batches).toEqual([3]);
    expect(r.single).toBe(0);
    expect(histories.get(a.agentId)?.intervals.map((i) => i.key)).toEqual([a.publicKeyHex, a2.publicKeyHex]);
    expect(histories.has(b.agentId)).toBe(false);
    expect(problems.map((p) => p.reason)).toEqual(['lifecycle event signature does not verify']);

    const ok = await buildKeyHistories([regA, rotA, regB], { backend: r.backend });
    expect(ok.problems).toEqual([]);
    expect(ok.histories.has(b.agentId)).toBe(true);
  });

  it('refuses a registration signed, validly, by a key other than the registered one', async () => {
    const a = asAgentKey(testKey('history-a'));
    const mallory = testKey('history-mallory');
    // A's registration, re-signed by Mallory: the signature verifies, but not by the key it registers.
    const reg = signEvent(registerEvent(a, { timestamp: at(0), sequence: 0 }), mallory);
    const { histories, problems } = await buildKeyHistories([reg]);
    expect(histories.has(a.agentId)).toBe(false);
    expect(problems).toEqual([
      expect.objectContaining({
        reason: 'registration is not signed by the registered key',
        expected: `signed as ${a.agentId} with key ${a.publicKeyHex.slice(0, 12)}…`,
        found: `signed as ${a.agentId} with key ${mallory.publicKeyHex.slice(0, 12)}…`,
      }),
    ]);
  });

  it('refuses a supersession signed by a key the agent rotated out, and keeps the key current', async () => {
    const a = asAgentKey(testKey('history-a'));
    const a2 = testKey('history-a:2');
    const reg = registerEvent(a, { timestamp: at(0), sequence: 0 });
    const rot = rotateEvent(a, a, a2, { timestamp: at(1), sequence: 1 });
    const late = supersedeEvent(a, a, `lin:agent:${'c'.repeat(64)}`, { timestamp: at(2), sequence: 2 });
    const { histories, problems } = await buildKeyHistories([reg, rot, late]);
    expect(problems).toEqual([
      expect.objectContaining({
        reason: 'supersession is not signed by the current key',
        expected: `signed as ${a.agentId} with its current key ${a2.publicKeyHex.slice(0, 12)}…`,
        found: `signed as ${a.agentId} with key ${a.publicKeyHex.slice(0, 12)}…`,
      }),
    ]);
    const current = histories.get(a.agentId)?.intervals.at(-1);
    expect(current?.key).toBe(a2.publicKeyHex);
    expect(current?.until).toBeUndefined();
  });

  it('loggedBefore: by leaf index in a shared log (every one), else by a tree head at or before the end; unlogged never', () => {
    const pos = (log: string, index: number, sthMin: number): LogPosition => ({
      log,
      index,
      sthMs: Date.parse(at(sthMin)),
      sthTime: at(sthMin),
    });
    const end = [pos('log-a', 10, 12)];
    const endMs = Date.parse(at(10));
    expect(loggedBefore([pos('log-a', 9, 30)], end, endMs)).toBe(true); // index decides, not the tree head
    expect(loggedBefore([pos('log-a', 10, 1)], end, endMs)).toBe(false);
    expect(loggedBefore([pos('log-a', 11, 1)], end, endMs)).toBe(false);
    expect(loggedBefore([pos('log-b', 500, 10)], end, endMs)).toBe(true); // held by a tree head at the end's time
    expect(loggedBefore([pos('log-b', 0, 11)], end, endMs)).toBe(false); // only shown to exist after it
    expect(loggedBefore([], end, endMs)).toBe(false);
    // In two shared logs it must come first in both.
    const both = [pos('log-a', 10, 12), pos('log-b', 5, 12)];
    expect(loggedBefore([pos('log-a', 3, 12), pos('log-b', 4, 12)], both, endMs)).toBe(true);
    expect(loggedBefore([pos('log-a', 3, 12), pos('log-b', 6, 12)], both, endMs)).toBe(false);
  });

  it('applies lifecycle events in log order, and reports one dated before an earlier-logged one as backdated', async () => {
    const a = asAgentKey(testKey('history-a'));
    const a2 = testKey('history-a:2');
    const thief = testKey('history-a:thief');
    const reg = registerEvent(a, { timestamp: at(0), sequence: 0 });
    const rot = rotateEvent(a, a, a2, { timestamp: at(5), sequence: 1 });
    const steal = rotateEvent(a, a, thief, { timestamp: at(4), sequence: 1 });
    const leaf = new Map([
      [reg, 0],
      [rot, 1],
      [steal, 2],
    ]);
    const positionsOf = (e: object): LogPosition[] => [
      { log: 'log-a', index: leaf.get(e as typeof reg)!, sthMs: Date.parse(at(30)), sthTime: at(30) },
    ];
    const logged = await buildKeyHistories([steal, rot, reg], { positionsOf });
    expect(logged.histories.get(a.agentId)?.intervals.map((i) => i.key)).toEqual([
      a.publicKeyHex,
      a2.publicKeyHex,
    ]);
    expect(logged.problems.map((p) => p.reason)).toEqual([
      "backdated: logged after the agent's rotate of 2026-11-02T09:05:00.000Z (leaf 1 of log-a) but dated before it",
    ]);
    // Without positions, claimed times order them: what the log order prevents.
    const claimed = await buildKeyHistories([steal, rot, reg]);
    expect(claimed.histories.get(a.agentId)?.intervals.map((i) => i.key)).toEqual([
      a.publicKeyHex,
      thief.publicKeyHex,
    ]);
    // An event signed with the rotated-out key, dated before the rotation, logged after it: backdated.
    const h = logged.histories;
    const t = Date.parse(at(3));
    const later = () => [{ log: 'log-a', index: 7, sthMs: Date.parse(at(30)), sthTime: at(30) }];
    const earlier = () => [{ log: 'log-a', index: 0, sthMs: Date.parse(at(30)), sthTime: at(30) }];
    expect(keyStatusAt(h, a.agentId, a.publicKeyHex, t, at(3), later)).toMatchObject({
      status: 'invalid',
      found: 'leaf 7 of log-a',
    });
    expect(keyStatusAt(h, a.agentId, a.publicKeyHex, t, at(3), earlier).status).toBe('valid');
    // A rotated-out key's unlogged signature (a receipt) keeps the claimed-time rule: the key stayed with its agent.
    expect(keyStatusAt(h, a.agentId, a.publicKeyHex, t, at(3), 'unlogged').status).toBe('valid');
  });
});
