import { Inflate } from 'fflate';
import { nativeCrc32, nativeInflateRaw } from '#native-inflate';
import { getCryptoBackend } from '../crypto/current.js';
import { utf8DecodeStrict } from '../encoding/bytes.js';
import { formatCount, LineageError } from '../result.js';
import { Crc32 } from './crc32.js';
import { type CapsuleLimits, fileOverLimit, resolveLimits } from './limits.js';
import { checkCapsulePath, PathSet } from './paths.js';
import { bytesReader, type CapsuleEntryInfo, type CapsuleSource, type RandomAccessReader } from './source.js';

/**
 * A hostile-input zip reader for capsules (docs/spec/05-capsules.md §5.3 "Zip container").
 * It parses the central directory itself — fflate does not expose the external
 * attributes needed to refuse symlinks — and checks every local header, data descriptor
 * and gap against it when the capsule is listed. Entries are inflated one at a time with
 * fflate's streaming Inflate, stopping as soon as output exceeds the declared size; the
 * content's size and CRC-32 can only be known at the end of a read, and a mismatch there is
 * a container error too (CapsuleContainerError). A host with a native inflater (node:zlib)
 * may inject it for whole-file reads.
 */

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const DD_SIG = 0x08074b50;
const EOCD_MIN = 22;
const CEN_MIN = 46;
const LOC_MIN = 30;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
/** Unix file types other than regular files, directories and links, by name (for messages). */
const SPECIAL_TYPES = new Map<number, string>([
  [0o010000, 'a FIFO (named pipe)'],
  [0o020000, 'a character device'],
  [0o060000, 'a block device'],
  [0o140000, 'a socket'],
]);
/** General-purpose flags: 0 encrypted, 3 data descriptor, 6 strong encryption, 13 masked local headers. */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_MASKED_HEADERS = 0x2000;
/** DOS attribute "directory" in the low byte of the external attributes. */
const DOS_DIRECTORY = 0x10;
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
  /** Where the entry's data starts (after its local header), found when the capsule is listed. */
  dataStart: number;
}

/** What the central directory says about an entry, before its local header is checked. */
interface CentralRecord {
  path: string;
  rawName: Uint8Array;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  directory: boolean;
}

/**
 * Inflates a whole raw-deflate stream (zip method 8), e.g. node:zlib's `inflateRawSync` with
 * `maxOutputLength: maxOutput`. It must throw a RangeError (zlib: ERR_BUFFER_TOO_LARGE) rather than
 * produce more than `maxOutput` bytes, throw on corrupt or truncated data, and throw an error with
 * `code` TRAILING_DEFLATE_BYTES when the stream ends before `compressed` does.
 */
export type RawInflater = (compressed: Uint8Array, maxOutput: number) => Uint8Array;

/**
 * The `code` of what a RawInflater throws when the deflate stream ends before its input does
 * (with `bytes`: how many are left); zip readers that go forward would read those bytes as records.
 */
export const TRAILING_DEFLATE_BYTES = 'TRAILING_DEFLATE_BYTES';

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

/**
 * A broken container rule (docs/spec/05-capsules.md §5.3), thrown by `list()` or, for what can
 * only be known once an entry's bytes are read (its CRC-32, its deflate stream, its real size),
 * by `read()` and `sha256()`. `verifyCapsule` turns it into a failed `capsule.container` and
 * stops: a corrupt container is unusable input, not evidence that failed. `code` is the specific
 * rule (`capsule.zip`, `capsule.limit`, `capsule.path`, `capsule.duplicate`, `capsule.symlink`,
 * `capsule.changed`), `path` the entry (absent for the archive as a whole), and `expected` and
 * `found` what the rule required and what the container holds. Hosts' own sources
 * (directories) throw it too.
 */
export class CapsuleContainerError extends LineageError {
  constructor(code: string, message: string, path?: string, values?: { expected: string; found: string }) {
    super(code, message, path, values);
    this.name = 'CapsuleContainerError';
  }
}

/** Whether `e` is a broken container rule (as opposed to, say, a file too large for its kind). */
export function isCapsuleContainerError(e: unknown): e is CapsuleContainerError {
  return e instanceof CapsuleContainerError;
}

