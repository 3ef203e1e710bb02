// Public keys: SPKI/PEM parsing for Ed25519 and P-256, fingerprints.

export type { DerElement } from './der.js';
export * from './spki.js';
