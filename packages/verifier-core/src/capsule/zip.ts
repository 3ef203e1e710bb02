import { Inflate } from 'fflate';
import { nativeCrc32, nativeInflateRaw } from '#native-inflate';
import { getCryptoBackend } from '../crypto/current.js';
import { utf8DecodeStrict } from '../encoding/bytes.js';
import { formatCount, LineageError } from '../result.js';
import { Crc32 } from './crc32.js';
import { type CapsuleLimits, resolveLimits } from './limits.js';
import { checkCapsulePath, PathSet } from './paths.js';
import { bytesReader, type CapsuleEntryInfo, type CapsuleSource, type RandomAccessReader } from './source.js';

/**
 * A hostile-input zip reader for capsules (docs/spec/05-capsules.md "Container").
 * It parses the central directory itself — fflate does not expose the external
 * attributes needed to refuse symlinks — and inflates one entry at a time with
 * fflate's streaming Inflate, stopping as soon as output exceeds the declared size.
 * A host with a native inflater (node:zlib) may inject it for whole-file reads.
 */

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const EOCD_MIN = 22;
const CEN_MIN = 46;
const LOC_MIN = 30;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Compressed bytes handed to Inflate per push: bounds output per push to ~1,032 × this. */
const INFLATE_SLICE = 16 * 1024;
const READ_SLICE = 1024 * 1024;

interface ZipEntry {
  path: string;
  method: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  /** Where the next entry (or the central directory) starts: this entry's data must end before it. */
  limit: number;
}

/**
 * Inflates a whole raw-deflate stream (zip method 8), e.g. node:zlib's `inflateRawSync` with
 * `maxOutputLength: maxOutput`. It must throw a RangeError (zlib: ERR_BUFFER_TOO_LARGE) rather than
 * produce more than `maxOutput` bytes, and throw on corrupt or truncated data.
 */
export type RawInflater = (compressed: Uint8Array, maxOutput: number) => Uint8Array;

export interface ZipSourceOptions {
  /**
   * Native whole-entry inflater, used only by `read()` (whole files already bounded by the
   * caller's maxBytes): pure-JS inflate dominates reading a large events.jsonl. `sha256()` keeps
   * fflate's streaming Inflate so a large artifact never sits in memory whole. Default: the
   * platform's own (node:zlib under Node, via the `#native-inflate` import), else fflate;
   * `null` forces fflate.
   */
  inflateRaw?: RawInflater | null;
}

function zipError(message: string, path?: string): LineageError {
  return new LineageError('capsule.zip', message, path ?? 'zip');
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

async function findEocd(
  reader: RandomAccessReader,
): Promise<{ cdOffset: number; cdSize: number; count: number; eocdAt: number }> {
  if (reader.size < EOCD_MIN)
    throw zipError(`file is ${reader.size} bytes; a zip needs at least ${EOCD_MIN}`);
  const tailLen = Math.min(reader.size, EOCD_MIN + 0xffff);
  const tailStart = reader.size - tailLen;
  const tail = await reader.read(tailStart, tailLen);
  const dv = view(tail);
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (dv.getUint32(i, true) !== EOCD_SIG) continue;
    const commentLen = dv.getUint16(i + 20, true);
    // The comment must run exactly to the end of the file, or this is a signature inside data.
    if (i + EOCD_MIN + commentLen !== tail.length) continue;
    const disk = dv.getUint16(i + 4, true);
    const cdDisk = dv.getUint16(i + 6, true);
    const onDisk = dv.getUint16(i + 8, true);
    const count = dv.getUint16(i + 10, true);
    const cdSize = dv.getUint32(i + 12, true);
    const cdOffset = dv.getUint32(i + 16, true);
    if (disk !== 0 || cdDisk !== 0 || onDisk !== count)
      throw zipError('multi-disk (split) zip archives are not capsules');
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw zipError('ZIP64 archives are not supported by capsule version 1');
    }
    const eocdAt = tailStart + i;
    if (cdOffset + cdSize > eocdAt) {
      throw zipError(
        `central directory (offset ${formatCount(cdOffset)}, ${formatCount(cdSize)} bytes) runs past the end record at ${formatCount(eocdAt)}`,
      );
    }
    // The end record must follow the central directory exactly. Other zip tools treat a gap as
    // bytes prepended to the archive and shift every offset by it: a capsule appended to another
    // would verify here while they extract the other one.
    if (cdOffset + cdSize !== eocdAt) {
      throw zipError(
        `${formatCount(eocdAt - cdOffset - cdSize)} unaccounted bytes between the central directory (offset ${formatCount(cdOffset)}, ${formatCount(cdSize)} bytes) and the end record at ${formatCount(eocdAt)}: prepended or concatenated data, which other zip tools would read as another archive`,
      );
    }
    return { cdOffset, cdSize, count, eocdAt };
  }
  throw zipError('no end-of-central-directory record: not a zip file');
}

