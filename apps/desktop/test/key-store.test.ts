import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../src/main/services/key-store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'lineage-keys-'));
const req = {
  approverId: 'lin:human:ao.jane',
  name: 'Jane Doe',
  role: 'authorizing_official' as const,
  passphrase: 'correct horse battery',
};

describe('approver key store', () => {
  it('creates a sealed key, locks, and unlocks with the passphrase only', async () => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    expect(await ks.status()).toEqual({ exists: false, unlocked: false });
    const st = await ks.create(req);
    expect(st).toMatchObject({ exists: true, unlocked: true, approverId: req.approverId, role: req.role });
    expect(st.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const seed = ks.current()!.secretKey.slice();
    // The file on disk holds no seed in the clear.
    const onDisk = readFileSync(join(d, 'approver-key.json'), 'utf8');
    expect(onDisk).not.toContain(Buffer.from(seed).toString('hex'));
    expect(onDisk).toContain('xchacha20-poly1305');

    await ks.lock();
    expect(ks.current()).toBeUndefined();
    const again = new KeyStore(d, 10);
    await expect(again.unlock('wrong passphrase!!')).rejects.toThrow(/wrong passphrase/);
    expect((await again.unlock(req.passphrase)).unlocked).toBe(true);
    expect(again.current()!.secretKey).toEqual(seed);
  });

  it('never overwrites an existing key and refuses short passphrases', async () => {
    const ks = new KeyStore(dir(), 10);
    await expect(ks.create({ ...req, passphrase: 'short' })).rejects.toThrow(/at least 12/);
    await ks.create(req);
    await expect(ks.create(req)).rejects.toThrow(/already exists/);
  });

  it('exports a public-key file others can import, with no secret in it', async () => {
    const ks = new KeyStore(dir(), 10);
    const st = await ks.create(req);
    const pub = JSON.parse(await ks.publicKeyFile()) as Record<string, unknown>;
    expect(pub).toMatchObject({
      type: 'lineage-approver-public-key',
      id: req.approverId,
      roles: [req.role],
      fingerprint: st.fingerprint,
    });
    expect(Object.keys(pub)).not.toContain('keyfile');
  });
});
