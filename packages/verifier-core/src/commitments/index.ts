// Salted SHA-256 and Pedersen (ristretto255) commitments and their openings (spec §4.5).

export {
  MIN_SALT_BYTES,
  PEDERSEN_H_DST,
  PEDERSEN_H_MESSAGE,
  parseBlinding,
  pedersenCommitment,
  pedersenGeneratorH,
  pedersenMessageScalar,
  saltedCommitment,
} from './compute.js';
export { COMMITMENT_SCHEMES, readCommitment } from './parse.js';
export type * from './types.js';
export { checkOpenings, commitmentOf, parseOpening } from './verify.js';
