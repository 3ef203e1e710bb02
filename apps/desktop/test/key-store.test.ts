import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encryptKeyFile } from '@lineage/producer';
import { toHex } from '@lineage/verifier-core';
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

describe('approver key store: concurrency, binding and lifetime', () => {
  it('two creates at once: exactly one key is made, and the key in memory is the key on disk', async () => {
    for (let trial = 0; trial < 3; trial++) {
      const d = dir();
      const ks = new KeyStore(d, 10);
      const r = await Promise.allSettled([
        ks.create({ ...req, approverId: 'lin:human:a' }),
        ks.create({ ...req, approverId: 'lin:human:b' }),
      ]);
      expect(r.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
      const lost = r.find((x) => x.status === 'rejected') as PromiseRejectedResult;
      expect(String(lost.reason)).toMatch(/already exists/);
      const f = JSON.parse(readFileSync(join(d, 'approver-key.json'), 'utf8')) as {
        id: string;
        public_key: string;
      };
      expect(toHex(ks.current()!.publicKey)).toBe(f.public_key);
      expect(ks.current()!.id).toBe(f.id);
      expect(readdirSync(d)).toEqual(['approver-key.json']);
    }
  });

  it("two key stores on one directory cannot replace each other's key", async () => {
    const d = dir();
    const [a, b] = [new KeyStore(d, 10), new KeyStore(d, 10)];
    const r = await Promise.allSettled([a.create(req), b.create({ ...req, approverId: 'lin:human:b' })]);
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const f = JSON.parse(readFileSync(join(d, 'approver-key.json'), 'utf8')) as { public_key: string };
    const winner = r[0]!.status === 'fulfilled' ? a : b;
    expect(toHex(winner.current()!.publicKey)).toBe(f.public_key);
    expect((r[0]!.status === 'fulfilled' ? b : a).current()).toBeUndefined();
  });

  const edits: [string, Record<string, unknown>, RegExp][] = [
    ['id', { id: 'lin:human:ao.boss' }, /id does not match the sealed key's owner/],
    ['role', { role: 'authorizing_official' }, /role does not match the sealed key's owner/],
    ['public_key', { public_key: 'ab'.repeat(32) }, /public_key does not match the sealed key/],
  ];
  it.each(edits)("refuses to unlock when the wrapper's %s was edited", async (_f, edit, message) => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    await ks.create({ ...req, approverId: 'lin:human:clerk', role: 'compliance_lead' });
    await ks.lock();
    const file = join(d, 'approver-key.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...edit }));
    await expect(ks.unlock(req.passphrase)).rejects.toThrow(message);
    expect(ks.current()).toBeUndefined();
    expect((await ks.status()).unlocked).toBe(false);
  });

  it('still unlocks a key file from the first version (owner = id), checking id and public key', async () => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    await ks.create(req);
    const seed = ks.current()!.secretKey.slice();
    const pub = toHex(ks.current()!.publicKey);
    const v1 = {
      type: 'lineage-desktop-approver-key',
      version: 1,
      id: req.approverId,
      name: req.name,
      role: req.role,
      public_key: pub,
      keyfile: await encryptKeyFile(seed, req.passphrase, { owner: req.approverId, log2N: 10 }),
    };
    writeFileSync(join(d, 'approver-key.json'), JSON.stringify(v1));
    const again = new KeyStore(d, 10);
    expect((await again.unlock(req.passphrase)).unlocked).toBe(true);
    expect(again.current()!.secretKey).toEqual(seed);
    writeFileSync(join(d, 'approver-key.json'), JSON.stringify({ ...v1, id: 'lin:human:other' }));
    await expect(new KeyStore(d, 10).unlock(req.passphrase)).rejects.toThrow(/id does not match/);
  });

  it('refuses a version-2 key file whose wrapper was downgraded to version 1 to claim another role', async () => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    await ks.create({ ...req, approverId: 'lin:human:clerk', role: 'compliance_lead' });
    await ks.lock();
    const file = join(d, 'approver-key.json');
    const w = JSON.parse(readFileSync(file, 'utf8'));
    // The sealed owner is 'lin:human:clerk#compliance_lead'; as a version-1 id it would match.
    writeFileSync(
      file,
      JSON.stringify({
        ...w,
        version: 1,
        id: 'lin:human:clerk#compliance_lead',
        role: 'authorizing_official',
      }),
    );
    await expect(new KeyStore(d, 10).unlock(req.passphrase)).rejects.toThrow(
      /version 1, but the sealed key's owner .* binds a role/,
    );
  });

  it('a second unlock zeroes the key it replaces', async () => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    await ks.create(req);
    const first = ks.current()!.secretKey;
    const copy = first.slice();
    await ks.unlock(req.passphrase);
    expect(first.every((b) => b === 0)).toBe(true);
    expect(ks.current()!.secretKey).toEqual(copy);
  });

  it('locks itself after ten idle minutes; a signing action restarts the period', async () => {
    let t = 1_000_000;
    const ks = new KeyStore(dir(), { log2N: 10, now: () => t });
    await ks.create(req);
    const secret = ks.current()!.secretKey;
    t += 9 * 60_000;
    expect(ks.current()).toBeDefined();
    ks.touch();
    t += 9 * 60_000;
    expect((await ks.status()).unlocked).toBe(true);
    t += 60_000;
    expect((await ks.status()).unlocked).toBe(false);
    expect(ks.current()).toBeUndefined();
    expect(secret.every((b) => b === 0)).toBe(true);
    // The period is configurable.
    const quick = new KeyStore(dir(), { log2N: 10, now: () => t, idleLockMs: 1000 });
    await quick.create(req);
    t += 999;
    expect(quick.current()).toBeDefined();
    t += 1;
    expect(quick.current()).toBeUndefined();
  });
});