/** A zip rule broken; `path` is the entry (omitted for the archive as a whole). */
function zipError(
  message: string,
  path?: string,
  values?: { expected: string; found: string },
): CapsuleContainerError {
  return new CapsuleContainerError('capsule.zip', message, path, values);
}

function limitError(
  message: string,
  path: string | undefined,
  values: { expected: string; found: string },
): CapsuleContainerError {
  return new CapsuleContainerError('capsule.limit', message, path, values);
}

/** The core's path and duplicate errors, as container errors with the name found. */
function asContainerError(e: unknown, found: string): unknown {
  if (!(e instanceof LineageError) || e instanceof CapsuleContainerError) return e;
  const expected =
    e.code === 'capsule.duplicate'
      ? 'every name once, ignoring case, and no name both a file and a directory'
      : 'a relative path of at most 8 segments matching [A-Za-z0-9_][A-Za-z0-9._-]* (§5.3)';
  return new CapsuleContainerError(e.code, e.detail, e.path, { expected, found });
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const bytesOf = (n: number) => `${formatCount(n)} bytes`;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

async function findEocd(
  reader: RandomAccessReader,
): Promise<{ cdOffset: number; cdSize: number; count: number; eocdAt: number }> {
  if (reader.size < EOCD_MIN)
    throw zipError(`file is ${reader.size} bytes; a zip needs at least ${EOCD_MIN}`, undefined, {
      expected: `at least ${EOCD_MIN} bytes (an end-of-central-directory record)`,
      found: bytesOf(reader.size),
    });
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
      throw zipError('multi-disk (split) zip archives are not capsules', undefined, {
        expected: 'disk 0 of a single-disk archive',
        found: `disk ${disk}, central directory on disk ${cdDisk}`,
      });
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw zipError('ZIP64 archives are not supported by capsule version 1', undefined, {
        expected: 'a zip without ZIP64 markers',
        found: 'ZIP64 markers in the end record',
      });
    }
    const eocdAt = tailStart + i;
    // Other tools search the end of the file for these records differently: a signature inside the
    // archive comment (a second end record, a ZIP64 locator, whole headers) can show them another
    // archive than the one listed here.
    const comment = tail.subarray(i + EOCD_MIN);
    if (hasRecordSignature(comment))
      throw zipError(
        'the archive comment holds zip record signatures (a second archive hidden in it)',
        undefined,
        {
          expected: 'an archive comment without zip record signatures (50 4b 01 02 … 50 4b 07 08)',
          found: `a ${bytesOf(comment.length)} comment with one`,
        },
      );
    if (i >= 20 && dv.getUint32(i - 20, true) === ZIP64_LOCATOR_SIG)
      throw zipError('a ZIP64 end-of-central-directory locator precedes the end record', undefined, {
        expected: 'no ZIP64 records (capsule version 1)',
        found: 'a ZIP64 locator (50 4b 06 07) 20 bytes before the end record',
      });
    if (cdOffset + cdSize > eocdAt) {
      throw zipError(
        `central directory (offset ${formatCount(cdOffset)}, ${bytesOf(cdSize)}) runs past the end record at ${formatCount(eocdAt)}`,
        undefined,
        {
          expected: `central directory ending by offset ${formatCount(eocdAt)}`,
          found: `ends at ${formatCount(cdOffset + cdSize)}`,
        },
      );
    }
    // The end record must follow the central directory exactly. Other zip tools treat a gap as
    // bytes prepended to the archive and shift every offset by it: a capsule appended to another
    // would verify here while they extract the other one.
    if (cdOffset + cdSize !== eocdAt) {
      throw zipError(
        `${formatCount(eocdAt - cdOffset - cdSize)} unaccounted bytes between the central directory (offset ${formatCount(cdOffset)}, ${bytesOf(cdSize)}) and the end record at ${formatCount(eocdAt)}: prepended or concatenated data, which other zip tools would read as another archive`,
        undefined,
        {
          expected: 'the end record right after the central directory',
          found: `${bytesOf(eocdAt - cdOffset - cdSize)} between them`,
        },
      );
    }
    return { cdOffset, cdSize, count, eocdAt };
  }
  throw zipError('no end-of-central-directory record: not a zip file', undefined, {
    expected: 'an end-of-central-directory record whose comment runs to the end of the file',
    found: 'none',
  });
}

