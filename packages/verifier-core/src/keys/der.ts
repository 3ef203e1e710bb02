import { LineageError } from '../result.js';

/**
 * A minimal strict DER reader: just enough for SubjectPublicKeyInfo. Strict means
 * definite, minimally encoded lengths and no bytes left over, so one key has
 * exactly one encoding and its fingerprint (SHA-256 of the DER) is stable.
 */
export interface DerElement {
  tag: number;
  /** The contents octets. */
  value: Uint8Array;
  /** The whole TLV, tag and length included. */
  raw: Uint8Array;
}

export function readDer(bytes: Uint8Array, offset: number, field: string): DerElement {
  const start = offset;
  if (offset + 2 > bytes.length)
    throw new LineageError('der.truncated', `DER element truncated at offset ${offset}`, field);
  const tag = bytes[offset++]!;
  if ((tag & 0x1f) === 0x1f)
    throw new LineageError('der.tag', `multi-byte DER tag at offset ${start}`, field);
  let len = bytes[offset++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new LineageError('der.length', 'indefinite length is not DER', field);
    if (n > 3) throw new LineageError('der.length', `length of ${n} bytes is too large for a key`, field);
    if (offset + n > bytes.length) throw new LineageError('der.truncated', 'DER length truncated', field);
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | bytes[offset++]!;
    // Minimal encoding: long form only for lengths >= 128, and no leading zero byte.
    if (len < 0x80 || bytes[offset - n] === 0) {
      throw new LineageError('der.length', `non-minimal DER length encoding at offset ${start}`, field);
    }
  }
  if (offset + len > bytes.length) {
    throw new LineageError(
      'der.truncated',
      `DER element at offset ${start} declares ${len} bytes but only ${bytes.length - offset} remain`,
      field,
    );
  }
  return { tag, value: bytes.subarray(offset, offset + len), raw: bytes.subarray(start, offset + len) };
}

/** Reads the children of a constructed element; every byte must belong to a child. */
export function readDerChildren(value: Uint8Array, field: string): DerElement[] {
  const out: DerElement[] = [];
  let off = 0;
  while (off < value.length) {
    const el = readDer(value, off, field);
    out.push(el);
    off += el.raw.length;
  }
  return out;
}

/** Reads exactly one element spanning all of `bytes`. */
export function readDerWhole(bytes: Uint8Array, field: string): DerElement {
  const el = readDer(bytes, 0, field);
  if (el.raw.length !== bytes.length) {
    throw new LineageError(
      'der.trailing',
      `${bytes.length - el.raw.length} bytes after the DER structure`,
      field,
    );
  }
  return el;
}

export const DER_SEQUENCE = 0x30;
export const DER_OID = 0x06;
export const DER_BIT_STRING = 0x03;
export const DER_NULL = 0x05;
