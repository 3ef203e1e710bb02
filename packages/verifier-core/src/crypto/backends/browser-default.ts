// Default for browsers, the Electron renderer and extension workers.
// TODO(webcrypto): prefer the WebCrypto backend where Ed25519 is supported.
export { nobleBackend as defaultBackend } from './noble.js';
