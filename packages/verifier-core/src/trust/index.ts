// Trust store, workflow policy and the closed list of identity/lineage check ids (spec §4.8, §4.10).
export * from './check-ids.js';
export { checkTrustStore, emptyTrustStore, parseTrustStore } from './parse.js';
export { OutcomeSink, StopAtFirstFailure } from './sink.js';
export { SthVerifier, type TrustedSthResult } from './sth.js';
export * from './types.js';
