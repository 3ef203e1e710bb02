import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  bytesEqual,
  formatCount,
  LineageError,
  leafHash,
  MerkleTree,
  parseCheckpointBody,
  toHex,
} from '@lineage/verifier-core';
import { StoreLock } from './lock.js';

/**
 * A file-backed, append-only Lineage Store (docs/spec/05-capsules.md §5.6).
 *
 * entries.log  records `u32be length ‖ entry ‖ leaf_hash(entry)`, appended and fsynced;
 *              the trailing leaf hash doubles as the record checksum.
 * checkpoint   the latest signed tree head, replaced atomically (write, fsync, rename, fsync dir).
 * sth/<size>   every published tree head, so consistency can be proven between any two.
 *
 * Crash safety: a record is only covered by a tree head after it was fsynced, and tree heads
 * are published atomically. On open, an incomplete or corrupt record *after* the last tree
 * head is an interrupted append: it is cut off and the log is again exactly what its last
 * tree head says. Damage *inside* the published range is reported, never repaired, and every
 * stored tree head's size and root must be what the entries rebuild — `checkpoint`'s too: it was
 * served, so if its sth/<size> is lost it is restored, and entries short of it are refused, not
 * rolled back to sign another head of that size. An append that fails is
 * undone (the file cut back to where it was); if that cannot be made sure (a failed fsync may
 * have lost pages), the store refuses all further writes until it is reopened and re-checked.
 * Entries are read from the file on demand: only their offsets and the tree are in memory.
 * One store at a time per directory (`lock`, see lock.ts): a second open is `log.locked`.
 */

/** Signs a tree head; returns the signed checkpoint note text (the Lineage STH). */
export type CheckpointSigner = (head: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
}) => Promise<string>;

export interface LineageStoreOptions {
  origin: string;
  signer: CheckpointSigner;
  /** Publish a signed tree head after every N appends (default 16). */
  sthEvery?: number;
  /** fsync after every append (default true). Tests of bulk data may turn it off. */
  fsync?: boolean;
}

export interface PublishedSth {
  size: number;
  rootHash: Uint8Array;
  /** Signed note text. */
  checkpoint: string;
}

const HEADER = 4;
const TRAILER = 32;
const MAX_ENTRY = 16 * 1024 * 1024;

export class LineageStore {
  readonly dir: string;
  readonly origin: string;
  private readonly signer: CheckpointSigner;
  private readonly sthEvery: number;
  private readonly doFsync: boolean;
  private readonly tree = new MerkleTree();
  /** Each record's entry: where it starts in entries.log (after the length prefix) and its length. */
  private readonly records: { at: number; length: number }[] = [];
  private readonly sths = new Map<number, PublishedSth>();
  private fd: number;
  private readonly lock: StoreLock;
  private sinceSth = 0;
  /** Bytes of entries.log that hold complete, appended records. */
  private fileLength = 0;
  /** Why writes are refused (an append could not be undone); reopen to re-check the file. */
  private broken: string | undefined;
  /** Bytes cut off an interrupted append when the store was opened. */
  readonly recoveredBytes: number;

  private constructor(dir: string, opts: LineageStoreOptions) {
    this.dir = dir;
    this.origin = opts.origin;
    this.signer = opts.signer;
    this.sthEvery = opts.sthEvery ?? 16;
    this.doFsync = opts.fsync ?? true;
    mkdirSync(join(dir, 'sth'), { recursive: true });
    this.lock = StoreLock.acquire(dir);
    this.fd = -1;
    try {
      this.recoveredBytes = this.load();
    } catch (e) {
      if (this.fd >= 0) closeSync(this.fd);
      this.lock.release();
      throw e;
    }
  }

