import type { RawInflater } from './zip.js';

// Browsers, the extension and the offline HTML page inflate with fflate (see zip.ts).
export const nativeInflateRaw: RawInflater | undefined = undefined;
