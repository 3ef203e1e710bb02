import type { CryptoBackend } from '../crypto/backend.js';
import { getCryptoBackend } from '../crypto/current.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { fromHex } from '../encoding/hex.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import type { Fields, JsonObject } from './fields.js';
import type { SignatureObject } from './types.js';

/**
 * Domain-separation contexts (spec §4 "Signatures"): a signature made for one
 * object type can never verify as another.
 */
export const SIGNING_CONTEXTS = {
  identityProof: 'lineage/identity-proof/v1',
  event: 'lineage/event/v1',
  handoffSender: 'lineage/handoff-sender/v1',
  handoffReceiver: 'lineage/handoff-receiver/v1',
  attestation: 'lineage/attestation/v1',
} as const;
export type SigningContext = (typeof SIGNING_CONTEXTS)[keyof typeof SIGNING_CONTEXTS];

/** ASCII(context) ‖ 0x0A ‖ JCS(object). */
export function signingInput(context: SigningContext, unsigned: unknown): Uint8Array {
  return concatBytes(utf8Encode(`${context}\n`), canonicalBytes(unsigned as JsonValue));
}

/** Copy of `obj` without the named fields (the signature fields are never signed). */
export function without<T extends object>(obj: T, ...names: string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (!names.includes(k)) out[k] = v as JsonValue;
  return out;
}

export function readSignatureObject(f: Fields): SignatureObject {
  f.closed(['alg', 'public_key', 'value']);
  return {
    alg: f.literal('alg', ['Ed25519'] as const),
    public_key: f.hex('public_key', 32),
    value: f.hex('value', 64),
  };
}

/** Verifies an Ed25519 signature object over `message`; never throws. */
export async function verifySignatureObject(
  sig: SignatureObject,
  message: Uint8Array,
  backend: CryptoBackend = getCryptoBackend(),
): Promise<boolean> {
  try {
    return await backend.ed25519Verify({
      publicKey: fromHex(sig.public_key, 32),
      message,
      signature: fromHex(sig.value, 64),
    });
  } catch {
    return false;
  }
}
