// Secrets do not linger: the scrypt-derived key that opens a key file is zeroed once used.
import { describe, expect, it, vi } from 'vitest';

const derived = vi.hoisted(() => [] as Uint8Array[]);
vi.mock('@noble/hashes/scrypt.js', async (orig) => {
  const real = await orig<typeof import('@noble/hashes/scrypt.js')>();
  return {
    ...real,
    scryptAsync: async (...a: Parameters<typeof real.scryptAsync>) => {
      const k = await real.scryptAsync(...a);
      derived.push(k);
      return k;
    },
  };
});

const { decryptKeyFile, encryptKeyFile } = await import('@lineage/producer');

describe('key file secrets', () => {
  it('zeroes the derived key after sealing and after opening (right or wrong passphrase)', async () => {
    const seed = new Uint8Array(32).fill(7);
    const text = await encryptKeyFile(seed, 'a long offline passphrase', { log2N: 10 });
    await decryptKeyFile(text, 'a long offline passphrase');
    await expect(decryptKeyFile(text, 'not the passphrase')).rejects.toThrow(/wrong passphrase/);
    expect(derived).toHaveLength(3);
    for (const k of derived) expect(k.every((b) => b === 0)).toBe(true);
  });
});
