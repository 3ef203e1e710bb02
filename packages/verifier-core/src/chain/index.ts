// Call-chain verification (spec §4.3): one engine, two modes — assessor (verifyCallChain,
// every failure) and agent (verifyBeforeAct, accept or quarantine at the first failure).
//
//   const trust = parseTrustStore(trustJson);                  // the verifier's own roots
//   const report = await verifyCallChain({ events, attestations, receipts, openings: [], trust });
//   report.verdict;  // 'verified' | 'failed' | 'incomplete'; report.checks: every CheckOutcome
//   const d = await verifyBeforeAct({ events, trust });          // agent side, before acting
//   if (d.decision === 'quarantine') refuse(d.reason);           // the first non-pass outcome
//
// Hosts that combine several verifiers (capsules) call runCallChain with their own OutcomeSink.

export { runCallChain } from './engine.js';
export { findCycles } from './graph.js';
export { checkDirectInclusion, parseEventInclusion } from './inclusion.js';
export { approvedTask } from './task-binding.js';
export type * from './types.js';
export { verifyBeforeAct, verifyCallChain } from './verify.js';
