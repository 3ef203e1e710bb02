import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, describe, expect, it } from 'vitest';
import { TESSERA_ROOTS, TESSERA_VKEY, vectorPath } from '../../../../test/support/vectors.js';
import { nobleBackend } from '../crypto/backends/noble.js';
import { nodeBackend } from '../crypto/backends/node.js';
import { getCryptoBackend, setCryptoBackend } from '../crypto/current.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { fromHex } from '../encoding/hex.js';
import { verifyCheckpoint } from './checkpoint.js';
import { formatCheckpointBody } from './checkpoint-body.js';
import { type NoteVerifierKey, noteVerifierKey, parseVkey } from './vkey.js';

interface NoteCase {
  id: string;
  verifierKeys: string[];
  noteBase64: string;
  noteText: string | null;
  expect: { result: string };
  expectAsCheckpoint?: {
    requiredLogKey: string;
    result: 'valid' | 'invalid';
    reason?: string;
    cosignatureTimestamps?: Record<string, number>;
  };
}
const cases: NoteCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'signed-note-vectors.json'), 'utf8'),
).cases;
const byId = (id: string) => {
  const c = cases.find((x) => x.id === id);
  if (!c) throw new Error(`vector ${id} missing`);
  return c;
};

const WITNESSES = [
  'witness.navigli.sunlight.geomys.org+a3e00fe2+BNy/co4C1Hn1p+INwJrfUlgz7W55dSZReusH/GhUhJ/G',
  'witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv',
  'staging.witness.transparency.goog/ring-any-bells+2e1a8dc9+BG5JTpLc3FJtwzgh1Uv+Qelz9qeOH2bfWjS1s0s+y4rL',
].map((v) => parseVkey(v));
const REKOR2_LOG = parseVkey(
  'log2025-alpha3.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp',
);
const REKOR2_NOTE = fromBase64(byId('rekor2-alpha3-cosigned-all-keys').noteBase64);

const original = getCryptoBackend();
afterAll(() => setCryptoBackend(original));

