// Signed events: canonical form, ids, leaves, signatures.
export type * from './types.js';
