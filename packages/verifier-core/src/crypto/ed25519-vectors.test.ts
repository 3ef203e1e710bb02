import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { fromHex } from '../encoding/hex.js';
import type { CryptoBackend, Ed25519VerifyItem } from './backend.js';
import { defaultBackend as browserDefault } from './backends/browser-default.js';
import { nobleBackend } from './backends/noble.js';
import { Ed25519VerifyPool, ed25519VerifyPool, nodeBackend } from './backends/node.js';
import { detectWebCryptoEd25519, webcryptoBackend } from './backends/webcrypto.js';

interface Rfc8032Test {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}
interface WycheproofCase {
  tcId: number;
  comment: string;
  msg: string;
  sig: string;
  result: 'valid' | 'invalid';
}
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { publicKey: { pk: string }; tests: WycheproofCase[] }[];
}

const rfc = JSON.parse(readFileSync(vectorPath('ed25519', 'rfc8032-section-7.1-ed25519.json'), 'utf8')) as {
  tests: Rfc8032Test[];
};
const wycheproof = JSON.parse(
  readFileSync(vectorPath('ed25519', 'wycheproof', 'ed25519_test.json'), 'utf8'),
) as WycheproofFile;

interface Case {
  label: string;
  item: Ed25519VerifyItem;
  expected: boolean;
}

const wycheCases: Case[] = wycheproof.testGroups.flatMap((g) =>
  g.tests.map((t) => ({
    label: `tcId ${t.tcId} ${t.comment}`,
    item: { publicKey: fromHex(g.publicKey.pk), message: fromHex(t.msg), signature: fromHex(t.sig) },
    expected: t.result === 'valid',
  })),
);

function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

/** Every RFC vector plus single-bit mutations of each field: all must be false. */
const rfcCases: Case[] = rfc.tests.flatMap((t) => {
  const item = {
    publicKey: fromHex(t.publicKey),
    message: fromHex(t.message),
    signature: fromHex(t.signature),
  };
  const mutated: Case[] = [0, 7, 100, 255, 256, 300, 511].map((bit) => ({
    label: `${t.name} signature bit ${bit}`,
    item: { ...item, signature: flip(item.signature, bit) },
    expected: false,
  }));
  mutated.push({
    label: `${t.name} public key bit 3`,
    item: { ...item, publicKey: flip(item.publicKey, 3) },
    expected: false,
  });
  if (item.message.length > 0) {
    mutated.push({
      label: `${t.name} message bit 0`,
      item: { ...item, message: flip(item.message, 0) },
      expected: false,
    });
  } else {
    mutated.push({
      label: `${t.name} message extended`,
      item: { ...item, message: Uint8Array.of(0) },
      expected: false,
    });
  }
  return [{ label: t.name, item, expected: true }, ...mutated];
});

const backends: CryptoBackend[] = [nodeBackend, webcryptoBackend, nobleBackend, browserDefault];

afterAll(() => ed25519VerifyPool.close());

describe('the vector files are complete', () => {
  it('RFC 8032 §7.1 has 5 vectors, Wycheproof 151 cases (88 valid, 63 invalid)', () => {
    expect(rfc.tests).toHaveLength(5);
    expect(wycheCases).toHaveLength(wycheproof.numberOfTests);
    expect(wycheCases.filter((c) => c.expected)).toHaveLength(88);
  });

  it('WebCrypto in this Node passes the strictness probes', async () => {
    expect(await detectWebCryptoEd25519()).toBe(true);
  });
});

describe('RFC 8032 §7.1 with noble (derive and sign)', () => {
  it.each(rfc.tests)('$name: derivePublicKey and sign reproduce the vector', (t) => {
    expect(ed25519.getPublicKey(fromHex(t.secretKey))).toEqual(fromHex(t.publicKey));
    expect(ed25519.sign(fromHex(t.message), fromHex(t.secretKey))).toEqual(fromHex(t.signature));
  });
});

