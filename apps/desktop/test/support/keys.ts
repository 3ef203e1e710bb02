// Real Ed25519 keys for tests, from node:crypto.
import { generateKeyPairSync } from 'node:crypto';
import { fromBase64Url, noteVerifierKey, toHex } from '@lineage/verifier-core';

export function ed25519Pair(): { secret: Uint8Array; pub: Uint8Array; pubHex: string; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const secret = fromBase64Url(String(privateKey.export({ format: 'jwk' }).d));
  const pub = fromBase64Url(String(publicKey.export({ format: 'jwk' }).x));
  return { secret, pub, pubHex: toHex(pub), pem: String(publicKey.export({ format: 'pem', type: 'spki' })) };
}

export function vkeyFor(name: string): string {
  return noteVerifierKey(name, 'ed25519', ed25519Pair().pub).vkey;
}