  /** Reads the tree heads and entries, cuts off an interrupted append; returns the bytes cut off. */
  private load(): number {
    const dir = this.dir;
    for (const name of readdirSync(join(dir, 'sth'))) {
      if (!/^(0|[1-9][0-9]*)$/.test(name)) continue;
      const checkpoint = readFileSync(join(dir, 'sth', name), 'utf8');
      this.sths.set(Number(name), {
        size: Number(name),
        rootHash: signedRoot(dir, name, checkpoint, this.origin),
        checkpoint,
      });
    }
    // `checkpoint` is the head served; if sth/<size> for it was lost (a restore from mismatched
    // backups), it is still a head clients may hold: its entries are as published as sth/'s.
    const served = servedHead(dir, this.origin);
    const inSth = this.lastSth()?.size ?? 0;
    const published = Math.max(inSth, served?.size ?? 0);
    const current = join(dir, 'checkpoint');
    const where = published > inSth ? ' (checkpoint)' : '';
    const path = join(dir, 'entries.log');
    this.fd = openSync(path, 'a+');
    const length = fstatSync(this.fd).size;
    // Scanned record by record with positioned reads: the log may be far larger than memory.
    const header = new Uint8Array(HEADER);
    let off = 0;
    let problem: string | undefined;
    while (off < length) {
      if (off + HEADER > length) {
        problem = `a ${length - off}-byte partial length prefix`;
        break;
      }
      readAt(this.fd, header, off);
      const len = new DataView(header.buffer).getUint32(0);
      if (len > MAX_ENTRY || off + HEADER + len + TRAILER > length) {
        problem = `record ${formatCount(this.records.length)} declares ${formatCount(len)} bytes but only ${formatCount(length - off - HEADER)} follow`;
        break;
      }
      const body = new Uint8Array(len + TRAILER);
      readAt(this.fd, body, off + HEADER);
      const h = leafHash(body.subarray(0, len));
      if (!bytesEqual(h, body.subarray(len))) {
        problem = `record ${formatCount(this.records.length)} fails its checksum`;
        break;
      }
      this.records.push({ at: off + HEADER, length: len });
      this.tree.append(h);
      off += HEADER + len + TRAILER;
    }
    // The path is the error's own (LineageError prefixes the message with it).
    const corrupt = (why: string): never => {
      throw new LineageError('log.corrupt', why, path);
    };
    if (problem !== undefined) {
      if (this.records.length < published)
        corrupt(
          `${problem}, inside the ${formatCount(published)} entries covered by the last signed tree head${where}`,
        );
      ftruncateSync(this.fd, off);
      fsyncSync(this.fd);
    }
    this.fileLength = off;
    if (this.records.length < published)
      corrupt(
        `holds ${formatCount(this.records.length)} entries but a tree head of size ${formatCount(published)} was published${where}`,
      );
    // The entries must rebuild every root the log signed: a rewritten record with a valid checksum,
    // or one lost to a failed fsync, would otherwise serve proofs its own tree heads refute.
    for (const s of this.sths.values()) {
      const rebuilt = this.tree.root(s.size);
      if (!bytesEqual(rebuilt, s.rootHash))
        corrupt(
          `the entries rebuild root ${toHex(rebuilt)} for size ${formatCount(s.size)}, but its signed tree head says ${toHex(s.rootHash)}`,
        );
    }
    if (served) {
      const rebuilt = this.tree.root(served.size);
      // Rolled back past it, the log would sign another head of that size: a split view.
      if (!bytesEqual(rebuilt, served.rootHash))
        throw new LineageError(
          'log.corrupt',
          `a signed tree head of size ${formatCount(served.size)} with root ${toHex(served.rootHash)}, but the entries rebuild ${toHex(rebuilt)} for that size; it may have been served, so no other head of that size is signed over them`,
          current,
        );
      if (!this.sths.has(served.size)) {
        atomicWrite(join(dir, 'sth'), String(served.size), served.checkpoint);
        this.sths.set(served.size, served);
      }
    }
    this.sinceSth = this.records.length - published;
    // A crash between publishing sth/<size> and replacing `checkpoint` leaves the older head there.
    const last = this.lastSth();
    if (last && (!existsSync(current) || readFileSync(current, 'utf8') !== last.checkpoint))
      atomicWrite(dir, 'checkpoint', last.checkpoint);
    return length - off;
  }

