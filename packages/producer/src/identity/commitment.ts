import {
  type Commitment,
  type JsonValue,
  type Opening,
  pedersenCommitment,
  saltedCommitment,
  toHex,
  type UnboundOpening,
} from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * Commitments and openings (spec §4.5). The holder keeps the secret part of the
 * opening (salt or blinding) and discloses it only for attributes it chooses.
 */
export interface CommittedAttribute {
  commitment: Commitment;
  /** Opening without the event id (added once the event exists). */
  opening: UnboundOpening;
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

export function commitSalted(
  name: string,
  value: JsonValue,
  salt: Uint8Array = randomBytes(32),
): CommittedAttribute {
  return {
    commitment: { name, scheme: 'sha256-salted-v1', value: saltedCommitment(name, value, salt) },
    opening: { name, scheme: 'sha256-salted-v1', value, salt: toHex(salt) },
  };
}

/** Random canonical scalar in [1, L) as 32 little-endian bytes. */
export function randomBlinding(): Uint8Array {
  const L = ed25519.Point.Fn.ORDER;
  for (;;) {
    const b = randomBytes(32);
    b[31]! &= 0x0f;
    let x = 0n;
    for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
    if (x !== 0n && x < L) return b;
  }
}

export function commitPedersen(
  name: string,
  value: JsonValue,
  blinding: Uint8Array = randomBlinding(),
): CommittedAttribute {
  return {
    commitment: {
      name,
      scheme: 'pedersen-ristretto255-v1',
      value: pedersenCommitment(name, value, blinding),
    },
    opening: { name, scheme: 'pedersen-ristretto255-v1', value, blinding: toHex(blinding) },
  };
}

export function openingFor(c: CommittedAttribute, eventId: string): Opening {
  return { ...c.opening, event_id: eventId } as Opening;
}
