// Reference producer sample/: the FedRAMP evidence-capsule workflow, built from a seed, and its tampered variants.

export * from './build.js';
export * from './drbg.js';
export * from './sth-signer.js';
export * from './tamper.js';
export * from './workflow.js';
