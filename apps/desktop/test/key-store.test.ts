import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptKeyFile, encryptKeyFile } from '@lineage/producer';
import { toHex } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../src/main/services/key-store.js';
import { ed25519Pair } from './support/keys.js';

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

describe('approver key store: a key made with lineage keygen', () => {
  // What `lineage keygen` writes: the producer's key file, owner given with --owner or not.
  const keygen = async (owner?: string, passphrase = 'a keygen passphrase 7') => {
    const { secret, pubHex } = ed25519Pair();
    const text = await encryptKeyFile(secret.slice(), passphrase, {
      log2N: 10,
      ...(owner !== undefined ? { owner } : {}),
    });
    return { text, secret, pubHex, passphrase };
  };
  const who = { name: 'Ana Ruiz', role: 'security_officer' as const };
  const wrapper = (d: string) =>
    JSON.parse(readFileSync(join(d, 'approver-key.json'), 'utf8')) as Record<string, unknown> & {
      keyfile: string;
    };

  it('keeps a key with an owner: the owner is the id, the seed re-sealed under <id>#<role>, unlocked', async () => {
    const d = dir();
    const k = await keygen('lin:human:isso.ruiz');
    const ks = new KeyStore(d, 12);
    expect(ks.keyFileInfo(k.text)).toMatchObject({ owner: 'lin:human:isso.ruiz', publicKey: k.pubHex });
    const st = await ks.importKeyFile({ keyfile: k.text, passphrase: k.passphrase, ...who });
    expect(st).toMatchObject({
      exists: true,
      unlocked: true,
      approverId: 'lin:human:isso.ruiz',
      role: 'security_officer',
    });
    expect(ks.current()!.secretKey).toEqual(k.secret);
    const w = wrapper(d);
    expect(w).toMatchObject({
      version: 2,
      id: 'lin:human:isso.ruiz',
      name: 'Ana Ruiz',
      role: 'security_officer',
    });
    expect(w.public_key).toBe(k.pubHex);
    // Sealed again, at the store's cost, bound to id and role, with the same passphrase.
    const sealed = JSON.parse(w.keyfile) as { owner: string; kdf: { log2_n: number } };
    expect(sealed).toMatchObject({ owner: 'lin:human:isso.ruiz#security_officer', kdf: { log2_n: 12 } });
    expect((await decryptKeyFile(w.keyfile, k.passphrase)).secretKey).toEqual(k.secret);
    // It is the store's key from now on: locks and unlocks like a created one.
    await ks.lock();
    const again = new KeyStore(d, 12);
    expect(await again.unlock(k.passphrase)).toMatchObject({
      unlocked: true,
      approverId: 'lin:human:isso.ruiz',
    });
    expect(again.current()!.secretKey).toEqual(k.secret);
    expect(JSON.parse(await again.publicKeyFile())).toMatchObject({
      id: 'lin:human:isso.ruiz',
      roles: ['security_officer'],
      public_key: k.pubHex,
    });
  });

  it('refuses another approver id than the key file owner', async () => {
    const d = dir();
    const k = await keygen('lin:human:isso.ruiz');
    await expect(
      new KeyStore(d, 10).importKeyFile({
        keyfile: k.text,
        passphrase: k.passphrase,
        ...who,
        approverId: 'lin:human:ao.boss',
      }),
    ).rejects.toThrow(
      "the key file's owner is the approver id: expected lin:human:isso.ruiz, found lin:human:ao.boss",
    );
    expect(readdirSync(d)).toEqual([]);
  });

  it('a key file without an owner takes the approver id given, and needs one', async () => {
    const d = dir();
    const k = await keygen();
    const ks = new KeyStore(d, 10);
    expect(ks.keyFileInfo(k.text)).not.toHaveProperty('owner');
    await expect(ks.importKeyFile({ keyfile: k.text, passphrase: k.passphrase, ...who })).rejects.toThrow(
      'the key file names no owner (it was made without --owner): give the approver id it is for',
    );
    const st = await ks.importKeyFile({
      keyfile: k.text,
      passphrase: k.passphrase,
      ...who,
      approverId: 'lin:human:isso.ana',
    });
    expect(st).toMatchObject({ unlocked: true, approverId: 'lin:human:isso.ana', role: 'security_officer' });
    expect(JSON.parse(wrapper(d).keyfile)).toMatchObject({ owner: 'lin:human:isso.ana#security_officer' });
  });

  it('a wrong passphrase is refused as such; nothing is kept and nothing unlocked', async () => {
    const d = dir();
    const k = await keygen('lin:human:isso.ruiz');
    const ks = new KeyStore(d, 10);
    await expect(
      ks.importKeyFile({ keyfile: k.text, passphrase: 'not the passphrase at all', ...who }),
    ).rejects.toThrow('wrong passphrase, or the key file was modified (authentication failed)');
    expect(readdirSync(d)).toEqual([]);
    expect(await ks.status()).toEqual({ exists: false, unlocked: false });
  });

  it('a passphrase the store would not keep a key under is refused in its words, before decrypting', async () => {
    const d = dir();
    const k = await keygen('lin:human:isso.ruiz', 'short pass');
    await expect(
      new KeyStore(d, 10).importKeyFile({ keyfile: k.text, passphrase: 'short pass', ...who }),
    ).rejects.toThrow(/^the passphrase must be at least 12 characters: the app keeps a signing key only/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('never replaces an existing key, nor races one created at the same time', async () => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    await ks.create(req);
    const before = readFileSync(join(d, 'approver-key.json'), 'utf8');
    const k = await keygen('lin:human:isso.ruiz');
    await expect(ks.importKeyFile({ keyfile: k.text, passphrase: k.passphrase, ...who })).rejects.toThrow(
      'an approver key already exists; it is never overwritten from the app',
    );
    expect(readFileSync(join(d, 'approver-key.json'), 'utf8')).toBe(before);
    expect(ks.current()!.id).toBe(req.approverId);

    // Another store on the same directory creates a key while this one is importing.
    const d2 = dir();
    const [a, b] = [new KeyStore(d2, 10), new KeyStore(d2, 10)];
    const r = await Promise.allSettled([
      a.importKeyFile({ keyfile: k.text, passphrase: k.passphrase, ...who }),
      b.create(req),
    ]);
    expect(r.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    const kept = JSON.parse(readFileSync(join(d2, 'approver-key.json'), 'utf8')) as { public_key: string };
    const winner = r[0]!.status === 'fulfilled' ? a : b;
    expect(toHex(winner.current()!.publicKey)).toBe(kept.public_key);
    expect((r[0]!.status === 'fulfilled' ? b : a).current()).toBeUndefined();
    expect(readdirSync(d2)).toEqual(['approver-key.json']);
  });

  // The field is named as a JSON pointer; the producer's words for what it expected may change.
  it.each([
    ['not JSON', 'hello', /^not a key file made by lineage keygen: (\/: )?not (a key file: )?/],
    [
      'an approver public-key file',
      '{"type":"lineage-approver-public-key"}',
      'not a key file made by lineage keygen: /type: expected "lineage.keyfile", found "lineage-approver-public-key"',
    ],
    [
      'a trust file (no type)',
      '{"version":1,"logs":[{"origin":"o","vkey":"v"}]}',
      'not a key file made by lineage keygen: /type: expected "lineage.keyfile", found nothing (field absent)',
    ],
    ['a JSON array', '[]', /^not a key file made by lineage keygen: \/: .*object/],
  ])('refuses %s, naming the field', async (_what, text, message) => {
    const d = dir();
    const ks = new KeyStore(d, 10);
    expect(() => ks.keyFileInfo(text)).toThrow(message);
    await expect(
      ks.importKeyFile({ keyfile: text, passphrase: 'a keygen passphrase 7', ...who }),
    ).rejects.toThrow(message);
    expect(readdirSync(d)).toEqual([]);
  });

  it('refuses a key file with an edited or missing field, naming it', async () => {
    const k = await keygen('lin:human:isso.ruiz');
    const o = JSON.parse(k.text) as Record<string, unknown> & { kdf: object };
    const ks = new KeyStore(dir(), 10);
    const edited = JSON.stringify({ ...o, kdf: { ...o.kdf, salt: 'zz' } });
    expect(() => ks.keyFileInfo(edited)).toThrow(
      /^not a key file made by lineage keygen: \/kdf\/salt: .*hex/,
    );
    const noCipher = JSON.stringify({ ...o, ciphertext: undefined });
    expect(() => ks.keyFileInfo(noCipher)).toThrow(/^not a key file made by lineage keygen: \/ciphertext: /);
    expect(() => ks.keyFileInfo(`${k.text}${' '.repeat(20_000)}`)).toThrow(
      /^not a key file made by lineage keygen: 2\d{4} characters, a key file is at most 16384$/,
    );
  });

  it("refuses an owner longer than an approver id may be, and takes an empty owner as none (the file's authenticated data cannot tell them apart)", async () => {
    const ks = new KeyStore(dir(), 10);
    const long = await keygen(`lin:human:${'x'.repeat(200)}`);
    expect(() => ks.keyFileInfo(long.text)).toThrow(
      "the key file's owner is 210 characters; an approver id is at most 200",
    );
    const empty = await keygen('');
    expect(ks.keyFileInfo(empty.text)).not.toHaveProperty('owner');
  });
});
