import { inflateRawSync } from 'node:zlib';
import type { RawInflater } from './zip.js';

// Under Node (the CLI, the desktop's verification worker) a capsule's documents are inflated
// by zlib: pure-JS inflate was a third of reading a 100k-event events.jsonl. zlib stops at
// maxOutputLength with a RangeError, which the zip reader reports as a bomb.
export const nativeInflateRaw: RawInflater | undefined = (compressed, maxOutput) => {
  const b = inflateRawSync(compressed, { maxOutputLength: maxOutput });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};
