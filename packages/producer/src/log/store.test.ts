import { spawnSync } from 'node:child_process';
import fs, {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fromBase64,
  fromHex,
  LineageError,
  parseVkey,
  toBase64,
  toHex,
  verifyConsistency,
  verifyInclusion,
  verifyLineageSth,
} from '@lineage/verifier-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519KeyFromSeed } from '../identity/index.js';
import { lineageLogVkey, lineageSthSigner } from '../sample/sth-signer.js';
import { type CheckpointSigner, LineageStore } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'lineage-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// The store is agnostic of how tree heads are signed; the body alone is enough to test recovery.
const signer: CheckpointSigner = async (h) => `${h.origin}\n${h.size}\n${toBase64(h.rootHash)}\n`;
const parseCheckpointBody = (t: string) => {
  const [, size, root] = t.split('\n');
  return { size: BigInt(size!), rootHash: fromBase64(root!) };
};
const enc = new TextEncoder();
const entry = (i: number) => enc.encode(`{"n":${i},"pad":"${'x'.repeat(i % 50)}"}`);

describe('LineageStore', () => {
  it('publishes a tree head every N appends and serves proofs that verify against it', async () => {
    const dir = join(root, 'a');
    const log = LineageStore.open(dir, { origin: 'example.test/log', signer, sthEvery: 4 });
    for (let i = 0; i < 10; i++) await log.append(entry(i));
    expect(log.publishedSths().map((s) => s.size)).toEqual([4, 8]);
    const sth = log.lastSth()!;
    const body = parseCheckpointBody(sth.checkpoint);
    expect(body.size).toBe(8n);
    const proof = log.inclusionProof(5, 8);
    expect(
      verifyInclusion({ leafHash: log.leafHash(5), index: 5n, treeSize: 8n, proof, root: body.rootHash }).ok,
    ).toBe(true);
    expect(
      verifyInclusion({ leafHash: log.leafHash(6), index: 5n, treeSize: 8n, proof, root: body.rootHash }).ok,
    ).toBe(false);
    const cons = log.consistencyProof(4, 8);
    expect(
      verifyConsistency({ size1: 4n, size2: 8n, root1: log.root(4), root2: log.root(8), proof: cons }).ok,
    ).toBe(true);
    log.close();
    // Reopening rebuilds the same tree from disk.
    const again = LineageStore.open(dir, { origin: 'example.test/log', signer, sthEvery: 4 });
    expect(again.size).toBe(10);
    expect(toHex(again.root(8))).toBe(toHex(body.rootHash));
    again.close();
  });

  it('an append interrupted mid-record leaves the log at its last tree head, and appends continue', async () => {
    const dir = join(root, 'b');
    const log = LineageStore.open(dir, { origin: 'example.test/log', signer, sthEvery: 3 });
    for (let i = 0; i < 6; i++) await log.append(entry(i));
    const published = readFileSync(join(dir, 'checkpoint'), 'utf8');
    const goodSize = statSync(join(dir, 'entries.log')).size;
    await log.append(entry(6));
    log.close();
    // Simulate a crash halfway through writing record 6.
    truncateSync(join(dir, 'entries.log'), goodSize + 9);
    const reopened = LineageStore.open(dir, { origin: 'example.test/log', signer, sthEvery: 3 });
    expect(reopened.recoveredBytes).toBe(9);
    expect(reopened.size).toBe(6);
    expect(statSync(join(dir, 'entries.log')).size).toBe(goodSize);
    const body = parseCheckpointBody(published);
    expect(toHex(reopened.root(Number(body.size)))).toBe(toHex(body.rootHash));
    await reopened.append(entry(6));
    expect(reopened.size).toBe(7);
    reopened.close();
  });

  it('with real signed tree heads, the recovered log verifies at its last STH and proves its entries under it', async () => {
    const dir = join(root, 'signed');
    const key = ed25519KeyFromSeed(new Uint8Array(32).fill(3));
    const origin = 'example.test/signed-log';
    let clock = 1_700_000_000_000;
    const opts = { origin, signer: lineageSthSigner(origin, key, () => clock++), sthEvery: 4 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 9; i++) await log.append(entry(i));
    log.close();
    const size = statSync(join(dir, 'entries.log')).size;
    truncateSync(join(dir, 'entries.log'), size - 5); // crash in the middle of record 8
    const back = LineageStore.open(dir, opts);
    expect(back.size).toBe(8);
    const note = readFileSync(join(dir, 'checkpoint'), 'utf8');
    const r = await verifyLineageSth(note, {
      logId: origin,
      logKeys: [parseVkey(lineageLogVkey(origin, key))],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.sth.treeSize).toBe(8n);
    for (let i = 0; i < 8; i++) {
      const proof = back.inclusionProof(i, 8);
      expect(
        verifyInclusion({
          leafHash: back.leafHash(i),
          index: BigInt(i),
          treeSize: 8n,
          proof,
          root: r.sth.rootHash,
        }).ok,
      ).toBe(true);
    }
    const other = await verifyLineageSth(note, {
      logId: origin,
      logKeys: [parseVkey(lineageLogVkey(origin, ed25519KeyFromSeed(new Uint8Array(32).fill(4))))],
    });
    expect(other.ok).toBe(false);
    back.close();
  });

  it('a crash between publishing a tree head and replacing checkpoint is repaired on open', async () => {
    const dir = join(root, 'checkpoint-behind');
    const opts = { origin: 'example.test/log', signer, sthEvery: 2 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    log.close();
    writeFileSync(join(dir, 'checkpoint'), readFileSync(join(dir, 'sth', '2'))); // the rename never happened
    const back = LineageStore.open(dir, opts);
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(back.lastSth()!.checkpoint);
    expect(back.lastSth()!.size).toBe(4);
    back.close();
  });

  it('refuses to open a log damaged inside its published range', async () => {
    const dir = join(root, 'c');
    const log = LineageStore.open(dir, { origin: 'example.test/log', signer, sthEvery: 2 });
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    log.close();
    const bytes = readFileSync(join(dir, 'entries.log'));
    bytes[10] = bytes[10]! ^ 1;
    writeFileSync(join(dir, 'entries.log'), bytes);
    const e = (() => {
      try {
        LineageStore.open(dir, { origin: 'example.test/log', signer });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(LineageError);
    expect((e as LineageError).code).toBe('log.corrupt');
    expect((e as LineageError).message).toMatch(
      /record 0 fails its checksum, inside the 4 entries covered by the last signed tree head/,
    );
    // The file is named once: the error's path prefixes its message.
    expect((e as LineageError).message).toBe(`${join(dir, 'entries.log')}: ${(e as LineageError).detail}`);
    expect((e as LineageError).detail).not.toContain(dir);
    expect(fromHex('00').length).toBe(1);
  });

  it('takes one writer per directory: a second open is refused until the first closes', async () => {
    const dir = join(root, 'locked');
    const opts = { origin: 'example.test/log', signer, sthEvery: 2 };
    const a = LineageStore.open(dir, opts);
    await a.append(entry(0));
    // Two writers would both append "at the end" and sign different trees of one size.
    expect(() => LineageStore.open(dir, opts)).toThrow(
      expect.objectContaining({ code: 'log.locked', message: expect.stringMatching(/open in process \d+/) }),
    );
    await a.append(entry(1));
    a.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const b = LineageStore.open(dir, opts);
    expect(b.size).toBe(2);
    expect(new TextDecoder().decode(b.entry(1))).toBe(new TextDecoder().decode(entry(1)));
    b.close();
  });

  it('a lock held by another live process is refused; one left by a crashed process is taken over', () => {
    const dir = join(root, 'stale');
    const opts = { origin: 'example.test/log', signer };
    LineageStore.open(dir, opts).close();
    const lock = (pid: number, host = hostname()) =>
      writeFileSync(join(dir, 'lock'), `${JSON.stringify({ pid, host, nonce: 'x' })}\n`);
    lock(process.ppid); // alive, and not this process
    expect(() => LineageStore.open(dir, opts)).toThrow(
      expect.objectContaining({ code: 'log.locked', path: join(dir, 'lock') }),
    );
    lock(1, 'another-host.example');
    expect(() => LineageStore.open(dir, opts)).toThrow(/held by process 1 on host another-host\.example/);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // has exited
    lock(gone);
    LineageStore.open(dir, opts).close();
    lock(process.pid); // this pid, but no store here holds it: a restarted container reusing its pid
    LineageStore.open(dir, opts).close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('a store that fails to open gives its directory up', async () => {
    const dir = join(root, 'open-fails');
    const opts = { origin: 'example.test/log', signer, sthEvery: 2 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 2; i++) await log.append(entry(i));
    log.close();
    truncateSync(join(dir, 'entries.log'), 3);
    expect(() => LineageStore.open(dir, opts)).toThrow(expect.objectContaining({ code: 'log.corrupt' }));
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('says the entry was appended when signing its tree head fails, so it is not appended twice', async () => {
    const dir = join(root, 'signer-fails');
    let down = true;
    const flaky: CheckpointSigner = async (h) => {
      if (down) throw new Error('HSM offline');
      return signer(h);
    };
    const log = LineageStore.open(dir, { origin: 'example.test/log', signer: flaky, sthEvery: 2 });
    await log.append(entry(0)).catch(() => undefined);
    const e = await log.append(entry(1)).then(
      () => undefined,
      (x: LineageError) => x,
    );
    expect(e).toMatchObject({ code: 'log.publish' });
    expect(e!.message).toMatch(
      /entry 1 was appended, but publishing a tree head over it failed \(HSM offline\)/,
    );
    expect(log.size).toBe(2);
    expect(log.publishedSths()).toEqual([]);
    down = false;
    expect((await log.publish()).size).toBe(2);
    log.close();
  });

  /** Runs `body` with node:fs's `name` failing once (after `ok` successful calls), as a full disk or I/O error would. */
  async function failing(
    name: 'writeSync' | 'fsyncSync',
    code: string,
    body: () => Promise<void>,
  ): Promise<void> {
    const real = fs[name] as (...a: unknown[]) => number;
    let armed = true;
    (fs as unknown as Record<string, unknown>)[name] = (...a: unknown[]) => {
      if (armed) {
        armed = false;
        // A short write first, then the error: the worst case for the file's tail.
        if (name === 'writeSync') real(a[0], a[1], a[2], 10);
        throw Object.assign(new Error(`${code}: simulated`), { code });
      }
      return real(...a);
    };
    syncBuiltinESMExports();
    try {
      await body();
    } finally {
      (fs as unknown as Record<string, unknown>)[name] = real;
      syncBuiltinESMExports();
    }
  }
  const codeOf = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: LineageError) => e.code,
    );

  it('a failed write is undone: the file is cut back, appends go on, and later tree heads match the file', async () => {
    const dir = join(root, 'enospc');
    const opts = { origin: 'example.test/log', signer, sthEvery: 4 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    const before = statSync(join(dir, 'entries.log')).size;
    await failing('writeSync', 'ENOSPC', async () => {
      expect(await codeOf(log.append(entry(4)))).toBe('log.append');
    });
    expect(statSync(join(dir, 'entries.log')).size).toBe(before);
    expect(log.size).toBe(4);
    for (let i = 4; i < 8; i++) await log.append(entry(i));
    log.close();
    const back = LineageStore.open(dir, opts);
    expect(back.size).toBe(8);
    expect(toHex(back.root(8))).toBe(toHex(parseCheckpointBody(back.lastSth()!.checkpoint).rootHash));
    expect(new TextDecoder().decode(back.entry(4))).toBe(new TextDecoder().decode(entry(4)));
    back.close();
  });

  it('after a failed fsync the store refuses writes until reopened, and the reopened log is what its tree heads say', async () => {
    const dir = join(root, 'eio');
    const opts = { origin: 'example.test/log', signer, sthEvery: 4 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    await failing('fsyncSync', 'EIO', async () => {
      expect(await codeOf(log.append(entry(4)))).toBe('log.append');
    });
    expect(await codeOf(log.append(entry(4)))).toBe('log.broken');
    expect(await codeOf(log.publish())).toBe('log.broken');
    log.close();
    const back = LineageStore.open(dir, opts);
    expect(back.size).toBe(4);
    for (let i = 4; i < 8; i++) await back.append(entry(i));
    expect(back.publishedSths().map((x) => x.size)).toEqual([4, 8]);
    back.close();
  });

  it('refuses to open a log whose entries do not rebuild a signed root (a record rewritten with a valid checksum)', async () => {
    const dir = join(root, 'rewritten');
    const opts = { origin: 'example.test/log', signer, sthEvery: 4 };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    log.close();
    // Rebuild entries.log with record 2 replaced by another entry of the same length, checksum and all.
    const a = LineageStore.open(join(root, 'rewritten-src'), { ...opts, sthEvery: 100 });
    for (const i of [0, 1]) await a.append(entry(i));
    await a.append(entry(52)); // same length as entry(2): the pad is i % 50
    await a.append(entry(3));
    a.close();
    writeFileSync(join(dir, 'entries.log'), readFileSync(join(root, 'rewritten-src', 'entries.log')));
    const e = await codeOf(Promise.resolve().then(() => LineageStore.open(dir, opts)));
    expect(e).toBe('log.corrupt');
    expect(() => LineageStore.open(dir, opts)).toThrow(
      /rebuild root [0-9a-f]{64} for size 4, but its signed tree head says [0-9a-f]{64}/,
    );
  });

  it('without per-append fsync, a failed flush before publishing signs nothing and blocks writes until reopened', async () => {
    const dir = join(root, 'nofsync');
    const opts = { origin: 'example.test/log', signer, sthEvery: 100, fsync: false };
    const log = LineageStore.open(dir, opts);
    for (let i = 0; i < 4; i++) await log.append(entry(i));
    await failing('fsyncSync', 'EIO', async () => {
      expect(await codeOf(log.publish())).toBe('log.broken');
    });
    expect(log.publishedSths()).toEqual([]);
    expect(await codeOf(log.publish())).toBe('log.broken');
    expect(await codeOf(log.append(entry(4)))).toBe('log.broken');
    log.close();
  });
});

describe('LineageStore reopened on states a torn write could leave', () => {
  // Really signed: a head rolled back past and signed again would be a split view a verifier accepts.
  const origin = 'example.test/torn-log';
  const opts = {
    origin,
    signer: lineageSthSigner(origin, ed25519KeyFromSeed(new Uint8Array(32).fill(5)), () => 1_700_000_000_000),
    sthEvery: 4,
  };
  /** A store of entries `from`…`to - 1` with signed heads every 4 appends; returns its directory. */
  async function build(name: string, to: number, from = 0): Promise<string> {
    const dir = join(root, name);
    const log = LineageStore.open(dir, opts);
    for (let i = from; i < to; i++) await log.append(entry(i));
    log.close();
    return dir;
  }
  const open = (dir: string) => LineageStore.open(dir, opts);
  const errorOf = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e as LineageError;
    }
    throw new Error('expected an error');
  };
  /** entries.log cut back to its first `n` records (each record is 4 + entry + 32 bytes). */
  const keepRecords = (dir: string, n: number) => {
    let length = 0;
    for (let i = 0; i < n; i++) length += 4 + entry(i).length + 32;
    truncateSync(join(dir, 'entries.log'), length);
  };

  it('the checkpoint and sth/<size> landed but the entries they cover did not: refused, named', async () => {
    const dir = await build('entries-lost', 8);
    keepRecords(dir, 6);
    const e = errorOf(() => open(dir));
    expect(e.code).toBe('log.corrupt');
    expect(e.message).toBe(
      `${join(dir, 'entries.log')}: holds 6 entries but a tree head of size 8 was published`,
    );
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('the checkpoint landed but neither sth/<size> nor the entries did: refused, not rolled back to sign another head of that size', async () => {
    const dir = await build('sth-and-entries-lost', 8);
    const served = readFileSync(join(dir, 'checkpoint'), 'utf8');
    rmSync(join(dir, 'sth', '8'));
    keepRecords(dir, 6);
    const e = errorOf(() => open(dir));
    expect(e.code).toBe('log.corrupt');
    expect(e.message).toMatch(/holds 6 entries but a tree head of size 8 was published \(checkpoint\)/);
    // Nothing was changed: the head a client may hold is still there for whoever mends the store.
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(served);
    expect(statSync(join(dir, 'entries.log')).size).toBeGreaterThan(0);
  });

  it('the checkpoint landed over entries that rebuild another root: refused, naming both roots', async () => {
    const dir = await build('checkpoint-other-root', 8);
    rmSync(join(dir, 'sth', '8'));
    // Entries 0–3 as published at size 4, then four that are not what the head of size 8 covers.
    const other = await build('checkpoint-other-root-src', 4);
    await build('checkpoint-other-root-src', 14, 10);
    writeFileSync(join(dir, 'entries.log'), readFileSync(join(other, 'entries.log')));
    const e = errorOf(() => open(dir));
    expect(e.code).toBe('log.corrupt');
    expect(e.message).toMatch(
      new RegExp(
        `^${join(dir, 'checkpoint')}: a signed tree head of size 8 with root [0-9a-f]{64}, but the entries rebuild [0-9a-f]{64} for that size`,
      ),
    );
  });

  it('the checkpoint landed, sth/<size> was lost, and the entries prove it: sth/<size> is restored from it', async () => {
    const dir = await build('sth-lost', 8);
    const served = readFileSync(join(dir, 'checkpoint'), 'utf8');
    rmSync(join(dir, 'sth', '8'));
    const back = open(dir);
    expect(back.lastSth()?.checkpoint).toBe(served);
    expect(readFileSync(join(dir, 'sth', '8'), 'utf8')).toBe(served);
    expect(readFileSync(join(dir, 'checkpoint'), 'utf8')).toBe(served);
    back.close();
  });
});
