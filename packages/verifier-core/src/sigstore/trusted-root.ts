import { bytesEqual } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import { type PublicKeyInfo, parseSpki } from '../keys/spki.js';
import {
  asArray,
  asObject,
  getBase64,
  getOptionalString,
  getString,
  type JsonObject,
} from '../note/json-read.js';
import { type NoteVerifierKey, noteVerifierKey } from '../note/vkey.js';
import { LineageError } from '../result.js';

/** One transparency log from a Sigstore trusted_root.json `tlogs[]`. */
export interface TrustedTlog {
  baseUrl: string;
  /** Host of baseUrl: the key name on the log's checkpoint signature lines. */
  name: string;
  /** `logId.keyId`, 32 bytes; bundle entries name their log by it. */
  logId: Uint8Array;
  keyDetails: string;
  key: PublicKeyInfo;
  /** The signed-note verifier key for the log's checkpoints (key ID = logId[:4]). */
  noteKey: NoteVerifierKey;
  validFor?: { start?: string; end?: string };
}

export interface SkippedTlog {
  index: number;
  baseUrl: string;
  reason: string;
}

export interface TrustedRoot {
  tlogs: TrustedTlog[];
  /** Entries we cannot use (unsupported key type, inconsistent key ID), with why. */
  skipped: SkippedTlog[];
}

const KEY_DETAILS: Readonly<Record<string, PublicKeyInfo['algorithm']>> = {
  PKIX_ECDSA_P256_SHA_256: 'ecdsa-p256',
  PKIX_ED25519: 'ed25519',
};

/** Host of an https URL, without port or path (no URL global in the pure core). */
function hostOf(url: string): string | undefined {
  const m = /^https?:\/\/([A-Za-z0-9.-]+)(?::[0-9]+)?(?:\/.*)?$/.exec(url);
  return m?.[1]?.toLowerCase();
}

/**
 * Reads the `tlogs` of a Sigstore trusted root (strict JSON). Each log becomes a
 * note verifier key: Rekor v1 (ECDSA P-256) as signed-note type 0x02, key ID =
 * SHA-256(SPKI)[:4]; Rekor v2 (Ed25519) as type 0x01 named after the baseUrl host.
 * The recomputed key ID must equal logId.keyId[:4], else the log is skipped.
 */
export function parseTrustedRoot(json: string | JsonValue): TrustedRoot {
  const root = asObject(typeof json === 'string' ? parseStrictJson(json) : json, '', 'sigstore.trusted-root');
  const mediaType = getOptionalString(root, 'mediaType', '', 'sigstore.trusted-root');
  if (mediaType !== undefined && !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new LineageError(
      'sigstore.trusted-root',
      `mediaType "${mediaType}" is not a Sigstore trusted root`,
      '/mediaType',
    );
  }
  const tlogs: TrustedTlog[] = [];
  const skipped: SkippedTlog[] = [];
  const list = asArray(root.tlogs, '/tlogs', 'sigstore.trusted-root');
  for (let i = 0; i < list.length; i++) {
    const t = asObject(list[i], `/tlogs/${i}`, 'sigstore.trusted-root');
    const baseUrl = getString(t, 'baseUrl', `/tlogs/${i}`, 'sigstore.trusted-root');
    const r = readTlog(t, baseUrl, `/tlogs/${i}`);
    if (typeof r === 'string') skipped.push({ index: i, baseUrl, reason: r });
    else tlogs.push(r);
  }
  return { tlogs, skipped };
}

/** One `tlogs[]` entry, or the reason it cannot be used. */
function readTlog(t: JsonObject, baseUrl: string, path: string): TrustedTlog | string {
  const code = 'sigstore.trusted-root';
  const hashAlgorithm = getOptionalString(t, 'hashAlgorithm', path, code);
  if (hashAlgorithm !== undefined && hashAlgorithm !== 'SHA2_256') return `hashAlgorithm ${hashAlgorithm}`;
  const pkPath = `${path}/publicKey`;
  const pk = asObject(t.publicKey, pkPath, code);
  const keyDetails = getString(pk, 'keyDetails', pkPath, code);
  // Own entries only: keyDetails "constructor" must not find Object.prototype's.
  const alg = Object.hasOwn(KEY_DETAILS, keyDetails) ? KEY_DETAILS[keyDetails] : undefined;
  if (!alg) return `keyDetails ${keyDetails} is not supported`;
  const logId = getBase64(asObject(t.logId, `${path}/logId`, code), 'keyId', `${path}/logId`, code, 32);
  const name = hostOf(baseUrl);
  if (!name) return `baseUrl "${baseUrl}" has no host`;
  let key: PublicKeyInfo;
  try {
    key = parseSpki(getBase64(pk, 'rawBytes', pkPath, code), `${pkPath}/rawBytes`);
  } catch (e) {
    return (e as Error).message;
  }
  if (key.algorithm !== alg) return `keyDetails says ${keyDetails} but the key is ${key.algorithm}`;
  const noteKey =
    alg === 'ecdsa-p256'
      ? noteVerifierKey(name, 'ecdsa-p256', key.spki)
      : noteVerifierKey(name, 'ed25519', key.publicKey);
  if (!bytesEqual(noteKey.keyId, logId.subarray(0, 4))) {
    return `checkpoint key ID ${noteKey.keyIdHex} does not match logId ${toHex(logId.subarray(0, 4))}…`;
  }
  const tlog: TrustedTlog = { baseUrl, name, logId, keyDetails, key, noteKey };
  if (pk.validFor !== undefined) {
    const vfPath = `${pkPath}/validFor`;
    const o = asObject(pk.validFor, vfPath, code);
    const start = getOptionalString(o, 'start', vfPath, code);
    const end = getOptionalString(o, 'end', vfPath, code);
    tlog.validFor = {};
    if (start) tlog.validFor.start = start;
    if (end) tlog.validFor.end = end;
  }
  return tlog;
}

/** The trusted log whose full 32-byte logId matches. */
export function findTlog(root: TrustedRoot, logId: Uint8Array): TrustedTlog | undefined {
  return root.tlogs.find((t) => bytesEqual(t.logId, logId));
}
