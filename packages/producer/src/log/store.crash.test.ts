import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bytesEqual,
  eventEntryBytes,
  fromBase64,
  parseEventText,
  parseVkey,
  toHex,
  verifyConsistency,
  verifyEventSignature,
  verifyInclusion,
  verifyLineageSth,
} from '@lineage/verifier-core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKey } from '../identity/index.js';
import { Drbg } from '../sample/drbg.js';
import { lineageLogVkey, lineageSthSigner } from '../sample/sth-signer.js';
import { CRASH_LOG_KEY, CRASH_LOG_ORIGIN, CRASH_STH_EVERY, crashEvent } from './crash-writer.fixture.js';
import { LineageStore } from './store.js';

/**
 * Crash safety under real process death: a child process (crash-writer.fixture.ts) appends
 * signed events to a store and is SIGKILLed, at seeded random moments and at each of its
 * file-system steps in turn. After every kill the store is reopened here and must open (taking
 * over the dead writer's lock), serve a tree head that verifies, prove every leaf under it,
 * prove consistency from every head published before, and take further appends.
 */

const root = mkdtempSync(join(tmpdir(), 'lineage-log-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// The writer is bundled once: a child started through tsx spends most of its life compiling.
const WRITER = join(root, 'crash-writer.mjs');
beforeAll(async () => {
  await build({
    entryPoints: [fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: WRITER,
    logLevel: 'silent',
  });
});

const logKey = testKey(CRASH_LOG_KEY);
const opts = {
  origin: CRASH_LOG_ORIGIN,
  signer: lineageSthSigner(CRASH_LOG_ORIGIN, logKey, () => Date.now()),
  sthEvery: CRASH_STH_EVERY,
};
const policy = { logId: CRASH_LOG_ORIGIN, logKeys: [parseVkey(lineageLogVkey(CRASH_LOG_ORIGIN, logKey))] };

interface Death {
  signal: NodeJS.Signals | null;
  pid: number;
  /** The file-system call the writer killed itself at, if it did. */
  dyingAt: string | undefined;
  /** Tree heads the writer published (and so a client may hold): size → checkpoint text. */
  heads: Map<number, string>;
  /** Whether it had opened the store (locked, loaded and recovered it) before it died. */
  ready: boolean;
  stderr: string;
}

/** Runs the writer; kills it `killMs` after it is ready (or after spawn, with `early`), or lets it kill itself. */
function runWriter(dir: string, args: string[], kill?: { ms: number; early: boolean }): Promise<Death> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, ...args]);
    const heads = new Map<number, string>();
    let ready = false;
    let out = '';
    let stderr = '';
    const killNow = () => child.kill('SIGKILL');
    if (kill?.early) setTimeout(killNow, kill.ms);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        const [what, size, note] = out.slice(0, nl).split(' ');
        out = out.slice(nl + 1);
        if (what === 'ready') {
          ready = true;
          if (kill && !kill.early) setTimeout(killNow, kill.ms);
        }
        if (what === 'sth') heads.set(Number(size), new TextDecoder().decode(fromBase64(note!)));
        nl = out.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    // 'close': the process was reaped and its pipes drained, so its lock names a pid that is gone.
    child.on('close', (_code, signal) =>
      resolve({
        signal,
        pid: child.pid!,
        dyingAt: /^dying at (\w+)$/m.exec(stderr)?.[1],
        heads,
        ready,
        stderr,
      }),
    );
  });
}

/** What a client has seen of the log: every published head, and the entries already checked. */
interface Seen {
  heads: Map<number, { note: string; root: Uint8Array }>;
  checkedEntries: number;
  takeovers: number;
}

async function record(seen: Seen, size: number, note: string): Promise<void> {
  const r = await verifyLineageSth(note, policy);
  if (!r.ok) throw new Error(`published tree head of size ${size} does not verify: ${r.message}`);
  expect(r.sth.treeSize).toBe(BigInt(size));
  const before = seen.heads.get(size);
  // One size, one signed head: a second would be a split view signed by the log key.
  if (before) expect(note, `tree head of size ${size} was signed twice`).toBe(before.note);
  seen.heads.set(size, { note, root: r.sth.rootHash });
}

