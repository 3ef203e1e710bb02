import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../test/support/vectors.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const sig = (...p: string[]) => join(vectorPath('sigstore'), ...p);
const PRODUCTION = sig('trusted_root.production.json');
const CASES: Array<[string, string, number, string[]]> = [
  ['happy-path-v0.3', PRODUCTION, 0, []],
  ['rekor2-happy-path', sig('rekor2-happy-path', 'trusted_root.json'), 0, []],
  ['rekor2-dsse-happy-path', sig('rekor2-dsse-happy-path', 'trusted_root.json'), 0, []],
  [
    'checkpoint-wrong-roothash_fail',
    PRODUCTION,
    1,
    ['sigstore.checkpoint-size', 'sigstore.inclusion', 'sigstore.root-binding'],
  ],
  ['inclusion-proof-corrupted-hash_fail', PRODUCTION, 1, ['sigstore.inclusion']],
];
const WITNESSES = [
  'witness.navigli.sunlight.geomys.org+a3e00fe2+BNy/co4C1Hn1p+INwJrfUlgz7W55dSZReusH/GhUhJ/G',
  'witness.stagemole.eu+67f7aea0+BEqSG3yu9YrmcM3BHvQYTxwFj3uSWakQepafafpUqklv',
  'staging.witness.transparency.goog/ring-any-bells+2e1a8dc9+BG5JTpLc3FJtwzgh1Uv+Qelz9qeOH2bfWjS1s0s+y4rL',
];

describe('lineage tlog verify-bundle', () => {
  it.each(CASES)('%s exits %#', async (name, root, exit, failing) => {
    const c = capture();
    const code = await runCli(
      ['tlog', 'verify-bundle', sig(name, 'bundle.sigstore.json'), '--trusted-root', root],
      c.io,
    );
    expect(code, c.stdout() + c.stderr()).toBe(exit);
    for (const id of [
      'sigstore.tlog-key',
      'sigstore.checkpoint-signature',
      'sigstore.inclusion',
      'sigstore.root-binding',
    ]) {
      expect(c.stdout()).toMatch(new RegExp(`(PASS|FAIL)  ${id.replace(/\./g, '\\.')}`));
    }
    for (const id of failing) expect(c.stdout()).toMatch(new RegExp(`FAIL  ${id.replace(/\./g, '\\.')}`));
    if (exit === 0) expect(c.stdout()).toMatch(/VERIFIED/);
  });

  it("says what it did not check: the entry kind is the bundle's word, not compared with the body", async () => {
    const b = JSON.parse(readFileSync(sig('happy-path-v0.3', 'bundle.sigstore.json'), 'utf8'));
    b.verificationMaterial.tlogEntries[0].kindVersion.kind = 'intoto';
    const file = join(mkdtempSync(join(tmpdir(), 'lineage-cli-tlog-')), 'kind.json');
    writeFileSync(file, JSON.stringify(b));
    const c = capture();
    expect(await runCli(['tlog', 'verify-bundle', file, '--trusted-root', PRODUCTION], c.io)).toBe(0);
    expect(c.stdout()).toContain('intoto 0.0.1, logIndex 79571823 (as the bundle states them)');
    expect(c.stdout()).toMatch(/scope: .*body-vs-bundle/);
  });

  it('--json and witnesses for the rekor v2 DSSE bundle', async () => {
    const c = capture();
    const args = [
      'tlog',
      'verify-bundle',
      sig('rekor2-dsse-happy-path', 'bundle.sigstore.json'),
      '--trusted-root',
      sig('rekor2-dsse-happy-path', 'trusted_root.json'),
      '--json',
      ...WITNESSES.flatMap((w) => ['--witness', w]),
      '--witnesses',
      '3',
    ];
    expect(await runCli(args, c.io)).toBe(0);
    const doc = JSON.parse(c.stdout());
    expect(doc.verdict).toBe('verified');
    expect(doc.details.entries[0]).toMatchObject({ proofIndex: '4026478', treeSize: '4026479' });
    expect(doc.details.entries[0].witnesses).toHaveLength(3);
  });

  it('the wrong trust root for a bundle: exit 1 (log not trusted)', async () => {
    const c = capture();
    const code = await runCli(
      [
        'tlog',
        'verify-bundle',
        sig('rekor2-happy-path', 'bundle.sigstore.json'),
        '--trusted-root',
        PRODUCTION,
      ],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.stdout()).toMatch(/FAIL {2}sigstore\.tlog-key/);
  });

  it('unusable input and usage errors: exit 2', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'lineage-cli-tlog-'));
    const broken = join(tmp, 'broken.json');
    writeFileSync(broken, readFileSync(sig('happy-path-v0.3', 'bundle.sigstore.json'), 'utf8').slice(0, 100));
    const bundle = sig('happy-path-v0.3', 'bundle.sigstore.json');
    const cases = [
      ['tlog', 'verify-bundle', bundle],
      ['tlog', 'verify-bundle', '--trusted-root', PRODUCTION],
      ['tlog', 'verify-bundle', broken, '--trusted-root', PRODUCTION],
      ['tlog', 'verify-bundle', bundle, '--trusted-root', broken],
      ['tlog', 'verify-bundle', bundle, '--trusted-root', join(tmp, 'missing.json')],
      ['tlog', 'verify-bundle', bundle, '--trusted-root', PRODUCTION, '--witnesses', '1'],
    ];
    for (const args of cases) {
      const c = capture();
      expect(await runCli(args, c.io), args.join(' ')).toBe(2);
    }
  });
});
