import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { nodeBackend } from '../crypto/backends/node.js';
import { toHex } from '../encoding/hex.js';
import { SIGNING_CONTEXTS, signingInput } from '../events/index.js';
import type { JsonValue } from '../json/index.js';
import { earlySignatureBackend } from './early-signatures.js';

const sk = new Uint8Array(32).fill(7);
const pk = ed25519.getPublicKey(sk);
function event(n: number) {
  const unsigned = { type: 'lineage.event', version: 1, actor: 'x', n };
  const sig = ed25519.sign(signingInput(SIGNING_CONTEXTS.event, unsigned), sk);
  return { ...unsigned, signature: { alg: 'Ed25519', public_key: toHex(pk), value: toHex(sig) } };
}

describe('earlySignatureBackend', () => {
  it('answers exactly the triples it verified, and verifies anything else afresh', async () => {
    const good = event(1);
    const forged = { ...event(2), n: 3 }; // signature over n = 2, event says n = 3
    const b = earlySignatureBackend([good, forged] as unknown as JsonValue[], nodeBackend);
    const item = (e: typeof good, n = e.n) => ({
      publicKey: pk,
      message: signingInput(SIGNING_CONTEXTS.event, { type: e.type, version: e.version, actor: e.actor, n }),
      signature: Uint8Array.from(Buffer.from(e.signature.value, 'hex')),
    });
    expect(await b.ed25519VerifyBatch([item(good), item(forged)])).toEqual([true, false]);
    // Same signature, different message: not answered from the cache.
    expect(await b.ed25519Verify(item(good, 5))).toBe(false);
    expect(await b.ed25519Verify(item(forged, 2))).toBe(true);
    // Malformed events are skipped, not thrown on.
    expect(() =>
      earlySignatureBackend([null, 'x', { signature: 1 }] as unknown as JsonValue[], nodeBackend),
    ).not.toThrow();
  });
});
