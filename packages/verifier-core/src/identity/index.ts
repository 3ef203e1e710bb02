// Agent identity (spec §4.1): self-certifying agent ids, identity blocks in A2A cards,
// card shapes, A2A JWS card signatures, key histories from lifecycle events.
//
//   const r = await verifyAgentCard(cardText, trust, { keyHistories, registration });
//   r.shape;       // 'a2a-v1.0' | 'a2a-v0.3' | 'a2a-legacy' | 'unknown'
//   r.checks;      // card.parse, card.shape, card.identity_block … card.a2a_signature
//   r.card;        // name, provider, skills, interfaces (for display, verified or not)
//   r.identity;    // the identity block's params when present
//
// Keys for card signatures come only from the trust store or a verified identity block.

export { deriveAgentId } from './agent-id.js';
export { capabilityDigest, capabilityDocument } from './capability-digest.js';
export {
  CARD_PAYLOAD_FORMS,
  type CardPayloadForm,
  cardPayloadBytes,
  cardPayloadValue,
} from './card-canonical.js';
export { type CardSignatureKey, type CardSignatureResult, verifyCardSignatures } from './card-jws.js';
export {
  type CardRegistrationEvidence,
  type CardRegistrationMemo,
  checkCardLineage,
} from './card-lineage.js';
export { type CardClassification, classifyAgentCard, classifyCardObject, V1_FIELDS } from './card-shape.js';
export {
  type IdentityVerification,
  identityClaims,
  readIdentityParams,
  verifyIdentityBlock,
} from './identity-block.js';
export {
  type AgentKeyHistory,
  buildKeyHistories,
  currentKey,
  type KeyHistories,
  type KeyHistoryOptions,
  type KeyInterval,
  type KeyRevocation,
  type KeyStatus,
  keyBelongsToAgent,
  keyStatusAt,
  type LifecycleProblem,
  type LogPosition,
  loggedBefore,
  type SignedWhere,
} from './key-history.js';
export * from './types.js';
export {
  type AgentCardVerification,
  type CardSummary,
  type VerifyAgentCardOptions,
  verifyAgentCard,
} from './verify-card.js';
