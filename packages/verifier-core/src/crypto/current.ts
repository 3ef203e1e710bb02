import { defaultBackend, nativeBackend } from '#default-backend';
import { toHex } from '../encoding/hex.js';
import { LineageError } from '../result.js';
import type { CryptoBackend } from './backend.js';
import { nobleBackend } from './backends/noble.js';
import { detectWebCryptoEd25519, webcryptoBackend } from './backends/webcrypto.js';

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

/** SHA-256 as lowercase hex (the backend's own path when it has one). */
export function sha256Hex(data: Uint8Array): string {
  return current.sha256Hex ? current.sha256Hex(data) : toHex(current.sha256(data));
}

export type CryptoBackendName = 'node' | 'webcrypto' | 'noble' | 'auto';

/**
 * The backend a name stands for here, or a LineageError when it cannot run here:
 * 'node' exists only under Node/Electron main; 'webcrypto' only where
 * crypto.subtle verifies Ed25519 strictly; 'noble' everywhere; 'auto' is the
 * platform default (node, else WebCrypto if it passes its probes, else noble).
 */
export async function resolveCryptoBackend(name: CryptoBackendName): Promise<CryptoBackend> {
  switch (name) {
    case 'auto':
      return defaultBackend;
    case 'noble':
      return nobleBackend;
    case 'webcrypto':
      if (await detectWebCryptoEd25519()) return webcryptoBackend;
      throw new LineageError(
        'crypto.backend-unavailable',
        'WebCrypto is missing here, or its Ed25519 does not verify strictly (RFC 8032)',
        'backend',
      );
    case 'node':
      if (nativeBackend) return nativeBackend;
      throw new LineageError(
        'crypto.backend-unavailable',
        'the node:crypto backend exists only under Node and Electron main',
        'backend',
      );
    default:
      throw new LineageError(
        'crypto.backend-unknown',
        `unknown crypto backend "${String(name)}"; expected node, webcrypto, noble or auto`,
        'backend',
      );
  }
}

/** Resolves `name` and makes it the current backend (the explicit override, by name). */
export async function selectBackend(name: CryptoBackendName): Promise<CryptoBackend> {
  const backend = await resolveCryptoBackend(name);
  current = backend;
  return backend;
}
