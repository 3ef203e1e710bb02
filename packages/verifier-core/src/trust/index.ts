// Trust store, workflow policy and the closed list of identity/lineage check ids.
export * from './check-ids.js';
export * from './types.js';
