import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { parseVkey } from '../note/vkey.js';
import { verifyBundleTlog } from './bundle.js';
import { parseTrustedRoot } from './trusted-root.js';

const dir = (...p: string[]) => join(vectorPath('sigstore'), ...p);
const read = (...p: string[]) => readFileSync(dir(...p), 'utf8');
const production = parseTrustedRoot(read('trusted_root.production.json'));

const CASES: Array<{ name: string; root: string | null; accept: boolean; failing: string[] }> = [
  { name: 'happy-path-v0.3', root: null, accept: true, failing: [] },
  { name: 'rekor2-happy-path', root: 'trusted_root.json', accept: true, failing: [] },
  { name: 'rekor2-dsse-happy-path', root: 'trusted_root.json', accept: true, failing: [] },
  {
    name: 'checkpoint-wrong-roothash_fail',
    root: null,
    accept: false,
    failing: ['sigstore.checkpoint-size', 'sigstore.inclusion', 'sigstore.root-binding'],
  },
  { name: 'inclusion-proof-corrupted-hash_fail', root: null, accept: false, failing: ['sigstore.inclusion'] },
];

describe('Sigstore bundles: transparency-log part', () => {
  it('reads the production trusted root: Rekor v1 as a 0x02 key, Rekor v2 as 0x01', () => {
    expect(production.skipped).toEqual([]);
    expect(production.tlogs.map((t) => `${t.name} ${t.noteKey.type} ${t.noteKey.keyIdHex}`)).toEqual([
      'rekor.sigstore.dev ecdsa-p256 c0d23d6a',
      'log2025-1.rekor.sigstore.dev ed25519 cf119915',
    ]);
  });

  it('skips a log whose keyDetails names an Object property ("constructor", "toString") as unsupported', () => {
    const root = JSON.parse(read('trusted_root.production.json'));
    for (const name of ['constructor', 'toString', '__proto__']) {
      root.tlogs[1].publicKey.keyDetails = name;
      const parsed = parseTrustedRoot(JSON.stringify(root));
      expect(parsed.tlogs.map((t) => t.name)).toEqual(['rekor.sigstore.dev']);
      expect(parsed.skipped).toEqual([
        { index: 1, baseUrl: root.tlogs[1].baseUrl, reason: `keyDetails ${name} is not supported` },
      ]);
    }
  });

  it('derives the same log vkey as the README for log2025-alpha3', () => {
    const root = parseTrustedRoot(read('rekor2-dsse-happy-path', 'trusted_root.json'));
    const alpha3 = root.tlogs.find((t) => t.name === 'log2025-alpha3.rekor.sigstage.dev');
    expect(alpha3?.noteKey.vkey).toBe(
      'log2025-alpha3.rekor.sigstage.dev+d3d3a70c+AZQ93VXPMmj9uZj7U/7CefQ9yy8RgYFv6mKzOseipjqp',
    );
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const root = c.root ? parseTrustedRoot(read(c.name, c.root)) : production;
    const r = await verifyBundleTlog(read(c.name, 'bundle.sigstore.json'), root);
    expect(r.ok).toBe(c.accept);
    const failing = r.checks.filter((x) => x.status === 'fail').map((x) => x.id);
    expect(failing).toEqual(c.failing);
    expect(r.checks.filter((x) => x.status === 'not_checked')).toEqual([]);
  });

  it('the wrong-roothash bundle names the sizes and roots', async () => {
    const r = await verifyBundleTlog(
      read('checkpoint-wrong-roothash_fail', 'bundle.sigstore.json'),
      production,
    );
    const size = r.checks.find((x) => x.id === 'sigstore.checkpoint-size');
    expect(size).toMatchObject({ expected: '23,083,062', found: '75,610,772' });
  });

  it('verifies the rekor v2 witnesses when their keys are given', async () => {
    const root = parseTrustedRoot(read('rekor2-dsse-happy-path', 'trusted_root.json'));
    const witnesses = [
      'witness.navigli.sunlight.geomys.org+a3e00fe2+BNy/co4C1Hn1p+INwJrfUlgz7W55dSZReusH/GhUhJ/G',
      'witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv',
      'staging.witness.transparency.goog/ring-any-bells+2e1a8dc9+BG5JTpLc3FJtwzgh1Uv+Qelz9qeOH2bfWjS1s0s+y4rL',
    ].map((v) => parseVkey(v));
    const r = await verifyBundleTlog(read('rekor2-dsse-happy-path', 'bundle.sigstore.json'), root, {
      witnesses,
      witnessThreshold: 3,
    });
    expect(r.ok).toBe(true);
    expect(r.entries[0]?.checkpoint?.witnessSigners).toHaveLength(3);
  });

  it('rejects a bundle whose log is not in the trusted root (staging bundle vs production root)', async () => {
    const r = await verifyBundleTlog(read('rekor2-happy-path', 'bundle.sigstore.json'), production);
    expect(r.ok).toBe(false);
    expect(r.checks.find((x) => x.id === 'sigstore.tlog-key')?.status).toBe('fail');
  });

  it('uses the shard-relative index: the global logIndex does not verify', async () => {
    const b = JSON.parse(read('happy-path-v0.3', 'bundle.sigstore.json'));
    const e = b.verificationMaterial.tlogEntries[0];
    e.inclusionProof.logIndex = e.logIndex;
    const r = await verifyBundleTlog(JSON.stringify(b), production);
    expect(r.ok).toBe(false);
  });

  it('rejects a changed body, a duplicate JSON key and a missing inclusion proof', async () => {
    const text = read('happy-path-v0.3', 'bundle.sigstore.json');
    const b = JSON.parse(text);
    const body = b.verificationMaterial.tlogEntries[0].canonicalizedBody as string;
    b.verificationMaterial.tlogEntries[0].canonicalizedBody = `${body.slice(0, 10)}${body[10] === 'A' ? 'B' : 'A'}${body.slice(11)}`;
    const changed = await verifyBundleTlog(JSON.stringify(b), production);
    expect(changed.checks.find((x) => x.id === 'sigstore.inclusion')?.status).toBe('fail');
    const dup = text.replace('"mediaType"', '"mediaType": "x", "mediaType"');
    const d = await verifyBundleTlog(dup, production);
    expect(d.ok).toBe(false);
    expect(d.checks[0]?.reason).toMatch(/duplicate/i);
    const nb = JSON.parse(text);
    delete nb.verificationMaterial.tlogEntries[0].inclusionProof;
    const n = await verifyBundleTlog(JSON.stringify(nb), production);
    expect(n.checks.find((x) => x.id === 'sigstore.inclusion-proof')?.status).toBe('fail');
  });

  it('rejects a checkpoint whose signed text was changed: checkpoint-signature fails, the rest is not judged', async () => {
    const b = JSON.parse(read('happy-path-v0.3', 'bundle.sigstore.json'));
    const ip = b.verificationMaterial.tlogEntries[0].inclusionProof;
    ip.checkpoint.envelope = ip.checkpoint.envelope.replace('\n75408393\n', '\n75408394\n');
    const r = await verifyBundleTlog(JSON.stringify(b), production);
    expect(r.ok).toBe(false);
    expect(r.checks.filter((x) => x.status === 'fail')).toEqual([
      expect.objectContaining({
        id: 'sigstore.checkpoint-signature',
        reason: expect.stringMatching(/^note\.bad-signature: /),
      }),
    ]);
    expect(r.checks.filter((x) => x.status === 'not_checked').map((x) => x.id)).toEqual([
      'sigstore.checkpoint-size',
      'sigstore.inclusion',
      'sigstore.root-binding',
    ]);
  });
});
