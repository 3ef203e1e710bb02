// Default for browsers, the Electron renderer and extension workers: WebCrypto
// where its Ed25519 passes our strictness probes, else the portable backend.
// Detection is asynchronous, so it runs lazily on the first signature check;
// hashing is the same code (@noble/hashes) either way and stays synchronous.
import type { CryptoBackend, Sha256Hasher } from '../backend.js';
import { nobleBackend } from './noble.js';
import { detectWebCryptoEd25519, webcryptoBackend } from './webcrypto.js';

let chosen: CryptoBackend | undefined;
let choosing: Promise<CryptoBackend> | undefined;

function choose(): Promise<CryptoBackend> {
  choosing ??= detectWebCryptoEd25519().then((ok) => {
    chosen = ok ? webcryptoBackend : nobleBackend;
    return chosen;
  });
  return choosing;
}

export const defaultBackend: CryptoBackend = {
  /** 'auto' until the first signature check has decided, then the chosen backend's name. */
  get name() {
    return chosen?.name ?? 'auto';
  },
  sha256: (data) => nobleBackend.sha256(data),
  createSha256: (): Sha256Hasher => nobleBackend.createSha256(),
  sha512: (data) => nobleBackend.sha512(data),
  ed25519Verify: async (item) => (await choose()).ed25519Verify(item),
  ed25519VerifyBatch: async (items) => (await choose()).ed25519VerifyBatch(items),
  ecdsaP256Verify: async (item) => (await choose()).ecdsaP256Verify(item),
};

/** There is no native backend outside Node and Electron main. */
export const nativeBackend: CryptoBackend | null = null;

/** Resolves the automatic choice now (e.g. to show it in an About box). */
export function resolveDefaultBackend(): Promise<CryptoBackend> {
  return choose();
}