const ZIP64_LOCATOR_SIG = 0x07064b50;
// Central, local, end, ZIP64 end, ZIP64 locator and data descriptor record signatures.
const RECORD_SIGNATURES = new Set([0x0201, 0x0403, 0x0605, 0x0606, 0x0706, 0x0807]);

/** Does `bytes` (a comment) hold a zip record signature ("PK" and one of the record kinds)? */
function hasRecordSignature(bytes: Uint8Array): boolean {
  for (let i = 0; i + 3 < bytes.length; i++)
    if (
      bytes[i] === 0x50 &&
      bytes[i + 1] === 0x4b &&
      RECORD_SIGNATURES.has(bytes[i + 2]! | (bytes[i + 3]! << 8))
    )
      return true;
  return false;
}

// Extra fields other tools act on: Info-ZIP's Unicode path and comment (they rename the entry) and
// ZIP64 (other sizes). A capsule carries none of them.
const REFUSED_EXTRA = new Map([
  [0x7075, 'an Info-ZIP Unicode path (0x7075), which other tools extract under instead of the name'],
  [0x6375, 'an Info-ZIP Unicode comment (0x6375)'],
  [0x0001, 'a ZIP64 extended information field (0x0001)'],
]);

/** Checks an entry's extra fields (local or central): well-formed, and none that changes what it is. */
function checkExtraFields(
  extra: Uint8Array,
  name: string,
  where: 'local header' | 'central directory',
): void {
  const dv = view(extra);
  let p = 0;
  while (p < extra.length) {
    if (p + 4 > extra.length)
      throw zipError(`a truncated extra field in the ${where}`, name, {
        expected: 'extra fields of 4-byte header and their data',
        found: `${bytesOf(extra.length - p)} left over`,
      });
    const id = dv.getUint16(p, true);
    const len = dv.getUint16(p + 2, true);
    if (p + 4 + len > extra.length)
      throw zipError(`an extra field in the ${where} runs past its end`, name, {
        expected: `at most ${bytesOf(extra.length - p - 4)} of data`,
        found: `${bytesOf(len)} declared (field 0x${id.toString(16).padStart(4, '0')})`,
      });
    const refused = REFUSED_EXTRA.get(id);
    if (refused)
      throw zipError(`the ${where} carries ${refused}`, name, {
        expected: 'no extra field that renames the entry or changes its sizes',
        found: `extra field 0x${id.toString(16).padStart(4, '0')}`,
      });
    p += 4 + len;
  }
}

/**
 * The file type a Unix mode in the external attributes' high 16 bits names, for refusing links and
 * special files — whatever the "version made by" host says: Info-ZIP's unzip reads that mode for
 * MS-DOS-made entries too (PKZip for Unix marks its entries so) and extracts a symbolic link from one.
 */
function unixTypeOf(external: number): number {
  return (external >>> 16) & S_IFMT;
}

