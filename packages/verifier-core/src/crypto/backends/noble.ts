import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from '../../encoding/bytes.js';
import type { CryptoBackend, EcdsaP256VerifyItem, Ed25519VerifyItem, Sha256Hasher } from '../backend.js';
import { ed25519Precheck } from '../ed25519-policy.js';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function numberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/**
 * Cofactorless RFC 8032 verification, as OpenSSL and BoringSSL do it:
 * encode([S]B − [k]A) must equal the signature's R bytes. noble's own
 * ed25519.verify checks the cofactored equation ([8][S]B = [8]R + [8][k]A),
 * which accepts R or A with a small-order component that the others reject.
 */
function verifyEd25519(item: Ed25519VerifyItem): boolean {
  const { publicKey, signature, message } = item;
  if (!ed25519Precheck(publicKey, signature)) return false;
  try {
    // zip215: false = RFC 8032 decoding (y < p, no negative zero), as the precheck also requires.
    const A = ed25519.Point.fromBytes(publicKey, false);
    const R = signature.subarray(0, 32);
    const k = numberLE(sha512(concatBytes(R, publicKey, message))) % L;
    const S = numberLE(signature.subarray(32));
    const check = ed25519.Point.BASE.multiplyUnsafe(S).subtract(A.multiplyUnsafe(k));
    return bytesEqual(check.toBytes(), R);
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

/** SHA-2 from @noble/hashes: synchronous everywhere (WebCrypto's digest is async, so that backend borrows this). */
export const nobleHashing: Pick<CryptoBackend, 'sha256' | 'createSha256' | 'sha512'> = {
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
};

/** Portable backend: pure JavaScript, runs anywhere. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  ...nobleHashing,
  ed25519Verify: async (item) => verifyEd25519(item),
  ed25519VerifyBatch: async (items) => items.map(verifyEd25519),
  ecdsaP256Verify: async (item) => verifyP256(item),
};
