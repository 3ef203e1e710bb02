import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { UsageError } from './cli-types.js';
import { fsReason } from './fs-reason.js';

/**
 * A file could not be written (full disk, read-only file system, a directory removed meanwhile):
 * the message names the file and what happened. The previous file, if any, is unchanged and no
 * temporary file is left (see writeFileInPieces).
 */
export class OutputWriteError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
    readonly reason: string,
  ) {
    super(`cannot write ${what} ${path} (${reason}); ${path} was not changed`);
    this.name = 'OutputWriteError';
  }
}

/** A file a command reads or writes, as named on its command line (`what`, e.g. "--oscal"). */
export interface NamedPath {
  /** Absolute path. */
  path: string;
  /** The path as given on the command line: what messages and `--json`'s `file` name. */
  given?: string;
  what: string;
}

interface Place {
  /** The directory entry a write would replace: real parent directory + name. */
  entry: string;
  /** dev:ino when something is there (a symbolic link is followed). */
  inode?: string;
  stat?: Stats;
}

/** Case-insensitive file systems are the default on macOS and Windows: compare names without case there. */
const FOLD_CASE = process.platform === 'darwin' || process.platform === 'win32';

function placeOf(path: string): Place {
  let dir = dirname(path);
  try {
    dir = realpathSync(dir);
  } catch {
    // A directory that does not exist is reported by checkOutputPath; compare the names as given.
  }
  const entry = join(dir, basename(path));
  const stat = statSync(path, { throwIfNoEntry: false });
  return {
    entry: FOLD_CASE ? entry.toLowerCase() : entry,
    ...(stat ? { inode: `${stat.dev}:${stat.ino}`, stat } : {}),
  };
}

function realDir(path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return FOLD_CASE ? real.toLowerCase() : real;
  } catch {
    return undefined;
  }
}

/**
 * Checks, before any work, that no output of a run is one of its inputs (the capsule being
 * verified, the trust file, a key) or inside an input directory (a capsule directory), and that no
 * two outputs are the same file: `verify victim.zip --oscal victim.zip` would replace the evidence
 * with its own report, and `--report-html same --oscal same` would keep only the last. Two paths
 * are the same file when they name the same directory entry (after resolving the directories'
 * symbolic links) or when both exist and have the same device and inode (a link to the file).
 */
export function checkDistinctPaths(outputs: NamedPath[], inputs: NamedPath[] = []): void {
  const outPlaces = outputs.map((o) => ({ ...o, path: o.given ?? o.path, place: placeOf(o.path) }));
  const same = (a: Place, b: Place) => a.entry === b.entry || (a.inode !== undefined && a.inode === b.inode);
  for (const named of inputs) {
    const place = placeOf(named.path);
    const inside = place.stat?.isDirectory() ? realDir(named.path) : undefined;
    const input = { ...named, path: named.given ?? named.path };
    for (const o of outPlaces) {
      if (same(o.place, place))
        throw new UsageError(
          `${o.what} ${o.path} is the ${input.what} (${input.path}); lineage does not write over its input (choose another file)`,
          { file: o.path },
        );
      if (inside !== undefined && o.place.entry.startsWith(`${inside}${sep}`))
        throw new UsageError(
          `${o.what} ${o.path} is inside the ${input.what} (${input.path}); lineage does not write into its input (choose another file)`,
          { file: o.path },
        );
    }
  }
  for (let i = 0; i < outPlaces.length; i++)
    for (let j = i + 1; j < outPlaces.length; j++) {
      const a = outPlaces[i]!;
      const b = outPlaces[j]!;
      if (same(a.place, b.place))
        throw new UsageError(
          `${b.what} ${b.path} is the same file as ${a.what} ${a.path}; one would overwrite the other (choose another file)`,
          { file: b.path },
        );
    }
}

/**
 * Checks, before any work is done, that `path` can be written: its directory exists and it is not
 * itself a directory; with `fresh`, nothing is there yet (key files and signed approvals are
 * records: lineage never replaces one). A usage error names the file and what is wrong, so a
 * typo in an output path fails at once, not after a long verification.
 */
export function checkOutputPath(
  absolute: string,
  what: string,
  options: { fresh?: boolean; given?: string } = {},
): void {
  // Checked at the absolute path; named as given on the command line.
  const path = options.given ?? absolute;
  const dir = dirname(absolute);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat) throw new UsageError(`${what} ${path}: the directory ${dir} does not exist`, { file: path });
  if (!dirStat.isDirectory())
    throw new UsageError(`${what} ${path}: ${dir} is not a directory`, { file: path });
  const stat = statSync(absolute, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`${what} ${path} is a directory`, { file: path });
  if (stat && options.fresh)
    throw new UsageError(
      `${what} ${path} already exists; lineage does not replace it (choose another file)`,
      {
        file: path,
      },
    );
}

/** Where `writeFileInPieces` writes `path` until it is complete (beside it, named for this process). */
export function pendingPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Writes a report file piece by piece into a temporary file beside it, then moves it into
 * place: a large report (700k checks) never exists as one string, and a failure part-way
 * leaves the previous file, or none, never a half-written one. With `fresh`, an existing
 * file is never replaced (the move is a hard link, which fails if the name is taken).
 */
export function writeFileInPieces(
  path: string,
  produce: (write: (piece: string) => void) => void,
  options: { fresh?: boolean; mode?: number; what?: string } = {},
): void {
  const tmp = pendingPathOf(path);
  // A failure of the file system (ENOSPC, EROFS, a directory removed meanwhile) names the file;
  // anything else (a renderer's error, a refusal to replace a record) is passed on as it is.
  const named = (e: unknown) =>
    typeof (e as NodeJS.ErrnoException)?.code === 'string' && !(e instanceof UsageError)
      ? new OutputWriteError(path, options.what ?? 'file', fsReason(e))
      : e;
  let fd: number;
  try {
    fd = openNew(tmp, options.mode ?? 0o644);
  } catch (e) {
    throw named(e);
  }
  let open = true;
  try {
    produce((piece) => {
      const bytes = Buffer.from(piece, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    });
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    if (options.fresh) placeFresh(tmp, path);
    else renameSync(tmp, path);
  } catch (e) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw named(e);
  }
}

/**
 * Creates `tmp` as a new file (O_EXCL, O_NOFOLLOW), so it has `mode` and no other name. Its name is
 * predictable, and whoever can write the directory may have left a file or a link there: opened for
 * writing, a file would keep its inode (its owner, a world-readable mode, a second name through which
 * the new key is read) and a link would send the content elsewhere. What is there is removed (the
 * name, never a link's target: it is in the directory being written and named for this process) and
 * the file created once more; if something takes the name again meanwhile, the write fails.
 */
function openNew(tmp: string, mode: number): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
  try {
    return openSync(tmp, flags, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  rmSync(tmp, { force: true });
  return openSync(tmp, flags, mode);
}

/**
 * Moves `tmp` to `path` only if `path` does not exist: a hard link fails atomically when the name
 * is taken. Where links are not supported (FAT or exFAT on a USB stick, some network shares) the
 * name is checked and the file renamed: a narrower guarantee, but the record is still written.
 */
function placeFresh(tmp: string, path: string): void {
  const taken = () =>
    new UsageError(`${path} already exists; lineage does not replace it (choose another file)`, {
      file: path,
    });
  try {
    linkSync(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw taken();
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
    if (existsSync(path)) throw taken();
    renameSync(tmp, path);
    return;
  }
  rmSync(tmp, { force: true });
}