async function readCentralDirectory(reader: RandomAccessReader, limits: CapsuleLimits): Promise<ZipEntry[]> {
  const { cdOffset, cdSize, count } = await findEocd(reader);
  if (count > limits.maxEntries) {
    throw limitError(
      `zip has ${formatCount(count)} entries; the limit is ${formatCount(limits.maxEntries)}`,
      undefined,
      {
        expected: `at most ${formatCount(limits.maxEntries)} entries`,
        found: `${formatCount(count)} entries`,
      },
    );
  }
  const cd = await reader.read(cdOffset, cdSize);
  if (cd.length !== cdSize)
    throw zipError(`central directory truncated: ${cd.length} of ${cdSize} bytes`, undefined, {
      expected: bytesOf(cdSize),
      found: bytesOf(cd.length),
    });
  const dv = view(cd);
  const records: CentralRecord[] = [];
  const names = new PathSet();
  let total = 0;
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + CEN_MIN > cd.length || dv.getUint32(p, true) !== CEN_SIG) {
      throw zipError(
        `central directory entry ${n + 1} of ${count} is missing or malformed at offset ${formatCount(cdOffset + p)}`,
        undefined,
        { expected: `${count} central directory records`, found: `${n}` },
      );
    }
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
    if (end > cd.length)
      throw zipError(`central directory entry ${n + 1} runs past the directory's end`, undefined, {
        expected: `a record within the ${bytesOf(cd.length)} of the central directory`,
        found: `a record ending at byte ${formatCount(end)}`,
      });
    const rawName = cd.subarray(p + CEN_MIN, p + CEN_MIN + nameLen);
    const centralExtra = cd.subarray(p + CEN_MIN + nameLen, p + CEN_MIN + nameLen + extraLen);
    const entryComment = cd.subarray(p + CEN_MIN + nameLen + extraLen, end);
    p = end;
    let name: string;
    try {
      name = utf8DecodeStrict(rawName);
    } catch {
      const shown = [...rawName.subarray(0, 40)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new CapsuleContainerError('capsule.path', 'name is not valid UTF-8', `zip entry ${n + 1}`, {
        expected: 'a UTF-8 name',
        found: `bytes ${shown}${rawName.length > 40 ? ' …' : ''}`,
      });
    }
    checkExtraFields(centralExtra, name, 'central directory');
    // The last entry's comment sits right before the end record, where tools look for ZIP64 records.
    if (hasRecordSignature(entryComment))
      throw zipError('the entry comment holds zip record signatures (records hidden in it)', name, {
        expected: 'an entry comment without zip record signatures',
        found: `a ${bytesOf(entryComment.length)} comment with one`,
      });
    const flagsFound = `general-purpose flags 0x${flags.toString(16).padStart(4, '0')}`;
    if (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS))
      throw zipError('the entry is encrypted; capsules are never encrypted', name, {
        expected: 'no encryption flag (bits 0, 6 and 13 clear)',
        found: flagsFound,
      });
    if (diskStart !== 0)
      throw zipError(`the entry starts on disk ${diskStart}`, name, {
        expected: 'disk 0',
        found: `disk ${diskStart}`,
      });
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) {
      throw zipError('the entry uses ZIP64 sizes, which capsule version 1 does not support', name, {
        expected: 'sizes and offset below 0xffffffff',
        found: 'ZIP64 markers (0xffffffff)',
      });
    }
    const unixType = unixTypeOf(external);
    if (unixType === S_IFLNK)
      throw new CapsuleContainerError(
        'capsule.symlink',
        'the entry is a symbolic link; capsules contain only regular files',
        name,
        { expected: 'a regular file or a directory', found: 'a symbolic link' },
      );
    if (unixType !== 0 && unixType !== S_IFREG && unixType !== S_IFDIR) {
      const kind = SPECIAL_TYPES.get(unixType) ?? `a file of unknown type (mode 0o${unixType.toString(8)})`;
      throw new CapsuleContainerError(
        'capsule.symlink',
        `the entry is ${kind}; capsules contain only regular files`,
        name,
        { expected: 'a regular file or a directory', found: kind },
      );
    }
    // A directory is a name ending in "/", and only that: an attribute saying "directory" on
    // another name, or "regular file" on a name ending in "/", would read differently elsewhere.
    const directory = name.endsWith('/');
    const saysDir = unixType === S_IFDIR || (external & DOS_DIRECTORY) !== 0;
    if (directory ? unixType === S_IFREG : saysDir) {
      throw zipError(
        directory
          ? 'the name ends in "/" (a directory) but its Unix mode says regular file'
          : 'the entry is marked as a directory but its name does not end in "/"',
        name,
        {
          expected: directory
            ? 'a directory mode for a name ending in "/"'
            : 'a name ending in "/" for a directory',
          found: directory
            ? 'regular-file mode'
            : unixType === S_IFDIR
              ? 'Unix directory mode'
              : 'DOS directory attribute (0x10)',
        },
      );
    }
    const path = directory ? name.slice(0, -1) : name;
    try {
      checkCapsulePath(path, limits, 'zip');
      names.add(path, 'zip');
    } catch (e) {
      throw asContainerError(e, JSON.stringify(name));
    }
    if (directory && size !== 0)
      throw zipError(`directory entry declares ${bytesOf(size)} of content`, name, {
        expected: 'a directory with no content (0 bytes)',
        found: bytesOf(size),
      });
    if (method !== 0 && method !== 8)
      throw zipError(`compression method ${method}; only stored (0) and deflate (8) are allowed`, name, {
        expected: 'method 0 or 8',
        found: `method ${method}`,
      });
    if (method === 0 && compressedSize !== size) {
      throw zipError(
        `stored entry declares ${bytesOf(size)} but ${formatCount(compressedSize)} stored bytes`,
        name,
        {
          expected: `${bytesOf(size)} stored`,
          found: `${bytesOf(compressedSize)} stored`,
        },
      );
    }
    // An empty stored entry is the exception: its data ends where it starts, so the descriptor's
    // place is known without scanning (Info-ZIP's `zip -` and Python's streaming writes make these).
    if (method === 0 && flags & FLAG_DESCRIPTOR && compressedSize !== 0) {
      // A stored entry's end is only in its data descriptor, which streaming readers must find by
      // scanning the data for a signature: they can read a different entry than this one.
      throw zipError(
        'stored entry with a data descriptor (its end cannot be found by reading forward)',
        name,
        {
          expected: 'sizes in the local header of a stored entry',
          found: `${flagsFound} (bit 3, data descriptor)`,
        },
      );
    }
    if (size > limits.maxEntryBytes) {
      throw limitError(
        `the entry is ${bytesOf(size)}; the limit is ${formatCount(limits.maxEntryBytes)}`,
        name,
        {
          expected: `at most ${bytesOf(limits.maxEntryBytes)}`,
          found: bytesOf(size),
        },
      );
    }
    if (size > limits.ratioFloorBytes && size > compressedSize * limits.maxCompressionRatio) {
      const ratio = compressedSize === 0 ? 'infinite' : `${Math.round(size / compressedSize)}:1`;
      throw limitError(
        `the entry expands ${formatCount(compressedSize)} bytes to ${formatCount(size)} (ratio ${ratio}); the limit is ${limits.maxCompressionRatio}:1 (zip bomb)`,
        name,
        { expected: `at most ${limits.maxCompressionRatio}:1`, found: ratio },
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw limitError(
        `uncompressed contents exceed ${formatCount(limits.maxTotalBytes)} bytes at this entry (zip bomb or oversized capsule)`,
        name,
        { expected: `at most ${bytesOf(limits.maxTotalBytes)} in all`, found: `${bytesOf(total)} so far` },
      );
    }
    if (localOffset + LOC_MIN + nameLen + compressedSize > cdOffset) {
      throw zipError(
        `the entry's data (offset ${formatCount(localOffset)}, ${bytesOf(compressedSize)}) runs into the central directory`,
        name,
        {
          expected: `data ending by offset ${formatCount(cdOffset)} (the central directory)`,
          found: `data ending at ${formatCount(localOffset + LOC_MIN + nameLen + compressedSize)}`,
        },
      );
    }
    records.push({
      path: name,
      rawName,
      flags,
      method,
      crc,
      compressedSize,
      size,
      localOffset,
      directory,
    });
  }
  if (p !== cd.length)
    throw zipError(`central directory has ${cd.length - p} unexplained trailing bytes`, undefined, {
      expected: `${count} records filling the central directory`,
      found: `${bytesOf(cd.length - p)} after them`,
    });
  // A file "a" and a directory "a/" (named, or implied by "a/b") are two things with one name.
  const dirs = new Set<string>();
  for (const r of records) {
    const segs = (r.directory ? r.path.slice(0, -1) : r.path).toLowerCase().split('/');
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
    if (r.directory) dirs.add(segs.join('/'));
  }
  for (const r of records) {
    if (!r.directory && dirs.has(r.path.toLowerCase()))
      throw new CapsuleContainerError(
        'capsule.duplicate',
        'a file has the name of a directory in the archive',
        r.path,
        {
          expected: 'no name both a file and a directory',
          found: `file "${r.path}" and directory "${r.path}/"`,
        },
      );
  }
  // Every byte is accounted for, in file order: the first local header at 0, each entry's header,
  // data and descriptor, then the next header, and the last one ending at the central directory.
  // Overlapping entries are how non-recursive zip bombs reuse one compressed stream many times;
  // bytes in a gap are how a hidden entry shows streaming zip tools another file.
  const byOffset = [...records].sort((a, b) => a.localOffset - b.localOffset);
  const entries = new Map<CentralRecord, ZipEntry>();
  let expectedAt = 0;
  for (let i = 0; i < byOffset.length; i++) {
    const r = byOffset[i]!;
    const next = byOffset[i + 1];
    if (r.localOffset !== expectedAt) {
      const prev = byOffset[i - 1];
      throw zipError(
        r.localOffset < expectedAt
          ? `the entry overlaps "${prev?.path}" in the archive (overlapping-entry zip bomb)`
          : prev
            ? `${formatCount(r.localOffset - expectedAt)} unaccounted bytes before this entry, after "${prev.path}" (hidden data other zip tools may read)`
            : `${formatCount(r.localOffset)} unaccounted bytes before the first entry (prepended data other zip tools may read as entries)`,
        r.path,
        {
          expected: `local header at offset ${formatCount(expectedAt)}`,
          found: `local header at offset ${formatCount(r.localOffset)}`,
        },
      );
    }
    const limit = next ? next.localOffset : cdOffset;
    const { dataStart, end } = await checkLocal(reader, r, limit);
    expectedAt = end;
    if (!r.directory) {
      entries.set(r, {
        path: r.path,
        method: r.method as 0 | 8,
        crc: r.crc,
        compressedSize: r.compressedSize,
        size: r.size,
        localOffset: r.localOffset,
        dataStart,
      });
    }
  }
  if (expectedAt !== cdOffset) {
    const last = byOffset[byOffset.length - 1];
    throw zipError(
      last
        ? `${formatCount(cdOffset - expectedAt)} unaccounted bytes after the last entry "${last.path}", before the central directory (hidden data other zip tools may read)`
        : `${formatCount(cdOffset)} unaccounted bytes before the central directory of an empty archive`,
      last?.path,
      {
        expected: `the central directory at offset ${formatCount(expectedAt)}`,
        found: `at offset ${formatCount(cdOffset)}`,
      },
    );
  }
  // Central-directory order: list() shows the archive as its directory lists it.
  return records.flatMap((r) => entries.get(r) ?? []);
}

