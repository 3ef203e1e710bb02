/** Agent identity wire formats (docs/spec/04-identity-and-lineage.md §4.1). */

export const IDENTITY_EXTENSION_URI = 'https://lineage.dev/ext/identity/v1';
export const AGENT_ID_PREFIX = 'lin:agent:';

export interface LineagePointers {
  /** Checkpoint origin of the log holding the registration event. */
  log_origin: string;
  /** Event id (hex) of the identity.register event. */
  registration_event_id: string;
  registration_leaf_index: number;
}

/** `params` of the identity extension inside `capabilities.extensions[]`. */
export interface IdentityBlockParams {
  version: 1;
  agent_id: string;
  /** Current Ed25519 key, hex. */
  public_key: string;
  /** Key the agent id was derived from, when it differs from `public_key` (after rotation). */
  genesis_public_key?: string;
  capability_digest: string;
  lineage?: LineagePointers;
  /** Ed25519 signature (hex) over signing_input("lineage/identity-proof/v1", claims). */
  identity_proof: string;
}

/** What the identity proof signs: params without the proof, plus the card's name. */
export type IdentityClaims = Omit<IdentityBlockParams, 'identity_proof'> & { card_name: string };

/** A2A card signature entry (A2A v1.0 §8.4). */
export interface AgentCardSignature {
  protected: string;
  signature: string;
  header?: Record<string, unknown>;
}

export type CardShape = 'a2a-v1.0' | 'a2a-v0.3' | 'a2a-legacy' | 'unknown';