describe.each(backends.map((b) => [b.name, b] as const))('backend %s', (_name, backend) => {
  it('verifies every RFC 8032 vector and rejects every mutation (single)', async () => {
    const got = await Promise.all(rfcCases.map((c) => backend.ed25519Verify(c.item)));
    expect(rfcCases.filter((c, i) => got[i] !== c.expected).map((c) => c.label)).toEqual([]);
  });

  it('gets every Wycheproof case right (single), never throwing', async () => {
    const got: boolean[] = [];
    for (const c of wycheCases) got.push(await backend.ed25519Verify(c.item));
    expect(wycheCases.filter((c, i) => got[i] !== c.expected).map((c) => c.label)).toEqual([]);
  });

  it('gets every case right in a large batch, in order', async () => {
    // 5 rounds, each in a different rotation, so order bugs cannot cancel out.
    const all = [...wycheCases, ...rfcCases];
    const batch: Case[] = [];
    for (let r = 0; r < 5; r++)
      for (let i = 0; i < all.length; i++) batch.push(all[(i * 7 + r * 13) % all.length]!);
    expect(batch.length).toBeGreaterThanOrEqual(ed25519VerifyPool.minBatch);
    const before = ed25519VerifyPool.stats.pooledBatches;
    const got = await backend.ed25519VerifyBatch(batch.map((c) => c.item));
    expect(got).toHaveLength(batch.length);
    expect(batch.filter((c, i) => got[i] !== c.expected).map((c) => c.label)).toEqual([]);
    if (backend === nodeBackend) {
      expect(ed25519VerifyPool.stats.pooledBatches).toBe(before + 1);
      expect(ed25519VerifyPool.stats.fallbacks).toBe(0);
    }
  });

  it('returns false for wrong lengths and an empty batch', async () => {
    const t = wycheCases[0]!.item;
    expect(await backend.ed25519Verify({ ...t, publicKey: t.publicKey.subarray(1) })).toBe(false);
    expect(await backend.ed25519Verify({ ...t, signature: new Uint8Array(65) })).toBe(false);
    expect(await backend.ed25519VerifyBatch([])).toEqual([]);
  });
});

