import { constants, createReadStream } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import {
  CapsuleContainerError,
  type CapsuleEntryInfo,
  type CapsuleLimits,
  type CapsuleSource,
  checkCapsulePath,
  fileOverLimit,
  formatCount,
  getCryptoBackend,
  isLineageError,
  LineageError,
  PathSet,
  type RandomAccessReader,
  resolveLimits,
  zipCapsuleSourceFromReader,
} from '@lineage/verifier-core';
import { fsReason } from './fs-reason.js';

/**
 * Node implementations of CapsuleSource: a zip file read with positional reads (never
 * loaded whole), or a directory with the same layout. Both apply the core's path rules.
 */

class FileReader implements RandomAccessReader {
  constructor(
    private readonly fh: FileHandle,
    readonly size: number,
  ) {}
  async read(offset: number, length: number): Promise<Uint8Array> {
    const len = Math.max(0, Math.min(length, this.size - offset));
    const buf = new Uint8Array(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh.read(buf, got, len - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === len ? buf : buf.subarray(0, got);
  }
}

export interface OpenedCapsule {
  source: CapsuleSource;
  kind: 'zip' | 'directory';
  close(): Promise<void>;
}

/** Opens CAPSULE (a .zip file or a directory). Refuses symlinks at the top level too. */
export async function openCapsule(given: string, limits?: Partial<CapsuleLimits>): Promise<OpenedCapsule> {
  // "link/" would make lstat follow the link: the path is judged without trailing separators.
  const path = withoutTrailingSeparators(given);
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (e) {
    throw new LineageError('capsule.open', `cannot open capsule (${fsReason(e)})`, path);
  }
  if (st.isSymbolicLink())
    throw new LineageError('capsule.symlink', 'the capsule path is a symbolic link', path);
  if (st.isDirectory())
    return { source: directoryCapsuleSource(path, limits), kind: 'directory', close: async () => {} };
  if (!st.isFile())
    throw new LineageError('capsule.open', 'the capsule is neither a regular file nor a directory', path);
  // O_NONBLOCK: a FIFO swapped in after the lstat must not block the open; a regular file ignores it.
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  const opened = await fh.stat();
  if (!opened.isFile() || opened.ino !== st.ino || opened.dev !== st.dev) {
    await fh.close();
    throw new LineageError('capsule.changed', 'the capsule file was replaced while it was opened', path);
  }
  const size = opened.size;
  return {
    source: zipCapsuleSourceFromReader(new FileReader(fh, size), limits),
    kind: 'zip',
    close: () => fh.close(),
  };
}

/** What a listed file or directory was: the same inode must be what is read later. */
interface Identity {
  dev: number;
  ino: number;
}

/** Names the kind of a directory entry that is not a regular file, directory or link. */
function specialKind(d: {
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}): string {
  if (d.isFIFO()) return 'a FIFO (named pipe)';
  if (d.isSocket()) return 'a socket';
  if (d.isBlockDevice()) return 'a block device';
  if (d.isCharacterDevice()) return 'a character device';
  return 'a file of unknown type';
}

/**
 * A directory capsule: every file below `root` must be a regular file with a safe name.
 * Listing records the device and inode of the root, every directory and every file; a file is
 * read only if the descriptor opened (O_NOFOLLOW) is the inode listed, so a file or any directory
 * above it swapped after listing (for a link, or for another file) is refused with
 * `capsule.changed` or `capsule.symlink` — a container error, as in a zip.
 */
export function directoryCapsuleSource(given: string, limits?: Partial<CapsuleLimits>): CapsuleSource {
  const root = withoutTrailingSeparators(given);
  const lim = resolveLimits(limits);
  interface Listed extends Identity {
    size: number;
  }
  let listing: Promise<Map<string, Listed>> | undefined;
  const dirs = new Map<string, Identity>();

  async function walk(): Promise<Map<string, Listed>> {
    const out = new Map<string, Listed>();
    const names = new PathSet();
    let total = 0;
    const top = await lstat(root);
    if (top.isSymbolicLink())
      throw new CapsuleContainerError('capsule.symlink', 'the capsule directory is a symbolic link', root, {
        expected: 'a directory',
        found: 'a symbolic link',
      });
    dirs.set('', { dev: top.dev, ino: top.ino });
    const visit = async (rel: string, depth: number) => {
      const entries = await readdir(join(root, rel), { withFileTypes: true });
      // The directory read must be the one listed: not swapped for a link while it was read.
      const again = await lstat(rel ? join(root, rel) : root);
      const want = dirs.get(rel)!;
      if (!again.isDirectory() || again.dev !== want.dev || again.ino !== want.ino)
        throw changed(rel || '.', 'a directory', again);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of entries) {
        const p = rel ? `${rel}/${d.name}` : d.name;
        try {
          checkCapsulePath(p, lim, 'directory');
        } catch (e) {
          throw isLineageError(e)
            ? new CapsuleContainerError(e.code, e.detail, p, {
                expected: 'a relative path of at most 8 segments matching [A-Za-z0-9_][A-Za-z0-9._-]* (§5.3)',
                found: JSON.stringify(p),
              })
            : e;
        }
        if (d.isSymbolicLink()) {
          throw new CapsuleContainerError(
            'capsule.symlink',
            'a symbolic link; capsules contain only regular files',
            p,
            { expected: 'a regular file or a directory', found: 'a symbolic link' },
          );
        }
        if (d.isDirectory()) {
          if (depth + 1 >= lim.maxPathDepth)
            throw new CapsuleContainerError('capsule.path', 'the directory is nested too deeply', p, {
              expected: `at most ${lim.maxPathDepth} levels`,
              found: `${depth + 2} levels`,
            });
          const st = await lstat(join(root, p));
          if (!st.isDirectory()) throw changed(p, 'a directory', st);
          dirs.set(p, { dev: st.dev, ino: st.ino });
          await visit(p, depth + 1);
          continue;
        }
        if (!d.isFile()) {
          const kind = specialKind(d);
          throw new CapsuleContainerError(
            'capsule.symlink',
            `${kind}; capsules contain only regular files`,
            p,
            {
              expected: 'a regular file or a directory',
              found: kind,
            },
          );
        }
        try {
          names.add(p, 'directory');
        } catch (e) {
          throw isLineageError(e)
            ? new CapsuleContainerError(e.code, e.detail, p, {
                expected: 'every name once, ignoring case',
                found: JSON.stringify(p),
              })
            : e;
        }
        if (out.size + 1 > lim.maxEntries) {
          throw new CapsuleContainerError(
            'capsule.limit',
            `the directory has more than ${formatCount(lim.maxEntries)} files`,
            p,
            { expected: `at most ${formatCount(lim.maxEntries)} files`, found: 'more' },
          );
        }
        const st = await lstat(join(root, p));
        if (!st.isFile()) throw changed(p, 'a regular file', st);
        const size = st.size;
        if (size > lim.maxEntryBytes) {
          throw new CapsuleContainerError(
            'capsule.limit',
            `the file is ${formatCount(size)} bytes; the limit is ${formatCount(lim.maxEntryBytes)}`,
            p,
            {
              expected: `at most ${formatCount(lim.maxEntryBytes)} bytes`,
              found: `${formatCount(size)} bytes`,
            },
          );
        }
        total += size;
        if (total > lim.maxTotalBytes)
          throw new CapsuleContainerError(
            'capsule.limit',
            `files exceed ${formatCount(lim.maxTotalBytes)} bytes at this file`,
            p,
            {
              expected: `at most ${formatCount(lim.maxTotalBytes)} bytes in all`,
              found: `${formatCount(total)} bytes so far`,
            },
          );
        out.set(p, { size, dev: st.dev, ino: st.ino });
      }
    };
    await visit('', 0);
    return out;
  }

  const get = async (path: string) => {
    listing ??= walk();
    const listed = (await listing).get(path);
    if (!listed) throw new LineageError('capsule.missing', 'the capsule has no such file', path);
    return listed;
  };

  /**
   * Opens a listed file, O_NOFOLLOW (the last component is no link), and requires the descriptor
   * to be the inode listed with the size listed. If it is not, says which component changed: a
   * directory above it swapped for a link or another directory, or the file itself replaced.
   */
  const openFile = async (path: string): Promise<{ fh: FileHandle; size: number }> => {
    const listed = await get(path);
    let fh: FileHandle;
    try {
      // O_NONBLOCK: a FIFO swapped in after listing must not block the open (the inode check below
      // then refuses it); reads of a regular file ignore the flag.
      fh = await open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      throw await diagnose(path, `cannot be opened (${fsReason(e)})`);
    }
    const st = await fh.stat();
    if (st.dev !== listed.dev || st.ino !== listed.ino || !st.isFile() || st.size !== listed.size) {
      await fh.close();
      throw await diagnose(
        path,
        st.dev !== listed.dev || st.ino !== listed.ino
          ? 'is not the file listed (another inode): replaced after listing'
          : `changed after listing (${formatCount(listed.size)} bytes listed, ${formatCount(st.size)} now)`,
      );
    }
    return { fh, size: st.size };
  };

  /** The first directory above `path` that is no longer the one listed, else the file's own change. */
  async function diagnose(path: string, what: string): Promise<CapsuleContainerError> {
    const segs = path.split('/');
    for (let i = 0; i < segs.length; i++) {
      const dir = segs.slice(0, i).join('/');
      const want = dirs.get(dir);
      if (!want) continue;
      let st: Awaited<ReturnType<typeof lstat>> | undefined;
      try {
        st = await lstat(dir ? join(root, dir) : root);
      } catch {
        st = undefined;
      }
      const shown = dir || '.';
      if (st?.isSymbolicLink())
        return new CapsuleContainerError(
          'capsule.symlink',
          `the directory "${shown}" was replaced by a symbolic link after listing`,
          path,
          {
            expected: `directory "${shown}" as listed (device ${want.dev}, inode ${want.ino})`,
            found: 'a symbolic link',
          },
        );
      if (!st?.isDirectory() || st.dev !== want.dev || st.ino !== want.ino)
        return new CapsuleContainerError(
          'capsule.changed',
          `the directory "${shown}" was replaced after listing`,
          path,
          {
            expected: `directory "${shown}" as listed (device ${want.dev}, inode ${want.ino})`,
            found: st
              ? `device ${st.dev}, inode ${st.ino}${st.isDirectory() ? '' : ' (not a directory)'}`
              : 'missing',
          },
        );
    }
    const listed = (await listing)?.get(path);
    let st: Awaited<ReturnType<typeof lstat>> | undefined;
    try {
      st = await lstat(join(root, path));
    } catch {
      st = undefined;
    }
    return new CapsuleContainerError(
      st?.isSymbolicLink() ? 'capsule.symlink' : 'capsule.changed',
      `the file ${what}`,
      path,
      {
        expected: `the file listed${listed ? ` (device ${listed.dev}, inode ${listed.ino}, ${formatCount(listed.size)} bytes)` : ''}`,
        found: st
          ? st.isSymbolicLink()
            ? 'a symbolic link'
            : `device ${st.dev}, inode ${st.ino}, ${formatCount(st.size)} bytes`
          : 'missing',
      },
    );
  }

  return {
    async list(): Promise<CapsuleEntryInfo[]> {
      listing ??= walk();
      return [...(await listing)].map(([path, { size }]) => ({ path, size }));
    },
    async read(path, maxBytes) {
      const listed = await get(path);
      if (listed.size > maxBytes) {
        throw fileOverLimit(path, listed.size, maxBytes);
      }
      const { fh, size } = await openFile(path);
      try {
        const bytes = await new FileReader(fh, size).read(0, size);
        if (bytes.length !== size)
          throw await diagnose(path, `ended after ${formatCount(bytes.length)} bytes`);
        return bytes;
      } finally {
        await fh.close();
      }
    },
    async sha256(path, onBytes) {
      const { fh, size } = await openFile(path);
      const h = getCryptoBackend().createSha256();
      const stream = createReadStream('', { fd: fh, highWaterMark: 1024 * 1024, autoClose: true });
      let n = 0;
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        n += chunk.length;
        h.update(chunk);
        onBytes?.(chunk.length);
      }
      // A file that grew or shrank while it was read is not the file listed.
      if (n !== size)
        throw await diagnose(
          path,
          `changed while it was read (${formatCount(size)} bytes listed, ${formatCount(n)} read)`,
        );
      return h.digest();
    },
  };
}

/** A path listed as one kind that lstat now says is another. */
function changed(path: string, listedAs: string, st: { isSymbolicLink(): boolean }): CapsuleContainerError {
  return new CapsuleContainerError(
    st.isSymbolicLink() ? 'capsule.symlink' : 'capsule.changed',
    `listed as ${listedAs}, it changed while the capsule was listed`,
    path,
    { expected: listedAs, found: st.isSymbolicLink() ? 'a symbolic link' : 'something else' },
  );
}

/** The path without trailing separators (the root stays itself): "dir/" would make lstat follow a link. */
function withoutTrailingSeparators(path: string): string {
  let end = path.length;
  while (end > 1 && (path[end - 1] === '/' || path[end - 1] === sep)) end--;
  return path.slice(0, end);
}