describe.each([
  ['node', nodeBackend],
  ['noble', nobleBackend],
])('checkpoints (%s backend)', (_n, backend) => {
  const withCheckpointExpectation = cases.filter((c) => c.expectAsCheckpoint);

  it('has the expectAsCheckpoint vectors', () =>
    expect(withCheckpointExpectation.length).toBeGreaterThanOrEqual(2));

  it.each(withCheckpointExpectation.map((c) => [c.id, c] as const))(
    'expectAsCheckpoint %s',
    async (_id, c) => {
      setCryptoBackend(backend);
      const exp = c.expectAsCheckpoint!;
      // The log key is required explicitly; every other trusted key is a witness.
      const trusted = c.verifierKeys.map((v) => parseVkey(v));
      const logKeys = trusted.filter((k) => k.vkey === exp.requiredLogKey);
      const witnesses = trusted.filter((k) => k.vkey !== exp.requiredLogKey);
      const r = await verifyCheckpoint(fromBase64(c.noteBase64), { logKeys, witnesses, witnessThreshold: 0 });
      if (exp.result === 'invalid') {
        expect(r).toMatchObject({ ok: false, code: 'checkpoint.log-signature' });
        if (!r.ok) expect(r.message).toMatch(/log signature not among verified signatures|no log key/);
        return;
      }
      if (!r.ok) throw new Error(r.message);
      const ts = Object.fromEntries(Object.entries(r.cosignatureTimestamps).map(([k, v]) => [k, Number(v)]));
      expect(ts).toEqual(exp.cosignatureTimestamps ?? {});
    },
  );

  it('rejects the witness-only trust set even when the witnesses are passed as the policy', async () => {
    setCryptoBackend(backend);
    const c = byId('rekor2-alpha3-cosigned-witness-keys-only');
    const r = await verifyCheckpoint(fromBase64(c.noteBase64), {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
    });
    // With the real log key configured it verifies; the point is that the log key is what decides.
    expect(r.ok).toBe(true);
    const noLog = await verifyCheckpoint(fromBase64(c.noteBase64), {
      logKeys: [parseVkey('example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx')],
      witnesses: WITNESSES,
    });
    expect(noLog).toMatchObject({ ok: false, code: 'checkpoint.log-signature' });
  });

  it.each([0, 1, 2, 3])('rekor v2 with %i-of-3 witnesses verifies', async (k) => {
    setCryptoBackend(backend);
    const r = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      witnessThreshold: k,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.witnessSigners).toHaveLength(3);
    expect(r.logSigner.key.name).toBe('log2025-alpha3.rekor.sigstage.dev');
    expect(r.checkpoint.size).toBe(4026479n);
  });

  it('fails the quorum when a witness key is missing from the note, and an unsatisfiable policy', async () => {
    setCryptoBackend(backend);
    // Only the log's signature and the first two witness lines: drop the navigli line.
    const text = new TextDecoder().decode(REKOR2_NOTE).split('\n');
    const trimmed = `${text.filter((l) => !l.includes('witness.navigli')).join('\n')}`;
    const three = await verifyCheckpoint(trimmed, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      witnessThreshold: 3,
    });
    expect(three).toMatchObject({ ok: false, code: 'checkpoint.witness-quorum' });
    if (!three.ok) expect(three.message).toBe('2 of 3 configured witnesses cosigned; 3 required');
    expect(three).toMatchObject({
      expected: 'cosignatures by 3 of the 3 configured witnesses',
      found: '2 counted cosignatures',
    });
    const two = await verifyCheckpoint(trimmed, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      witnessThreshold: 2,
    });
    expect(two.ok).toBe(true);
    const defaultAll = await verifyCheckpoint(trimmed, { logKeys: [REKOR2_LOG], witnesses: WITNESSES });
    expect(defaultAll).toMatchObject({ ok: false, code: 'checkpoint.witness-quorum' });
    const impossible = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      witnessThreshold: 4,
    });
    expect(impossible).toMatchObject({ ok: false, code: 'checkpoint.witness-policy' });
  });

  it('counts one witness once even if configured under two names with the same key', async () => {
    setCryptoBackend(backend);
    const r = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: [...WITNESSES, WITNESSES[0]!],
      witnessThreshold: 3,
    });
    expect(r.ok && r.witnessSigners.length).toBe(3);
    // The log key listed as a witness never counts as one.
    const r2 = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: [REKOR2_LOG, WITNESSES[0]!],
      witnessThreshold: 2,
    });
    expect(r2).toMatchObject({ ok: false, code: 'checkpoint.witness-quorum' });
  });

  it('does not count cosignatures from the future, and rejects a tampered cosignature timestamp', async () => {
    setCryptoBackend(backend);
    const future = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      witnessThreshold: 1,
      nowSeconds: 1778700214n - 3600n,
    });
    expect(future).toMatchObject({ ok: false, code: 'checkpoint.witness-quorum' });
    const present = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
      nowSeconds: 1778700214n,
    });
    expect(present.ok).toBe(true);
    const tampered = byId('rekor2-alpha3-cosignature-timestamp-tampered');
    const r = await verifyCheckpoint(fromBase64(tampered.noteBase64), {
      logKeys: [REKOR2_LOG],
      witnesses: WITNESSES,
    });
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
  });

  it('refuses a cosignature/v1 witness key as the log key', async () => {
    setCryptoBackend(backend);
    const r = await verifyCheckpoint(REKOR2_NOTE, { logKeys: [WITNESSES[0]!] });
    expect(r).toMatchObject({ ok: false, code: 'checkpoint.log-key' });
  });

  it('checks the expected origin when given', async () => {
    setCryptoBackend(backend);
    const r = await verifyCheckpoint(REKOR2_NOTE, {
      logKeys: [REKOR2_LOG],
      origin: 'log2025-alpha2.rekor.sigstage.dev',
    });
    expect(r).toMatchObject({ ok: false, code: 'checkpoint.origin' });
  });

  it('enforces the 0x05 rules: origin = key name and no extension lines', async () => {
    setCryptoBackend(backend);
    const c = byId('formats-static-ct-rome');
    const key = parseVkey(c.verifierKeys[0]!);
    const ok = await verifyCheckpoint(fromBase64(c.noteBase64), { logKeys: [key] });
    if (!ok.ok) throw new Error(ok.message);
    expect(ok.logSigner.timestamp).toBe(1711519390034n);
    const text = c.noteText!;
    const withExt = text.replace('=\n\n', '=\nextra line\n\n');
    const r = await verifyCheckpoint(withExt, { logKeys: [key] });
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
    if (!r.ok) expect(r.message).toMatch(/extension lines/);
    const corrupted = byId('formats-static-ct-rome-corrupted');
    const r2 = await verifyCheckpoint(fromBase64(corrupted.noteBase64), { logKeys: [key] });
    expect(r2).toMatchObject({ ok: false, code: 'note.bad-signature' });
    if (!r2.ok) expect(r2.message).toMatch(/must equal the key name/);
  });

  it('0x05: a DigitallySigned naming another algorithm fails, though the ECDSA bytes verify; a changed size fails', async () => {
    setCryptoBackend(backend);
    const c = byId('formats-static-ct-rome');
    const key = parseVkey(c.verifierKeys[0]!);
    const text = c.noteText!;
    const line = text.split('\n').find((l) => l.startsWith(`\u2014 ${key.name} `))!;
    // key ID (4) ‖ timestamp (8) ‖ hash algorithm ‖ signature algorithm ‖ length (2) ‖ signature.
    for (const [at, value, found] of [
      [12, 5, '5/3'],
      [13, 1, '4/1'],
    ] as const) {
      const raw = fromBase64(line.slice(line.lastIndexOf(' ') + 1));
      raw[at] = value;
      const r = await verifyCheckpoint(text.replace(line, `\u2014 ${key.name} ${toBase64(raw)}`), {
        logKeys: [key],
      });
      expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
      if (!r.ok) expect(r.message).toMatch(`must be SHA-256/ECDSA (4/3), found ${found}`);
    }
    // The tree size the log signed, changed: the TreeHeadSignature no longer verifies.
    const r = await verifyCheckpoint(text.replace('\n115474666\n', '\n115474667\n'), { logKeys: [key] });
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
    if (!r.ok) expect(r.message).toMatch(/RFC 6962 TreeHeadSignature does not verify$/);
  });
});

