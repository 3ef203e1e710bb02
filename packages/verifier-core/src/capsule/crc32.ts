// CRC-32 (IEEE 802.3, reflected 0xEDB88320) as zip uses it; checked so a corrupted entry is
// reported as such before the manifest's SHA-256 would catch it less specifically.
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export class Crc32 {
  private c = 0xffffffff;
  update(bytes: Uint8Array): void {
    let c = this.c;
    for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    this.c = c;
  }
  digest(): number {
    return (this.c ^ 0xffffffff) >>> 0;
  }
}
