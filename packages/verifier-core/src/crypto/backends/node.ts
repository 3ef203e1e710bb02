import * as nodeCrypto from 'node:crypto';
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { toBase64Url } from '../../encoding/base64.js';
import type { CryptoBackend, EcdsaP256VerifyItem, Ed25519VerifyItem, Sha256Hasher } from '../backend.js';
import { ed25519Precheck } from '../ed25519-policy.js';

// Importing a raw key costs more than verifying with it; agents sign many events
// with one key, so keep a bounded cache of KeyObjects (null = the key does not import).
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_MAX = 4096;

function cached(id: string, make: () => KeyObject): KeyObject | null {
  let k = keyCache.get(id);
  if (k === undefined) {
    try {
      k = make();
    } catch {
      k = null;
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, k);
  }
  return k;
}

/** SPKI DER header for an Ed25519 key (RFC 8410): the 32 raw bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function verifyEd25519(item: Ed25519VerifyItem): boolean {
  if (!ed25519Precheck(item.publicKey, item.signature)) return false;
  const key = cached(`ed:${latin1(item.publicKey)}`, () =>
    createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, item.publicKey]),
      format: 'der',
      type: 'spki',
    }),
  );
  if (key === null) return false;
  try {
    // After the precheck, OpenSSL's cofactorless check (encode([S]B − [k]A) == R) is our policy.
    return verify(null, item.message, key, item.signature);
  } catch {
    return false;
  }
}

/** SPKI DER header for a compressed (33-byte) P-256 point. */
const P256_COMPRESSED_SPKI_PREFIX = Buffer.from(
  '3039301306072a8648ce3d020106082a8648ce3d030107032200',
  'hex',
);

function p256Key(point: Uint8Array): KeyObject {
  if (point.length === 33 && (point[0] === 0x02 || point[0] === 0x03)) {
    return createPublicKey({
      key: Buffer.concat([P256_COMPRESSED_SPKI_PREFIX, point]),
      format: 'der',
      type: 'spki',
    });
  }
  if (point.length !== 65 || point[0] !== 0x04) throw new Error('not a SEC1 P-256 point');
  // JWK import checks that the point is on the curve.
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: toBase64Url(point.subarray(1, 33)),
      y: toBase64Url(point.subarray(33)),
    },
    format: 'jwk',
  });
}

function verifyP256(item: EcdsaP256VerifyItem): boolean {
  const key = cached(`p256:${latin1(item.publicKey)}`, () => p256Key(item.publicKey));
  if (key === null) return false;
  if (item.signatureFormat === 'raw' && item.signature.length !== 64) return false;
  try {
    // OpenSSL re-encodes DER signatures and compares, so BER variants fail; high-S is accepted.
    return verify(
      'sha256',
      item.message,
      { key, dsaEncoding: item.signatureFormat === 'der' ? 'der' : 'ieee-p1363' },
      item.signature,
    );
  } catch {
    return false;
  }
}

// One-shot crypto.hash (Node ≥ 20.12) skips the Hash object: half the cost of a short input's digest.
const oneShot = (
  nodeCrypto as {
    hash?: ((alg: string, data: Uint8Array, enc: 'buffer') => Buffer) &
      ((alg: string, data: Uint8Array, enc: 'hex') => string);
  }
).hash;
const sha256OneShot: (data: Uint8Array) => Buffer = oneShot
  ? (data) => oneShot('sha256', data, 'buffer')
  : (data) => createHash('sha256').update(data).digest();
const sha256HexOneShot: (data: Uint8Array) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => createHash('sha256').update(data).digest('hex');

