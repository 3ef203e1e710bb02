// Barrel for capsule/: reading capsules as hostile input and verifying them.

export * from './approval.js';
export * from './check-ids.js';
export * from './limits.js';
export * from './manifest.js';
export * from './oscal.js';
export * from './paths.js';
export * from './report-json.js';
export * from './source.js';
export type * from './types.js';
export * from './unreadable.js';
export * from './verify.js';
export * from './zip.js';
