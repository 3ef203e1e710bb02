import { LineageError, toHex } from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { decryptKeyFile, encryptKeyFile } from './keyfile.js';

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