  /** Opens (or creates) the store in `dir`. */
  static open(dir: string, opts: LineageStoreOptions): LineageStore {
    return new LineageStore(dir, opts);
  }

  get size(): number {
    return this.tree.size;
  }

  entry(index: number): Uint8Array {
    const r = this.records[index];
    if (!r) throw new LineageError('log.index', `no entry ${index}; the log has ${this.size}`);
    const e = new Uint8Array(r.length);
    readAt(this.fd, e, r.at);
    return e;
  }

  leafHash(index: number): Uint8Array {
    return this.tree.leafHash(index);
  }

  /** Appends one entry durably; publishes a tree head every `sthEvery` appends. Returns its index. */
  async append(entry: Uint8Array): Promise<number> {
    if (entry.length > MAX_ENTRY)
      throw new LineageError(
        'log.entry',
        `entry is ${formatCount(entry.length)} bytes; the limit is ${formatCount(MAX_ENTRY)}`,
      );
    this.writable();
    const h = leafHash(entry);
    const rec = new Uint8Array(HEADER + entry.length + TRAILER);
    new DataView(rec.buffer).setUint32(0, entry.length);
    rec.set(entry, HEADER);
    rec.set(h, HEADER + entry.length);
    const before = this.fileLength;
    try {
      writeAll(this.fd, rec);
    } catch (e) {
      this.undo(before, e, false);
    }
    if (this.doFsync) {
      try {
        fsyncSync(this.fd);
      } catch (e) {
        // After a failed fsync the kernel may have dropped dirty pages: even undone, the file
        // cannot be trusted to hold what was written before. Reopening re-checks it.
        this.undo(before, e, true);
      }
    }
    this.fileLength = before + rec.length;
    this.records.push({ at: before + HEADER, length: entry.length });
    const index = this.tree.append(h);
    if (++this.sinceSth >= this.sthEvery) {
      try {
        await this.publish();
      } catch (e) {
        if (e instanceof LineageError && e.code === 'log.broken') throw e;
        // The entry is in the log whatever the signer did: a caller told only "append failed"
        // would append it again and log it twice. publish() (or the next append) retries.
        const why = e instanceof Error ? e.message : String(e);
        throw new LineageError(
          'log.publish',
          `entry ${formatCount(index)} was appended, but publishing a tree head over it failed (${why}); it is not under a signed tree head yet — call publish() to retry, do not append it again`,
          join(this.dir, 'entries.log'),
        );
      }
    }
    return index;
  }

  /** Refuses writes once an append could not be undone. */
  private writable(): void {
    if (this.broken !== undefined)
      throw new LineageError(
        'log.broken',
        `${join(this.dir, 'entries.log')}: writes refused since an append failed and could not be undone (${this.broken}); reopen the store to re-check the file`,
      );
  }

  /** Cuts the file back to `length` after a failed append, then rethrows; marks the store broken if unsure. */
  private undo(length: number, cause: unknown, fsyncFailed: boolean): never {
    const why = cause instanceof Error ? cause.message : String(cause);
    try {
      ftruncateSync(this.fd, length);
      fsyncSync(this.fd);
      if (fsyncFailed) this.broken = `fsync failed: ${why}`;
    } catch (e) {
      this.broken = `${why}; cutting the file back failed too: ${e instanceof Error ? e.message : String(e)}`;
    }
    throw new LineageError(
      'log.append',
      `${join(this.dir, 'entries.log')}: the append failed (${why}); the log is as it was before it${this.broken === undefined ? '' : ', and takes no more writes until reopened'}`,
    );
  }

