// Public API of @lineage/verifier-core. Each folder verifies one thing and has its own barrel.

export * from './attestation/index.js';
export * from './capsule/index.js';
export * from './chain/index.js';
export * from './commitments/index.js';
export * from './crypto/index.js';
export * from './encoding/base64.js';
export * from './encoding/bytes.js';
export * from './encoding/decimal.js';
export * from './encoding/hex.js';
export * from './events/index.js';
export * from './identity/index.js';
export * from './json/index.js';
export * from './keys/index.js';
export * from './merkle/hash.js';
export * from './merkle/index.js';
export * from './note/index.js';
export * from './receipts/index.js';
export * from './report/hidden-chars.js';
export * from './report/model.js';
export * from './result.js';
export * from './sigstore/index.js';
export * from './trust/index.js';
