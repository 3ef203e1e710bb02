import {
  buildKeyHistories,
  type CryptoBackend,
  type Ed25519VerifyItem,
  getCryptoBackend,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { registerEvent, rotateEvent } from './event.js';
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
});
