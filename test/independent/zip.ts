// Chapter 5's zip container (§5.3 "Zip container") written from the spec text alone: the end record,
// the central directory, the local headers and data descriptors are checked at listing; an entry's
// data is inflated (node:zlib) and its size and CRC-32 checked only when the file is read. Nothing
// here imports @lineage/* or reads the project's zip reader.
import { inflateRawSync } from 'node:zlib';
import {
  type CapsuleVerdict,
  ContainerError,
  containerFailure,
  pathProblem,
  verifyCapsuleDir,
} from './capsule.js';
import type { Obj } from './primitives.js';

export interface ZipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Largest declared uncompressed:compressed ratio of an entry above `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}
/**
 * §5.3's numbers. The spec names `maxEntryBytes` without a default; a version 1 entry cannot declare
 * more than 4 GiB − 2 (0xffffffff is the ZIP64 marker, refused), which is the bound it leaves.
 */
export const ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxEntryBytes: 0xffff_fffe,
  maxTotalBytes: 8 * 1024 ** 3,
  maxRatio: 200,
  ratioFloorBytes: 1024 * 1024,
};

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DESCRIPTOR = 0x08074b50;
/** The second half of every zip record signature after `PK` (§5.3, first row). */
const RECORD_TAILS = [
  [1, 2],
  [3, 4],
  [5, 6],
  [6, 6],
  [6, 7],
  [7, 8],
];
const ENCRYPTION_FLAGS = (1 << 0) | (1 << 6) | (1 << 13);
const DESCRIPTOR_FLAG = 1 << 3;
const S_IFMT = 0o170000;
/** The non-regular Unix file types, by name (any type but regular and directory is refused). */
const SPECIAL: Record<number, string> = {
  21609: 'symbolic link',
  2401: 'FIFO',
  26411: 'socket',
  4802: 'character device',
  14406: 'block device',
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
/** CRC-32 (IEEE 802.3, the zip one). */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

interface Entry {
  name: string;
  nameBytes: Uint8Array;
  dir: boolean;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
  /** Where the compressed data starts (after the local header), and where the entry ends. */
  dataStart: number;
  end: number;
}

export interface ListedZip {
  /** File names (directories left out), in central-directory order. */
  names: string[];
  /** Inflates and checks one file (§5.3 "while reading"); throws a ContainerError. */
  read(name: string): Uint8Array;
}

const zipError = (detail: string, path?: string) => new ContainerError('capsule.zip', path, detail);
const holdsSignature = (b: Uint8Array): boolean => {
  for (let i = 0; i + 3 < b.length; i++)
    if (b[i] === 0x50 && b[i + 1] === 0x4b && RECORD_TAILS.some(([x, y]) => b[i + 2] === x && b[i + 3] === y))
      return true;
  return false;
};

/** Extra fields (local or central): well-formed, no ZIP64 and nothing that renames the entry. */
function checkExtra(extra: Uint8Array, path: string): void {
  const v = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length) throw zipError('extra field header cut short', path);
    const id = v.getUint16(p, true);
    const len = v.getUint16(p + 2, true);
    if (p + 4 + len > extra.length) throw zipError('extra field runs past its block', path);
    if (id === 0x0001) throw zipError('ZIP64 extra field', path);
    if (id === 0x7075 || id === 0x6375) throw zipError('Info-ZIP Unicode path/comment field', path);
    p += 4 + len;
  }
}

/** Lists a zip capsule under §5.3's rules, reading no compressed data. */
export function listZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): ListedZip {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (p: number) => v.getUint16(p, true);
  const u32 = (p: number) => v.getUint32(p, true);
  const n = bytes.length;

  // The end record: exactly one whose comment runs to the end of the file.
  const ends: number[] = [];
  for (let p = n - 22; p >= 0 && p >= n - 22 - 0xffff; p--)
    if (u32(p) === SIG_END && p + 22 + u16(p + 20) === n) ends.push(p);
  if (ends.length !== 1) throw zipError(ends.length === 0 ? 'no end record' : 'several end records');
  const eocd = ends[0]!;
  if (holdsSignature(bytes.subarray(eocd + 22))) throw zipError('archive comment holds a record signature');
  const [disk, cdDisk, onDisk, total] = [u16(eocd + 4), u16(eocd + 6), u16(eocd + 8), u16(eocd + 10)];
  const cdSize = u32(eocd + 12);
  const cdOffset = u32(eocd + 16);
  if ([disk, cdDisk, onDisk, total].includes(0xffff) || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    throw zipError('ZIP64 marker in the end record');
  if (eocd >= 20 && u32(eocd - 20) === SIG_ZIP64_LOCATOR) throw zipError('ZIP64 locator');
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) throw zipError('multi-disk archive');
  // Counted before the directory is read.
  if (total > limits.maxEntries) throw new ContainerError('capsule.limit', undefined, `${total} entries`);
  if (cdOffset + cdSize !== eocd) throw zipError('end record not right after the central directory');

  // The central directory.
  const entries: Entry[] = [];
  const files = new Map<string, string>(); // lower-cased file names → as spelled
  const dirs = new Set<string>(); // lower-cased directory names, named and implied
  const namedDirs = new Set<string>();
  let totalBytes = 0;
  let p = cdOffset;
  for (let i = 0; i < total; i++) {
    if (p + 46 > eocd || u32(p) !== SIG_CENTRAL) throw zipError(`central header ${i} missing`);
    const [nameLen, extraLen, commentLen] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    if (p + 46 + nameLen + extraLen + commentLen > eocd) throw zipError(`central header ${i} cut short`);
    const nameBytes = bytes.subarray(p + 46, p + 46 + nameLen);
    let name: string;
    try {
      name = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(nameBytes);
    } catch {
      // A name that is not text is named by its place in the central directory, counted from 1.
      throw new ContainerError('capsule.path', `zip entry ${i + 1}`, 'name is not UTF-8');
    }
    const e: Entry = {
      name,
      nameBytes,
      dir: name.endsWith('/'),
      flags: u16(p + 8),
      method: u16(p + 10),
      crc: u32(p + 16),
      csize: u32(p + 20),
      usize: u32(p + 24),
      offset: u32(p + 42),
      dataStart: 0,
      end: 0,
    };
    const diskStart = u16(p + 34);
    const external = u32(p + 38);
    if (e.csize === 0xffffffff || e.usize === 0xffffffff || e.offset === 0xffffffff || diskStart === 0xffff)
      throw zipError('ZIP64 marker', name);
    if (diskStart !== 0) throw zipError('entry on another disk', name);
    checkExtra(bytes.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), name);
    if (holdsSignature(bytes.subarray(p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + commentLen)))
      throw zipError('entry comment holds a record signature', name);
    if (e.flags & ENCRYPTION_FLAGS) throw zipError('encrypted', name);
    if (e.method !== 0 && e.method !== 8) throw zipError(`compression method ${e.method}`, name);
    if (e.method === 0 && e.csize !== e.usize) throw zipError('stored sizes differ', name);
    const bare = e.dir ? name.slice(0, -1) : name;
    const problem = pathProblem(bare);
    if (problem) throw new ContainerError('capsule.path', name === '' ? undefined : name, problem);
    // The Unix mode is read whatever host "version made by" names (unzip reads it on MS-DOS entries).
    const type = (external >>> 16) & S_IFMT;
    if (type !== 0 && type !== 0o100000 && type !== 0o040000)
      throw new ContainerError(
        'capsule.symlink',
        name,
        SPECIAL[type] ?? `unknown type 0o${type.toString(8)}`,
      );
    if (!e.dir && (type === 0o040000 || external & 0x10))
      throw zipError('directory attributes on a file name', name);
    if (e.dir && type === 0o100000) throw zipError('regular-file mode on a directory name', name);
    if (e.dir && e.usize !== 0) throw zipError('directory entry declares bytes', name);
    // Duplicates name the later entry without a directory's "/"; a file that is also a directory,
    // the file (as it spells its name).
    const lower = bare.toLowerCase();
    if (files.has(lower)) {
      const file = files.get(lower)!;
      throw new ContainerError('capsule.duplicate', e.dir ? file : bare, 'name taken');
    }
    if (e.dir ? namedDirs.has(lower) : dirs.has(lower))
      throw new ContainerError('capsule.duplicate', bare, 'name taken');
    const segs = bare.split('/');
    for (let k = 1; k < segs.length; k++) {
      const parent = segs.slice(0, k).join('/').toLowerCase();
      if (files.has(parent))
        throw new ContainerError('capsule.duplicate', files.get(parent)!, 'a file and a directory');
      dirs.add(parent);
    }
    if (e.dir) {
      dirs.add(lower);
      namedDirs.add(lower);
    } else files.set(lower, bare);
    if (e.usize > limits.maxEntryBytes) throw new ContainerError('capsule.limit', name, 'entry too large');
    totalBytes += e.usize;
    if (totalBytes > limits.maxTotalBytes)
      throw new ContainerError('capsule.limit', name, 'capsule too large');
    if (e.usize > limits.ratioFloorBytes && e.usize > limits.maxRatio * e.csize)
      throw new ContainerError('capsule.limit', name, 'compression ratio');
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (p !== eocd) throw zipError('central directory size does not match its headers');

  // Local headers and data descriptors.
  for (const e of entries) {
    const q = e.offset;
    if (q + 30 > cdOffset || u32(q) !== SIG_LOCAL) throw zipError('no local header', e.name);
    const [nameLen, extraLen] = [u16(q + 26), u16(q + 28)];
    if (q + 30 + nameLen + extraLen > cdOffset)
      throw zipError('local header runs into the directory', e.name);
    const localName = bytes.subarray(q + 30, q + 30 + nameLen);
    if (localName.length !== e.nameBytes.length || localName.some((b, k) => b !== e.nameBytes[k]))
      throw zipError('local name differs', e.name);
    if (u16(q + 6) !== e.flags) throw zipError('local flags differ', e.name);
    if (u16(q + 8) !== e.method) throw zipError('local method differs', e.name);
    const described = (e.flags & DESCRIPTOR_FLAG) !== 0;
    for (const [off, central] of [
      [14, e.crc],
      [18, e.csize],
      [22, e.usize],
    ] as const) {
      const local = u32(q + off);
      if (local !== central && !(described && local === 0))
        throw zipError('local CRC-32 or size differs', e.name);
    }
    checkExtra(bytes.subarray(q + 30 + nameLen, q + 30 + nameLen + extraLen), e.name);
    e.dataStart = q + 30 + nameLen + extraLen;
    e.end = e.dataStart + e.csize;
    if (e.end > cdOffset) throw zipError('data runs into the directory', e.name);
    // A directory is never read, so its data is checked here: none, or the empty deflate stream.
    const data = bytes.subarray(e.dataStart, e.end);
    if (e.dir && data.length > 0 && !(e.method === 8 && data.length === 2 && data[0] === 3 && data[1] === 0))
      throw zipError('directory entry holds data', e.name);
    if (described) {
      if (e.method === 0 && (e.csize !== 0 || e.usize !== 0))
        throw zipError('data descriptor on a non-empty stored entry', e.name);
      const withSig = e.end + 16 <= cdOffset && u32(e.end) === SIG_DESCRIPTOR;
      const d = withSig ? e.end + 4 : e.end;
      if (d + 12 > cdOffset) throw zipError('data descriptor missing', e.name);
      if (u32(d) !== e.crc || u32(d + 4) !== e.csize || u32(d + 8) !== e.usize)
        throw zipError('data descriptor differs', e.name);
      e.end = d + 12;
    }
  }

  // Every byte accounted for: entries back to back from offset 0, then the directory.
  const byOffset = [...entries].sort((a, b) => a.offset - b.offset);
  let at = 0;
  let previous: Entry | undefined;
  for (const e of byOffset) {
    // An overlap names the entry that runs into the next; a gap, the entry after it.
    if (e.offset < at) throw zipError('entries overlap', previous!.name);
    if (e.offset > at)
      throw zipError(at === 0 ? 'bytes before the first entry' : 'bytes between entries', e.name);
    at = e.end;
    previous = e;
  }
  if (at !== cdOffset) throw zipError('bytes before the central directory', previous?.name);

  const byName = new Map(entries.filter((e) => !e.dir).map((e) => [e.name, e]));
  return {
    names: [...byName.keys()],
    read(name) {
      const e = byName.get(name);
      if (!e) throw new Error(`no entry ${name}`);
      return readEntry(bytes, e);
    },
  };
}

/** §5.3 "while reading": a valid, complete stream, no byte past the declared size, size and CRC-32. */
function readEntry(bytes: Uint8Array, e: Entry): Uint8Array {
  const data = bytes.subarray(e.dataStart, e.dataStart + e.csize);
  let out: Uint8Array;
  if (e.method === 0) out = data;
  else {
    try {
      const r = inflateRawSync(data, { maxOutputLength: e.usize + 1, info: true }) as unknown as {
        buffer: Buffer;
        engine: { bytesWritten: number };
      };
      out = r.buffer;
      // The stream ends where the data does: bytes after it are what a forward-reading tool reads next.
      if (r.engine.bytesWritten < data.length) throw zipError('bytes after the deflate stream', e.name);
    } catch (err) {
      if (err instanceof ContainerError) throw err;
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ContainerError('capsule.limit', e.name, 'inflates past its declared size');
      throw zipError(`invalid deflate stream: ${(err as Error).message}`, e.name);
    }
  }
  if (out.length > e.usize) throw new ContainerError('capsule.limit', e.name, 'more bytes than declared');
  if (out.length < e.usize) throw zipError('fewer bytes than declared', e.name);
  if (crc32(out) !== e.crc) throw zipError('CRC-32 differs', e.name);
  return out;
}

/**
 * A zip capsule as the `path → bytes` map `verifyCapsuleDir` reads: listed now (a broken listing
 * rule throws), each file inflated only when it is first read, as a verifier reads it (§5.5 step 5),
 * so a file never read (unlisted, trust-looking) is never inflated.
 */
export function zipFiles(bytes: Uint8Array, limits?: ZipLimits): Map<string, Uint8Array> {
  const zip = listZip(bytes, limits);
  const cache = new Map<string, Uint8Array>();
  const files = new (class extends Map<string, Uint8Array> {
    override get(name: string): Uint8Array | undefined {
      if (!super.has(name)) return undefined;
      if (!cache.has(name)) cache.set(name, zip.read(name));
      return cache.get(name);
    }
  })();
  // Placeholders: a name is present; its bytes come from `get`.
  for (const name of zip.names) files.set(name, new Uint8Array());
  return files;
}

/** Verifies a zip capsule: §5.3 at listing, then the directory form's steps over its files. */
export function verifyCapsuleZip(bytes: Uint8Array, trust: Obj, limits?: ZipLimits): CapsuleVerdict {
  let files: Map<string, Uint8Array>;
  try {
    files = zipFiles(bytes, limits);
  } catch (e) {
    if (!(e instanceof ContainerError)) throw e;
    return containerFailure(e);
  }
  return verifyCapsuleDir(files, trust);
}
