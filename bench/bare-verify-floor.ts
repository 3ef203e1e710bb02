// The floor both the crypto and the capsule benches compare against: each worker gets its
// share of the signatures up front, imports each distinct key once, and on "go" runs a plain
// crypto.verify loop. Nothing of ours is involved.
import { Worker } from 'node:worker_threads';

export interface BareVerifyItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

const BARE_WORKER = `'use strict';
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
let work = [];
parentPort.on('message', (m) => {
  if (m.type === 'load') {
    const keys = new Map();
    work = m.items.map((it) => {
      const id = Buffer.from(it.publicKey).toString('hex');
      if (!keys.has(id)) keys.set(id, createPublicKey({ key: Buffer.concat([PREFIX, it.publicKey]), format: 'der', type: 'spki' }));
      return { key: keys.get(id), message: it.message, signature: it.signature };
    });
    parentPort.postMessage({ type: 'loaded' });
  } else {
    let ok = 0;
    for (const w of work) if (verify(null, w.message, w.key, w.signature)) ok++;
    parentPort.postMessage({ type: 'done', ok });
  }
});
`;

export class BareBaseline {
  private readonly workers: Worker[];
  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => new Worker(BARE_WORKER, { eval: true }));
  }
  private roundTrip(w: Worker, msg: unknown): Promise<{ type: string; ok?: number }> {
    return new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage(msg);
    });
  }
  async load(items: readonly BareVerifyItem[]): Promise<void> {
    const per = Math.ceil(items.length / this.workers.length);
    await Promise.all(
      this.workers.map((w, i) =>
        this.roundTrip(w, { type: 'load', items: items.slice(i * per, (i + 1) * per) }),
      ),
    );
  }
  /** Milliseconds from "go" until every worker has verified its share; also returns how many verified. */
  async run(): Promise<{ ms: number; ok: number }> {
    const t0 = performance.now();
    const done = await Promise.all(this.workers.map((w) => this.roundTrip(w, { type: 'go' })));
    return { ms: performance.now() - t0, ok: done.reduce((n, d) => n + (d.ok ?? 0), 0) };
  }
  close(): Promise<number[]> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}
