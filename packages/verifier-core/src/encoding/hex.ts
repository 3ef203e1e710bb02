import { LineageError } from '../result.js';

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX[b >> 4]! + HEX[b & 15]!;
  return s;
}

/**
 * Strict hex decoding: even length, [0-9a-fA-F] only. `expectedLength` (in bytes)
 * rejects a well-formed string of the wrong size.
 */
export function fromHex(s: string, expectedLength?: number, field = 'hex'): Uint8Array {
  if (s.length % 2 !== 0) throw new LineageError('encoding.hex', `odd number of hex digits (${s.length})`, field);
  if (!/^[0-9a-fA-F]*$/.test(s)) throw new LineageError('encoding.hex', 'contains a non-hex character', field);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LineageError('encoding.length', `expected ${expectedLength} bytes, found ${out.length}`, field);
  }
  return out;
}