async function readCentralDirectory(reader: RandomAccessReader, limits: CapsuleLimits): Promise<ZipEntry[]> {
  const { cdOffset, cdSize, count } = await findEocd(reader);
  if (count > limits.maxEntries) {
    throw new LineageError(
      'capsule.limit',
      `zip has ${formatCount(count)} entries; the limit is ${formatCount(limits.maxEntries)}`,
      'zip',
    );
  }
  const cd = await reader.read(cdOffset, cdSize);
  if (cd.length !== cdSize) throw zipError(`central directory truncated: ${cd.length} of ${cdSize} bytes`);
  const dv = view(cd);
  const entries: ZipEntry[] = [];
  // Directory entries: no data, but they take space in the layout that is checked below.
  const dirs: Pick<ZipEntry, 'path' | 'localOffset' | 'compressedSize' | 'limit'>[] = [];
  const names = new PathSet();
  let total = 0;
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + CEN_MIN > cd.length || dv.getUint32(p, true) !== CEN_SIG) {
      throw zipError(
        `central directory entry ${n + 1} of ${count} is missing or malformed at offset ${formatCount(cdOffset + p)}`,
      );
    }
    const madeBy = dv.getUint16(p + 4, true) >> 8;
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    const compressedSize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    const diskStart = dv.getUint16(p + 34, true);
    const external = dv.getUint32(p + 38, true);
    const localOffset = dv.getUint32(p + 42, true);
    const end = p + CEN_MIN + nameLen + extraLen + commentLen;
    if (end > cd.length) throw zipError(`central directory entry ${n + 1} runs past the directory's end`);
    const rawName = cd.subarray(p + CEN_MIN, p + CEN_MIN + nameLen);
    p = end;
    let name: string;
    try {
      name = utf8DecodeStrict(rawName);
    } catch {
      throw new LineageError(
        'capsule.path',
        `zip entry ${n + 1} has a name that is not valid UTF-8`,
        `zip entry ${n + 1}`,
      );
    }
    if (flags & 0x0001) throw zipError(`entry "${name}" is encrypted; capsules are never encrypted`, name);
    if (diskStart !== 0) throw zipError(`entry "${name}" starts on disk ${diskStart}`, name);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw zipError(`entry "${name}" uses ZIP64 sizes, which capsule version 1 does not support`, name);
    }
    const unixType = madeBy === 3 ? (external >>> 16) & S_IFMT : 0;
    if (unixType === S_IFLNK)
      throw new LineageError(
        'capsule.symlink',
        `zip entry "${name}" is a symbolic link; capsules contain only regular files`,
        name,
      );
    const isDir = name.endsWith('/') || unixType === S_IFDIR || (external & 0x10) !== 0;
    if (unixType !== 0 && unixType !== S_IFREG && unixType !== S_IFDIR) {
      throw zipError(
        `entry "${name}" is a special file (mode ${(unixType >>> 12).toString(8)}); only regular files are allowed`,
        name,
      );
    }
    if (isDir) {
      // Directory entries carry no data; their names must still be safe.
      checkCapsulePath(name.replace(/\/$/, ''), limits, 'zip');
      if (size !== 0) throw zipError(`directory entry "${name}" declares ${size} bytes of content`, name);
      dirs.push({ path: name, localOffset, compressedSize, limit: cdOffset });
      continue;
    }
    checkCapsulePath(name, limits, 'zip');
    names.add(name, 'zip');
    if (method !== 0 && method !== 8)
      throw zipError(
        `entry "${name}" uses compression method ${method}; only stored (0) and deflate (8) are allowed`,
        name,
      );
    if (method === 0 && compressedSize !== size) {
      throw zipError(
        `stored entry "${name}" declares ${formatCount(size)} bytes but ${formatCount(compressedSize)} stored bytes`,
        name,
      );
    }
    if (size > limits.maxEntryBytes) {
      throw new LineageError(
        'capsule.limit',
        `entry "${name}" is ${formatCount(size)} bytes; the limit is ${formatCount(limits.maxEntryBytes)}`,
        name,
      );
    }
    if (size > limits.ratioFloorBytes && size > compressedSize * limits.maxCompressionRatio) {
      const ratio = compressedSize === 0 ? 'infinite' : `${Math.round(size / compressedSize)}:1`;
      throw new LineageError(
        'capsule.limit',
        `entry "${name}" expands ${formatCount(compressedSize)} bytes to ${formatCount(size)} (ratio ${ratio}); the limit is ${limits.maxCompressionRatio}:1 (zip bomb)`,
        name,
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new LineageError(
        'capsule.limit',
        `uncompressed contents exceed ${formatCount(limits.maxTotalBytes)} bytes at entry "${name}" (zip bomb or oversized capsule)`,
        name,
      );
    }
    if (localOffset + LOC_MIN + nameLen + compressedSize > cdOffset) {
      throw zipError(
        `entry "${name}" data (offset ${formatCount(localOffset)}, ${formatCount(compressedSize)} bytes) runs into the central directory`,
        name,
      );
    }
    entries.push({
      path: name,
      method: method as 0 | 8,
      crc,
      compressedSize,
      size,
      localOffset,
      limit: cdOffset,
    });
  }
  if (p !== cd.length) throw zipError(`central directory has ${cd.length - p} unexplained trailing bytes`);
  // Overlapping entries are how non-recursive zip bombs reuse one compressed stream many times.
  const byOffset = [...entries, ...dirs].sort((a, b) => a.localOffset - b.localOffset);
  const first = byOffset[0];
  if (first && first.localOffset !== 0) {
    throw zipError(
      `${formatCount(first.localOffset)} unaccounted bytes before the first entry "${first.path}" (prepended data other zip tools may read as entries)`,
      first.path,
    );
  }
  for (let i = 0; i + 1 < byOffset.length; i++) {
    const a = byOffset[i]!;
    const b = byOffset[i + 1]!;
    if (a.localOffset + LOC_MIN + a.compressedSize > b.localOffset) {
      throw zipError(
        `entries "${a.path}" and "${b.path}" overlap in the archive (overlapping-entry zip bomb)`,
        b.path,
      );
    }
    a.limit = b.localOffset;
  }
  // Directory entries are never read: check now that nothing hides after their headers.
  for (const d of dirs) await dataStart(reader, { ...d, method: 0, crc: 0, size: 0 });
  return entries;
}

