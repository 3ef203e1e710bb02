import { LineageError, toHex } from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { decryptKeyFile, encryptKeyFile, keyFileCostShortfall, MAX_KEYFILE_OWNER_CHARS } from './keyfile.js';

const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

describe('key files', () => {
  it('round-trips an Ed25519 key under a passphrase', async () => {
    const text = await encryptKeyFile(seed, 'correct horse', { owner: 'lin:human:3pao', log2N: 10 });
    expect(JSON.parse(text).kdf).toMatchObject({ name: 'scrypt', log2_n: 10, r: 8, p: 1 });
    expect(text).not.toContain(toHex(seed));
    const k = await decryptKeyFile(text, 'correct horse');
    expect(toHex(k.secretKey)).toBe(toHex(seed));
    expect(toHex(k.publicKey)).toBe(toHex(ed25519.getPublicKey(seed)));
    expect(k.owner).toBe('lin:human:3pao');
  });

  it('says clearly when the passphrase is wrong', async () => {
    const text = await encryptKeyFile(seed, 'right', { log2N: 10 });
    await expect(decryptKeyFile(text, 'wrong')).rejects.toThrow(/wrong passphrase/);
  });

  it('detects edited header fields (bound as associated data) and hostile KDF parameters', async () => {
    const text = await encryptKeyFile(seed, 'pw', { owner: 'a', log2N: 10 });
    const edited = JSON.stringify({ ...JSON.parse(text), owner: 'b' });
    await expect(decryptKeyFile(edited, 'pw')).rejects.toThrow(/authentication failed/);
    const greedy = JSON.stringify({ ...JSON.parse(text), kdf: { ...JSON.parse(text).kdf, log2_n: 30 } });
    const e = await decryptKeyFile(greedy, 'pw').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LineageError);
    expect((e as LineageError).path).toBe('/kdf/log2_n');
  });
});

describe('a key file is read as strictly as the documents it signs', () => {
  /** The error decryptKeyFile gives for `text`, or a failure when it reads it. */
  async function refusal(text: string): Promise<LineageError> {
    const e = await decryptKeyFile(text, 'pw').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LineageError);
    return e as LineageError;
  }

  it('refuses a repeated member, which two readers could take differently', async () => {
    const text = await encryptKeyFile(seed, 'pw', { owner: 'lin:human:a', log2N: 10 });
    // JSON.parse keeps the last: a person reading the file sees the first.
    const dup = text.replace('"owner": "lin:human:a"', '"owner": "lin:human:b", "owner": "lin:human:a"');
    const e = await refusal(dup);
    expect(e).toMatchObject({ code: 'keyfile.schema', path: '/owner' });
    expect(e.message).toMatch(/duplicate member name "owner"/);
  });

  it('refuses members the format does not have, naming the field (nothing in the file goes unauthenticated)', async () => {
    const k = JSON.parse(await encryptKeyFile(seed, 'pw', { log2N: 10 }));
    const top = await refusal(JSON.stringify({ ...k, note: 'x' }));
    expect(top).toMatchObject({ code: 'keyfile.schema', path: '/note' });
    const inKdf = await refusal(JSON.stringify({ ...k, kdf: { ...k.kdf, maxmem: 1 } }));
    expect(inKdf).toMatchObject({ code: 'keyfile.schema', path: '/kdf/maxmem' });
  });

  it('says which KDF parameter is out of bounds and what was found, before any work', async () => {
    const k = JSON.parse(await encryptKeyFile(seed, 'pw', { log2N: 10 }));
    const started = Date.now();
    for (const [kdf, path, found] of [
      [{ ...k.kdf, log2_n: 30 }, '/kdf/log2_n', 'number 30'],
      [{ ...k.kdf, log2_n: 1 }, '/kdf/log2_n', 'number 1'],
      [{ ...k.kdf, r: 1_000_000 }, '/kdf/r', 'number 1000000'],
      [{ ...k.kdf, p: 64 }, '/kdf/p', 'number 64'],
    ] as const) {
      const e = await refusal(JSON.stringify({ ...k, kdf }));
      expect(e).toMatchObject({ code: 'keyfile.schema', path, found });
    }
    // Another KDF (argon2 asking for a terabyte) is named as such, not as its unknown parameters.
    const argon = await refusal(
      JSON.stringify({ ...k, kdf: { name: 'argon2id', m: 2 ** 40, t: 1, p: 1, salt: k.kdf.salt } }),
    );
    expect(argon).toMatchObject({
      code: 'keyfile.schema',
      path: '/kdf/name',
      found: 'the string "argon2id"',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("a key file's cost", () => {
  it('is reported as read, and one below what keygen makes is said to be cheaper to guess', async () => {
    expect((await decryptKeyFile(await encryptKeyFile(seed, 'pw', { log2N: 11 }), 'pw')).log2N).toBe(11);
    expect(keyFileCostShortfall(17)).toBeUndefined();
    expect(keyFileCostShortfall(16)).toMatch(
      /log2_n 16, below the 17 lineage keygen uses: .* 2 times faster$/,
    );
    expect(keyFileCostShortfall(10)).toMatch(/128 times faster$/);
  });
});

describe("a key file's owner", () => {
  it('is bounded, so every key file that can be made can be read back', async () => {
    const longest = 'a'.repeat(MAX_KEYFILE_OWNER_CHARS);
    const text = await encryptKeyFile(seed, 'pw', { owner: longest, log2N: 10 });
    expect((await decryptKeyFile(text, 'pw')).owner).toBe(longest);
    await expect(encryptKeyFile(seed, 'pw', { owner: `${longest}a`, log2N: 10 })).rejects.toMatchObject({
      code: 'keyfile.owner',
    });
    // A file someone else made with a longer owner is refused at /owner, not as "not JSON".
    const k = JSON.parse(text);
    const e = await decryptKeyFile(JSON.stringify({ ...k, owner: 'a'.repeat(2_000) }), 'pw').catch(
      (x: unknown) => x,
    );
    expect(e).toMatchObject({ code: 'keyfile.schema', path: '/owner' });
  });
});

describe('a file that is not a key file', () => {
  it('is "not JSON" only when it is not JSON; deeper or larger JSON is "not a key file"', async () => {
    const trust = '{"version":1,"logs":[{"origin":"a","vkey":"a+00000000+AQ=="}]}';
    await expect(decryptKeyFile(trust, 'pw')).rejects.toMatchObject({
      code: 'keyfile.schema',
      message: expect.stringMatching(/not a key file: nesting deeper than 2 levels/),
    });
    await expect(decryptKeyFile('{"type": lineage', 'pw')).rejects.toMatchObject({
      code: 'keyfile.schema',
      message: expect.stringMatching(/not JSON: /),
    });
  });
});
