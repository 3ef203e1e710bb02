import { getCryptoBackend, sha256 } from '../crypto/current.js';
import { bytesEqual } from '../encoding/bytes.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import { type PublicKeyInfo, spkiFingerprint } from '../keys/spki.js';
import { LineageError } from '../result.js';
import { asObject, getBase64, getSafeUint } from './json-read.js';
import {
  parseDigitallySigned,
  TLS_HASH_INTRINSIC,
  TLS_HASH_SHA256,
  TLS_SIG_ECDSA,
  TLS_SIG_ED25519,
  treeHeadSignatureInput,
} from './rfc6962-tls.js';

/** An RFC 6962 §4.3 get-sth response. */
export interface Rfc6962Sth {
  treeSize: number;
  /** Milliseconds since the Unix epoch. */
  timestamp: number;
  rootHash: Uint8Array;
  /** TLS DigitallySigned struct, as received. */
  treeHeadSignature: Uint8Array;
}

/** Parses get-sth JSON strictly (I-JSON, duplicate keys rejected); unknown members are ignored. */
export function parseRfc6962Sth(json: string | JsonValue): Rfc6962Sth {
  const v = typeof json === 'string' ? parseStrictJson(json) : json;
  const o = asObject(v, '', 'sth.json');
  return {
    treeSize: getSafeUint(o, 'tree_size', '', 'sth.json'),
    timestamp: getSafeUint(o, 'timestamp', '', 'sth.json'),
    rootHash: getBase64(o, 'sha256_root_hash', '', 'sth.json', 32),
    treeHeadSignature: getBase64(o, 'tree_head_signature', '', 'sth.json'),
  };
}

export type Rfc6962SthResult =
  | { ok: true; sth: Rfc6962Sth; logId: Uint8Array }
  | { ok: false; code: string; message: string };

/**
 * Verifies an RFC 6962 v1 STH against the log's public key: the DigitallySigned
 * algorithm must match the key (SHA-256/ECDSA for P-256; 0x0807 for Ed25519), and
 * the signature must cover TreeHeadSignature(v1, tree_hash, timestamp, size, root).
 * A size-0 STH must carry SHA-256("").
 */
export async function verifyRfc6962Sth(
  input: string | JsonValue | Rfc6962Sth,
  key: PublicKeyInfo,
): Promise<Rfc6962SthResult> {
  let sth: Rfc6962Sth;
  try {
    sth = isParsed(input) ? input : parseRfc6962Sth(input);
  } catch (e) {
    if (e instanceof LineageError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  if (sth.treeSize === 0 && !bytesEqual(sth.rootHash, sha256(new Uint8Array(0)))) {
    return {
      ok: false,
      code: 'sth.empty-tree',
      message: 'tree_size is 0 but sha256_root_hash is not SHA-256("")',
    };
  }
  let ds: ReturnType<typeof parseDigitallySigned>;
  try {
    ds = parseDigitallySigned(sth.treeHeadSignature, 'tree_head_signature');
  } catch (e) {
    return { ok: false, code: 'sth.signature-format', message: (e as Error).message };
  }
  const message = treeHeadSignatureInput(BigInt(sth.timestamp), BigInt(sth.treeSize), sth.rootHash);
  const backend = getCryptoBackend();
  let ok: boolean;
  if (key.algorithm === 'ecdsa-p256') {
    if (ds.hashAlgorithm !== TLS_HASH_SHA256 || ds.signatureAlgorithm !== TLS_SIG_ECDSA) {
      return algMismatch(ds, 'SHA-256/ECDSA (4/3) for a P-256 key');
    }
    ok = await backend.ecdsaP256Verify({
      publicKey: key.publicKey,
      message,
      signature: ds.signature,
      signatureFormat: 'der',
    });
  } else {
    if (ds.hashAlgorithm !== TLS_HASH_INTRINSIC || ds.signatureAlgorithm !== TLS_SIG_ED25519) {
      return algMismatch(ds, 'Ed25519 (8/7, scheme 0x0807) for an Ed25519 key');
    }
    ok = await backend.ed25519Verify({ publicKey: key.publicKey, message, signature: ds.signature });
  }
  if (!ok) {
    return {
      ok: false,
      code: 'sth.signature',
      message: `tree_head_signature does not verify for size ${sth.treeSize}, timestamp ${sth.timestamp} under the ${key.algorithm} log key`,
    };
  }
  return { ok: true, sth, logId: spkiFingerprint(key.spki) };
}

function algMismatch(
  ds: { hashAlgorithm: number; signatureAlgorithm: number },
  expected: string,
): Rfc6962SthResult {
  return {
    ok: false,
    code: 'sth.signature-algorithm',
    message: `tree_head_signature uses hash/signature ${ds.hashAlgorithm}/${ds.signatureAlgorithm}; expected ${expected}`,
  };
}

function isParsed(v: unknown): v is Rfc6962Sth {
  return typeof v === 'object' && v !== null && (v as Rfc6962Sth).rootHash instanceof Uint8Array;
}
