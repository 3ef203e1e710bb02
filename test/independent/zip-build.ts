// A zip writer for hostile tests: every field of every record can be set, so each §5.3 rule can be
// broken once, byte by byte (APPNOTE 6.3 layouts). Written for test/independent; imports no @lineage/*.
import { deflateRawSync } from 'node:zlib';
import { crc32 } from './zip.js';

export interface ZipEntrySpec {
  name: string | Uint8Array;
  /** Uncompressed content (none for a directory). */
  data?: Uint8Array;
  /** 0 stored, 8 deflate (default: 8 for a file with data, else 0). */
  method?: number;
  /** Bytes stored as the compressed data instead of `data` compressed. */
  compressed?: Uint8Array;
  flags?: number;
  /** Central values (default: the true ones). */
  crc?: number;
  csize?: number;
  usize?: number;
  extra?: Uint8Array;
  comment?: Uint8Array;
  /** External attributes (default: Unix 0o100644 for a file, 0o040755 | DOS 0x10 for a directory). */
  external?: number;
  /** Version made by (default 0x031e: Unix, 3.0). */
  madeBy?: number;
  diskStart?: number;
  /** Local header values that differ from the central ones. */
  local?: {
    name?: Uint8Array;
    flags?: number;
    method?: number;
    crc?: number;
    csize?: number;
    usize?: number;
    extra?: Uint8Array;
  };
  /** Flag bit 3 and a data descriptor after the data (local CRC and sizes 0 unless `local` says). */
  descriptor?: { signed: boolean; crc?: number; csize?: number; usize?: number };
  /** Central offset of the local header: given the offsets the writer laid out (default its own). */
  offset?: (offsets: number[]) => number;
  /** Write no local record (its central header points at bytes `offset` names). */
  noLocal?: boolean;
  /** Bytes written after this entry's local record (a gap before the next). */
  pad?: Uint8Array;
}

export interface ZipSpec {
  /** Bytes before the first local header. */
  prefix?: Uint8Array;
  /** Bytes between the last entry and the central directory. */
  gap?: Uint8Array;
  /** Bytes between the central directory and the end record (a ZIP64 locator, say). */
  beforeEnd?: Uint8Array;
  comment?: Uint8Array;
  /** Central headers in this order of entry indexes (default as given). */
  order?: number[];
  end?: {
    disk?: number;
    cdDisk?: number;
    onDisk?: number;
    total?: number;
    cdSize?: number;
    cdOffset?: number;
  };
  /** Bytes after the end record (outside its comment). */
  suffix?: Uint8Array;
}

const enc = new TextEncoder();
const bytesOf = (s: string | Uint8Array) => (typeof s === 'string' ? enc.encode(s) : s);
function le(fields: [number, 2 | 4][]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, [, w]) => n + w, 0));
  const v = new DataView(out.buffer);
  let p = 0;
  for (const [x, w] of fields) {
    if (w === 2) v.setUint16(p, x, true);
    else v.setUint32(p, x >>> 0, true);
    p += w;
  }
  return out;
}
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

interface Laid {
  spec: ZipEntrySpec;
  name: Uint8Array;
  method: number;
  flags: number;
  crc: number;
  csize: number;
  usize: number;
  local: Uint8Array;
}

function lay(e: ZipEntrySpec): Laid {
  const name = bytesOf(e.name);
  const data = e.data ?? new Uint8Array();
  const method = e.method ?? (data.length > 0 ? 8 : 0);
  const body = e.compressed ?? (method === 8 ? new Uint8Array(deflateRawSync(data)) : data);
  const flags = (e.flags ?? 0) | (e.descriptor ? 8 : 0);
  const crc = e.crc ?? crc32(data);
  const csize = e.csize ?? body.length;
  const usize = e.usize ?? data.length;
  const l = e.local ?? {};
  const zeroed = e.descriptor !== undefined;
  const lname = l.name ?? name;
  const lextra = l.extra ?? e.extra ?? new Uint8Array();
  const header = le([
    [0x04034b50, 4],
    [20, 2],
    [l.flags ?? flags, 2],
    [l.method ?? method, 2],
    [0, 2],
    [0x21, 2],
    [l.crc ?? (zeroed ? 0 : crc), 4],
    [l.csize ?? (zeroed ? 0 : csize), 4],
    [l.usize ?? (zeroed ? 0 : usize), 4],
    [lname.length, 2],
    [lextra.length, 2],
  ]);
  const d = e.descriptor;
  const descriptor = d
    ? cat(
        d.signed ? le([[0x08074b50, 4]]) : new Uint8Array(),
        le([
          [d.crc ?? crc, 4],
          [d.csize ?? csize, 4],
          [d.usize ?? usize, 4],
        ]),
      )
    : new Uint8Array();
  const local = e.noLocal ? new Uint8Array() : cat(header, lname, lextra, body, descriptor);
  return { spec: e, name, method, flags, crc, csize, usize, local: cat(local, e.pad ?? new Uint8Array()) };
}

/** The local record (header, data, descriptor) an entry would have: to nest one inside another's data. */
export const localRecord = (e: ZipEntrySpec): Uint8Array =>
  lay({ ...e, noLocal: false, pad: undefined }).local;

export function buildZip(entries: ZipEntrySpec[], z: ZipSpec = {}): Uint8Array {
  const laid = entries.map(lay);
  const prefix = z.prefix ?? new Uint8Array();
  const offsets: number[] = [];
  let at = prefix.length;
  for (const l of laid) {
    offsets.push(at);
    at += l.local.length;
  }
  const gap = z.gap ?? new Uint8Array();
  const cdOffset = at + gap.length;
  const central = (z.order ?? laid.map((_, i) => i)).map((i) => {
    const l = laid[i]!;
    const e = l.spec;
    const dir = l.name.length > 0 && l.name[l.name.length - 1] === 0x2f;
    const extra = e.extra ?? new Uint8Array();
    const comment = e.comment ?? new Uint8Array();
    return cat(
      le([
        [0x02014b50, 4],
        [e.madeBy ?? 0x031e, 2],
        [20, 2],
        [l.flags, 2],
        [l.method, 2],
        [0, 2],
        [0x21, 2],
        [l.crc, 4],
        [l.csize, 4],
        [l.usize, 4],
        [l.name.length, 2],
        [extra.length, 2],
        [comment.length, 2],
        [e.diskStart ?? 0, 2],
        [0, 2],
        [e.external ?? (dir ? ((0o040755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0), 4],
        [e.offset ? e.offset(offsets) : offsets[i]!, 4],
      ]),
      l.name,
      extra,
      comment,
    );
  });
  const cd = cat(...central);
  const comment = z.comment ?? new Uint8Array();
  const end = z.end ?? {};
  const beforeEnd = z.beforeEnd ?? new Uint8Array();
  const eocd = le([
    [0x06054b50, 4],
    [end.disk ?? 0, 2],
    [end.cdDisk ?? 0, 2],
    [end.onDisk ?? central.length, 2],
    [end.total ?? central.length, 2],
    [end.cdSize ?? cd.length, 4],
    [end.cdOffset ?? cdOffset, 4],
    [comment.length, 2],
  ]);
  return cat(
    prefix,
    ...laid.map((l) => l.local),
    gap,
    cd,
    beforeEnd,
    eocd,
    comment,
    z.suffix ?? new Uint8Array(),
  );
}

/** A capsule's files as zip entries, sorted by name, deflated. */
export const entriesOf = (files: Map<string, Uint8Array>): ZipEntrySpec[] =>
  [...files.keys()].sort().map((name) => ({ name, data: files.get(name)! }));