async function dataStart(reader: RandomAccessReader, e: ZipEntry): Promise<number> {
  const loc = await reader.read(e.localOffset, LOC_MIN);
  const dv = view(loc);
  if (loc.length < LOC_MIN || dv.getUint32(0, true) !== LOC_SIG) {
    throw zipError(`entry "${e.path}" has no local header at offset ${formatCount(e.localOffset)}`, e.path);
  }
  const nameLen = dv.getUint16(26, true);
  const extraLen = dv.getUint16(28, true);
  // Streaming unzip tools trust the local header: its method, CRC and sizes must be the central ones.
  const flags = dv.getUint16(6, true);
  const local = {
    method: dv.getUint16(8, true),
    crc: dv.getUint32(14, true),
    csize: dv.getUint32(18, true),
    size: dv.getUint32(22, true),
  };
  if (
    local.method !== e.method ||
    ((flags & 0x8) === 0 &&
      (local.crc !== e.crc || local.csize !== e.compressedSize || local.size !== e.size))
  ) {
    throw zipError(
      `entry "${e.path}" local header (method ${local.method}, CRC ${local.crc.toString(16)}, ${formatCount(local.csize)} → ${formatCount(local.size)} bytes) disagrees with the central directory (method ${e.method}, CRC ${e.crc.toString(16)}, ${formatCount(e.compressedSize)} → ${formatCount(e.size)} bytes)`,
      e.path,
    );
  }
  const localName = await reader.read(e.localOffset + LOC_MIN, nameLen);
  let name = '';
  try {
    name = utf8DecodeStrict(localName);
  } catch {
    /* reported below as a mismatch */
  }
  // A local name differing from the central one is a classic way to show tools different files.
  if (name !== e.path)
    throw zipError(`entry "${e.path}" has local header name ${JSON.stringify(name.slice(0, 80))}`, e.path);
  const start = e.localOffset + LOC_MIN + nameLen + extraLen;
  if (start + e.compressedSize > e.limit) {
    throw zipError(
      `entry "${e.path}" data (${formatCount(e.compressedSize)} bytes at ${formatCount(start)}) overlaps the next entry`,
      e.path,
    );
  }
  // Every byte between entries is accounted for (at most a data descriptor): streaming unzip tools
  // read local headers in file order, so a hidden entry in a gap would show them another file.
  const slack = e.limit - start - e.compressedSize;
  const descriptor = (dv.getUint16(6, true) & 0x8) !== 0;
  if (descriptor ? ![12, 16, 20, 24].includes(slack) : slack !== 0) {
    throw zipError(
      `entry "${e.path}" is followed by ${formatCount(slack)} unaccounted bytes before the next record (hidden data other zip tools may read)`,
      e.path,
    );
  }
  return start;
}

