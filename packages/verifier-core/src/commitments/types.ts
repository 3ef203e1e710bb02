/** Commitment wire formats (docs/spec/04-identity-and-lineage.md §4.5). */

export type CommitmentScheme = 'sha256-salted-v1' | 'pedersen-ristretto255-v1';

export interface Commitment {
  name: string;
  scheme: CommitmentScheme;
  /** Hex: SHA-256 digest or ristretto255 point encoding. */
  value: string;
}

/** A holder's disclosure of one committed attribute. */
export type Opening =
  | { event_id: string; name: string; scheme: 'sha256-salted-v1'; value: unknown; salt: string }
  | { event_id: string; name: string; scheme: 'pedersen-ristretto255-v1'; value: unknown; blinding: string };

/** An opening before the event carrying its commitment exists. */
export type UnboundOpening =
  | { name: string; scheme: 'sha256-salted-v1'; value: unknown; salt: string }
  | { name: string; scheme: 'pedersen-ristretto255-v1'; value: unknown; blinding: string };
