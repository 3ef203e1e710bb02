import { constants, createReadStream } from 'node:fs';
import { type FileHandle, lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CapsuleEntryInfo,
  type CapsuleLimits,
  type CapsuleSource,
  checkCapsulePath,
  formatCount,
  getCryptoBackend,
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
export async function openCapsule(path: string, limits?: Partial<CapsuleLimits>): Promise<OpenedCapsule> {
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
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  const size = (await fh.stat()).size;
  return {
    source: zipCapsuleSourceFromReader(new FileReader(fh, size), limits),
    kind: 'zip',
    close: () => fh.close(),
  };
}

/** A directory capsule: every file below `root` must be a regular file with a safe name. */
export function directoryCapsuleSource(root: string, limits?: Partial<CapsuleLimits>): CapsuleSource {
  const lim = resolveLimits(limits);
  let listing: Promise<Map<string, number>> | undefined;

  async function walk(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const names = new PathSet();
    let total = 0;
    const visit = async (rel: string, depth: number) => {
      const entries = await readdir(join(root, rel), { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of entries) {
        const p = rel ? `${rel}/${d.name}` : d.name;
        checkCapsulePath(p, lim, 'directory');
        if (d.isSymbolicLink()) {
          throw new LineageError(
            'capsule.symlink',
            `directory entry "${p}" is a symbolic link; capsules contain only regular files`,
            p,
          );
        }
        if (d.isDirectory()) {
          if (depth + 1 >= lim.maxPathDepth)
            throw new LineageError('capsule.path', `directory "${p}" is nested too deeply`, p);
          await visit(p, depth + 1);
          continue;
        }
        if (!d.isFile()) throw new LineageError('capsule.zip', `directory entry "${p}" is a special file`, p);
        names.add(p, 'directory');
        if (out.size + 1 > lim.maxEntries) {
          throw new LineageError(
            'capsule.limit',
            `directory has more than ${formatCount(lim.maxEntries)} files`,
            p,
          );
        }
        const size = (await lstat(join(root, p))).size;
        if (size > lim.maxEntryBytes) {
          throw new LineageError(
            'capsule.limit',
            `"${p}" is ${formatCount(size)} bytes; the limit is ${formatCount(lim.maxEntryBytes)}`,
            p,
          );
        }
        total += size;
        if (total > lim.maxTotalBytes)
          throw new LineageError(
            'capsule.limit',
            `files exceed ${formatCount(lim.maxTotalBytes)} bytes at "${p}"`,
            p,
          );
        out.set(p, size);
      }
    };
    await visit('', 0);
    return out;
  }

  const get = async (path: string) => {
    listing ??= walk();
    const size = (await listing).get(path);
    if (size === undefined) throw new LineageError('capsule.missing', `capsule has no file "${path}"`, path);
    return size;
  };
  // O_NOFOLLOW: a file swapped for a symlink after listing is still refused.
  const openFile = (path: string) => open(join(root, path), constants.O_RDONLY | constants.O_NOFOLLOW);

  return {
    async list(): Promise<CapsuleEntryInfo[]> {
      listing ??= walk();
      return [...(await listing)].map(([path, size]) => ({ path, size }));
    },
    async read(path, maxBytes) {
      await get(path);
      const fh = await openFile(path);
      try {
        const size = (await fh.stat()).size;
        if (size > maxBytes) {
          throw new LineageError(
            'capsule.limit',
            `"${path}" is ${formatCount(size)} bytes; the limit for this file is ${formatCount(maxBytes)}`,
            path,
          );
        }
        return await new FileReader(fh, size).read(0, size);
      } finally {
        await fh.close();
      }
    },
    async sha256(path, onBytes) {
      await get(path);
      const fh = await openFile(path);
      const h = getCryptoBackend().createSha256();
      const stream = createReadStream('', { fd: fh, highWaterMark: 1024 * 1024, autoClose: true });
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        h.update(chunk);
        onBytes?.(chunk.length);
      }
      return h.digest();
    },
  };
}
