// Barrel for merkle/: RFC 6962 / RFC 9162 hashing, proofs and the tree builder.

export type { Size } from './bits.js';
export {
  type ConsistencyCheckInput,
  rootFromConsistencyProof,
  verifyConsistency,
  verifyConsistencyAllowEmpty,
} from './consistency.js';
export { emptyRoot, HASH_SIZE, leafHash, merkleRoot, nodeHash, textLeafHashHex } from './hash.js';
export {
  type InclusionCheckInput,
  type InclusionProofInput,
  inclusionProofLength,
  rootFromInclusionProof,
  verifyInclusion,
} from './inclusion.js';
export {
  type LeafRange,
  type MultiproofCheckInput,
  type MultiproofInput,
  multiproofLength,
  multiproofRanges,
  rootFromMultiproof,
  verifyMultiproof,
} from './multiproof.js';
export {
  isValidSubtree,
  type SubtreeConsistencyCheckInput,
  type SubtreeInclusionCheckInput,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './subtree.js';
export { MerkleTree } from './tree.js';
