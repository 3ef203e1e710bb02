import {
  buildKeyHistories,
  type CryptoBackend,
  type Ed25519VerifyItem,
  getCryptoBackend,
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
    const { histories, problems } = await buildKeyHistories([regA, rotA, forged], undefined, r.backend);
    expect(r.batches).toEqual([3]);
    expect(r.single).toBe(0);
    expect(histories.get(a.agentId)?.intervals.map((i) => i.key)).toEqual([a.publicKeyHex, a2.publicKeyHex]);
    expect(histories.has(b.agentId)).toBe(false);
    expect(problems.map((p) => p.reason)).toEqual(['lifecycle event signature does not verify']);

    const ok = await buildKeyHistories([regA, rotA, regB], undefined, r.backend);
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
});
