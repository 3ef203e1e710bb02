// Handoff receipts signed by sender and receiver.
export type * from './types.js';
