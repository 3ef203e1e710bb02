import type { RawInflater } from './zip.js';

// Browsers, the extension and the offline HTML page inflate with fflate and check CRC-32 with
// the core's own table code (see zip.ts).
export const nativeInflateRaw: RawInflater | undefined = undefined;
export const nativeCrc32: ((data: Uint8Array, previous: number) => number) | undefined = undefined;
