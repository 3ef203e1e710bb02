import type { CryptoBackend, Ed25519VerifyItem } from '../crypto/backend.js';
import { getCryptoBackend } from '../crypto/current.js';
import { fromHex } from '../encoding/hex.js';
import { unsignedEvent } from './hash.js';
import { SIGNING_CONTEXTS, signingInput, verifySignatureObject } from './signing.js';
import type { LineageEvent } from './types.js';

/** Checks the event's Ed25519 signature under the key it names (binding the key to the actor is separate). */
export function verifyEventSignature(event: LineageEvent, backend?: CryptoBackend): Promise<boolean> {
  return verifySignatureObject(
    event.signature,
    signingInput(SIGNING_CONTEXTS.event, unsignedEvent(event)),
    backend,
  );
}

/**
 * Verifies many events' signatures in one backend batch (the Node backend spreads
 * it over cores). Order is preserved; malformed keys or signatures give false.
 */
export async function verifyEventSignatures(
  events: readonly LineageEvent[],
  backend: CryptoBackend = getCryptoBackend(),
): Promise<boolean[]> {
  const items: Ed25519VerifyItem[] = [];
  const index: number[] = [];
  const out = events.map(() => false);
  for (const [i, e] of events.entries()) {
    try {
      items.push({
        publicKey: fromHex(e.signature.public_key, 32),
        message: signingInput(SIGNING_CONTEXTS.event, unsignedEvent(e)),
        signature: fromHex(e.signature.value, 64),
      });
      index.push(i);
    } catch {
      // Undecodable key or signature: stays false.
    }
  }
  const results = await backend.ed25519VerifyBatch(items);
  for (const [k, ok] of results.entries()) out[index[k]!] = ok;
  return out;
}
