import { type Attestation, SIGNING_CONTEXTS, type UnsignedAttestation } from '@lineage/verifier-core';
import { type Ed25519Key, signObject } from './keys.js';

/** Signs a proof-server attestation (spec §4.7). The log/ ProofServer builds the proofs. */
export function signAttestation(unsigned: UnsignedAttestation, serverKey: Ed25519Key): Attestation {
  return { ...unsigned, signature: signObject(SIGNING_CONTEXTS.attestation, unsigned, serverKey) };
}
