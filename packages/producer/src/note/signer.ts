import {
  fromBase64,
  LineageError,
  type NoteKeyType,
  noteVerifierKey,
  toBase64,
  toHex,
} from '@lineage/verifier-core';
import { type Ed25519Key, ed25519KeyFromSeed, generateEd25519Key } from '../identity/keys.js';

/** The Ed25519 note key types we sign with: log keys (0x01) and witness cosigners (0x04). */
export type SignerType = Extract<NoteKeyType, 'ed25519' | 'cosignature-v1'>;

export interface NoteSigner {
  name: string;
  type: SignerType;
  key: Ed25519Key;
  keyId: Uint8Array;
  keyIdHex: string;
  /** The verifier key to publish / pin: `<name>+<key ID>+<base64(type ‖ pub)>`. */
  vkey: string;
}

const TYPE_BYTE: Record<SignerType, number> = { ed25519: 0x01, 'cosignature-v1': 0x04 };

export function noteSigner(name: string, key: Ed25519Key, type: SignerType = 'ed25519'): NoteSigner {
  const v = noteVerifierKey(name, type, key.publicKey);
  return { name, type, key, keyId: v.keyId, keyIdHex: v.keyIdHex, vkey: v.vkey };
}

export function generateNoteSigner(name: string, type: SignerType = 'ed25519'): NoteSigner {
  return noteSigner(name, generateEd25519Key(), type);
}

/**
 * golang.org/x/mod/sumdb/note signer key: `PRIVATE+KEY+<name>+<key ID>+<base64(type ‖ seed)>`,
 * so keys interoperate with Go tooling (note.NewSigner).
 */
export function formatSignerKey(s: NoteSigner): string {
  const raw = new Uint8Array(33);
  raw[0] = TYPE_BYTE[s.type];
  raw.set(s.key.secretKey, 1);
  return `PRIVATE+KEY+${s.name}+${s.keyIdHex}+${toBase64(raw)}`;
}

export function parseSignerKey(skey: string): NoteSigner {
  // Split on the first four '+' only: the base64 key may itself contain '+'.
  const m = /^PRIVATE\+KEY\+([^+]+)\+([^+]+)\+(.+)$/.exec(skey);
  if (!m) throw new LineageError('skey.format', 'expected PRIVATE+KEY+<name>+<key ID>+<base64 key>');
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  const raw = fromBase64(b64, 33, 'skey');
  const type = raw[0] === 0x01 ? 'ed25519' : raw[0] === 0x04 ? 'cosignature-v1' : undefined;
  if (!type)
    throw new LineageError('skey.type', `signer key type 0x${toHex(raw.subarray(0, 1))} is not supported`);
  const s = noteSigner(name, ed25519KeyFromSeed(raw.slice(1)), type);
  if (s.keyIdHex !== idHex) {
    throw new LineageError(
      'skey.key-id',
      `signer key ID ${idHex} does not match the key (expected ${s.keyIdHex})`,
    );
  }
  return s;
}
