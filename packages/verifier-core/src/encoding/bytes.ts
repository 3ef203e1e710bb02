import { LineageError } from '../result.js';

/** Byte helpers on Uint8Array: the core never uses Buffer. */

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time equality for secrets is not needed here (all inputs are public); this is plain equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Encodes `s` into `dest` (which must hold 3 bytes per UTF-16 unit); returns the bytes written. */
export function utf8EncodeInto(s: string, dest: Uint8Array): number {
  return encoder.encodeInto(s, dest).written;
}

/**
 * Decodes UTF-8, throwing a LineageError (code `encoding.utf8`, with the byte
 * offset) on any invalid sequence instead of inserting U+FFFD. A BOM is kept as
 * U+FEFF, so strict parsers can reject it.
 */
export function utf8DecodeStrict(bytes: Uint8Array, field = 'utf8'): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new LineageError('encoding.utf8', `invalid UTF-8 at byte ${at} of ${bytes.length}`, field);
  }
}

/** Offset of the first byte that starts an ill-formed sequence (Unicode Table 3-7), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    if (i + need >= bytes.length) return i; // truncated
    const second = bytes[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= need; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

export function uint64BE(n: bigint): Uint8Array {
  // setBigUint64 silently wraps modulo 2^64; a wrapped size or index would be a different number.
  if (n < 0n || n > 0xffff_ffff_ffff_ffffn) {
    throw new LineageError('encoding.range', `${n} is outside 0..2^64-1`);
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function readUint64BE(bytes: Uint8Array, offset = 0): bigint {
  if (offset < 0 || offset + 8 > bytes.length) {
    throw new LineageError('encoding.length', `need 8 bytes at offset ${offset}, have ${bytes.length}`);
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}
