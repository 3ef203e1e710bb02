/**
 * The approver's signing key. Created and unlocked only in the main process:
 * the seed is sealed in a passphrase-encrypted key file (scrypt +
 * XChaCha20-Poly1305, @lineage/producer) under the user-data dir, and while
 * unlocked lives in this object's memory. The renderer can ask for status,
 * the public key, and a signature over a preview it was shown — never the seed.
 */
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { decryptKeyFile, encryptKeyFile, newPassphraseRefusal } from '@lineage/producer';
import { type ApproverRole, fromBase64Url, fromHex, toHex } from '@lineage/verifier-core';
import type { KeyStatus } from '../../shared/api.js';
import {
  type ApproverPublicKeyFile,
  fingerprintGroups,
  fingerprintOfEd25519,
  isRole,
} from '../../shared/trust-model.js';
import { readJsonFile, writeFileAtomic } from './json-file.js';

interface StoredApproverKey {
  type: 'lineage-desktop-approver-key';
  version: 1;
  id: string;
  name: string;
  role: ApproverRole;
  public_key: string;
  /** The producer's encrypted key-file text. */
  keyfile: string;
}

export interface Unlocked {
  id: string;
  name: string;
  role: ApproverRole;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
}

export class KeyStore {
  private readonly file: string;
  private unlocked: Unlocked | undefined;
  constructor(
    userDataDir: string,
    /** scrypt cost (log2 N); the default 17 is the producer's; tests lower it. */
    private readonly log2N = 17,
  ) {
    this.file = join(userDataDir, 'approver-key.json');
  }

  private async stored(): Promise<StoredApproverKey | undefined> {
    const raw = (await readJsonFile(this.file)) as Partial<StoredApproverKey> | undefined;
    if (!raw) return undefined;
    if (
      raw.type !== 'lineage-desktop-approver-key' ||
      typeof raw.keyfile !== 'string' ||
      typeof raw.id !== 'string' ||
      typeof raw.public_key !== 'string' ||
      !isRole(raw.role)
    ) {
      throw new Error(`${this.file} is not a Lineage approver key file`);
    }
    return raw as StoredApproverKey;
  }

  async status(): Promise<KeyStatus> {
    const s = await this.stored();
    if (!s) return { exists: false, unlocked: false };
    const fp = fingerprintOfEd25519(fromHex(s.public_key, 32, 'public_key'));
    return {
      exists: true,
      unlocked: this.unlocked !== undefined,
      approverId: s.id,
      role: s.role,
      fingerprint: fp,
      fingerprintGroups: fingerprintGroups(fp),
    };
  }

  async create(req: {
    approverId: string;
    name: string;
    role: ApproverRole;
    passphrase: string;
  }): Promise<KeyStatus> {
    if (await this.stored())
      throw new Error('an approver key already exists; it is never overwritten from the app');
    const refusal = newPassphraseRefusal(req.passphrase);
    if (refusal) throw new Error(refusal);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const seed = fromBase64Url(String(privateKey.export({ format: 'jwk' }).d));
    const pub = fromBase64Url(String(publicKey.export({ format: 'jwk' }).x));
    const keyfile = await encryptKeyFile(seed, req.passphrase, { owner: req.approverId, log2N: this.log2N });
    const stored: StoredApproverKey = {
      type: 'lineage-desktop-approver-key',
      version: 1,
      id: req.approverId,
      name: req.name,
      role: req.role,
      public_key: toHex(pub),
      keyfile,
    };
    await writeFileAtomic(this.file, `${JSON.stringify(stored, null, 2)}\n`);
    this.unlocked = { id: stored.id, name: stored.name, role: stored.role, secretKey: seed, publicKey: pub };
    return this.status();
  }

  async unlock(passphrase: string): Promise<KeyStatus> {
    const s = await this.stored();
    if (!s) throw new Error('no approver key yet: create one first');
    const { secretKey, publicKey } = await decryptKeyFile(s.keyfile, passphrase);
    this.unlocked = { id: s.id, name: s.name, role: s.role, secretKey, publicKey };
    return this.status();
  }

  async lock(): Promise<KeyStatus> {
    this.unlocked?.secretKey.fill(0);
    this.unlocked = undefined;
    return this.status();
  }

  /** The unlocked key for the approval signer in this process; never crosses IPC. */
  current(): Unlocked | undefined {
    return this.unlocked;
  }

  /** Public-key file for the approver's trust-store entry (what others import to verify this approver). */
  async publicKeyFile(): Promise<string> {
    const s = await this.stored();
    if (!s) throw new Error('no approver key yet');
    const f: ApproverPublicKeyFile = {
      type: 'lineage-approver-public-key',
      version: 1,
      id: s.id,
      name: s.name,
      roles: [s.role],
      public_key: s.public_key,
      fingerprint: fingerprintOfEd25519(fromHex(s.public_key, 32, 'public_key')),
    };
    return `${JSON.stringify(f, null, 2)}\n`;
  }
}
