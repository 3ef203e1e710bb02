/**
 * Small JSON persistence under the user-data dir: written to a temp file then renamed, never
 * half-written; and every read-modify-write of one file runs in that file's queue, so two
 * changes made at once (two clicks, two windows' worth of IPC) are applied one after the other
 * instead of the second overwriting the first.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export async function readJsonFile(path: string): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as unknown;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier change queued for the same file has finished (whether it
 * succeeded or not). One queue per resolved path, shared by every service object in the process.
 */
export function serialized<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const prev = queues.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/** Writes `data` to a new, uniquely named file beside `path` (never an existing one), flushed to disk. */
async function writeTemp(path: string, data: string | Uint8Array, mode: number): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  let written = false;
  try {
    await fh.writeFile(data);
    await fh.sync();
    written = true;
  } finally {
    await fh.close();
    if (!written) await unlink(tmp).catch(() => undefined);
  }
  return tmp;
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename or link itself durable; some platforms cannot open a directory, which is fine.
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Not supported here (Windows): the data file itself was flushed.
  }
}

/** Replaces `path` with `data` atomically: unique temp file (O_EXCL), fsync, rename, fsync of the directory. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dirname(path));
}

/**
 * Creates `path` with `data` only if no file is there: the complete, flushed temp file is hard-linked
 * into place, which fails with EEXIST rather than replacing anything, so the file is never seen
 * half-written and never clobbered. Resolves false when the file already existed.
 */
export async function createFileExclusive(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<boolean> {
  const tmp = await writeTemp(path, data, mode);
  try {
    await link(tmp, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links (Windows FAT/exFAT reports EISDIR): O_EXCL on the file
    // itself is still never a clobber.
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EISDIR', 'EINVAL'].includes(code ?? '')) throw e;
    return await createDirect(path, data, mode);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDir(dirname(path));
  return true;
}

async function createDirect(path: string, data: string | Uint8Array, mode: number): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'wx', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (e) {
    // Never leave a half-written file where a later create would see "already exists".
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await fh.close();
  await syncDir(dirname(path));
  return true;
}
