import type { CryptoBackend, Ed25519VerifyItem } from '../crypto/backend.js';
import { getCryptoBackend } from '../crypto/current.js';
import { bytesEqual } from '../encoding/bytes.js';
import { fromHex } from '../encoding/hex.js';
import { SIGNING_CONTEXTS, signingInput, unsignedEvent } from '../events/index.js';
import type { LineageEvent } from '../events/types.js';
import type { JsonValue } from '../json/index.js';

/**
 * Starts verifying every event signature on the backend's batch path (the worker pool in
 * Node) *before* the chain engine runs, so the workers verify while the main thread parses,
 * canonicalizes and checks proofs. Returns a backend for the engine that answers a batch item
 * from those results only when public key, signature and message bytes are all identical to
 * what was verified; anything else is verified afresh. It never answers for a triple it did
 * not verify, so it cannot turn a failure into a pass.
 */
export function earlySignatureBackend(
  events: readonly JsonValue[],
  base: CryptoBackend = getCryptoBackend(),
): CryptoBackend {
  const items: Ed25519VerifyItem[] = [];
  for (const v of events) {
    try {
      const e = v as unknown as LineageEvent;
      items.push({
        publicKey: fromHex(e.signature.public_key, 32),
        message: signingInput(SIGNING_CONTEXTS.event, unsignedEvent(e)),
        signature: fromHex(e.signature.value, 64),
      });
    } catch {
      /* malformed: the engine reports it (event.schema) and verifies nothing early */
    }
  }
  const pending = base.ed25519VerifyBatch(items);
  const bySignature = new Map<string, number>();
  items.forEach((it, i) => {
    bySignature.set(sigKey(it), i);
  });
  const lookup = async (it: Ed25519VerifyItem): Promise<boolean | undefined> => {
    const i = bySignature.get(sigKey(it));
    if (i === undefined) return undefined;
    const known = items[i]!;
    if (!bytesEqual(known.publicKey, it.publicKey) || !bytesEqual(known.message, it.message))
      return undefined;
    return (await pending)[i];
  };
  return {
    name: base.name,
    sha256: (d) => base.sha256(d),
    createSha256: () => base.createSha256(),
    sha512: (d) => base.sha512(d),
    ecdsaP256Verify: (it) => base.ecdsaP256Verify(it),
    ed25519Verify: async (it) => (await lookup(it)) ?? base.ed25519Verify(it),
    ed25519VerifyBatch: async (its) => {
      const out = await Promise.all(its.map(lookup));
      const misses = out.flatMap((r, i) => (r === undefined ? [i] : []));
      if (misses.length > 0) {
        const fresh = await base.ed25519VerifyBatch(misses.map((i) => its[i]!));
        misses.forEach((i, k) => {
          out[i] = fresh[k];
        });
      }
      return out.map((r) => r === true);
    },
  };
}

function sigKey(it: Ed25519VerifyItem): string {
  // The signature bytes alone are a good index; the full triple is compared on lookup.
  let s = '';
  for (let i = 0; i < it.signature.length; i++) s += String.fromCharCode(it.signature[i]!);
  return s;
}
