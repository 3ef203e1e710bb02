// @lineage/producer: makes what @lineage/verifier-core checks. The verifier never imports this package.

export * from './capsule/index.js';
export * from './identity/index.js';
export * from './log/index.js';
export * from './note/index.js';
export * from './sample/index.js';