describe('tessera checkpoints', () => {
  const key = parseVkey(TESSERA_VKEY);
  it.each(TESSERA_ROOTS.map((root, size) => [size, root] as const))(
    'checkpoint.%i verifies under the README vkey with the expected root',
    async (size, root) => {
      const text = readFileSync(join(vectorPath('tessera-log'), `checkpoint.${size}`));
      const r = await verifyCheckpoint(new Uint8Array(text), {
        logKeys: [key],
        origin: 'example.com/log/testdata',
      });
      if (!r.ok) throw new Error(r.message);
      expect(r.checkpoint.size).toBe(BigInt(size));
      expect(toBase64(r.checkpoint.rootHash)).toBe(root);
      expect(r.witnessSigners).toEqual([]);
    },
  );

  it('rejects a checkpoint whose size was changed', async () => {
    const text = readFileSync(join(vectorPath('tessera-log'), 'checkpoint.15'), 'utf8').replace(
      '\n15\n',
      '\n14\n',
    );
    const r = await verifyCheckpoint(text, { logKeys: [key] });
    expect(r).toMatchObject({
      ok: false,
      code: 'note.bad-signature',
      expected: `a signature by ${key.name}+${key.keyIdHex} over this note text`,
      found: expect.stringMatching(/^signature line \d+, which does not verify over it$/),
    });
  });

  it('rejects a checkpoint signed by another key with the same name', async () => {
    const text = readFileSync(join(vectorPath('tessera-log'), 'checkpoint.3'), 'utf8');
    const other = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const r = await verifyCheckpoint(text, { logKeys: [other] });
    expect(r).toMatchObject({
      ok: false,
      code: 'checkpoint.log-signature',
      expected: 'a signature by the pinned log key example.com/foo+530d903a',
      found: 'a signature by example.com/log/testdata+33d7b496',
    });
  });
});

/**
 * Real signatures over a fresh checkpoint: Ed25519 (noble) for the log and cosignature/v1
 * witnesses, ECDSA P-256 (node) for 0x02 witnesses.
 */