  /** Signs and atomically publishes a tree head for the current size. */
  async publish(): Promise<PublishedSth> {
    this.writable();
    if (!this.doFsync) {
      try {
        fsyncSync(this.fd);
      } catch (e) {
        // The records since the last tree head may not be on disk: sign nothing over them, ever.
        const why = e instanceof Error ? e.message : String(e);
        this.broken = `fsync before publishing failed: ${why}`;
        throw new LineageError(
          'log.broken',
          `${join(this.dir, 'entries.log')}: flushing the entries before signing a tree head failed (${why}); no tree head was signed, and the store takes no more writes until reopened`,
        );
      }
    }
    const size = this.size;
    const rootHash = this.tree.root(size);
    const checkpoint = await this.signer({ origin: this.origin, size, rootHash });
    atomicWrite(join(this.dir, 'sth'), String(size), checkpoint);
    atomicWrite(this.dir, 'checkpoint', checkpoint);
    const sth = { size, rootHash, checkpoint };
    this.sths.set(size, sth);
    this.sinceSth = 0;
    return sth;
  }

  lastSth(): PublishedSth | undefined {
    let best: PublishedSth | undefined;
    for (const s of this.sths.values()) if (!best || s.size > best.size) best = s;
    return best;
  }

  /** Every published tree head, oldest first. */
  publishedSths(): PublishedSth[] {
    return [...this.sths.values()].sort((a, b) => a.size - b.size);
  }

  inclusionProof(index: number, size: number): Uint8Array[] {
    return this.tree.inclusionProof(index, size);
  }

  consistencyProof(size1: number, size2: number): Uint8Array[] {
    return this.tree.consistencyProof(size1, size2);
  }

  multiproof(indices: readonly number[], size: number): Uint8Array[] {
    return this.tree.multiproof(indices, size);
  }

  root(size: number = this.size): Uint8Array {
    return this.tree.root(size);
  }

  /** Closes the file and gives the directory up to the next writer. */
  close(): void {
    try {
      closeSync(this.fd);
    } finally {
      this.lock.release();
    }
  }
}

/** The checkpoint body of a signed note: it ends at the blank line before the signatures (a bare body has none). */
function noteBody(checkpoint: string): ReturnType<typeof parseCheckpointBody> {
  const cut = checkpoint.indexOf('\n\n');
  return parseCheckpointBody(cut < 0 ? checkpoint : checkpoint.slice(0, cut + 1));
}

/** The root a stored tree head signs, checked to be for this log and this size. */
function signedRoot(dir: string, name: string, checkpoint: string, origin: string): Uint8Array {
  const path = join(dir, 'sth', name);
  let body: ReturnType<typeof parseCheckpointBody>;
  try {
    body = noteBody(checkpoint);
  } catch (e) {
    throw new LineageError(
      'log.corrupt',
      `not a checkpoint (${e instanceof Error ? e.message : String(e)})`,
      path,
    );
  }
  if (body.origin !== origin || body.size !== BigInt(name))
    throw new LineageError(
      'log.corrupt',
      `a tree head of ${body.origin} size ${body.size} stored as size ${name} of ${origin}`,
      path,
    );
  return body.rootHash;
}

/**
 * The tree head in `checkpoint`, if it is one of this log. Anything else there (a file damaged or
 * copied in from elsewhere) proves nothing and is replaced by the last head in sth/.
 */
function servedHead(dir: string, origin: string): PublishedSth | undefined {
  const path = join(dir, 'checkpoint');
  if (!existsSync(path)) return undefined;
  const checkpoint = readFileSync(path, 'utf8');
  try {
    const body = noteBody(checkpoint);
    if (body.origin !== origin || body.size > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return { size: Number(body.size), rootHash: body.rootHash, checkpoint };
  } catch {
    return undefined;
  }
}

/** Reads exactly `into.length` bytes at `position`. */
function readAt(fd: number, into: Uint8Array, position: number): void {
  let off = 0;
  while (off < into.length) {
    const n = readSync(fd, into, off, into.length - off, position + off);
    if (n === 0)
      throw new LineageError('log.corrupt', `entries.log ends inside a record at byte ${position + off}`);
    off += n;
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
}

/** Write to a temporary name, fsync, rename over the target, fsync the directory. */
function atomicWrite(dir: string, name: string, text: string): void {
  const tmp = join(dir, `.${name}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, new TextEncoder().encode(text));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
