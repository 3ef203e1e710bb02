import { LineageError } from '../result.js';

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function table(alphabet: string): Int16Array {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
}
const STD_T = table(STD);
const URL_T = table(URL);

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
}

function describeChar(c: number): string {
  return c > 0x20 && c < 0x7f
    ? `'${String.fromCharCode(c)}'`
    : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Decodes with one alphabet, rejecting anything a canonical encoder would not emit:
 * stray characters, whitespace, wrong padding, and non-zero trailing bits
 * (which would let two strings decode to the same bytes).
 */
function decode(s: string, t: Int16Array, padded: boolean, field: string, name: string): Uint8Array {
  if (typeof s !== 'string') throw new LineageError('encoding.base64', `${name} must be a string`, field);
  let body = s;
  if (padded) {
    if (s.length % 4 !== 0)
      throw new LineageError('encoding.base64', `${name} length ${s.length} is not a multiple of 4`, field);
    const padLen = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    body = s.slice(0, s.length - padLen);
  } else if (s.length % 4 === 1) {
    throw new LineageError('encoding.base64', `${name} length ${s.length} is impossible`, field);
  }
  const out = new Uint8Array(Math.floor((body.length * 6) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? t[c]! : -1;
    if (v < 0) {
      throw new LineageError(
        'encoding.base64',
        `${name} has an invalid character ${describeChar(c)} at offset ${i}`,
        field,
      );
    }
    // Only the low 14 bits are ever read; masking keeps acc a small integer.
    acc = ((acc << 6) | v) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new LineageError('encoding.base64', `${name} is not canonical (non-zero trailing bits)`, field);
  }
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, STD, true);
}
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, URL, false);
}

function checkLength(out: Uint8Array, expectedLength: number | undefined, field: string): Uint8Array {
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LineageError('encoding.length', `expected ${expectedLength} bytes, found ${out.length}`, field);
  }
  return out;
}

/** Standard alphabet, padding required (RFC 4648 §4). */
export function fromBase64(s: string, expectedLength?: number, field = 'base64'): Uint8Array {
  return checkLength(decode(s, STD_T, true, field, 'base64'), expectedLength, field);
}

/** URL-safe alphabet, no padding (RFC 4648 §5, as JWS uses it). */
export function fromBase64Url(s: string, expectedLength?: number, field = 'base64url'): Uint8Array {
  if (typeof s === 'string' && s.includes('=')) {
    throw new LineageError(
      'encoding.base64',
      `base64url must not be padded ('=' at offset ${s.indexOf('=')})`,
      field,
    );
  }
  return checkLength(decode(s, URL_T, false, field, 'base64url'), expectedLength, field);
}
