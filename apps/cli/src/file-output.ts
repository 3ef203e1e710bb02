import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from './cli-types.js';

/**
 * Checks, before any work is done, that `path` can be written: its directory exists and it is not
 * itself a directory; with `fresh`, nothing is there yet (key files and signed approvals are
 * records: lineage never replaces one). A usage error names the file and what is wrong, so a
 * typo in an output path fails at once, not after a long verification.
 */
export function checkOutputPath(path: string, what: string, options: { fresh?: boolean } = {}): void {
  const dir = dirname(path);
  const dirStat = statSync(dir, { throwIfNoEntry: false });
  if (!dirStat) throw new UsageError(`${what} ${path}: the directory ${dir} does not exist`);
  if (!dirStat.isDirectory()) throw new UsageError(`${what} ${path}: ${dir} is not a directory`);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new UsageError(`${what} ${path} is a directory`);
  if (stat && options.fresh)
    throw new UsageError(`${what} ${path} already exists; lineage does not replace it (choose another file)`);
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
  options: { fresh?: boolean; mode?: number } = {},
): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', options.mode ?? 0o644);
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
    throw e;
  }
}

/**
 * Moves `tmp` to `path` only if `path` does not exist: a hard link fails atomically when the name
 * is taken. Where links are not supported (FAT or exFAT on a USB stick, some network shares) the
 * name is checked and the file renamed: a narrower guarantee, but the record is still written.
 */
function placeFresh(tmp: string, path: string): void {
  const taken = () =>
    new UsageError(`${path} already exists; lineage does not replace it (choose another file)`);
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
