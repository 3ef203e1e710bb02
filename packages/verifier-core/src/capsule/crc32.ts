// CRC-32 (IEEE 802.3, reflected 0xEDB88320) as zip uses it; checked so a corrupted entry is
// reported as such before the manifest's SHA-256 would catch it less specifically.
// Slicing-by-8 (8 tables, 8 bytes per step) keeps it a small fraction of SHA-256's cost.
const TABLES = (() => {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

export class Crc32 {
  private c = 0xffffffff;
  update(bytes: Uint8Array): void {
    const t = TABLES;
    let c = this.c;
    let i = 0;
    const n8 = bytes.length - (bytes.length % 8);
    for (; i < n8; i += 8) {
      const a =
        (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
      c =
        t[1792 + (a & 0xff)]! ^
        t[1536 + ((a >>> 8) & 0xff)]! ^
        t[1280 + ((a >>> 16) & 0xff)]! ^
        t[1024 + (a >>> 24)]! ^
        t[768 + bytes[i + 4]!]! ^
        t[512 + bytes[i + 5]!]! ^
        t[256 + bytes[i + 6]!]! ^
        t[bytes[i + 7]!]!;
    }
    for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    this.c = c;
  }
  digest(): number {
    return (this.c ^ 0xffffffff) >>> 0;
  }
}
