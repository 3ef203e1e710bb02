import { deflateSync } from 'fflate';

/**
 * A deliberately naive zip writer for hostile-input tests: it writes whatever names,
 * attributes and sizes it is told to, including ones no honest tool would.
 */
export interface RawEntry {
  name: string;
  data?: Uint8Array;
  deflate?: boolean;
  /** Method-8 bytes written as they are instead of deflating `data` (corrupt or truncated streams). */
  body?: Uint8Array;
  /** Unix mode placed in the high 16 bits of the external attributes (made-by = Unix). */
  unixMode?: number;
  /** Overrides of what the central directory claims. */
  declaredSize?: number;
  crc?: number;
  localName?: string;
  /** Point this entry's central record at another entry's local header (overlap bombs). */
  reuseOffsetOf?: number;
  /** General-purpose flags of the local header, and of the central record (default: the local ones). */
  localFlags?: number;
  centralFlags?: number;
  /** Local CRC and sizes written as zero, as streaming writers with a data descriptor do. */
  localZero?: boolean;
  /** Bytes written right after the entry's data (a data descriptor, or anything). */
  after?: Uint8Array;
  /** Extra fields of the local header and of the central record, and the central record's comment. */
  localExtra?: Uint8Array;
  centralExtra?: Uint8Array;
  comment?: Uint8Array;
}

/** One extra field: 2-byte id, 2-byte length, data. */
export function extraField(id: number, data: Uint8Array): Uint8Array {
  const f = new Uint8Array(4 + data.length);
  const v = new DataView(f.buffer);
  v.setUint16(0, id, true);
  v.setUint16(2, data.length, true);
  f.set(data, 4);
  return f;
}

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

export function rawZip(entries: RawEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e) => {
    const data = e.data ?? new Uint8Array(0);
    const body = e.body ?? (e.deflate ? deflateSync(data) : data);
    const name = enc.encode(e.name);
    const lname = enc.encode(e.localName ?? e.name);
    const crc = e.crc ?? crc32(data);
    const size = e.declaredSize ?? data.length;
    const lextra = e.localExtra ?? new Uint8Array(0);
    const loc = new Uint8Array(30 + lname.length + lextra.length);
    const lv = new DataView(loc.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, e.localFlags ?? 0, true);
    lv.setUint16(8, e.deflate ? 8 : 0, true);
    lv.setUint32(14, e.localZero ? 0 : crc, true);
    lv.setUint32(18, e.localZero ? 0 : body.length, true);
    lv.setUint32(22, e.localZero ? 0 : size, true);
    lv.setUint16(26, lname.length, true);
    lv.setUint16(28, lextra.length, true);
    loc.set(lextra, 30 + lname.length);
    loc.set(lname, 30);
    const myOffset = e.reuseOffsetOf !== undefined ? offsets[e.reuseOffsetOf]! : offset;
    offsets.push(myOffset);
    if (e.reuseOffsetOf === undefined) {
      const after = e.after ?? new Uint8Array(0);
      locals.push(loc, body, after);
      offset += loc.length + body.length + after.length;
    }
    const cextra = e.centralExtra ?? new Uint8Array(0);
    const comment = e.comment ?? new Uint8Array(0);
    const cen = new Uint8Array(46 + name.length + cextra.length + comment.length);
    const cv = new DataView(cen.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, e.unixMode !== undefined ? (3 << 8) | 20 : 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, e.centralFlags ?? e.localFlags ?? 0, true);
    cv.setUint16(10, e.deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, cextra.length, true);
    cv.setUint16(32, comment.length, true);
    cen.set(cextra, 46 + name.length);
    cen.set(comment, 46 + name.length + cextra.length);
    cv.setUint32(38, e.unixMode !== undefined ? (e.unixMode << 16) >>> 0 : 0, true);
    cv.setUint32(42, myOffset, true);
    cen.set(name, 46);
    central.push(cen);
  });
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...central, eocd];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