describe('witness quorum counts public keys, not vkeys', () => {
  const te = new TextEncoder();
  const text = formatCheckpointBody({
    origin: 'example.com/log',
    size: 1n,
    rootHash: new Uint8Array(32).fill(7),
  });
  const line = (k: NoteVerifierKey, sig: Uint8Array) =>
    `\u2014 ${k.name} ${toBase64(new Uint8Array([...k.keyId, ...sig]))}\n`;
  const edLine = (k: NoteVerifierKey, secret: Uint8Array) => line(k, ed25519.sign(te.encode(text), secret));
  const cosignLine = (k: NoteVerifierKey, secret: Uint8Array, t: bigint) => {
    const time = new Uint8Array(8);
    new DataView(time.buffer).setBigUint64(0, t);
    const msg = te.encode(`cosignature/v1\ntime ${t}\n${text}`);
    return line(k, new Uint8Array([...time, ...ed25519.sign(msg, secret)]));
  };
  const logSecret = ed25519.utils.randomSecretKey();
  const logKey = noteVerifierKey('example.com/log', 'ed25519', ed25519.getPublicKey(logSecret));
  const witnessSecret = ed25519.utils.randomSecretKey();
  const witness = noteVerifierKey(
    'witness.example/w1',
    'cosignature-v1',
    ed25519.getPublicKey(witnessSecret),
  );
  const logNote = `${text}\n${edLine(logKey, logSecret)}`;

  /** One P-256 key pinned twice: its SPKI with the point uncompressed, and with it compressed. */
  function p256TwoWays() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spkiU = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
    const point = spkiU.subarray(spkiU.length - 65);
    const compressed = Uint8Array.of(0x02 | (point[64]! & 1), ...point.subarray(1, 33));
    const spkiC = Uint8Array.of(
      0x30,
      0x39,
      ...fromHex('301306072a8648ce3d020106082a8648ce3d030107'),
      0x03,
      0x22,
      0x00,
      ...compressed,
    );
    return {
      privateKey,
      u: noteVerifierKey('witness.example/p256', 'ecdsa-p256', spkiU),
      c: noteVerifierKey('witness.example/p256', 'ecdsa-p256', spkiC),
    };
  }

  it.each([
    ['node', nodeBackend],
    ['noble', nobleBackend],
  ])(
    'one ECDSA P-256 witness pinned uncompressed and compressed is one witness (%s backend)',
    async (_n, backend) => {
      setCryptoBackend(backend);
      const { privateKey, u, c } = p256TwoWays();
      expect(u.vkey).not.toBe(c.vkey);
      expect(u.keyIdHex).not.toBe(c.keyIdHex);
      // One ECDSA signature by one key, presented under both key IDs: both lines verify.
      const der = new Uint8Array(sign('sha256', te.encode(text), privateKey));
      const note = logNote + line(u, der) + line(c, der);
      const two = await verifyCheckpoint(note, { logKeys: [logKey], witnesses: [u, c], witnessThreshold: 2 });
      expect(two).toMatchObject({
        ok: false,
        code: 'checkpoint.witness-quorum',
        expected: 'cosignatures by 2 of the 2 configured witnesses',
        found: '1 counted cosignature',
      });
      if (!two.ok)
        expect(two.message).toBe(
          `1 of 2 configured witnesses cosigned; 2 required (not counted: ${c.name}+${c.keyIdHex}, same public key as the witness ${u.name}+${u.keyIdHex}, already counted)`,
        );
      const one = await verifyCheckpoint(note, { logKeys: [logKey], witnesses: [u, c], witnessThreshold: 1 });
      if (!one.ok) throw new Error(one.message);
      expect(one.witnessSigners.map((w) => w.key.vkey)).toEqual([u.vkey]);
      expect(one.rejectedWitnesses.map((w) => [w.signer.key.vkey, w.reason])).toEqual([
        [c.vkey, `same public key as the witness ${u.name}+${u.keyIdHex}, already counted`],
      ]);
      // With a second, genuinely distinct witness the 2-of-3 quorum is met.
      const withOther = await verifyCheckpoint(note + cosignLine(witness, witnessSecret, 1700000000n), {
        logKeys: [logKey],
        witnesses: [u, c, witness],
        witnessThreshold: 2,
      });
      expect(withOther.ok && withOther.witnessSigners.map((w) => w.key.name)).toEqual([u.name, witness.name]);
      setCryptoBackend(original);
    },
  );

  it("does not count the log's own key pinned as a cosignature/v1 witness under another name", async () => {
    const self = noteVerifierKey('witness.example/w2', 'cosignature-v1', logKey.publicKey);
    expect(self.vkey).not.toBe(logKey.vkey);
    const note = logNote + cosignLine(self, logSecret, 1700000000n);
    const r = await verifyCheckpoint(note, { logKeys: [logKey], witnesses: [self], witnessThreshold: 1 });
    expect(r).toMatchObject({
      ok: false,
      code: 'checkpoint.witness-quorum',
      found: '0 counted cosignatures',
    });
    if (!r.ok)
      expect(r.message).toBe(
        `0 of 1 configured witnesses cosigned; 1 required (not counted: ${self.name}+${self.keyIdHex}, same public key as the log key ${logKey.name}+${logKey.keyIdHex}: the log cannot witness its own checkpoint)`,
      );
    // A real witness meets the quorum; the log's cosignature is listed as not counted, with why.
    const both = await verifyCheckpoint(note + cosignLine(witness, witnessSecret, 1700000000n), {
      logKeys: [logKey],
      witnesses: [self, witness],
      witnessThreshold: 1,
    });
    if (!both.ok) throw new Error(both.message);
    expect(both.witnessSigners.map((w) => w.key.vkey)).toEqual([witness.vkey]);
    expect(both.cosignatureTimestamps).toEqual({ [witness.name]: 1700000000n });
    // A witness may be named "__proto__" (a valid note key name): its time is recorded like any other's.
    const proto = noteVerifierKey('__proto__', 'cosignature-v1', ed25519.getPublicKey(witnessSecret));
    const named = await verifyCheckpoint(note + cosignLine(proto, witnessSecret, 1700000000n), {
      logKeys: [logKey],
      witnesses: [proto],
      witnessThreshold: 1,
    });
    if (!named.ok) throw new Error(named.message);
    expect(Object.getOwnPropertyDescriptor(named.cosignatureTimestamps, '__proto__')?.value).toBe(
      1700000000n,
    );
    expect(both.rejectedWitnesses).toEqual([
      expect.objectContaining({
        signer: expect.objectContaining({ key: self }),
        reason: `same public key as the log key ${logKey.name}+${logKey.keyIdHex}: the log cannot witness its own checkpoint`,
      }),
    ]);
  });

  it("does not count the log's own key pinned as an Ed25519 (0x01) witness under another name", async () => {
    const self = noteVerifierKey('witness.example/w3', 'ed25519', logKey.publicKey);
    const note = logNote + edLine(self, logSecret);
    const r = await verifyCheckpoint(note, { logKeys: [logKey], witnesses: [self], witnessThreshold: 1 });
    expect(r).toMatchObject({
      ok: false,
      code: 'checkpoint.witness-quorum',
      found: '0 counted cosignatures',
    });
    // And the very same vkey as log key and witness: reported, never counted.
    const same = await verifyCheckpoint(logNote, {
      logKeys: [logKey],
      witnesses: [logKey],
      witnessThreshold: 1,
    });
    expect(same).toMatchObject({ ok: false, code: 'checkpoint.witness-quorum' });
    if (!same.ok) expect(same.message).toMatch(/the log cannot witness its own checkpoint/);
  });

  it('does not count a P-256 log key pinned as a witness with its point written the other way', async () => {
    const { privateKey, u, c } = p256TwoWays();
    const log = noteVerifierKey('example.com/log', 'ecdsa-p256', u.keyMaterial);
    const der = new Uint8Array(sign('sha256', te.encode(text), privateKey));
    const note = `${text}\n${line(log, der)}${line(c, der)}`;
    const r = await verifyCheckpoint(note, { logKeys: [log], witnesses: [c], witnessThreshold: 1 });
    expect(r).toMatchObject({
      ok: false,
      code: 'checkpoint.witness-quorum',
      found: '0 counted cosignatures',
    });
    if (!r.ok) expect(r.message).toContain(`same public key as the log key ${log.name}+${log.keyIdHex}`);
  });
});