function digestBytes(d: Buffer): Uint8Array {
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

// ---------------------------------------------------------------------------
// Worker pool for large Ed25519 batches.
//
// The CLI is bundled into one file, so the worker runs from an inline CommonJS
// source (eval: true) rather than a module path. A batch travels packed once into
// shared memory (see Ed25519VerifyPool). Workers are unref'd while idle so they
// never keep a process alive.

const WORKER_SOURCE = `'use strict';
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// Linux schedules threads, and nice applies per thread: run below the thread that queues the
// work, so a busy verifier's critical path (reading and checking the capsule) is never starved
// and the workers take every idle cycle. Elsewhere (one priority per process) nothing changes.
if (process.platform === 'linux') {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    if (tid > 0) require('node:os').setPriority(tid, Math.min(19, require('node:os').getPriority(tid) + 10));
  } catch {}
}
const keys = new Map();
function keyFor(pk) {
  const id = pk.toString('latin1');
  let k = keys.get(id);
  if (k === undefined) {
    try { k = createPublicKey({ key: Buffer.concat([PREFIX, pk]), format: 'der', type: 'spki' }); } catch { k = null; }
    if (keys.size >= 4096) keys.clear();
    keys.set(id, k);
  }
  return k;
}
// Every worker gets every batch and claims items STEP at a time from a shared counter, so
// workers that get unequal CPU time still finish a batch together. Results go to shared
// memory; each worker then reports how many it verified.
const STEP = 32;
parentPort.on('message', (job) => {
  const data = Buffer.from(job.data);
  const offsets = new Uint32Array(job.offsets);
  const ctrl = new Int32Array(job.ctrl);
  const out = new Uint8Array(job.results);
  let did = 0;
  for (;;) {
    const start = Atomics.add(ctrl, 0, STEP);
    if (start >= job.count) break;
    const end = Math.min(start + STEP, job.count);
    for (let i = start; i < end; i++) {
      const off = offsets[i];
      const pk = data.subarray(off, off + 32);
      const sig = data.subarray(off + 32, off + 96);
      const len = data.readUInt32LE(off + 96);
      const msg = data.subarray(off + 100, off + 100 + len);
      const k = keyFor(pk);
      let ok = false;
      if (k !== null) { try { ok = verify(null, msg, k, sig); } catch { ok = false; } }
      out[i] = ok ? 1 : 0;
    }
    did += end - start;
  }
  Atomics.add(ctrl, 1, did);
  parentPort.postMessage({ id: job.id, did });
});
`;

export interface VerifyPoolOptions {
  /** Worker threads to use; default: the number of cores (at most 8). */
  size?: number;
  /** Batches smaller than this are verified in-thread; default 512. */
  minBatch?: number;
  /** Worker source, replaceable only so tests can prove the fallback path. */
  workerSource?: string;
}

export interface VerifyPoolStats {
  /** Batches verified by the workers. */
  pooledBatches: number;
  /** Batches that fell back to in-thread verification after a worker error. */
  fallbacks: number;
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
}

/** A batch shared with every worker: done when the shared count of verified items reaches `count`. */
interface Job {
  resolve: (out: Uint8Array) => void;
  reject: (e: Error) => void;
  ctrl: Int32Array;
  results: Uint8Array;
  count: number;
}

/**
 * Spreads large Ed25519 batches over worker threads (one per core), preserving order.
 * Each batch is packed once into shared memory and offered to every worker, which claim
 * items from a shared counter: no static split, so workers that get unequal CPU time
 * (other threads, other processes) still finish together. Any worker error fails over to
 * in-thread verification for that batch and retires the pool: results are always
 * computed, by the same OpenSSL code.
 */
export class Ed25519VerifyPool {
  readonly size: number;
  readonly minBatch: number;
  private readonly source: string;
  private workers: PoolWorker[] = [];
  private broken = false;
  private nextId = 0;
  private readonly jobs = new Map<number, Job>();
  readonly stats: VerifyPoolStats = { pooledBatches: 0, fallbacks: 0 };

  constructor(options: VerifyPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? Math.min(availableParallelism(), 8));
    this.minBatch = options.minBatch ?? 512;
    this.source = options.workerSource ?? WORKER_SOURCE;
  }

  async verifyBatch(items: readonly Ed25519VerifyItem[]): Promise<boolean[]> {
    if (items.length < this.minBatch || this.broken) return items.map(verifyEd25519);
    try {
      const out = await this.runPooled(items);
      this.stats.pooledBatches++;
      return out;
    } catch {
      this.stats.fallbacks++;
      this.retire();
      return items.map(verifyEd25519);
    }
  }

  /** Starts the workers ahead of a batch of about `count` items, if one that large would use them. */
  prewarm(count: number): void {
    if (count >= this.minBatch && !this.broken) this.start();
  }

  /** Worker threads running (started and not retired or closed). */
  get running(): number {
    return this.workers.length;
  }

  /** Terminates the workers; the pool restarts them on the next large batch. */
  async close(): Promise<void> {
    const ws = this.workers;
    this.workers = [];
    await Promise.all(ws.map((w) => w.worker.terminate()));
  }

  private start(): PoolWorker[] {
    if (this.workers.length === 0) {
      for (let i = 0; i < this.size; i++) {
        // execArgv: [] — the worker source is plain CommonJS; inheriting flags such as
        // --input-type=module from the host would make it fail to load (silently single-core).
        const worker = new Worker(this.source, { eval: true, execArgv: [] });
        const pw: PoolWorker = { worker, inFlight: 0 };
        worker.on('message', (m: { id: number }) => this.settle(pw, m.id));
        worker.on('error', (e) => this.failWorker(pw, e));
        worker.on('exit', (code) => this.failWorker(pw, new Error(`verify worker exited with code ${code}`)));
        // After the listeners: adding a 'message' listener refs the worker's port again.
        worker.unref();
        this.workers.push(pw);
      }
    }
    return this.workers;
  }

  private async runPooled(items: readonly Ed25519VerifyItem[]): Promise<boolean[]> {
    const result = new Array<boolean>(items.length).fill(false);
    // What the policy precheck rejects is false without a trip to a worker.
    const idx: number[] = [];
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (!ed25519Precheck(it.publicKey, it.signature)) continue;
      idx.push(i);
      total += 100 + it.message.length;
    }
    const workers = this.start();
    if (idx.length === 0) return result;
    // pk(32) ‖ sig(64) ‖ len(u32 LE) ‖ msg per item, with each item's offset alongside.
    const data = new Uint8Array(new SharedArrayBuffer(total));
    const view = new DataView(data.buffer);
    const offsets = new Uint32Array(new SharedArrayBuffer(4 * idx.length));
    let off = 0;
    for (const [k, i] of idx.entries()) {
      const it = items[i]!;
      offsets[k] = off;
      data.set(it.publicKey, off);
      data.set(it.signature, off + 32);
      view.setUint32(off + 96, it.message.length, true);
      data.set(it.message, off + 100);
      off += 100 + it.message.length;
    }
    const ctrl = new Int32Array(new SharedArrayBuffer(8)); // [next item to claim, items verified]
    // Results start at 0 (not verified) and are read only once the verified count, which each
    // worker adds atomically after writing its results, reaches the total: an early read could
    // only fail a good signature, never pass a bad one.
    const results = new Uint8Array(new SharedArrayBuffer(idx.length));
    const out = await new Promise<Uint8Array>((resolve, reject) => {
      const id = this.nextId++;
      this.jobs.set(id, { resolve, reject, ctrl, results, count: idx.length });
      const job = {
        id,
        data: data.buffer,
        offsets: offsets.buffer,
        ctrl: ctrl.buffer,
        results: results.buffer,
        count: idx.length,
      };
      for (const w of workers) {
        // Keep the process alive only while a job is in flight.
        if (w.inFlight++ === 0) w.worker.ref();
        w.worker.postMessage(job);
      }
    });
    for (let k = 0; k < idx.length; k++) result[idx[k]!] = out[k] === 1;
    return result;
  }

  private settle(w: PoolWorker, id: number): void {
    if (--w.inFlight === 0) w.worker.unref();
    const job = this.jobs.get(id);
    // Done when every item is verified; the other workers' reports for it are then ignored.
    if (!job || Atomics.load(job.ctrl, 1) !== job.count) return;
    this.jobs.delete(id);
    job.resolve(job.results);
  }

  private failWorker(w: PoolWorker, e: Error): void {
    // Every worker shares every job: one failing fails them all (each falls back in-thread).
    if (this.workers.includes(w) || this.jobs.size > 0) this.retire(e);
  }

  private retire(e: Error = new Error('verify pool retired')): void {
    this.broken = true;
    for (const [id, job] of this.jobs) {
      this.jobs.delete(id);
      job.reject(e);
    }
    const ws = this.workers;
    this.workers = [];
    for (const w of ws) void w.worker.terminate();
  }
}

/** The pool behind nodeBackend.ed25519VerifyBatch. */
export const ed25519VerifyPool = new Ed25519VerifyPool();

/** Native backend: OpenSSL through node:crypto (Node and Electron main). */
export const nodeBackend: CryptoBackend = {
  name: 'node',
  sha256: (data) => digestBytes(sha256OneShot(data)),
  sha256Hex: sha256HexOneShot,
  createSha256(): Sha256Hasher {
    const h = createHash('sha256');
    const hasher: Sha256Hasher = {
      update(chunk) {
        h.update(chunk);
        return hasher;
      },
      digest: () => digestBytes(h.digest()),
    };
    return hasher;
  },
  sha512: (data) => digestBytes(createHash('sha512').update(data).digest()),
  ed25519Verify: async (item) => verifyEd25519(item),
  ed25519VerifyBatch: (items) => ed25519VerifyPool.verifyBatch(items),
  expectBatch: (count) => ed25519VerifyPool.prewarm(count),
  ecdsaP256Verify: async (item) => verifyP256(item),
};

export const defaultBackend = nodeBackend;
/** The native backend where it exists (here); `null` in browser builds. */
export const nativeBackend: CryptoBackend | null = nodeBackend;
