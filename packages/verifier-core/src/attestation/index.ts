// Proof-server attestations across logs (spec §4.7).

export { parseAttestation } from './parse.js';
export type * from './types.js';
export {
  type AttestationVerification,
  type AttestedLeafProof,
  checkAttestation,
  type RefutedLeaf,
  verifyAttestation,
} from './verify.js';
