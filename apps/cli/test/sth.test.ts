import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDigitallySigned, treeHeadSignatureInput } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const tmp = mkdtempSync(join(tmpdir(), 'lineage-cli-sth-'));
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function write(name: string, content: string | Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

function sth(priv: KeyObject, alg: 'p256' | 'ed25519', size = 4_026_479, ts = 1_763_770_000_000) {
  const root = createHash('sha256').update(`tree ${size}`).digest();
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
    sha256_root_hash: root.toString('base64'),
    tree_head_signature: Buffer.from(ds).toString('base64'),
  };
}

const pemKey = write('log.pem', p256.publicKey.export({ type: 'spki', format: 'pem' }));
const derKey = write('log.der', p256.publicKey.export({ type: 'spki', format: 'der' }));
const edKey = write('ed.pem', ed.publicKey.export({ type: 'spki', format: 'pem' }));

describe('lineage sth verify', () => {
  it('verifies a P-256 STH with a PEM or DER key and an Ed25519 STH (exit 0)', async () => {
    const f = write('good.json', JSON.stringify(sth(p256.privateKey, 'p256')));
    for (const key of [pemKey, derKey]) {
      const c = capture();
      expect(await runCli(['sth', 'verify', f, '--log-key', key], c.io), c.stderr()).toBe(0);
      expect(c.stdout()).toMatch(/PASS {2}sth\.signature/);
      expect(c.stdout()).toMatch(/tree size:\s+4026479/);
    }
    const c = capture();
    const g = write('ed.json', JSON.stringify(sth(ed.privateKey, 'ed25519')));
    expect(await runCli(['sth', 'verify', g, '--log-key', edKey, '--json'], c.io)).toBe(0);
    const doc = JSON.parse(c.stdout());
    expect(doc).toMatchObject({
      verdict: 'verified',
      details: { treeSize: 4026479, logKey: { algorithm: 'ed25519' } },
    });
  });

  it('a changed field or another key: exit 1 with the failing check named', async () => {
    const good = sth(p256.privateKey, 'p256');
    const files = [
      write('size.json', JSON.stringify({ ...good, tree_size: good.tree_size + 1 })),
      write('ts.json', JSON.stringify({ ...good, timestamp: good.timestamp + 1 })),
      write('other.json', JSON.stringify(sth(other.privateKey, 'p256'))),
    ];
    for (const f of files) {
      const c = capture();
      expect(await runCli(['sth', 'verify', f, '--log-key', pemKey], c.io)).toBe(1);
      expect(c.stdout()).toMatch(/FAIL {2}sth\.signature/);
      expect(c.stdout()).toMatch(/does not verify for size/);
    }
    const c = capture();
    expect(await runCli(['sth', 'verify', files[0]!, '--log-key', edKey], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/sth\.signature-algorithm/);
  });

  it('a signed timestamp past the last date JavaScript can show still verifies (it was "Invalid time value", exit 2)', async () => {
    // 9e15 ms is a valid uint64 below 2^53, but after +275760-09-13, Date's last day.
    const far = write('far.json', JSON.stringify(sth(p256.privateKey, 'p256', 7, 9_000_000_000_000_000)));
    const c = capture();
    expect(await runCli(['sth', 'verify', far, '--log-key', pemKey], c.io), c.stderr()).toBe(0);
    expect(c.stdout()).toMatch(/timestamp: +9000000000000000 \(after \+275760-09-13, not a date shown\)/);
    const bad = write(
      'far-bad.json',
      JSON.stringify({ ...sth(p256.privateKey, 'p256', 7, 9e15), tree_size: 8 }),
    );
    const j = capture();
    expect(await runCli(['sth', 'verify', bad, '--log-key', pemKey, '--json'], j.io)).toBe(1);
    expect(JSON.parse(j.stdout())).toMatchObject({ verdict: 'failed', details: { timestamp: 9e15 } });
  });

  it('unusable input and usage errors: exit 2', async () => {
    const good = write('good2.json', JSON.stringify(sth(p256.privateKey, 'p256')));
    const p384 = write(
      'p384.pem',
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const cases = [
      ['sth', 'verify', good],
      ['sth', 'verify', '--log-key', pemKey],
      ['sth', 'verify', good, '--log-key', join(tmp, 'nope.pem')],
      ['sth', 'verify', good, '--log-key', p384],
      ['sth', 'verify', write('bad.json', '{"tree_size": 1,'), '--log-key', pemKey],
      ['sth', 'verify', write('dup.json', '{"tree_size":1,"tree_size":1}'), '--log-key', pemKey],
      ['sth', 'verify', write('missing.json', '{"tree_size":1}'), '--log-key', pemKey],
    ];
    for (const args of cases) {
      const c = capture();
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
      expect(c.stderr().length).toBeGreaterThan(0);
    }
  });
});
