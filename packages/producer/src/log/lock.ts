import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LineageError } from '@lineage/verifier-core';

/**
 * One writer per store directory. Two LineageStore instances on one directory (two processes,
 * or two opens in one) would each append at what they think is the end and sign tree heads of
 * the same size over different entries: a split view signed by the log's own key, and a file
 * neither can reopen. The lock is a file `lock` naming its holder, linked into place whole (link
 * fails if it exists), so no process ever sees a lock without its holder written in it.
 *
 * A lock left by a holder that is gone (a crash) is taken over: same host, and its process no
 * longer runs — or it names this very process but no store here holds it (a restarted container
 * reusing the pid). Anything that cannot be judged (another host, an unreadable lock file) is
 * refused with the file to remove once no process has the store open.
 */

/** Lock files this process holds (real paths), to tell our own pid in a stale lock from a live hold. */
const held = new Set<string>();

interface Holder {
  pid: number;
  host: string;
  nonce: string;
}

export class StoreLock {
  private constructor(
    readonly path: string,
    private readonly key: string,
    private readonly nonce: string,
  ) {}

  static acquire(dir: string): StoreLock {
    const path = join(dir, 'lock');
    const key = join(realpathSync(dir), 'lock');
    const me: Holder = { pid: process.pid, host: hostname(), nonce: randomBytes(16).toString('hex') };
    // A few rounds: a stale lock removed here may be raced by another taker.
    for (let round = 0; round < 3; round++) {
      if (create(path, me)) {
        held.add(key);
        sweep(dir, me);
        return new StoreLock(path, key, me.nonce);
      }
      const text = readOrUndefined(path);
      if (text === undefined) continue; // released meanwhile
      const holder = parseHolder(text);
      if (!holder)
        throw locked(path, `its lock file does not name a holder (${JSON.stringify(text.slice(0, 80))})`);
      if (holder.host !== me.host)
        throw locked(
          path,
          `it is held by process ${holder.pid} on host ${holder.host}, which cannot be checked from here`,
        );
      if (alive(holder, key)) throw locked(path, `it is open in process ${holder.pid}`);
      takeOver(path, text);
    }
    throw new LineageError('log.locked', 'the store is in use: its lock kept changing hands', path);
  }

  /** Gives the directory up (only if the lock file is still ours). */
  release(): void {
    held.delete(this.key);
    const text = readOrUndefined(this.path);
    if (text !== undefined && parseHolder(text)?.nonce === this.nonce) unlinkSync(this.path);
  }
}

function locked(path: string, why: string): LineageError {
  return new LineageError(
    'log.locked',
    `the store is in use: ${why}; a store takes one writer at a time. If no process has it open, remove the lock file`,
    path,
  );
}

/**
 * Creates the lock file naming `me`; false when one exists. The holder is written to a file of
 * our own first and linked into place (link fails if the name exists): a lock created empty and
 * then filled in would, if the process died in between, name no holder and be refused forever.
 */
function create(path: string, me: Holder): boolean {
  const mine = `${path}.${me.pid}.${me.nonce}`;
  const fd = openSync(mine, 'wx');
  try {
    try {
      const bytes = new TextEncoder().encode(`${JSON.stringify(me)}\n`);
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(mine, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    // Gone if a holder on another host, sharing the directory, swept it as a dead pid's.
    unlinkIfThere(mine);
  }
}

/**
 * Removes the files `create` and `takeOver` left behind when their process died before unlinking
 * them (named `lock.<pid>.<random>`): once we hold the lock, one whose process is gone is litter.
 */
function sweep(dir: string, me: Holder): void {
  for (const name of readdirSync(dir)) {
    const m = /^lock\.([1-9][0-9]*)\.([0-9a-f]{32})$/.exec(name);
    if (!m || m[2] === me.nonce) continue;
    const pid = Number(m[1]);
    // Our own pid with another nonce is a dead process's: this one creates a lock at a time.
    if (pid !== process.pid && running(pid)) continue;
    unlinkIfThere(join(dir, name));
  }
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function alive(h: Holder, key: string): boolean {
  return h.pid === process.pid ? held.has(key) : running(h.pid);
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, under another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock whose text was `stale`. Moved aside first, and put back if what was moved
 * is not that lock (another taker replaced it meanwhile): a live holder's lock is never deleted.
 */
function takeOver(path: string, stale: string): void {
  // Named like a holder file, so that if this process dies here the next holder sweeps it away.
  const aside = `${path}.${process.pid}.${randomBytes(16).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const moved = readOrUndefined(aside);
  if (moved !== undefined && moved !== stale) {
    try {
      linkSync(aside, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  unlinkIfThere(aside);
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const v = JSON.parse(text) as Partial<Holder>;
    if (
      Number.isSafeInteger(v.pid) &&
      (v.pid as number) > 0 &&
      typeof v.host === 'string' &&
      typeof v.nonce === 'string'
    )
      return v as Holder;
  } catch {}
  return undefined;
}
