// A producer process for store.crash.test.ts (which bundles and runs it with node): opens the store in
// argv[2] and appends signed events to it until it is killed, a tree head every 3 appends.
// Each published head is written to stdout as `sth <size> <checkpoint, base64>` (pipes are
// synchronous on Linux: a line written is a head a client could have seen before the kill).
//
// With argv[3] = K it SIGKILLs itself at its K-th file-system call that changes the disk
// (open, write, fsync, truncate, rename, link, unlink, close), and with argv[4] = 'torn' a
// write it dies in writes half its bytes first: every step of the lock, an append and a
// publish can be made the moment of death, not only where a timer happens to land.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { eventEntryBytes, formatTimestamp, toBase64, toHex } from '@lineage/verifier-core';
import { sha256 } from '@noble/hashes/sha2.js';
import { agentEvent, asAgentKey, testKey } from '../identity/index.js';
import { lineageSthSigner } from '../sample/sth-signer.js';
import { LineageStore } from './store.js';

export const CRASH_LOG_ORIGIN = 'example.test/crash-log';
export const CRASH_LOG_KEY = 'crash-log';
export const CRASH_AGENT_KEY = 'crash-agent';
export const CRASH_STH_EVERY = 3;
/** A writer stops here, so a run whose kill came late keeps the log small. */
export const CRASH_MAX_SIZE = 5000;

/** The event the log holds at `index` (the same bytes whichever process appends it). */
export function crashEvent(index: number) {
  return agentEvent(asAgentKey(testKey(CRASH_AGENT_KEY)), {
    action: 'tool.call',
    timestamp: formatTimestamp(1_700_000_000_000 + index * 1000),
    sequence: index,
    payloadHash: toHex(sha256(new TextEncoder().encode(`payload ${index}`))),
  });
}

function dieAt(k: number, torn: boolean): void {
  let calls = 0;
  const kill = () => process.kill(process.pid, 'SIGKILL');
  for (const name of [
    'openSync',
    'writeSync',
    'fsyncSync',
    'ftruncateSync',
    'renameSync',
    'linkSync',
    'unlinkSync',
    'closeSync',
  ] as const) {
    const real = fs[name] as (...a: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      if (++calls === k) {
        // Said first (stderr is synchronous), so the test knows which step it killed.
        process.stderr.write(`dying at ${name}\n`);
        if (name === 'writeSync' && torn) {
          const bytes = a[1] as Uint8Array;
          const off = (a[2] as number | undefined) ?? 0;
          const len = (a[3] as number | undefined) ?? bytes.length - off;
          real(a[0], bytes, off, Math.ceil(len / 2));
        }
        kill();
      }
      return real(...a);
    };
  }
  syncBuiltinESMExports();
}

async function main(): Promise<void> {
  const [dir, killAt, mode] = process.argv.slice(2);
  if (!dir) throw new Error('usage: crash-writer.fixture.ts <dir> [kill-at-call [torn]]');
  if (killAt) dieAt(Number(killAt), mode === 'torn');
  const store = LineageStore.open(dir, {
    origin: CRASH_LOG_ORIGIN,
    signer: lineageSthSigner(CRASH_LOG_ORIGIN, testKey(CRASH_LOG_KEY), () => Date.now()),
    sthEvery: CRASH_STH_EVERY,
  });
  process.stdout.write(`ready ${store.size}\n`);
  let last = store.lastSth()?.size;
  while (store.size < CRASH_MAX_SIZE) {
    await store.append(eventEntryBytes(crashEvent(store.size)));
    const sth = store.lastSth();
    if (sth && sth.size !== last) {
      last = sth.size;
      process.stdout.write(`sth ${sth.size} ${toBase64(new TextEncoder().encode(sth.checkpoint))}\n`);
    }
  }
  store.close();
}

// Imported by the test for its constants and events; run only as the child process.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
