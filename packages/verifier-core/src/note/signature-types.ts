import { getCryptoBackend } from '../crypto/current.js';
import { concatBytes, readUint64BE, utf8Encode } from '../encoding/bytes.js';
import { parseCheckpointBody } from './checkpoint-body.js';
import {
  parseDigitallySigned,
  TLS_HASH_SHA256,
  TLS_SIG_ECDSA,
  treeHeadSignatureInput,
} from './rfc6962-tls.js';
import type { NoteSignatureLine, SignedNote } from './signed-note.js';
import type { NoteVerifierKey } from './vkey.js';

export type SignatureCheck = { ok: true; timestamp?: bigint } | { ok: false; reason: string };

/** cosignature/v1 timestamps are POSIX seconds and MUST NOT exceed 2^63-1. */
const MAX_COSIGNATURE_TIME = (1n << 63n) - 1n;

/** The message an Ed25519 cosignature/v1 (0x04) signs: two header lines, then the note text. */
export function cosignatureV1Message(timestamp: bigint, textBytes: Uint8Array): Uint8Array {
  return concatBytes(utf8Encode(`cosignature/v1\ntime ${timestamp}\n`), textBytes);
}

/**
 * Verifies one signature line against the key it names, per signature type.
 * Never throws: malformed signature bytes are a failed check with a reason.
 */
export async function verifyNoteSignature(
  key: NoteVerifierKey,
  note: SignedNote,
  sig: NoteSignatureLine,
): Promise<SignatureCheck> {
  const backend = getCryptoBackend();
  const s = sig.signature;
  switch (key.type) {
    case 'ed25519': {
      if (s.length !== 64)
        return { ok: false, reason: `Ed25519 signature must be 64 bytes, found ${s.length}` };
      const ok = await backend.ed25519Verify({
        publicKey: key.publicKey,
        message: note.textBytes,
        signature: s,
      });
      return ok ? { ok: true } : { ok: false, reason: 'Ed25519 verification failed' };
    }
    case 'ecdsa-p256': {
      const ok = await backend.ecdsaP256Verify({
        publicKey: key.publicKey,
        message: note.textBytes,
        signature: s,
        signatureFormat: 'der',
      });
      return ok ? { ok: true } : { ok: false, reason: 'ECDSA P-256 verification failed' };
    }
    case 'cosignature-v1': {
      if (s.length !== 72) {
        return { ok: false, reason: `cosignature/v1 must be 8 + 64 = 72 bytes, found ${s.length}` };
      }
      const timestamp = readUint64BE(s, 0);
      if (timestamp > MAX_COSIGNATURE_TIME) {
        return { ok: false, reason: `cosignature timestamp ${timestamp} exceeds 2^63-1` };
      }
      const ok = await backend.ed25519Verify({
        publicKey: key.publicKey,
        message: cosignatureV1Message(timestamp, note.textBytes),
        signature: s.subarray(8),
      });
      return ok
        ? { ok: true, timestamp }
        : { ok: false, reason: `cosignature/v1 (time ${timestamp}) does not verify` };
    }
    case 'rfc6962':
      return verifyRfc6962NoteSignature(key, note, s);
  }
}

/**
 * c2sp.org/static-ct-api RFC6962NoteSignature (0x05): uint64 timestamp (ms) ‖
 * TLS DigitallySigned over the RFC 6962 TreeHeadSignature. The origin line is NOT
 * signed, so it must equal the key name, and extension lines (also unsigned) are
 * forbidden.
 */
async function verifyRfc6962NoteSignature(
  key: NoteVerifierKey,
  note: SignedNote,
  s: Uint8Array,
): Promise<SignatureCheck> {
  let body: ReturnType<typeof parseCheckpointBody>;
  try {
    body = parseCheckpointBody(note.text);
  } catch (e) {
    return { ok: false, reason: `RFC 6962 note signature needs a checkpoint body: ${(e as Error).message}` };
  }
  if (body.origin !== key.name) {
    return {
      ok: false,
      reason: `origin "${body.origin}" must equal the key name "${key.name}" (the origin is unsigned)`,
    };
  }
  if (body.extensionLines.length > 0) {
    return {
      ok: false,
      reason: `RFC 6962 note signatures do not sign extension lines; found ${body.extensionLines.length}`,
    };
  }
  if (s.length < 12) return { ok: false, reason: `RFC 6962 note signature is ${s.length} bytes; too short` };
  const timestamp = readUint64BE(s, 0);
  let ds: ReturnType<typeof parseDigitallySigned>;
  try {
    ds = parseDigitallySigned(s.subarray(8));
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  if (ds.hashAlgorithm !== TLS_HASH_SHA256 || ds.signatureAlgorithm !== TLS_SIG_ECDSA) {
    return {
      ok: false,
      reason: `DigitallySigned algorithm must be SHA-256/ECDSA (4/3), found ${ds.hashAlgorithm}/${ds.signatureAlgorithm}`,
    };
  }
  const ok = await getCryptoBackend().ecdsaP256Verify({
    publicKey: key.publicKey,
    message: treeHeadSignatureInput(timestamp, body.size, body.rootHash),
    signature: ds.signature,
    signatureFormat: 'der',
  });
  return ok ? { ok: true, timestamp } : { ok: false, reason: 'RFC 6962 TreeHeadSignature does not verify' };
}
