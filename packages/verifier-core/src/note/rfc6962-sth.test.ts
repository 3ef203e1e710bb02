import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleBackend } from '../crypto/backends/noble.js';
import { nodeBackend } from '../crypto/backends/node.js';
import { getCryptoBackend, setCryptoBackend } from '../crypto/current.js';
import { toBase64 } from '../encoding/base64.js';
import { parsePublicKey } from '../keys/spki.js';
import { parseRfc6962Sth, verifyRfc6962Sth } from './rfc6962-sth.js';
import { encodeDigitallySigned, treeHeadSignatureInput } from './rfc6962-tls.js';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const otherP256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const spkiPem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();

interface Sth {
  tree_size: number;
  timestamp: number;
  sha256_root_hash: string;
  tree_head_signature: string;
}

function makeSth(
  priv: KeyObject,
  alg: 'p256' | 'ed25519',
  size = 1_234_567,
  ts = 1_700_000_000_123,
  root = createHash('sha256').update('some tree').digest(),
): Sth {
  const msg = treeHeadSignatureInput(BigInt(ts), BigInt(size), new Uint8Array(root));
  const sig = alg === 'p256' ? sign('sha256', msg, priv) : sign(null, msg, priv);
  const ds = encodeDigitallySigned({
    hashAlgorithm: alg === 'p256' ? 4 : 8,
    signatureAlgorithm: alg === 'p256' ? 3 : 7,
    signature: new Uint8Array(sig),
  });
  return {
    tree_size: size,
    timestamp: ts,
    sha256_root_hash: toBase64(new Uint8Array(root)),
    tree_head_signature: toBase64(ds),
  };
}

const original = getCryptoBackend();
afterAll(() => setCryptoBackend(original));

describe.each([
  ['node', nodeBackend],
  ['noble', nobleBackend],
])('RFC 6962 v1 get-sth (%s backend)', (_n, backend) => {
  const p256Key = parsePublicKey(spkiPem(p256.publicKey));
  const edKey = parsePublicKey(spkiPem(ed.publicKey));

  it('verifies ECDSA P-256 and Ed25519 STHs and returns the LogID', async () => {
    setCryptoBackend(backend);
    const a = await verifyRfc6962Sth(JSON.stringify(makeSth(p256.privateKey, 'p256')), p256Key);
    if (!a.ok) throw new Error(a.message);
    expect(a.sth.treeSize).toBe(1_234_567);
    const der = p256.publicKey.export({ type: 'spki', format: 'der' });
    expect(Buffer.from(a.logId).toString('hex')).toBe(createHash('sha256').update(der).digest('hex'));
    const b = await verifyRfc6962Sth(JSON.stringify(makeSth(ed.privateKey, 'ed25519')), edKey);
    expect(b.ok).toBe(true);
  });

  it('rejects every changed field', async () => {
    setCryptoBackend(backend);
    const good = makeSth(p256.privateKey, 'p256');
    const variants: Sth[] = [
      { ...good, tree_size: good.tree_size + 1 },
      { ...good, timestamp: good.timestamp - 1 },
      { ...good, sha256_root_hash: toBase64(new Uint8Array(createHash('sha256').update('other').digest())) },
    ];
    for (const v of variants) {
      expect(await verifyRfc6962Sth(JSON.stringify(v), p256Key)).toMatchObject({
        ok: false,
        code: 'sth.signature',
      });
    }
  });

  it('rejects a signature by another key, and an algorithm that does not match the key', async () => {
    setCryptoBackend(backend);
    const sth = JSON.stringify(makeSth(otherP256.privateKey, 'p256'));
    expect(await verifyRfc6962Sth(sth, p256Key)).toMatchObject({ ok: false, code: 'sth.signature' });
    const edSth = JSON.stringify(makeSth(ed.privateKey, 'ed25519'));
    expect(await verifyRfc6962Sth(edSth, p256Key)).toMatchObject({
      ok: false,
      code: 'sth.signature-algorithm',
    });
    expect(await verifyRfc6962Sth(JSON.stringify(makeSth(p256.privateKey, 'p256')), edKey)).toMatchObject({
      ok: false,
      code: 'sth.signature-algorithm',
    });
  });

  it('rejects malformed DigitallySigned, JSON and sizes', async () => {
    setCryptoBackend(backend);
    const good = makeSth(p256.privateKey, 'p256');
    const ds = Buffer.from(good.tree_head_signature, 'base64');
    const truncated = {
      ...good,
      tree_head_signature: toBase64(new Uint8Array(ds.subarray(0, ds.length - 1))),
    };
    expect(await verifyRfc6962Sth(JSON.stringify(truncated), p256Key)).toMatchObject({
      ok: false,
      code: 'sth.signature-format',
    });
    const dup = `{"tree_size":1,"tree_size":2,"timestamp":1,"sha256_root_hash":"${good.sha256_root_hash}","tree_head_signature":"${good.tree_head_signature}"}`;
    expect(await verifyRfc6962Sth(dup, p256Key)).toMatchObject({ ok: false, code: 'json.duplicate-key' });
    const big = JSON.stringify({ ...good, tree_size: 1 }).replace(
      '"tree_size":1',
      '"tree_size":9007199254740993',
    );
    expect(await verifyRfc6962Sth(big, p256Key)).toMatchObject({ ok: false, code: 'sth.json' });
    expect(await verifyRfc6962Sth(JSON.stringify({ ...good, tree_size: -1 }), p256Key)).toMatchObject({
      ok: false,
    });
    expect(
      await verifyRfc6962Sth(JSON.stringify({ ...good, sha256_root_hash: 'AAAA' }), p256Key),
    ).toMatchObject({
      ok: false,
      code: 'sth.json',
    });
    expect(() => parseRfc6962Sth('[]')).toThrow(/expected an object/);
  });

  it('a size-0 STH must carry SHA-256("") and then verifies', async () => {
    setCryptoBackend(backend);
    const empty = createHash('sha256').digest();
    const ok = makeSth(p256.privateKey, 'p256', 0, 1, empty);
    expect((await verifyRfc6962Sth(JSON.stringify(ok), p256Key)).ok).toBe(true);
    const bad = makeSth(p256.privateKey, 'p256', 0, 1);
    expect(await verifyRfc6962Sth(JSON.stringify(bad), p256Key)).toMatchObject({
      ok: false,
      code: 'sth.empty-tree',
    });
  });
});