/**
 * Checks an entry's local header (and data descriptor) against its central record, when the
 * capsule is listed: streaming unzip tools trust the local header, so everything it says must be
 * what the central directory says. Returns where the data starts and where the entry (with its
 * descriptor) ends; `limit` is where the next record starts.
 */
async function checkLocal(
  reader: RandomAccessReader,
  r: CentralRecord,
  limit: number,
): Promise<{ dataStart: number; end: number }> {
  const head = await reader.read(r.localOffset, LOC_MIN + r.rawName.length);
  const dv = view(head);
  if (head.length < LOC_MIN || dv.getUint32(0, true) !== LOC_SIG) {
    throw zipError(`no local header at offset ${formatCount(r.localOffset)}`, r.path, {
      expected: `a local header signature (50 4b 03 04) at offset ${formatCount(r.localOffset)}`,
      found: head.length < LOC_MIN ? 'end of file' : `0x${hex8(dv.getUint32(0, true))}`,
    });
  }
  const flags = dv.getUint16(6, true);
  const method = dv.getUint16(8, true);
  const crc = dv.getUint32(14, true);
  const csize = dv.getUint32(18, true);
  const size = dv.getUint32(22, true);
  const nameLen = dv.getUint16(26, true);
  const extraLen = dv.getUint16(28, true);
  const mismatch = (field: string, central: string, local: string) =>
    zipError(`local header ${field} disagrees with the central directory`, r.path, {
      expected: `${field} ${central} (central directory)`,
      found: `${field} ${local} (local header)`,
    });
  const localName = head.subarray(LOC_MIN, LOC_MIN + nameLen);
  // A local name differing from the central one is a classic way to show tools different files.
  if (nameLen !== r.rawName.length || !localName.every((b, i) => b === r.rawName[i])) {
    let shown: string;
    try {
      shown = JSON.stringify(utf8DecodeStrict(localName));
    } catch {
      shown = `${nameLen} bytes that are not UTF-8`;
    }
    throw mismatch(
      'name',
      JSON.stringify(r.path),
      nameLen === r.rawName.length ? shown : `of ${nameLen} bytes`,
    );
  }
  if (flags !== r.flags) {
    const f = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;
    throw mismatch('general-purpose flags', f(r.flags), f(flags));
  }
  if (method !== r.method) throw mismatch('compression method', String(r.method), String(method));
  // With a data descriptor the local CRC and sizes may be zero (written before the data was);
  // anything else must be the central value.
  const descriptor = (flags & FLAG_DESCRIPTOR) !== 0;
  const agrees = (local: number, central: number) => local === central || (descriptor && local === 0);
  if (!agrees(crc, r.crc)) throw mismatch('CRC-32', hex8(r.crc), hex8(crc));
  if (!agrees(csize, r.compressedSize))
    throw mismatch('compressed size', formatCount(r.compressedSize), formatCount(csize));
  if (!agrees(size, r.size)) throw mismatch('uncompressed size', formatCount(r.size), formatCount(size));
  const dataStart = r.localOffset + LOC_MIN + nameLen + extraLen;
  if (extraLen > 0 && dataStart <= limit)
    checkExtraFields(await reader.read(r.localOffset + LOC_MIN + nameLen, extraLen), r.path, 'local header');
  const dataEnd = dataStart + r.compressedSize;
  if (dataEnd > limit) {
    throw zipError(
      `the entry's data (${bytesOf(r.compressedSize)} at ${formatCount(dataStart)}) overlaps the next record at ${formatCount(limit)} (overlapping-entry zip bomb or a lying size)`,
      r.path,
      {
        expected: `data ending by offset ${formatCount(limit)}`,
        found: `data ending at ${formatCount(dataEnd)}`,
      },
    );
  }
  // A directory carries no data: nothing, or deflate's empty stream (03 00, as Java's
  // ZipOutputStream writes it). It is never inflated, so any other bytes would be data that only a
  // forward-reading tool sees (one that ends the data where the deflate stream ends).
  if (r.directory && r.compressedSize > 0) {
    const data = r.method === 8 && r.compressedSize === 2 ? await reader.read(dataStart, 2) : undefined;
    if (!(data && data[0] === 0x03 && data[1] === 0x00))
      throw zipError(`directory entry holds ${bytesOf(r.compressedSize)} of compressed data`, r.path, {
        expected: 'no data, or the empty deflate stream (03 00)',
        found: bytesOf(r.compressedSize),
      });
  }
  if (!descriptor) return { dataStart, end: dataEnd };
  // The data descriptor: CRC-32, compressed and uncompressed size (12 bytes), optionally after a
  // signature (16 bytes). ZIP64 descriptors (20 or 24 bytes) are not capsule version 1.
  const room = Math.min(16, limit - dataEnd);
  const dd = await reader.read(dataEnd, room);
  const ddv = view(dd);
  const signed = dd.length >= 16 && ddv.getUint32(0, true) === DD_SIG;
  const at = signed ? 4 : 0;
  if (dd.length < at + 12) {
    throw zipError('data descriptor missing or truncated', r.path, {
      expected: 'a 12- or 16-byte data descriptor after the data (general-purpose flag bit 3)',
      found: bytesOf(dd.length),
    });
  }
  const d = {
    crc: ddv.getUint32(at, true),
    csize: ddv.getUint32(at + 4, true),
    size: ddv.getUint32(at + 8, true),
  };
  if (d.crc !== r.crc || d.csize !== r.compressedSize || d.size !== r.size) {
    throw zipError('data descriptor disagrees with the central directory', r.path, {
      expected: `CRC-32 ${hex8(r.crc)}, ${formatCount(r.compressedSize)} → ${bytesOf(r.size)} (central directory)`,
      found: `CRC-32 ${hex8(d.crc)}, ${formatCount(d.csize)} → ${bytesOf(d.size)} (data descriptor)`,
    });
  }
  return { dataStart, end: dataEnd + at + 12 };
}

