import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  concatBytes,
  cosignatureV1Message,
  formatTlogProof,
  fromBase64,
  leafHash,
  MerkleTree,
  openSignedNote,
  parseSignedNote,
  parseVkey,
  toBase64,
  utf8Encode,
  verifyCheckpoint,
  verifyLineageSth,
  verifyTlogProof,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { repoRoot, vectorPath } from '../../../../test/support/vectors.js';
import { signBytes, testKey } from '../identity/keys.js';
import { addNoteSignatures, cosignCheckpoint, makeLineageSth, signCheckpoint, signNote } from './sign.js';
import { formatSignerKey, generateNoteSigner, noteSigner, parseSignerKey } from './signer.js';

const LOG_ID = 'lineage.example/log/fedramp-a';
const log = noteSigner(LOG_ID, testKey('note-test log'));
const w1 = noteSigner('witness.example/w1', testKey('note-test w1'), 'cosignature-v1');
const w2 = noteSigner('witness.example/w2', testKey('note-test w2'), 'cosignature-v1');
const tree = new MerkleTree(['a', 'b', 'c', 'd', 'e'].map((s) => leafHash(utf8Encode(s))));

describe('x/mod interop', () => {
  // golang.org/x/mod/sumdb/note (note.go doc comment): this signer key signs this text
  // into exactly the signature line of the c2sp-notes vector xmod-one-known-one-unknown.
  const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';

  it('parses a Go signer key and reproduces the Go signature byte for byte', () => {
    const s = parseSignerKey(SKEY);
    expect(s.vkey).toBe('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    expect(formatSignerKey(s)).toBe(SKEY);
    const cases = JSON.parse(
      readFileSync(vectorPath('c2sp-notes', 'signed-note-vectors.json'), 'utf8'),
    ).cases;
    const c = cases.find((x: { id: string }) => x.id === 'xmod-one-known-one-unknown');
    const vectorNote = new TextDecoder().decode(fromBase64(c.noteBase64));
    const text = parseSignedNote(vectorNote).text;
    expect(signNote(text, [s])).toBe(
      `${text}\n${vectorNote.split('\n').find((l) => l.includes('PeterNeumann '))}\n`,
    );
  });

  it('rejects a mangled signer key', () => {
    expect(() => parseSignerKey(SKEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/does not match/);
    expect(() => parseSignerKey(SKEY.replace('PRIVATE', 'PUBLIC'))).toThrow();
  });
});

describe('producer round trip: sign, then verify with the verifier core', () => {
  it('signs a checkpoint that verifies, and every tampering is rejected', async () => {
    const note = signCheckpoint({ origin: LOG_ID, size: tree.size, rootHash: tree.root() }, log);
    const key = parseVkey(log.vkey);
    const ok = await verifyCheckpoint(note, { logKeys: [key], origin: LOG_ID });
    if (!ok.ok) throw new Error(ok.message);
    expect(ok.checkpoint.size).toBe(5n);
    const tampered = [
      note.replace('\n5\n', '\n6\n'),
      note.replace(toBase64(tree.root()), toBase64(tree.root(4))),
      note.replace(LOG_ID, `${LOG_ID}x`),
    ];
    for (const t of tampered) {
      expect((await verifyCheckpoint(t, { logKeys: [key] })).ok, t).toBe(false);
    }
    const other = generateNoteSigner(LOG_ID);
    expect(await verifyCheckpoint(note, { logKeys: [parseVkey(other.vkey)] })).toMatchObject({
      ok: false,
      code: 'checkpoint.log-signature',
    });
  });

  it('makes Lineage STHs with witness cosignatures that verifyLineageSth accepts', async () => {
    const sth = makeLineageSth(
      { logId: LOG_ID, treeSize: 5, rootHash: tree.root(), timestampMs: 1_763_780_000_123 },
      log,
    );
    expect(sth.split('\n')[3]).toBe('timestamp 1763780000123');
    const cosigned = cosignCheckpoint(cosignCheckpoint(sth, w1, 1_763_780_001n), w2, 1_763_780_002n);
    const policy = {
      logId: LOG_ID,
      logKeys: [parseVkey(log.vkey)],
      witnesses: [parseVkey(w1.vkey), parseVkey(w2.vkey)],
      witnessThreshold: 2,
    };
    const r = await verifyLineageSth(cosigned, policy);
    if (!r.ok) throw new Error(r.message);
    expect(r.sth).toMatchObject({ logId: LOG_ID, treeSize: 5n, timestampMs: 1_763_780_000_123 });
    expect(r.sth.timestamp).toBe('2025-11-22T02:53:20.123Z');
    expect(r.cosignatureTimestamps).toEqual({
      'witness.example/w1': 1_763_780_001n,
      'witness.example/w2': 1_763_780_002n,
    });

    // Only one witness: 2-of-2 fails, 1-of-2 passes.
    expect(await verifyLineageSth(cosignCheckpoint(sth, w1, 5n), policy)).toMatchObject({
      ok: false,
      code: 'checkpoint.witness-quorum',
    });
    expect(
      (await verifyLineageSth(cosignCheckpoint(sth, w1, 5n), { ...policy, witnessThreshold: 1 })).ok,
    ).toBe(true);
    // A tampered cosignature timestamp rejects the note.
    const line = cosigned.split('\n').find((l) => l.includes('w2 '))!;
    const raw = fromBase64(line.split(' ')[2]!);
    raw[11]! ^= 1;
    const bad = cosigned.replace(line, `\u2014 witness.example/w2 ${toBase64(raw)}`);
    expect(await verifyLineageSth(bad, policy)).toMatchObject({ ok: false, code: 'note.bad-signature' });
  });

  it('rejects a cosignature dated past 2^63-1 even though the witness really signed it', async () => {
    const sth = makeLineageSth({ logId: LOG_ID, treeSize: 5, rootHash: tree.root(), timestampMs: 1000 }, log);
    const policy = {
      logId: LOG_ID,
      logKeys: [parseVkey(log.vkey)],
      witnesses: [parseVkey(w1.vkey)],
      witnessThreshold: 1,
    };
    // What the producer refuses to make: a cosignature/v1 whose time does not fit an int64.
    const cosign = (time: bigint) => {
      const ts = new Uint8Array(8);
      new DataView(ts.buffer).setBigUint64(0, time);
      const sig = signBytes(w1.key, cosignatureV1Message(time, parseSignedNote(sth).textBytes));
      return `${sth}\u2014 ${w1.name} ${toBase64(concatBytes(w1.keyId, ts, sig))}\n`;
    };
    expect((await verifyLineageSth(cosign((1n << 63n) - 1n), policy)).ok).toBe(true);
    const r = await verifyLineageSth(cosign(1n << 63n), policy);
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
    expect(!r.ok && r.message).toMatch(/cosignature timestamp 9223372036854775808 exceeds 2\^63-1$/);
  });

  it('rejects Lineage STHs with a wrong log id, a missing or malformed timestamp, or a non-Ed25519 key name', async () => {
    const policy = { logId: LOG_ID, logKeys: [parseVkey(log.vkey)] };
    const other = noteSigner('lineage.example/log/other', testKey('note-test log'));
    const wrongLog = makeLineageSth(
      { logId: other.name, treeSize: 1, rootHash: tree.root(1), timestampMs: 1 },
      other,
    );
    expect(
      await verifyLineageSth(wrongLog, { logId: other.name, logKeys: [parseVkey(log.vkey)] }),
    ).toMatchObject({
      ok: false,
      code: 'sth.log-key',
    });
    expect(await verifyLineageSth(wrongLog, policy)).toMatchObject({ ok: false, code: 'checkpoint.origin' });
    const noTs = signCheckpoint({ origin: LOG_ID, size: 1, rootHash: tree.root(1) }, log);
    expect(await verifyLineageSth(noTs, policy)).toMatchObject({ ok: false, code: 'sth.timestamp' });
    // "timestXmp 5" has digits where the value would be; 8640000000000001 ms is past any Date.
    for (const ext of [
      'timestamp 0123',
      'timestamp -1',
      'timestamp 2025-11-22T00:00:00Z',
      'time 5',
      'timestXmp 5',
      'timestamp 8640000000000001',
    ]) {
      const n = signCheckpoint(
        { origin: LOG_ID, size: 1, rootHash: tree.root(1), extensionLines: [ext] },
        log,
      );
      expect(await verifyLineageSth(n, policy), ext).toMatchObject({
        ok: false,
        code: expect.stringMatching(/^sth\./),
      });
    }
    expect(() =>
      makeLineageSth({ logId: LOG_ID, treeSize: 1, rootHash: tree.root(1), timestampMs: 1 }, w1),
    ).toThrow();
  });

  it('builds tlog-proof containers that verify end to end, and fail for another leaf', async () => {
    const note = makeLineageSth(
      { logId: LOG_ID, treeSize: 5, rootHash: tree.root(), timestampMs: 1000 },
      log,
    );
    for (let i = 0; i < 5; i++) {
      const text = formatTlogProof({ index: BigInt(i), proof: tree.inclusionProof(i), checkpointText: note });
      const r = await verifyTlogProof(text, tree.leafHash(i), { logKeys: [parseVkey(log.vkey)] });
      expect(r.ok).toBe(true);
      expect(
        (await verifyTlogProof(text, tree.leafHash((i + 1) % 5), { logKeys: [parseVkey(log.vkey)] })).ok,
      ).toBe(false);
    }
  });

  it('signNote requires a final newline and addNoteSignatures keeps earlier lines', async () => {
    expect(() => signNote('no newline', [log])).toThrow();
    const n = addNoteSignatures(signNote('hello\n', [log]), [noteSigner('second', testKey('second'))]);
    const r = await openSignedNote(n, [
      parseVkey(log.vkey),
      parseVkey(noteSigner('second', testKey('second')).vkey),
    ]);
    expect(r.ok && r.verified.map((v) => v.key.name)).toEqual([LOG_ID, 'second']);
  });
});

describe('the Lineage STH example in docs/spec/03-checkpoints.md', () => {
  const doc = readFileSync(join(repoRoot, 'docs/spec/03-checkpoints.md'), 'utf8');
  const example = /```\n(lineage\.example\/log\/fedramp-a\n3\n[\s\S]*?)```/.exec(doc)?.[1];
  const specLog = noteSigner('lineage.example/log/fedramp-a', testKey('spec/03 log'));
  const specWitness = noteSigner('witness.example/w1', testKey('spec/03 witness'), 'cosignature-v1');

  it('is exactly what the producer makes, and verifies with the vkeys the chapter gives', async () => {
    expect(example).toBeDefined();
    const root = new MerkleTree(['e0', 'e1', 'e2'].map((x) => leafHash(utf8Encode(x)))).root();
    const made = cosignCheckpoint(
      makeLineageSth(
        { logId: specLog.name, treeSize: 3, rootHash: root, timestampMs: 1763769600000 },
        specLog,
      ),
      specWitness,
      1763769605n,
    );
    expect(made).toBe(example);
    expect(doc).toContain(specLog.vkey);
    expect(doc).toContain(specWitness.vkey);
    const r = await verifyLineageSth(example!, {
      logId: specLog.name,
      logKeys: [parseVkey(specLog.vkey)],
      witnesses: [parseVkey(specWitness.vkey)],
      witnessThreshold: 1,
    });
    expect(r.ok && r.sth.timestamp).toBe('2025-11-22T00:00:00.000Z');
  });
});
