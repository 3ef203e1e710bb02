import * as zlib from 'node:zlib';
import type { RawInflater } from './zip.js';

// Under Node (the CLI, the desktop's verification worker) a capsule's documents are inflated
// by zlib: pure-JS inflate was a third of reading a 100k-event events.jsonl. zlib stops at
// maxOutputLength with a RangeError, which the zip reader reports as a bomb.
// zlib ignores input after the final block; `info` reports how much it consumed, so bytes hidden
// after the stream (which a forward-reading zip tool would read as records) are refused.
export const nativeInflateRaw: RawInflater | undefined = (compressed, maxOutput) => {
  const { buffer: b, engine } = zlib.inflateRawSync(compressed, {
    maxOutputLength: maxOutput,
    info: true,
  }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
  if (engine.bytesWritten < compressed.length)
    throw Object.assign(new Error('bytes after the end of the deflate stream'), {
      code: 'TRAILING_DEFLATE_BYTES', // zip.ts's TRAILING_DEFLATE_BYTES (a type-only import here: no cycle)
      bytes: compressed.length - engine.bytesWritten,
    });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

// zlib's CRC-32 (Node ≥ 20.15) continues from a previous value; a fifth of the table code's time.
const zlibCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
export const nativeCrc32: ((data: Uint8Array, previous: number) => number) | undefined = zlibCrc32
  ? (data, previous) => zlibCrc32(data, previous)
  : undefined;
