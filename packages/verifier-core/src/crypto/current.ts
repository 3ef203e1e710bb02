import { defaultBackend } from '#default-backend';
import type { CryptoBackend } from './backend.js';

/**
 * The backend used by the synchronous hashing exports (leafHash, merkleRoot…)
 * and by verifiers that are not given one explicitly. The default is chosen by
 * package export conditions: node:crypto under Node/Electron main, WebCrypto
 * (with a portable fallback) in browsers.
 */
let current: CryptoBackend = defaultBackend;

export function getCryptoBackend(): CryptoBackend {
  return current;
}

/** Explicit override (tests, benchmarks, or a host that wants the portable backend). */
export function setCryptoBackend(backend: CryptoBackend): void {
  current = backend;
}

export function sha256(data: Uint8Array): Uint8Array {
  return current.sha256(data);
}
