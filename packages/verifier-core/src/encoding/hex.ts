import { LineageError } from '../result.js';

const HEX = '0123456789abcdef';

// toHex writes ASCII digit codes into a reused buffer and decodes them once: concatenating
// 64 characters built a 63-node rope per hash (~2 KB retained until flattened, 4.5 µs), and
// a capsule hexes every event id and leaf hash. ASCII decodes identically as UTF-8.
const DIGIT_CODES = new Uint8Array(512);
for (let i = 0; i < 256; i++) {
  DIGIT_CODES[2 * i] = HEX.charCodeAt(i >> 4);
  DIGIT_CODES[2 * i + 1] = HEX.charCodeAt(i & 15);
}
const asciiDecoder = new TextDecoder('utf-8');
const hexScratch = new Uint8Array(4096);

export function toHex(bytes: Uint8Array): string {
  const n = bytes.length * 2;
  const out = n <= hexScratch.length ? hexScratch : new Uint8Array(n);
  for (let i = 0; i < bytes.length; i++) {
    const d = bytes[i]! * 2;
    out[2 * i] = DIGIT_CODES[d]!;
    out[2 * i + 1] = DIGIT_CODES[d + 1]!;
  }
  return asciiDecoder.decode(out.subarray(0, n));
}

function nibble(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30; // 0-9
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // a-f
  if (c >= 0x41 && c <= 0x46) return c - 0x37; // A-F
  return -1;
}

/**
 * Strict hex decoding: even length, [0-9a-fA-F] only (no whitespace, no "0x").
 * Both cases decode to the same bytes, so callers that compare identifiers must
 * compare decoded bytes, not strings. `expectedLength` (in bytes) rejects a
 * well-formed string of the wrong size.
 */
export function fromHex(s: string, expectedLength?: number, field = 'hex'): Uint8Array {
  if (typeof s !== 'string') throw new LineageError('encoding.hex', 'hex value must be a string', field);
  if (s.length % 2 !== 0)
    throw new LineageError('encoding.hex', `odd number of hex digits (${s.length})`, field);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(s.charCodeAt(2 * i));
    const lo = nibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      const at = hi < 0 ? 2 * i : 2 * i + 1;
      throw new LineageError(
        'encoding.hex',
        `non-hex character ${JSON.stringify(s[at])} at offset ${at}`,
        field,
      );
    }
    out[i] = (hi << 4) | lo;
  }
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LineageError('encoding.length', `expected ${expectedLength} bytes, found ${out.length}`, field);
  }
  return out;
}

/**
 * Like fromHex, but only the canonical lowercase spelling: Lineage wire formats
 * write lowercase hex, so one byte string has exactly one accepted encoding.
 */
export function fromHexLower(s: string, expectedLength?: number, field = 'hex'): Uint8Array {
  if (typeof s === 'string') {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x41 && c <= 0x46) {
        throw new LineageError(
          'encoding.hex',
          `uppercase hex digit ${JSON.stringify(s[i])} at offset ${i}`,
          field,
        );
      }
    }
  }
  return fromHex(s, expectedLength, field);
}