function inflatesPast(e: ZipEntry): CapsuleContainerError {
  return limitError(
    `the entry inflates past its declared ${bytesOf(e.size)} (zip bomb or corrupt archive)`,
    e.path,
    { expected: `${bytesOf(e.size)} (central directory)`, found: `more than ${bytesOf(e.size)}` },
  );
}

function truncated(e: ZipEntry, at: number): CapsuleContainerError {
  return zipError(`the entry is truncated at ${formatCount(at)} of ${bytesOf(e.compressedSize)}`, e.path, {
    expected: `${bytesOf(e.compressedSize)} of compressed data`,
    found: bytesOf(at),
  });
}

function notDeflate(e: ZipEntry, err: unknown): CapsuleContainerError {
  const why = err instanceof Error ? err.message : String(err);
  return zipError(`the entry is not valid deflate data: ${why}`, e.path, {
    expected: 'a valid deflate stream',
    found: why,
  });
}

/**
 * Whole bytes fflate's Inflate (0.8) was given and did not consume once the stream ended: it
 * keeps them in `p`, with `s.p` the bit position in its first byte (padding bits of the last byte
 * are not bytes). fflate ignores input after the final block; zip-inflate.test.ts pins this.
 */
function unconsumedBytes(inflater: Inflate): number {
  const st = inflater as unknown as { p?: Uint8Array; s?: { p?: number } };
  const left = st.p?.length ?? 0;
  return (st.s?.p ?? 0) > 0 ? left - 1 : left;
}

