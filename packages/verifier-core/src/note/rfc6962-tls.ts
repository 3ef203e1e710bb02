import { concatBytes, uint64BE } from '../encoding/bytes.js';
import { LineageError } from '../result.js';

/**
 * RFC 6962 §3.5 TreeHeadSignature input:
 * version v1(0) ‖ signature_type tree_hash(1) ‖ uint64 timestamp ‖ uint64 tree_size ‖ root[32].
 */
export function treeHeadSignatureInput(
  timestamp: bigint,
  treeSize: bigint,
  rootHash: Uint8Array,
): Uint8Array {
  return concatBytes(Uint8Array.of(0, 1), uint64BE(timestamp), uint64BE(treeSize), rootHash);
}

/** TLS 1.2 SignatureAndHashAlgorithm values used by CT logs (RFC 5246 §7.4.1.4.1, RFC 8422). */
export const TLS_HASH_SHA256 = 4;
export const TLS_SIG_ECDSA = 3;
/** Ed25519 is signature scheme 0x0807: "hash" 8 (intrinsic) and "signature" 7. */
export const TLS_HASH_INTRINSIC = 8;
export const TLS_SIG_ED25519 = 7;

export interface DigitallySigned {
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Uint8Array;
}

/** Parses a TLS `DigitallySigned` struct that must span `bytes` exactly. */
export function parseDigitallySigned(bytes: Uint8Array, field = 'signature'): DigitallySigned {
  if (bytes.length < 4) {
    throw new LineageError(
      'tls.digitally-signed',
      `DigitallySigned needs at least 4 bytes, found ${bytes.length}`,
      field,
    );
  }
  const len = (bytes[2]! << 8) | bytes[3]!;
  if (bytes.length !== 4 + len) {
    throw new LineageError(
      'tls.digitally-signed',
      `DigitallySigned declares a ${len}-byte signature but ${bytes.length - 4} bytes follow`,
      field,
    );
  }
  return { hashAlgorithm: bytes[0]!, signatureAlgorithm: bytes[1]!, signature: bytes.subarray(4) };
}

export function encodeDigitallySigned(ds: DigitallySigned): Uint8Array {
  const n = ds.signature.length;
  return concatBytes(Uint8Array.of(ds.hashAlgorithm, ds.signatureAlgorithm, n >> 8, n & 0xff), ds.signature);
}
