// A key taken in from `lineage keygen` that cannot be kept leaves no seed behind: the seed decrypted
// from the file is zeroed when the store refuses to keep it (here: another process wrote a key
// between the check and the exclusive create).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const hook = vi.hoisted(() => ({ seeds: [] as Uint8Array[], after: undefined as (() => void) | undefined }));
vi.mock('@lineage/producer', async (orig) => {
  const real = await orig<typeof import('@lineage/producer')>();
  return {
    ...real,
    decryptKeyFile: async (...a: Parameters<typeof real.decryptKeyFile>) => {
      const r = await real.decryptKeyFile(...a);
      hook.seeds.push(r.secretKey);
      hook.after?.();
      return r;
    },
  };
});

const { encryptKeyFile } = await import('@lineage/producer');
const { KeyStore } = await import('../src/main/services/key-store.js');
const { ed25519Pair } = await import('./support/keys.js');

describe('importing a keygen key file', () => {
  it('zeroes the decrypted seed when the key cannot be kept, and leaves the other key in place', async () => {
    const d = mkdtempSync(join(tmpdir(), 'lineage-keys-'));
    const pass = 'a keygen passphrase 7';
    const text = await encryptKeyFile(ed25519Pair().secret, pass, { owner: 'lin:human:a', log2N: 10 });
    const other = '{"written by":"another process"}\n';
    hook.after = () => writeFileSync(join(d, 'approver-key.json'), other);
    const ks = new KeyStore(d, 10);
    await expect(
      ks.importKeyFile({ keyfile: text, passphrase: pass, name: 'A', role: 'agency_ao' }),
    ).rejects.toThrow('an approver key already exists; it is never overwritten from the app');
    expect(hook.seeds).toHaveLength(1);
    expect(hook.seeds[0]!.every((b) => b === 0)).toBe(true);
    expect(ks.current()).toBeUndefined();
    expect(readFileSync(join(d, 'approver-key.json'), 'utf8')).toBe(other);
  });
});