/**
 * Bytes inside the compressed size after the deflate stream's final block: a forward-reading zip
 * tool ends the data where the stream ends (with flag bit 3 it has no size to go by), so it would
 * read them as a data descriptor and further entries that the central directory does not list.
 */
function bytesAfterStream(e: ZipEntry, n: number): CapsuleContainerError {
  return zipError(`${bytesOf(n)} after the end of the entry's deflate stream`, e.path, {
    expected: `a deflate stream ending at its compressed size (${bytesOf(e.compressedSize)})`,
    found: `the stream ends ${bytesOf(n)} early`,
  });
}

/** The checks once an entry's output is complete: the declared size, then the CRC. */
function checkComplete(e: ZipEntry, produced: number, crc: number): void {
  if (produced !== e.size) {
    throw zipError(`the entry declares ${bytesOf(e.size)} but holds ${formatCount(produced)}`, e.path, {
      expected: `${bytesOf(e.size)} (central directory)`,
      found: bytesOf(produced),
    });
  }
  if (crc !== e.crc) {
    throw zipError(
      `the entry's content has CRC-32 ${hex8(crc)}, the central directory says ${hex8(e.crc)} (corrupt entry)`,
      e.path,
      { expected: `CRC-32 ${hex8(e.crc)} (central directory)`, found: `CRC-32 ${hex8(crc)} (content)` },
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
  const start = e.dataStart;
  const compressed = await reader.read(start, e.compressedSize);
  if (compressed.length !== e.compressedSize) throw truncated(e, compressed.length);
  let out: Uint8Array;
  try {
    // fflate ends an empty final push cleanly (no output), so an empty stream is empty here too.
    out = e.compressedSize === 0 ? new Uint8Array(0) : inflateRaw(compressed, e.size + 1);
  } catch (err) {
    if (err instanceof LineageError) throw err;
    const trailing = err as { code?: unknown; bytes?: unknown } | null;
    if (trailing?.code === TRAILING_DEFLATE_BYTES) throw bytesAfterStream(e, Number(trailing.bytes));
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
  const start = e.dataStart;
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
      throw zipError('the entry has no deflate data', e.path, {
        expected: 'a deflate stream',
        found: 'no compressed bytes',
      });
    }
  }
  if (!finished)
    throw zipError("the entry's deflate stream ends before its final block", e.path, {
      expected: 'a deflate stream ending with its final block',
      found: `the stream cut off after ${bytesOf(e.compressedSize)}`,
    });
  if (inflater && unconsumedBytes(inflater) > 0) throw bytesAfterStream(e, unconsumedBytes(inflater));
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
    if (!e) throw new LineageError('capsule.missing', 'the capsule has no such file', path);
    return e;
  };
  return {
    async list(): Promise<CapsuleEntryInfo[]> {
      return [...(await load()).values()].map((e) => ({ path: e.path, size: e.size }));
    },
    async read(path, maxBytes) {
      const e = await get(path);
      if (e.size > maxBytes) {
        throw fileOverLimit(path, e.size, maxBytes);
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
