// Salted SHA-256 and Pedersen (ristretto255) commitments and their openings.
export type * from './types.js';
