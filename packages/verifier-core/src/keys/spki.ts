import { sha256 } from '../crypto/current.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { bytesEqual, concatBytes, utf8DecodeStrict } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { LineageError } from '../result.js';
import {
  DER_BIT_STRING,
  DER_OID,
  DER_SEQUENCE,
  type DerElement,
  readDerChildren,
  readDerWhole,
} from './der.js';

/** Public-key algorithms the verifier core can check signatures for. */
export type PublicKeyAlgorithm = 'ed25519' | 'ecdsa-p256';

export interface PublicKeyInfo {
  algorithm: PublicKeyAlgorithm;
  /** Raw key for the crypto backend: 32-byte Ed25519, or a SEC1 P-256 point (65 bytes uncompressed, 33 compressed). */
  publicKey: Uint8Array;
  /** The DER SubjectPublicKeyInfo the key was read from (or built for a raw key). */
  spki: Uint8Array;
}

// AlgorithmIdentifier encodings (OID TLVs).
const OID_ED25519 = Uint8Array.from([0x06, 0x03, 0x2b, 0x65, 0x70]); // 1.3.101.112
const OID_EC_PUBLIC_KEY = Uint8Array.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]); // 1.2.840.10045.2.1
const OID_P256 = Uint8Array.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]); // 1.2.840.10045.3.1.7
const OID_NAMES: ReadonlyArray<[string, string]> = [
  ['2b81040022', 'P-384 (1.3.132.0.34)'],
  ['2b81040023', 'P-521 (1.3.132.0.35)'],
  ['2a864886f70d010101', 'RSA (1.2.840.113549.1.1.1)'],
  ['2b6571', 'Ed448 (1.3.101.113)'],
  ['2b8104000a', 'secp256k1 (1.3.132.0.10)'],
];

function describeOid(oid: DerElement): string {
  const hex = toHex(oid.value);
  return OID_NAMES.find(([h]) => h === hex)?.[1] ?? `OID ${hex}`;
}

/**
 * Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) holding an Ed25519 key
 * (RFC 8410: 44 bytes, no parameters) or an ECDSA P-256 key (RFC 5480). Any other
 * algorithm or curve is rejected with a message naming it.
 */
export function parseSpki(der: Uint8Array, field = 'spki'): PublicKeyInfo {
  const outer = readDerWhole(der, field);
  if (outer.tag !== DER_SEQUENCE)
    throw new LineageError('key.spki', 'SubjectPublicKeyInfo is not a SEQUENCE', field);
  const parts = readDerChildren(outer.value, field);
  if (parts.length !== 2 || parts[0]!.tag !== DER_SEQUENCE || parts[1]!.tag !== DER_BIT_STRING) {
    throw new LineageError('key.spki', 'expected SEQUENCE { AlgorithmIdentifier, BIT STRING }', field);
  }
  const alg = readDerChildren(parts[0]!.value, field);
  const bits = parts[1]!.value;
  if (bits.length < 1 || bits[0] !== 0)
    throw new LineageError('key.spki', 'public key BIT STRING has unused bits', field);
  const key = bits.subarray(1);
  const oid = alg[0];
  if (!oid || oid.tag !== DER_OID)
    throw new LineageError('key.spki', 'AlgorithmIdentifier has no OID', field);

  if (bytesEqual(oid.raw, OID_ED25519)) {
    if (alg.length !== 1)
      throw new LineageError('key.spki', 'Ed25519 AlgorithmIdentifier must have no parameters', field);
    if (key.length !== 32) {
      throw new LineageError('key.length', `Ed25519 public key must be 32 bytes, found ${key.length}`, field);
    }
    return { algorithm: 'ed25519', publicKey: key, spki: der };
  }
  if (bytesEqual(oid.raw, OID_EC_PUBLIC_KEY)) {
    const curve = alg[1];
    if (alg.length !== 2 || !curve || curve.tag !== DER_OID) {
      throw new LineageError('key.spki', 'EC AlgorithmIdentifier must name a curve OID', field);
    }
    if (!bytesEqual(curve.raw, OID_P256)) {
      throw new LineageError(
        'key.unsupported',
        `EC curve ${describeOid(curve)} is not supported (only P-256)`,
        field,
      );
    }
    const uncompressed = key.length === 65 && key[0] === 0x04;
    const compressed = key.length === 33 && (key[0] === 0x02 || key[0] === 0x03);
    if (!uncompressed && !compressed) {
      throw new LineageError(
        'key.length',
        `P-256 point must be 65 bytes (0x04…) or 33 bytes (0x02/0x03…), found ${key.length} bytes starting 0x${toHex(key.subarray(0, 1))}`,
        field,
      );
    }
    return { algorithm: 'ecdsa-p256', publicKey: key, spki: der };
  }
  throw new LineageError('key.unsupported', `key algorithm ${describeOid(oid)} is not supported`, field);
}

