// Call-chain verification (spec §4.3): one engine, two modes — assessor (verifyCallChain,
// every failure) and agent (verifyBeforeAct, accept or quarantine at the first failure).

export { runCallChain } from './engine.js';
export { findCycles } from './graph.js';
export { checkDirectInclusion, parseEventInclusion } from './inclusion.js';
export type * from './types.js';
export { verifyBeforeAct, verifyCallChain } from './verify.js';
