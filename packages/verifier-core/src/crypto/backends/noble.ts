import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import type { CryptoBackend, EcdsaP256VerifyItem, Ed25519VerifyItem, Sha256Hasher } from '../backend.js';

function verifyEd25519(item: Ed25519VerifyItem): boolean {
  if (item.publicKey.length !== 32 || item.signature.length !== 64) return false;
  try {
    // zip215: false = strict RFC 8032 / FIPS 186-5, matching OpenSSL and WebCrypto.
    return ed25519.verify(item.signature, item.message, item.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

function verifyP256(item: EcdsaP256VerifyItem): boolean {
  try {
    // lowS: false — Go, OpenSSL and WebCrypto accept high-S signatures; so must we.
    return p256.verify(item.signature, item.message, item.publicKey, {
      prehash: true,
      lowS: false,
      format: item.signatureFormat === 'der' ? 'der' : 'compact',
    });
  } catch {
    return false;
  }
}

/** Portable backend: pure JavaScript, runs anywhere. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  createSha256(): Sha256Hasher {
    const h = sha256.create();
    const hasher: Sha256Hasher = {
      update(chunk) {
        h.update(chunk);
        return hasher;
      },
      digest: () => h.digest(),
    };
    return hasher;
  },
  sha512: (data) => sha512(data),
  ed25519Verify: async (item) => verifyEd25519(item),
  ed25519VerifyBatch: async (items) => items.map(verifyEd25519),
  ecdsaP256Verify: async (item) => verifyP256(item),
};