function inflatesPast(e: ZipEntry): LineageError {
  return new LineageError(
    'capsule.limit',
    `entry "${e.path}" inflates past its declared ${formatCount(e.size)} bytes (zip bomb or corrupt archive)`,
    e.path,
  );
}

function truncated(e: ZipEntry, at: number): LineageError {
  return zipError(
    `entry "${e.path}" is truncated at ${formatCount(at)} of ${formatCount(e.compressedSize)} bytes`,
    e.path,
  );
}

function notDeflate(e: ZipEntry, err: unknown): LineageError {
  return zipError(
    `entry "${e.path}" is not valid deflate data: ${err instanceof Error ? err.message : String(err)}`,
    e.path,
  );
}

/** The checks once an entry's output is complete: the declared size, then the CRC. */
function checkComplete(e: ZipEntry, produced: number, crc: number): void {
  if (produced !== e.size) {
    throw zipError(
      `entry "${e.path}" declares ${formatCount(e.size)} bytes but holds ${formatCount(produced)}`,
      e.path,
    );
  }
  if (crc !== e.crc) {
    throw zipError(
      `entry "${e.path}" CRC-32 is ${crc.toString(16).padStart(8, '0')}, header says ${e.crc.toString(16).padStart(8, '0')}`,
      e.path,
    );
  }
}

/**
 * The most compressed bytes an honest deflate stream of `size` bytes needs: stored blocks add
 * 5 bytes per 64 KiB, encoders' worst case is well under size/8 + 1 KiB. Longer streams (padding,
 * trailing junk) take the streaming path, so a whole-entry read never buffers more than
 * ~1.125 × maxBytes of compressed input.
 */
function wholeInflateBound(size: number): number {
  return size + Math.ceil(size / 8) + 1024;
}

/**
 * Reads a deflated entry whole through a native inflater, with the same checks and messages as
 * streamEntry. Output is capped at declared size + 1, so one extra byte proves a lying header.
 */
async function inflateEntry(
  reader: RandomAccessReader,
  e: ZipEntry,
  inflateRaw: RawInflater,
): Promise<Uint8Array> {
  const start = await dataStart(reader, e);
  const compressed = await reader.read(start, e.compressedSize);
  if (compressed.length !== e.compressedSize) throw truncated(e, compressed.length);
  let out: Uint8Array;
  try {
    // fflate ends an empty final push cleanly (no output), so an empty stream is empty here too.
    out = e.compressedSize === 0 ? new Uint8Array(0) : inflateRaw(compressed, e.size + 1);
  } catch (err) {
    if (err instanceof LineageError) throw err;
    // zlib refuses to exceed maxOutputLength with RangeError [ERR_BUFFER_TOO_LARGE].
    const code = (err as { code?: unknown } | null)?.code;
    if (
      err instanceof RangeError ||
      code === 'ERR_BUFFER_TOO_LARGE' ||
      (err instanceof Error && err.message.includes('Cannot create a Buffer larger than'))
    ) {
      throw inflatesPast(e);
    }
    throw notDeflate(e, err);
  }
  if (out.length > e.size) throw inflatesPast(e);
  const crc = entryCrc();
  crc.update(out);
  checkComplete(e, out.length, crc.digest());
  return out;
}

/** An entry's CRC-32, fed chunk by chunk: the platform's (zlib under Node) where it has one. */
function entryCrc(): { update(bytes: Uint8Array): void; digest(): number } {
  const native = nativeCrc32;
  if (!native) return new Crc32();
  let value = 0;
  return {
    update: (bytes) => {
      value = native(bytes, value);
    },
    digest: () => value,
  };
}

