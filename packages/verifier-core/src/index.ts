// Public API of @lineage/verifier-core. Each module verifies one thing.
export * from './result.js';
export * from './encoding/bytes.js';
export * from './encoding/hex.js';
export * from './encoding/base64.js';
export * from './encoding/decimal.js';
export type * from './crypto/backend.js';
export { getCryptoBackend, setCryptoBackend, sha256 } from './crypto/current.js';
export { nobleBackend } from './crypto/backends/noble.js';
export * from './merkle/hash.js';
export * from './report/model.js';
