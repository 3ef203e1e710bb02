// Producer identity/: the signing side of spec chapter 4 — agent keys, enhanced agent cards,
// signed events, human approvals, handoff receipts, attestations, commitments.

export * from './card.js';
export * from './keys.js';
