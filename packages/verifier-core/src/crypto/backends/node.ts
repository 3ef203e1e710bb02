import { type KeyObject, createHash, createPublicKey, verify } from 'node:crypto';
import { toBase64Url } from '../../encoding/base64.js';
import { toHex } from '../../encoding/hex.js';
import type { CryptoBackend, EcdsaP256VerifyItem, Ed25519VerifyItem, Sha256Hasher } from '../backend.js';

// Importing a raw key costs more than verifying with it; agents sign many events
// with one key, so keep a bounded cache of KeyObjects.
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 4096;

function cached(id: string, make: () => KeyObject): KeyObject {
  let k = keyCache.get(id);
  if (!k) {
    k = make();
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, k);
  }
  return k;
}

function verifyEd25519(item: Ed25519VerifyItem): boolean {
  if (item.publicKey.length !== 32 || item.signature.length !== 64) return false;
  try {
    const key = cached(`ed:${toHex(item.publicKey)}`, () =>
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(item.publicKey) }, format: 'jwk' }),
    );
    return verify(null, item.message, key, item.signature);
  } catch {
    return false;
  }
}

function p256Jwk(point: Uint8Array): KeyObject {
  if (point.length !== 65 || point[0] !== 0x04) {
    // Compressed points: let OpenSSL decode them via an SPKI wrapper.
    const prefix = Uint8Array.from([
      0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
      0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x22, 0x00,
    ]);
    const der = new Uint8Array(prefix.length + point.length);
    der.set(prefix);
    der.set(point, prefix.length);
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  }
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: toBase64Url(point.subarray(1, 33)), y: toBase64Url(point.subarray(33)) },
    format: 'jwk',
  });
}

function verifyP256(item: EcdsaP256VerifyItem): boolean {
  try {
    const key = cached(`p256:${toHex(item.publicKey)}`, () => p256Jwk(item.publicKey));
    return verify(
      'sha256',
      item.message,
      { key, dsaEncoding: item.signatureFormat === 'der' ? 'der' : 'ieee-p1363' },
      item.signature,
    );
  } catch {
    return false;
  }
}

/** Native backend: OpenSSL through node:crypto (Node and Electron main). */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  sha256: (data) => {
    const d = createHash('sha256').update(data).digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  },
  createSha256(): Sha256Hasher {
    const h = createHash('sha256');
    const hasher: Sha256Hasher = {
      update(chunk) {
        h.update(chunk);
        return hasher;
      },
      digest: () => {
        const d = h.digest();
        return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
      },
    };
    return hasher;
  },
  sha512: (data) => {
    const d = createHash('sha512').update(data).digest();
    return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  },
  ed25519Verify: async (item) => verifyEd25519(item),
  ed25519VerifyBatch: async (items) => items.map(verifyEd25519),
  ecdsaP256Verify: async (item) => verifyP256(item),
};

export const defaultBackend = nodeBackend;
