// Extension benchmarks (issue 6, "Done when"): per-page check cost from "response headers received"
// to verdict — the service worker's pure pipeline (header parsing, agent-card verification,
// checkpoint signature, inclusion proof, split-view comparison) run in Node — against a baseline of
// one bare Ed25519 verification plus one inclusion check. Service-worker memory comes from the
// Chromium test run (apps/extension/test/browser), which writes it via CDP Runtime.getHeapUsage.
// Run alone with `npx tsx bench/extension.bench.ts`.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { signBytes, testKey } from '@lineage/producer';
import {
  type CryptoBackend,
  getCryptoBackend,
  nobleBackend,
  parseTrustStore,
  setCryptoBackend,
  verifyInclusion,
} from '@lineage/verifier-core';
import { cardAnchorLeafHash } from '../apps/extension/src/background/anchors.js';
import { checkOrigin } from '../apps/extension/src/background/check-origin.js';
import { coreApi } from '../apps/extension/src/background/core-adapter.js';
import type { FetchBounded } from '../apps/extension/src/background/fetch-bounded.js';
import { parseProofHeaders } from '../apps/extension/src/background/headers.js';
import { MemoryStore } from '../apps/extension/src/storage/memory.js';
import {
  CARDS,
  FIXTURE_NOW,
  HISTORIES,
  HISTORY_PATH,
  SITES,
  TREES,
  trustStoreJson,
} from '../apps/extension/test/fixture/sites.js';
import type { BenchSection } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = 300;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function timeAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Median of `RUNS` interleaved runs per function, after a warm-up. */
async function medians(fns: Array<() => Promise<unknown>>): Promise<number[]> {
  for (const f of fns) for (let i = 0; i < 20; i++) await f();
  const samples = fns.map(() => [] as number[]);
  for (let r = 0; r < RUNS; r++)
    for (let i = 0; i < fns.length; i++) samples[i]!.push(await timeAsync(fns[i]!));
  return samples.map(median);
}

async function measure(
  backend: CryptoBackend,
): Promise<{ base: number; parse: number; first: number; repeat: number }> {
  const previous = getCryptoBackend();
  setCryptoBackend(backend);
  try {
    const trust = parseTrustStore(trustStoreJson());
    const headers = Object.entries(SITES.good('/', 1).headers).map(([name, value]) => ({ name, value }));
    // The card and its key history come from memory: the network is not what is measured.
    const fetch: FetchBounded = async (url) => ({
      url,
      status: 200,
      bytes: url.endsWith(HISTORY_PATH) ? HISTORIES.good : CARDS.good,
      contentType: 'application/json',
    });
    const origin = 'https://agent.example';
    const firstVisit = async () => {
      const r = await checkOrigin({
        origin,
        headers,
        trust,
        store: new MemoryStore(),
        core: coreApi,
        fetch,
        now: FIXTURE_NOW,
      });
      if (r.status !== 'verified') throw new Error(`bench input did not verify: ${r.sentence}`);
    };
    const remembered = new MemoryStore();
    await checkOrigin({ origin, headers, trust, store: remembered, core: coreApi, fetch, now: FIXTURE_NOW });
    const repeatVisit = async () => {
      const r = await checkOrigin({
        origin,
        headers,
        trust,
        store: remembered,
        core: coreApi,
        fetch,
        now: FIXTURE_NOW + 1,
      });
      if (r.status !== 'verified') throw new Error(`bench input did not verify: ${r.sentence}`);
    };
    const parseOnly = async () => parseProofHeaders(headers);

    const key = testKey('bench-baseline');
    const message = new Uint8Array(200).fill(7);
    const signature = signBytes(key, message);
    const leafHash = cardAnchorLeafHash(CARDS.good);
    const proof = TREES.v1.inclusionProof(3, 8);
    const root = TREES.v1.root();
    const baseline = async () => {
      const ok = await backend.ed25519Verify({ publicKey: key.publicKey, message, signature });
      const inc = verifyInclusion({ leafHash, index: 3, treeSize: 8, proof, root });
      if (!ok || !inc.ok) throw new Error('baseline did not verify');
    };
    const [base, first, repeat, parse] = await medians([baseline, firstVisit, repeatVisit, parseOnly]);
    return { base: base!, first: first!, repeat: repeat!, parse: parse! };
  } finally {
    setCryptoBackend(previous);
  }
}

export default async function extensionBench(): Promise<BenchSection> {
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const rows: string[][] = [];
  // noble is what the extension's service worker runs; node is the same pipeline with native crypto.
  for (const backend of [nobleBackend, getCryptoBackend()]) {
    const m = await measure(backend);
    const ratio = (x: number) => `${(x / m.base).toFixed(x < m.base ? 2 : 1)}×`;
    rows.push(
      [`[${backend.name}] baseline: Ed25519 verify + inclusion check`, ms(m.base), '1.0×'],
      [`[${backend.name}] parse proof headers only`, ms(m.parse), ratio(m.parse)],
      [`[${backend.name}] full check, first visit to the log`, ms(m.first), ratio(m.first)],
      [
        `[${backend.name}] full check, repeat visit (stored head re-verified + compared)`,
        ms(m.repeat),
        ratio(m.repeat),
      ],
    );
  }

  const memFile = resolve(here, '../apps/extension/test-results/sw-memory.json');
  let memRow: string[];
  if (existsSync(memFile)) {
    const m = JSON.parse(readFileSync(memFile, 'utf8')) as {
      idleUsedBytes: number | null;
      afterChecksUsedBytes: number | null;
      checks: number;
      chromium: string | null;
      measuredAt: string;
    };
    const kib = (b: number | null) => (b === null ? 'n/a' : `${(b / 1024).toFixed(0)} KiB`);
    memRow = [
      `service-worker JS heap (Chromium ${m.chromium ?? '?'}, after GC, from the browser test of ${m.measuredAt.slice(0, 10)})`,
      `idle ${kib(m.idleUsedBytes)}; after ${m.checks} page checks ${kib(m.afterChecksUsedBytes)}`,
      '—',
    ];
  } else {
    memRow = [
      'service-worker JS heap',
      'not measured: run the extension browser test first (it writes apps/extension/test-results/sw-memory.json)',
      '—',
    ];
  }

  return {
    title: 'Extension: headers received → verdict',
    note:
      `Median of ${RUNS} interleaved runs per row, card served from memory (network excluded); noble is the backend the extension's service worker uses. ` +
      'Baseline: one Ed25519 verification plus one 3-hash inclusion check with the same backend. ' +
      'A first visit verifies eight Ed25519 signatures (identity proof, A2A card signature, checkpoint; for the key history the registration event three times — history entry, buildKeyHistories, card.lineage — and its tree head twice) and a repeat visit nine (the remembered checkpoint is re-verified), so about 8–9× is the floor; what exceeds it is parsing, canonicalization and bookkeeping.',
    header: ['what', 'median', 'vs baseline'],
    rows: [...rows, memRow],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = await extensionBench();
  console.log(s.title, '\n', s.note);
  for (const r of s.rows) console.log(r.join(' | '));
}