describe('Ed25519VerifyPool', () => {
  const items = wycheCases.map((c) => c.item);
  const expected = wycheCases.map((c) => c.expected);

  it('splits work over workers and preserves order for many distinct keys and messages', async () => {
    const pool = new Ed25519VerifyPool({ size: 3, minBatch: 1 });
    try {
      const signed = Array.from({ length: 300 }, (_, i) => {
        const sk = new Uint8Array(32).fill(i & 0xff);
        sk[1] = i >> 8;
        const message = new Uint8Array(i % 50).fill(i & 0xff);
        return { publicKey: ed25519.getPublicKey(sk), message, signature: ed25519.sign(message, sk) };
      });
      const batch = signed.map((s, i) =>
        i % 3 === 0 ? { ...s, message: Uint8Array.of(...s.message, 1) } : s,
      );
      const got = await pool.verifyBatch(batch);
      expect(got).toEqual(batch.map((_, i) => i % 3 !== 0));
      expect(pool.stats).toEqual({ pooledBatches: 1, fallbacks: 0 });
    } finally {
      await pool.close();
    }
  });

  // The workers run below the thread that queues their work (Linux: nice is per thread).
  it.runIf(process.platform === 'linux')(
    'runs its workers 10 nice levels below the calling thread',
    async () => {
      const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      const threads = () =>
        readdirSync('/proc/self/task').flatMap((t) => {
          try {
            return [{ tid: t, nice: niceOf(readFileSync(`/proc/self/task/${t}/stat`, 'latin1')) }];
          } catch {
            return []; // a thread that ended while listing
          }
        });
      const own = niceOf(readFileSync('/proc/thread-self/stat', 'latin1'));
      const lowered = Math.min(19, own + 10);
      // Only threads that appear after the pool is made count: an earlier pool's workers may still be
      // exiting (on a loaded machine), and counting them would make the difference drift.
      const existing = new Set(threads().map((t) => t.tid));
      const pool = new Ed25519VerifyPool({ size: 3, minBatch: 1 });
      try {
        expect(await pool.verifyBatch(items)).toEqual(expected);
        // A worker that got no chunk may still be starting: wait for all three.
        await vi.waitFor(
          () => expect(threads().filter((t) => !existing.has(t.tid) && t.nice === lowered).length).toBe(3),
          { timeout: 15_000 },
        );
      } finally {
        await pool.close();
      }
    },
  );

  it('hands many chunks to whichever worker is free and still answers in order', async () => {
    const pool = new Ed25519VerifyPool({ size: 2, minBatch: 1 });
    try {
      const sk = new Uint8Array(32).fill(9);
      const publicKey = ed25519.getPublicKey(sk);
      // 2,000 items (8 chunks), every 7th altered, plus a second batch queued behind it.
      const batch = Array.from({ length: 2000 }, (_, i) => {
        const message = Uint8Array.of(i & 0xff, i >> 8);
        const signature = ed25519.sign(message, sk);
        return { publicKey, message: i % 7 === 0 ? Uint8Array.of(1, ...message) : message, signature };
      });
      const [a, b] = await Promise.all([pool.verifyBatch(batch), pool.verifyBatch(batch.slice(0, 700))]);
      expect(a).toEqual(batch.map((_, i) => i % 7 !== 0));
      expect(b).toEqual(a.slice(0, 700));
      expect(pool.stats).toEqual({ pooledBatches: 2, fallbacks: 0 });
    } finally {
      await pool.close();
    }
  });

  it('starts its workers ahead of a batch only when one that large would use them', async () => {
    const pool = new Ed25519VerifyPool({ size: 2, minBatch: 512 });
    // What keeps the process alive: idle workers must not (a host that prewarms and then has
    // nothing to verify would otherwise never exit).
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length;
    const idle = ports();
    try {
      pool.prewarm(100);
      expect(pool.running).toBe(0);
      pool.prewarm(5000);
      expect(pool.running).toBe(2);
      expect(ports()).toBe(idle);
      pool.prewarm(5000); // already running: no more threads
      expect(pool.running).toBe(2);
      const big = Array.from({ length: 600 }, (_, i) => items[i % items.length]!);
      expect(await pool.verifyBatch(big)).toEqual(big.map((_, i) => expected[i % expected.length]));
      expect(pool.stats).toEqual({ pooledBatches: 1, fallbacks: 0 });
      // The batch resolves on the first worker's report; the other's may still be on its way
      // (a loaded machine) and keeps its port referenced until it lands. Then both are idle.
      for (let i = 0; i < 200 && ports() !== idle; i++) await new Promise((r) => setTimeout(r, 10));
      expect(ports()).toBe(idle);
    } finally {
      await pool.close();
    }
    expect(pool.running).toBe(0);
  });

  it('falls back to in-thread verification when a worker fails to start', async () => {
    const pool = new Ed25519VerifyPool({ size: 2, minBatch: 1, workerSource: 'throw new Error("boom")' });
    expect(await pool.verifyBatch(items)).toEqual(expected);
    expect(pool.stats).toEqual({ pooledBatches: 0, fallbacks: 1 });
    // Retired: later batches run in-thread without trying workers again.
    expect(await pool.verifyBatch(items)).toEqual(expected);
    expect(pool.stats.fallbacks).toBe(1);
  });

  it('falls back when a worker dies mid-job', async () => {
    const src = "require('node:worker_threads').parentPort.on('message', () => process.exit(3));";
    const pool = new Ed25519VerifyPool({ size: 2, minBatch: 1, workerSource: src });
    expect(await pool.verifyBatch(items)).toEqual(expected);
    expect(pool.stats.fallbacks).toBe(1);
  });

  it('falls back when a worker throws while verifying', async () => {
    const src = "require('node:worker_threads').parentPort.on('message', () => { throw new Error('bad'); });";
    const pool = new Ed25519VerifyPool({ size: 1, minBatch: 1, workerSource: src });
    expect(await pool.verifyBatch(items)).toEqual(expected);
    expect(pool.stats.fallbacks).toBe(1);
  });

  it('keeps concurrent batches apart, including one with nothing to send', async () => {
    const pool = new Ed25519VerifyPool({ size: 2, minBatch: 1 });
    try {
      const reversed = [...items].reverse();
      const malformed = items.map((it) => ({ ...it, signature: it.signature.subarray(0, 63) }));
      const [a, b, c] = await Promise.all([
        pool.verifyBatch(items),
        pool.verifyBatch(reversed),
        pool.verifyBatch(malformed),
      ]);
      expect(a).toEqual(expected);
      expect(b).toEqual([...expected].reverse());
      expect(c).toEqual(items.map(() => false));
      expect(pool.stats).toEqual({ pooledBatches: 3, fallbacks: 0 });
    } finally {
      await pool.close();
    }
  });

  it('verifies small batches in-thread', async () => {
    const pool = new Ed25519VerifyPool({ minBatch: 1000 });
    expect(await pool.verifyBatch(items)).toEqual(expected);
    expect(pool.stats).toEqual({ pooledBatches: 0, fallbacks: 0 });
  });
});

describe('worker pool and process lifetime', () => {
  it('lets a process that used the pool exit on its own, after the batch completes', () => {
    // Workers are unref'd while idle but ref'd while a job is in flight, so a
    // top-level await on a batch neither hangs the process nor is cut short.
    const dir = mkdtempSync(join(tmpdir(), 'lineage-pool-'));
    const script = join(dir, 'exit.mts');
    writeFileSync(
      script,
      `import { generateKeyPairSync, sign } from 'node:crypto';
const { nodeBackend } = await import(process.argv[2]);
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const pk = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
const items = Array.from({ length: 600 }, (_, i) => {
  const message = Uint8Array.of(i & 255, i >> 8);
  return { publicKey: pk, message, signature: new Uint8Array(sign(null, message, privateKey)) };
});
items[5] = { ...items[5], message: Uint8Array.of(9, 9, 9) };
const r = await nodeBackend.ed25519VerifyBatch(items);
console.log(r.filter(Boolean).length, r[5]);
`,
    );
    const nodeTs = fileURLToPath(new URL('./backends/node.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, nodeTs], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe('599 false');
  });
});
