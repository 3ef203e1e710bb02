import type { CryptoBackend } from '../crypto/backend.js';
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
