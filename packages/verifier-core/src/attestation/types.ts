/** Proof-server attestation wire format (docs/spec/04-identity-and-lineage.md §4.7). */
import type { SignatureObject } from '../events/types.js';

export interface AttestedInclusion {
  leaf_hash: string;
  leaf_index: number;
  proof: string[];
}

export interface AttestedMultiproof {
  leaves: Array<{ leaf_hash: string; leaf_index: number }>;
  proof: string[];
}

export interface AttestedConsistency {
  /** Older signed checkpoint note text. */
  checkpoint: string;
  proof: string[];
}

export interface AttestedLog {
  log_origin: string;
  checkpoint: string;
  inclusion?: AttestedInclusion[];
  multiproof?: AttestedMultiproof;
  consistency?: AttestedConsistency[];
}

export interface UnsignedAttestation {
  type: 'lineage.attestation';
  version: 1;
  server: string;
  issued_at: string;
  leaves: string[];
  logs: AttestedLog[];
}

export interface Attestation extends UnsignedAttestation {
  signature: SignatureObject;
}
