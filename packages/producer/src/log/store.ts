import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { bytesEqual, formatCount, LineageError, leafHash, MerkleTree } from '@lineage/verifier-core';

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
 * tree head says. Damage *inside* the published range is reported, never repaired.
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
  private readonly entries: Uint8Array[] = [];
  private readonly sths = new Map<number, PublishedSth>();
  private fd: number;
  private sinceSth = 0;
  /** Bytes cut off an interrupted append when the store was opened. */
  readonly recoveredBytes: number;

  private constructor(dir: string, opts: LineageStoreOptions) {
    this.dir = dir;
    this.origin = opts.origin;
    this.signer = opts.signer;
    this.sthEvery = opts.sthEvery ?? 16;
    this.doFsync = opts.fsync ?? true;
    mkdirSync(join(dir, 'sth'), { recursive: true });
    for (const name of readdirSync(join(dir, 'sth'))) {
      if (!/^(0|[1-9][0-9]*)$/.test(name)) continue;
      const checkpoint = readFileSync(join(dir, 'sth', name), 'utf8');
      this.sths.set(Number(name), { size: Number(name), rootHash: new Uint8Array(0), checkpoint });
    }
    const published = this.lastSth()?.size ?? 0;
    const path = join(dir, 'entries.log');
    this.fd = openSync(path, 'a+');
    const bytes = new Uint8Array(readFileSync(path));
    let off = 0;
    let problem: string | undefined;
    while (off < bytes.length) {
      if (off + HEADER > bytes.length) {
        problem = `a ${bytes.length - off}-byte partial length prefix`;
        break;
      }
      const len = new DataView(bytes.buffer, bytes.byteOffset + off).getUint32(0);
      if (len > MAX_ENTRY || off + HEADER + len + TRAILER > bytes.length) {
        problem = `record ${formatCount(this.entries.length)} declares ${formatCount(len)} bytes but only ${formatCount(bytes.length - off - HEADER)} follow`;
        break;
      }
      const entry = bytes.slice(off + HEADER, off + HEADER + len);
      const h = leafHash(entry);
      if (!bytesEqual(h, bytes.subarray(off + HEADER + len, off + HEADER + len + TRAILER))) {
        problem = `record ${formatCount(this.entries.length)} fails its checksum`;
        break;
      }
      this.entries.push(entry);
      this.tree.append(h);
      off += HEADER + len + TRAILER;
    }
    if (problem !== undefined) {
      if (this.entries.length < published) {
        closeSync(this.fd);
        throw new LineageError(
          'log.corrupt',
          `${path}: ${problem}, inside the ${formatCount(published)} entries covered by the last signed tree head`,
          path,
        );
      }
      ftruncateSync(this.fd, off);
      fsyncSync(this.fd);
    }
    this.recoveredBytes = bytes.length - off;
    if (this.entries.length < published) {
      closeSync(this.fd);
      throw new LineageError(
        'log.corrupt',
        `${path} holds ${formatCount(this.entries.length)} entries but a tree head of size ${formatCount(published)} was published`,
        path,
      );
    }
    for (const s of this.sths.values()) s.rootHash = this.tree.root(s.size);
    this.sinceSth = this.entries.length - published;
  }

  /** Opens (or creates) the store in `dir`. */
  static open(dir: string, opts: LineageStoreOptions): LineageStore {
    return new LineageStore(dir, opts);
  }

  get size(): number {
    return this.tree.size;
  }

  entry(index: number): Uint8Array {
    const e = this.entries[index];
    if (!e) throw new LineageError('log.index', `no entry ${index}; the log has ${this.size}`);
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
    const h = leafHash(entry);
    const rec = new Uint8Array(HEADER + entry.length + TRAILER);
    new DataView(rec.buffer).setUint32(0, entry.length);
    rec.set(entry, HEADER);
    rec.set(h, HEADER + entry.length);
    writeAll(this.fd, rec);
    if (this.doFsync) fsyncSync(this.fd);
    this.entries.push(entry);
    const index = this.tree.append(h);
    if (++this.sinceSth >= this.sthEvery) await this.publish();
    return index;
  }

  /** Signs and atomically publishes a tree head for the current size. */
  async publish(): Promise<PublishedSth> {
    if (!this.doFsync) fsyncSync(this.fd);
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

  close(): void {
    closeSync(this.fd);
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