/** Reopens the store after writers died and checks everything a client relies on; appends one more. */
async function reopenAndCheck(dir: string, deaths: Death[], seen: Seen): Promise<void> {
  for (const d of deaths) for (const [size, note] of d.heads) await record(seen, size, note);
  const death = deaths.at(-1)!;
  const lock = join(dir, 'lock');
  const stale = existsSync(lock) ? readFileSync(lock, 'utf8') : undefined;
  let store: LineageStore;
  try {
    store = LineageStore.open(dir, opts);
  } catch (e) {
    throw new Error(
      `reopening after the writer died (${death.dyingAt ? `at ${death.dyingAt}` : 'timed kill'}; lock ${JSON.stringify(stale)}) failed: ${(e as Error).message}`,
    );
  }
  try {
    if (stale?.includes(`"pid":${death.pid},`)) seen.takeovers++;
    const sth = store.lastSth();
    if (!sth) {
      expect(seen.heads.size).toBe(0);
    } else {
      // The head served is the last one published, and verifies with the pinned log key.
      const note = readFileSync(join(dir, 'checkpoint'), 'utf8');
      expect(note).toBe(sth.checkpoint);
      await record(seen, sth.size, note);
      const latest = seen.heads.get(sth.size)!;
      expect(toHex(store.root(sth.size))).toBe(toHex(latest.root));
      expect(Math.max(...seen.heads.keys())).toBe(sth.size);
      for (let i = 0; i < sth.size; i++) {
        const proof = store.inclusionProof(i, sth.size);
        const ok = verifyInclusion({
          leafHash: store.leafHash(i),
          index: BigInt(i),
          treeSize: BigInt(sth.size),
          proof,
          root: latest.root,
        }).ok;
        if (!ok)
          expect.fail(`leaf ${i} has no valid inclusion proof under the tree head of size ${sth.size}`);
      }
      for (const [size, head] of seen.heads) {
        if (size === sth.size) continue;
        const ok = verifyConsistency({
          size1: BigInt(size),
          size2: BigInt(sth.size),
          root1: head.root,
          root2: latest.root,
          proof: store.consistencyProof(size, sth.size),
        }).ok;
        if (!ok) expect.fail(`no consistency from the published head of size ${size} to ${sth.size}`);
        // Every published head is still stored, word for word.
        expect(store.publishedSths().find((s) => s.size === size)?.checkpoint).toBe(head.note);
      }
    }
    // The entries are the producer's signed events, in order, none lost or doubled.
    for (let i = seen.checkedEntries; i < store.size; i++) {
      const bytes = store.entry(i);
      if (!bytesEqual(bytes, eventEntryBytes(crashEvent(i)))) expect.fail(`entry ${i} is not event ${i}`);
      const event = parseEventText(new TextDecoder().decode(bytes));
      expect(await verifyEventSignature(event)).toBe(true);
    }
    seen.checkedEntries = store.size;
    // Appends continue, and the new head is consistent with the rest.
    await store.append(eventEntryBytes(crashEvent(store.size)));
    if (store.lastSth()?.size !== store.size) await store.publish();
    await record(seen, store.size, store.lastSth()!.checkpoint);
  } finally {
    store.close();
  }
  // Released, and nothing of the dead writer's lock is left behind.
  expect(readdirSync(dir).filter((n) => n.startsWith('lock'))).toEqual([]);
}

// The two series use their own directories and mostly wait on child processes: run side by side.
describe.concurrent('LineageStore under SIGKILL', () => {
  it('survives writers killed at seeded random moments', async () => {
    const dir = join(root, 'random');
    const rng = new Drbg('lineage/store-crash-test', 'kill-times');
    const seen: Seen = { heads: new Map(), checkedEntries: 0, takeovers: 0 };
    const kills = 36;
    let deaths: Death[] = [];
    for (let round = 0; round < kills; round++) {
      // One kill in six lands while the writer starts (loading, locking, recovering the log).
      const early = rng.int(6) === 0;
      const death = await runWriter(dir, [], { ms: rng.int(early ? 250 : 120), early });
      expect(death.signal, death.stderr).toBe('SIGKILL');
      deaths.push(death);
      // One time in three the next writer, not this test, finds the dead one's lock and log.
      if (rng.int(3) === 0 && round < kills - 1) continue;
      await reopenAndCheck(dir, deaths, seen);
      deaths = [];
    }
    expect(seen.takeovers).toBeGreaterThan(kills / 3);
    expect(seen.heads.size).toBeGreaterThan(kills / 2);
  });

  it('survives a writer killed at each file-system step of locking, appending and publishing', async () => {
    const dir = join(root, 'steps');
    const seen: Seen = { heads: new Map(), checkedEntries: 0, takeovers: 0 };
    const steps = new Set<string>();
    // Lock (create, write, fsync, close, link, unlink), open, three appends (write, fsync each)
    // and a publish (two atomic writes of eight steps): 29 calls; a few more reach into the next.
    for (let k = 1; k <= 32; k++) {
      for (const mode of ['whole', 'torn']) {
        const death = await runWriter(dir, [String(k), mode]);
        expect(death.signal, death.stderr).toBe('SIGKILL');
        expect(death.dyingAt, death.stderr).toBeDefined();
        steps.add(death.dyingAt!);
        await reopenAndCheck(dir, [death], seen);
        // A torn write differs from a whole kill only where the writer dies in a write.
        if (death.dyingAt !== 'writeSync') break;
      }
    }
    expect([...steps].sort()).toEqual([
      'closeSync',
      'fsyncSync',
      'linkSync',
      'openSync',
      'renameSync',
      'unlinkSync',
      'writeSync',
    ]);
  });

  it("survives a writer killed at each step of taking over a dead writer's lock and repairing its log", async () => {
    const dir = join(root, 'recovery');
    const seen: Seen = { heads: new Map(), checkedEntries: 0, takeovers: 0 };
    const steps = new Set<string>();
    // The first writer dies in the middle of a record (cut off on open), or between publishing
    // sth/<size> and replacing checkpoint (rewritten on open): steps 8 and 26 of a writer's life.
    for (const [at, mode, step] of [
      ['8', 'torn', 'writeSync'],
      ['26', 'whole', 'renameSync'],
    ] as const) {
      // The second writer dies at each step until it has opened the store, then once more.
      for (let k = 1, opened = false; !opened; k++) {
        const first = await runWriter(dir, [at, mode]);
        expect(first.dyingAt, first.stderr).toBe(step);
        const second = await runWriter(dir, [String(k)]);
        expect(second.signal, second.stderr).toBe('SIGKILL');
        opened = second.ready;
        steps.add(second.dyingAt!);
        await reopenAndCheck(dir, [first, second], seen);
      }
    }
    // Among them: moving the stale lock aside, cutting off the torn record, replacing checkpoint.
    expect(steps).toEqual(
      new Set([
        'closeSync',
        'fsyncSync',
        'ftruncateSync',
        'linkSync',
        'openSync',
        'renameSync',
        'unlinkSync',
        'writeSync',
      ]),
    );
  });
});
