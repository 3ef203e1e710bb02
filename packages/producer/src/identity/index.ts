// Producer identity/: the signing side of spec chapter 4 — agent keys, enhanced agent cards,
// signed events and human approvals, lifecycle events, handoff receipts, attestations,
// commitments and openings.

export * from './attestation.js';
export * from './card.js';
export * from './commitment.js';
export * from './event.js';
export * from './keys.js';
export * from './receipt.js';
