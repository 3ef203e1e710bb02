// Proof-server attestations across logs.
export type * from './types.js';
