// Barrel for capsule/: reading capsules as hostile input and verifying them.
export * from './limits.js';
export * from './paths.js';
export * from './source.js';
export * from './zip.js';
