// Barrel for crypto/: the backend interface, selection, and the pure backends
// (the node:crypto backend is reached through the '#default-backend' import or
// the package's './backends/node' export, never from here).
export type * from './backend.js';
export { nobleBackend } from './backends/noble.js';
export { detectWebCryptoEd25519, webcryptoBackend } from './backends/webcrypto.js';
export {
  type CryptoBackendName,
  getCryptoBackend,
  resolveCryptoBackend,
  selectBackend,
  setCryptoBackend,
  sha256,
  sha256Hex,
} from './current.js';
export { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js';
