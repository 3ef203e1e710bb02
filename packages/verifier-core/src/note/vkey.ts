import { sha256 } from '../crypto/current.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { parseSpki, publicKeyIdentity } from '../keys/spki.js';
import { LineageError } from '../result.js';

/**
 * Signed-note verifier keys (c2sp.org/signed-note "vkey"):
 * `<name>+<8 hex key ID>+<base64(type byte ‖ key material)>`.
 */
export type NoteKeyType = 'ed25519' | 'ecdsa-p256' | 'cosignature-v1' | 'rfc6962';

export const NOTE_KEY_TYPE_BYTE: Readonly<Record<NoteKeyType, number>> = {
  ed25519: 0x01,
  'ecdsa-p256': 0x02,
  'cosignature-v1': 0x04,
  rfc6962: 0x05,
};

export interface NoteVerifierKey {
  /** The key name signature lines must carry. */
  name: string;
  /** The 4-byte key ID, recomputed from the key and checked against the vkey. */
  keyId: Uint8Array;
  /** Key ID as 8 lowercase hex digits (big-endian uint32). */
  keyIdHex: string;
  type: NoteKeyType;
  typeByte: number;
  /** Key material after the type byte: 32-byte Ed25519 key, or DER SPKI for 0x02 / 0x05. */
  keyMaterial: Uint8Array;
  /** Raw key for the crypto backend: 32-byte Ed25519 or a SEC1 P-256 point. */
  publicKey: Uint8Array;
  /** 0x05 only: RFC 6962 LogID = SHA-256(DER SPKI). */
  logId?: Uint8Array;
  /** The canonical vkey string. */
  vkey: string;
}

/** Key names: non-empty, no Unicode whitespace, no '+' (signed-note §Format). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/\p{White_Space}/u.test(name) && !name.includes('+');
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], the recommended key ID (0x01, 0x04, 0x05 with key = LogID). */
function nameBasedKeyId(name: string, typeByte: number, key: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8Encode(name), Uint8Array.of(0x0a, typeByte), key)).subarray(0, 4);
}

/**
 * The key ID a note signature by this key carries. 0x02 is the odd one out: it is
 * SHA-256 of the DER SPKI, not name-based (transparency-dev/witness convention).
 */
export function computeNoteKeyId(name: string, typeByte: number, keyMaterial: Uint8Array): Uint8Array {
  switch (typeByte) {
    case 0x01:
    case 0x04:
      return nameBasedKeyId(name, typeByte, keyMaterial);
    case 0x02:
      return sha256(keyMaterial).subarray(0, 4);
    case 0x05:
      return nameBasedKeyId(name, typeByte, sha256(keyMaterial));
    default:
      throw new LineageError(
        'vkey.type',
        `signature type 0x${toHex(Uint8Array.of(typeByte))} is not supported`,
      );
  }
}

function typeOf(typeByte: number): NoteKeyType | undefined {
  for (const [t, b] of Object.entries(NOTE_KEY_TYPE_BYTE)) if (b === typeByte) return t as NoteKeyType;
  return undefined;
}

/**
 * Builds a verifier key from its parts (name, type, key material), recomputing
 * the key ID. Used by parseVkey and by code that derives keys from other trust
 * roots (e.g. Sigstore's trusted_root.json).
 */
