// Every backend must give our policy's answer on the crafted edge cases
// (ed25519-edge-cases.fixture.ts), single and batched.
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import type { CryptoBackend } from './backend.js';
import { defaultBackend as browserDefault } from './backends/browser-default.js';
import { nobleBackend } from './backends/noble.js';
import { Ed25519VerifyPool, nodeBackend } from './backends/node.js';
import { webcryptoBackend } from './backends/webcrypto.js';
import { A, cases, L, msg, P, secret, T, toLE } from './ed25519-edge-cases.fixture.js';
import { ED25519_SMALL_ORDER_ENCODINGS, ed25519Precheck } from './ed25519-policy.js';

const backends: CryptoBackend[] = [nodeBackend, webcryptoBackend, nobleBackend, browserDefault];
const pool = new Ed25519VerifyPool({ minBatch: 1 });
afterAll(() => pool.close());

describe('Ed25519 policy edge cases', () => {
  it('built every family of cases', () => {
    expect(cases.filter((c) => c.label.startsWith('small-order A'))).toHaveLength(8);
    expect(cases.filter((c) => c.label.startsWith('mixed-order A') && c.expected).length).toBeGreaterThan(0);
    expect(cases.filter((c) => c.label.startsWith('mixed-order A') && !c.expected).length).toBeGreaterThan(0);
  });

  it('the small-order list is exactly the 8-torsion subgroup', () => {
    expect(T.map((t) => toHex(t.toBytes())).sort()).toEqual([...ED25519_SMALL_ORDER_ENCODINGS].sort());
  });

  it('noble on its own (cofactored, zip215: false) disagrees with OpenSSL here: this is why the policy exists', async () => {
    const nobleRaw = cases.map((c) => {
      try {
        return ed25519.verify(c.item.signature, c.item.message, c.item.publicKey, { zip215: false });
      } catch {
        return false;
      }
    });
    const mixedR = cases.findIndex((c) => c.label.startsWith('mixed-order R'));
    expect(nobleRaw[mixedR]).toBe(true);
  });

  it.each(backends.map((b) => [b.name, b] as const))(
    '%s gives the policy answer for every case',
    async (_n, b) => {
      const got: boolean[] = [];
      for (const c of cases) got.push(await b.ed25519Verify(c.item));
      expect(cases.filter((c, i) => got[i] !== c.expected).map((c) => c.label)).toEqual([]);
      const batch = await b.ed25519VerifyBatch(cases.map((c) => c.item));
      expect(cases.filter((c, i) => batch[i] !== c.expected).map((c) => c.label)).toEqual([]);
    },
  );

  it('the worker pool gives the same answers', async () => {
    const got = await pool.verifyBatch(cases.map((c) => c.item));
    expect(cases.filter((c, i) => got[i] !== c.expected).map((c) => c.label)).toEqual([]);
    expect(pool.stats).toEqual({ pooledBatches: 1, fallbacks: 0 });
  });
});

describe('ed25519Precheck', () => {
  const sig = ed25519.sign(msg, secret);

  it('passes a genuine key and signature', () => {
    expect(ed25519Precheck(A, sig)).toBe(true);
  });

  it('enforces S < L exactly at the boundary', () => {
    const R = sig.subarray(0, 32);
    expect(ed25519Precheck(A, concatBytes(R, toLE(L - 1n)))).toBe(true);
    expect(ed25519Precheck(A, concatBytes(R, toLE(L)))).toBe(false);
    expect(ed25519Precheck(A, concatBytes(R, toLE(2n ** 256n - 1n)))).toBe(false);
  });

  it('enforces y < p exactly at the boundary', () => {
    expect(ed25519Precheck(toLE(P - 1n), sig)).toBe(false); // (0,-1) is small order
    expect(ed25519Precheck(toLE(P - 2n), sig)).toBe(true); // canonical (whether it is on the curve is the engine's job)
    expect(ed25519Precheck(toLE(P), sig)).toBe(false);
    expect(ed25519Precheck(toLE(P + 18n), sig)).toBe(false);
  });

  it('rejects wrong lengths', () => {
    expect(ed25519Precheck(A.subarray(1), sig)).toBe(false);
    expect(ed25519Precheck(A, sig.subarray(1))).toBe(false);
  });
});