const PEM_RE = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)\r?\n?-----END \1-----\r?\n?$/;

/**
 * Decodes one PEM block (RFC 7468 strict form: base64 lines between matching
 * BEGIN/END labels; surrounding whitespace tolerated). `label` defaults to
 * "PUBLIC KEY" (SPKI).
 */
export function parsePem(text: string, label = 'PUBLIC KEY', field = 'pem'): Uint8Array {
  const m = PEM_RE.exec(text.trim());
  if (!m) throw new LineageError('key.pem', 'not a single PEM block', field);
  if (m[1] !== label)
    throw new LineageError('key.pem', `expected a "${label}" PEM block, found "${m[1]}"`, field);
  const body = m[2]!.replace(/\r?\n/g, '');
  return fromBase64(body, undefined, field);
}

/**
 * Reads a public key given as PEM text, DER bytes, or standard base64 of DER
 * (the form Sigstore's trusted_root.json uses).
 */
export function parsePublicKey(input: string | Uint8Array, field = 'publicKey'): PublicKeyInfo {
  if (typeof input !== 'string') {
    if (input.length > 0 && input[0] === 0x30) return parseSpki(input, field);
    let text: string;
    try {
      text = utf8DecodeStrict(input);
    } catch {
      throw new LineageError('key.format', 'neither DER SubjectPublicKeyInfo nor PEM text', field);
    }
    return parsePublicKey(text, field);
  }
  const trimmed = input.trim();
  if (trimmed.startsWith('-----BEGIN')) return parseSpki(parsePem(trimmed, 'PUBLIC KEY', field), field);
  return parseSpki(fromBase64(trimmed, undefined, field), field);
}

const ED25519_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
const P256_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
  0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
]);

/** The 44-byte DER SPKI of a raw 32-byte Ed25519 key. */
export function ed25519Spki(raw: Uint8Array): Uint8Array {
  if (raw.length !== 32)
    throw new LineageError('key.length', `Ed25519 public key must be 32 bytes, found ${raw.length}`);
  return concatBytes(ED25519_SPKI_PREFIX, raw);
}

/** The 91-byte DER SPKI of an uncompressed P-256 point. */
export function p256Spki(point: Uint8Array): Uint8Array {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new LineageError(
      'key.length',
      `uncompressed P-256 point must be 65 bytes starting 0x04, found ${point.length}`,
    );
  }
  return concatBytes(P256_SPKI_PREFIX, point);
}

/**
 * The SEC1 compressed form (0x02/0x03 ‖ x) of a P-256 point given either way. One point has
 * two encodings (65 bytes uncompressed, 33 compressed) and parseSpki accepts both, so code
 * that asks "is this the same key?" must compare this form, never the raw bytes. No curve
 * arithmetic: a point on the curve is fixed by x and the parity of y. (An uncompressed
 * encoding that is not on the curve may share its compressed form with a real point; no
 * signature verifies under it, so treating the two as one key can only count less.)
 */
export function compressedP256Point(point: Uint8Array): Uint8Array {
  if (point.length === 65 && point[0] === 0x04) {
    return concatBytes(Uint8Array.of(0x02 | (point[64]! & 1)), point.subarray(1, 33));
  }
  if (point.length === 33 && (point[0] === 0x02 || point[0] === 0x03)) return point.slice();
  throw new LineageError(
    'key.length',
    `P-256 point must be 65 bytes (0x04…) or 33 bytes (0x02/0x03…), found ${point.length} bytes`,
  );
}

/**
 * One string per public key, whatever its encoding: "ed25519:<hex>" or
 * "ecdsa-p256:<hex of the compressed point>". Two keys are the same key exactly when
 * their identities are equal (a DER SPKI is not: the point may be written either way).
 */
export function publicKeyIdentity(algorithm: PublicKeyAlgorithm, publicKey: Uint8Array): string {
  if (algorithm === 'ecdsa-p256') return `ecdsa-p256:${toHex(compressedP256Point(publicKey))}`;
  return `ed25519:${toHex(publicKey)}`;
}

/** SHA-256 over the DER SPKI: the key's fingerprint (and an RFC 6962 LogID). */
export function spkiFingerprint(spki: Uint8Array): Uint8Array {
  return sha256(spki);
}

/** Lowercase hex SHA-256 fingerprint of a key, for trust-store displays. */
export function keyFingerprintHex(key: PublicKeyInfo): string {
  return toHex(spkiFingerprint(key.spki));
}

/** PEM text for a DER SPKI (64-character lines). */
export function toPem(spki: Uint8Array, label = 'PUBLIC KEY'): string {
  const b64 = toBase64(spki);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
