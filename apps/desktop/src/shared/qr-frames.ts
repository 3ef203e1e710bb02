/**
 * Splits a signed file into QR-code frames and reassembles them. Each frame is
 * self-describing: `LNG1/<index>/<total>/<file digest>/<chunk check>/<data>`,
 * where the file digest is the first 16 hex digits of SHA-256 over the whole
 * file (so frames of two files never mix) and the chunk check is the first 8
 * hex digits of SHA-256 over the chunk. Index is 1-based.
 */
import {
  fromBase64Url,
  sha256,
  toBase64Url,
  toHex,
  utf8DecodeStrict,
  utf8Encode,
} from '@lineage/verifier-core';

export const QR_PREFIX = 'LNG1';
/** Bytes of the file per frame: small enough for a dense but reliably scannable QR code (version ~15, level M). */
export const QR_CHUNK_BYTES = 300;

export function toQrFrames(text: string, chunkBytes = QR_CHUNK_BYTES): string[] {
  const bytes = utf8Encode(text);
  const digest = toHex(sha256(bytes)).slice(0, 16);
  const total = Math.max(1, Math.ceil(bytes.length / chunkBytes));
  const frames: string[] = [];
  for (let i = 0; i < total; i++) {
    const chunk = bytes.subarray(i * chunkBytes, (i + 1) * chunkBytes);
    const check = toHex(sha256(chunk)).slice(0, 8);
    frames.push(`${QR_PREFIX}/${i + 1}/${total}/${digest}/${check}/${toBase64Url(chunk)}`);
  }
  return frames;
}

/** Reassembles frames in any order; throws naming the frame that is missing, duplicated or corrupt. */
export function fromQrFrames(frames: readonly string[]): string {
  let total = -1;
  let digest = '';
  const parts = new Map<number, Uint8Array>();
  for (const f of frames) {
    const m = /^LNG1\/(\d{1,5})\/(\d{1,5})\/([0-9a-f]{16})\/([0-9a-f]{8})\/([A-Za-z0-9_-]*)$/.exec(f);
    if (!m) throw new Error(`not a Lineage QR frame: "${f.slice(0, 40)}"`);
    const index = Number(m[1]);
    const t = Number(m[2]);
    if (total === -1) {
      total = t;
      digest = m[3]!;
    } else if (t !== total || m[3] !== digest) {
      throw new Error(`frame ${index} belongs to another file (digest ${m[3]}, expected ${digest})`);
    }
    if (index < 1 || index > total) throw new Error(`frame index ${index} is outside 1..${total}`);
    const chunk = fromBase64Url(m[5]!);
    if (toHex(sha256(chunk)).slice(0, 8) !== m[4])
      throw new Error(`frame ${index} of ${total} is corrupt (check mismatch)`);
    parts.set(index, chunk);
  }
  if (total === -1) throw new Error('no frames');
  const missing: number[] = [];
  for (let i = 1; i <= total; i++) if (!parts.has(i)) missing.push(i);
  if (missing.length > 0) throw new Error(`missing frame(s) ${missing.join(', ')} of ${total}`);
  const chunks = [...Array(total).keys()].map((i) => parts.get(i + 1)!);
  const len = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(len);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  if (toHex(sha256(all)).slice(0, 16) !== digest)
    throw new Error('reassembled file does not match its digest');
  return utf8DecodeStrict(all);
}