/**
 * Streams an entry's uncompressed bytes to `sink`, enforcing the declared size and CRC.
 * Never holds more than one inflate slice's output at a time.
 */
async function streamEntry(
  reader: RandomAccessReader,
  e: ZipEntry,
  sink: (chunk: Uint8Array) => void,
): Promise<void> {
  const start = await dataStart(reader, e);
  const crc = entryCrc();
  let produced = 0;
  const accept = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > e.size) throw inflatesPast(e);
    crc.update(chunk);
    sink(chunk);
  };
  let inflater: Inflate | undefined;
  let finished = e.method === 0;
  if (e.method === 8) {
    inflater = new Inflate((chunk, final) => {
      if (chunk.length > 0) accept(chunk);
      if (final) finished = true;
    });
  }
  for (let off = 0; off < e.compressedSize; ) {
    const len = Math.min(READ_SLICE, e.compressedSize - off);
    const block = await reader.read(start + off, len);
    if (block.length !== len) throw truncated(e, off + block.length);
    off += len;
    if (!inflater) {
      accept(block);
      continue;
    }
    for (let s = 0; s < block.length; s += INFLATE_SLICE) {
      const slice = block.subarray(s, Math.min(block.length, s + INFLATE_SLICE));
      try {
        inflater.push(slice, off === e.compressedSize && s + INFLATE_SLICE >= block.length);
      } catch (err) {
        if (err instanceof LineageError) throw err;
        throw notDeflate(e, err);
      }
    }
  }
  if (inflater && e.compressedSize === 0) {
    try {
      inflater.push(new Uint8Array(0), true);
    } catch {
      throw zipError(`entry "${e.path}" has no deflate data`, e.path);
    }
  }
  if (!finished) throw zipError(`entry "${e.path}" deflate stream ends early`, e.path);
  checkComplete(e, produced, crc.digest());
}

/** A CapsuleSource over any positional reader holding a zip (file on disk, Blob, bytes). */
export function zipCapsuleSourceFromReader(
  reader: RandomAccessReader,
  limits?: Partial<CapsuleLimits>,
  options?: ZipSourceOptions,
): CapsuleSource {
  // Undefined: the platform's native inflater when it has one (node:zlib); null: fflate only.
  const inflateRaw = options?.inflateRaw === undefined ? nativeInflateRaw : options.inflateRaw;
  const lim = resolveLimits(limits);
  let entries: Promise<Map<string, ZipEntry>> | undefined;
  const load = () => {
    entries ??= readCentralDirectory(reader, lim).then((list) => new Map(list.map((e) => [e.path, e])));
    return entries;
  };
  const get = async (path: string) => {
    const e = (await load()).get(path);
    if (!e) throw new LineageError('capsule.missing', `capsule has no file "${path}"`, path);
    return e;
  };
  return {
    async list(): Promise<CapsuleEntryInfo[]> {
      return [...(await load()).values()].map((e) => ({ path: e.path, size: e.size }));
    },
    async read(path, maxBytes) {
      const e = await get(path);
      if (e.size > maxBytes) {
        throw new LineageError(
          'capsule.limit',
          `"${path}" is ${formatCount(e.size)} bytes; the limit for this file is ${formatCount(maxBytes)}`,
          path,
        );
      }
      if (inflateRaw && e.method === 8 && e.compressedSize <= wholeInflateBound(e.size)) {
        return inflateEntry(reader, e, inflateRaw);
      }
      const out = new Uint8Array(e.size);
      let o = 0;
      await streamEntry(reader, e, (chunk) => {
        out.set(chunk, o);
        o += chunk.length;
      });
      return out;
    },
    async sha256(path, onBytes) {
      const e = await get(path);
      const h = getCryptoBackend().createSha256();
      await streamEntry(reader, e, (chunk) => {
        h.update(chunk);
        onBytes?.(chunk.length);
      });
      return h.digest();
    },
  };
}

/** A CapsuleSource over zip bytes in memory (browsers, the offline HTML verifier, tests). */
export function zipCapsuleSource(
  bytes: Uint8Array,
  limits?: Partial<CapsuleLimits>,
  options?: ZipSourceOptions,
): CapsuleSource {
  return zipCapsuleSourceFromReader(bytesReader(bytes), limits, options);
}