export function noteVerifierKey(
  name: string,
  type: NoteKeyType,
  keyMaterial: Uint8Array,
  field = 'vkey',
): NoteVerifierKey {
  if (!isValidKeyName(name)) {
    throw new LineageError('vkey.name', `key name "${name}" is empty or contains whitespace or '+'`, field);
  }
  const typeByte = NOTE_KEY_TYPE_BYTE[type];
  let publicKey: Uint8Array;
  let logId: Uint8Array | undefined;
  if (type === 'ed25519' || type === 'cosignature-v1') {
    if (keyMaterial.length !== 32) {
      throw new LineageError('vkey.key', `${type} key must be 32 bytes, found ${keyMaterial.length}`, field);
    }
    publicKey = keyMaterial;
  } else {
    // 0x02 and 0x05 carry a DER SPKI; we verify P-256 only (the curve both ecosystems use).
    let info: ReturnType<typeof parseSpki>;
    try {
      info = parseSpki(keyMaterial, field);
    } catch (e) {
      throw new LineageError('vkey.key', `${type} key material: ${(e as Error).message}`, field);
    }
    if (info.algorithm !== 'ecdsa-p256') {
      throw new LineageError('vkey.key', `${type} key must be ECDSA P-256, found ${info.algorithm}`, field);
    }
    publicKey = info.publicKey;
    if (type === 'rfc6962') logId = sha256(keyMaterial);
  }
  const keyId = computeNoteKeyId(name, typeByte, keyMaterial);
  const key: NoteVerifierKey = {
    name,
    keyId,
    keyIdHex: toHex(keyId),
    type,
    typeByte,
    keyMaterial,
    publicKey,
    vkey: `${name}+${toHex(keyId)}+${toBase64(concatBytes(Uint8Array.of(typeByte), keyMaterial))}`,
  };
  if (logId) key.logId = logId;
  return key;
}

/**
 * Parses and checks a vkey string. Splits on the first two '+' only (the base64
 * part may contain '+'), requires 8 lowercase hex digits for the key ID, a known
 * type byte, a well-formed key, and a key ID that matches the recomputed one.
 */
export function parseVkey(vkey: string, field = 'vkey'): NoteVerifierKey {
  const p1 = vkey.indexOf('+');
  const p2 = p1 < 0 ? -1 : vkey.indexOf('+', p1 + 1);
  if (p1 < 0 || p2 < 0) throw new LineageError('vkey.format', 'expected <name>+<key ID>+<base64 key>', field);
  const name = vkey.slice(0, p1);
  const idHex = vkey.slice(p1 + 1, p2);
  const b64 = vkey.slice(p2 + 1);
  if (!isValidKeyName(name)) {
    throw new LineageError('vkey.name', `key name "${name}" is empty or contains whitespace or '+'`, field);
  }
  if (!/^[0-9a-f]{8}$/.test(idHex)) {
    throw new LineageError('vkey.format', `key ID "${idHex}" is not 8 lowercase hex digits`, field);
  }
  let material: Uint8Array;
  try {
    material = fromBase64(b64, undefined, field);
  } catch (e) {
    throw new LineageError('vkey.format', `key is not standard base64: ${(e as Error).message}`, field);
  }
  if (material.length < 2) throw new LineageError('vkey.key', 'key material is empty', field);
  const typeByte = material[0]!;
  const type = typeOf(typeByte);
  if (!type) {
    throw new LineageError(
      'vkey.type',
      `signature type 0x${toHex(material.subarray(0, 1))} is not supported`,
      field,
    );
  }
  const key = noteVerifierKey(name, type, material.slice(1), field);
  if (key.keyIdHex !== idHex) {
    throw new LineageError(
      'vkey.key-id',
      `key ID ${idHex} does not match the key: expected ${key.keyIdHex} for ${name} (type 0x${toHex(Uint8Array.of(typeByte))})`,
      field,
      { expected: `key ID ${key.keyIdHex}`, found: `key ID ${idHex}` },
    );
  }
  return key;
}

/**
 * The public key behind a verifier key, independent of its name, its type byte and how the
 * key is written: 0x01 and 0x04 keys are Ed25519 keys, 0x02 and 0x05 keys P-256 points
 * (compressed or not in the SPKI). One key under two names, two types or two encodings has
 * one identity: what a witness quorum must count (spec §3.3 rule 6).
 */
export function notePublicKeyIdentity(key: NoteVerifierKey): string {
  return publicKeyIdentity(
    key.type === 'ed25519' || key.type === 'cosignature-v1' ? 'ed25519' : 'ecdsa-p256',
    key.publicKey,
  );
}

/** True when two verifier keys are the same key (name, type and key material). */
export function sameNoteKey(a: NoteVerifierKey, b: NoteVerifierKey): boolean {
  return a.vkey === b.vkey;
}
