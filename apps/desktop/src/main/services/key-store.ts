/**
 * The approver's signing key. Created and unlocked only in the main process:
 * the seed is sealed in a passphrase-encrypted key file (scrypt +
 * XChaCha20-Poly1305, @lineage/producer) under the user-data dir, and while
 * unlocked lives in this object's memory. The renderer can ask for status,
 * the public key, and a signature over a preview it was shown — never the seed.
 *
 * The wrapper's id, role and public key are outside the sealed file, so unlock
 * checks them against it: the key file's owner (authenticated as associated
 * data) is `<id>#<role>`, and its public key must be the wrapper's. Creating
 * never replaces a key file (exclusive create), create/unlock/lock run one at a
 * time, and an unlocked key locks itself (and is zeroed) after a period without
 * a signing action.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decryptKeyFile, encryptKeyFile, newPassphraseRefusal } from '@lineage/producer';
import { APPROVER_ROLES, type ApproverRole, fromBase64Url, fromHex, toHex } from '@lineage/verifier-core';
import type { KeyStatus } from '../../shared/api.js';
import {
  type ApproverPublicKeyFile,
  fingerprintGroups,
  fingerprintOfEd25519,
  isRole,
} from '../../shared/trust-model.js';
import { createFileExclusive, readJsonFile, serialized } from './json-file.js';

interface StoredApproverKey {
  type: 'lineage-desktop-approver-key';
  /**
   * 2: the key file's owner is `<id>#<role>`, binding both to the sealed key.
   * 1 (read only, from earlier versions): the owner is the id alone; the role is not bound.
   */
  version: 1 | 2;
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

export interface KeyStoreOptions {
  /** scrypt cost (log2 N); the default 17 is the producer's; tests lower it. */
  log2N?: number;
  /** An unlocked key locks itself after this long without a signing action (default 10 minutes). */
  idleLockMs?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
}

export const DEFAULT_IDLE_LOCK_MS = 10 * 60 * 1000;

/** The key file's owner for a version-2 approver key: binds the approver id and role to the key. */
export function boundOwner(id: string, role: ApproverRole): string {
  return `${id}#${role}`;
}

export class KeyStore {
  private readonly file: string;
  private unlocked: Unlocked | undefined;
  private lastUse = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly log2N: number;
  private readonly idleLockMs: number;
  private readonly now: () => number;
  constructor(userDataDir: string, options: number | KeyStoreOptions = {}) {
    this.file = join(userDataDir, 'approver-key.json');
    const o = typeof options === 'number' ? { log2N: options } : options;
    this.log2N = o.log2N ?? 17;
    this.idleLockMs = o.idleLockMs ?? DEFAULT_IDLE_LOCK_MS;
    this.now = o.now ?? Date.now;
  }

  private async stored(): Promise<StoredApproverKey | undefined> {
    const raw = (await readJsonFile(this.file)) as Partial<StoredApproverKey> | undefined;
    if (!raw) return undefined;
    if (
      raw.type !== 'lineage-desktop-approver-key' ||
      (raw.version !== 1 && raw.version !== 2) ||
      typeof raw.keyfile !== 'string' ||
      typeof raw.id !== 'string' ||
      typeof raw.name !== 'string' ||
      typeof raw.public_key !== 'string' ||
      !isRole(raw.role)
    ) {
      throw new Error(`${this.file} is not a Lineage approver key file`);
    }
    return raw as StoredApproverKey;
  }

  async status(): Promise<KeyStatus> {
    this.lockIfIdle();
    const s = await this.stored();
    if (!s) return { exists: false, unlocked: false };
    // While unlocked, what is shown is what unlock checked against the sealed key.
    const u = this.unlocked;
    const fp = fingerprintOfEd25519(u ? u.publicKey : fromHex(s.public_key, 32, 'public_key'));
    return {
      exists: true,
      unlocked: u !== undefined,
      approverId: u ? u.id : s.id,
      role: u ? u.role : s.role,
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
    return serialized(this.file, async () => {
      if (await this.stored())
        throw new Error('an approver key already exists; it is never overwritten from the app');
      const refusal = newPassphraseRefusal(req.passphrase);
      if (refusal) throw new Error(refusal);
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const seed = fromBase64Url(String(privateKey.export({ format: 'jwk' }).d));
      const pub = fromBase64Url(String(publicKey.export({ format: 'jwk' }).x));
      try {
        const keyfile = await encryptKeyFile(seed, req.passphrase, {
          owner: boundOwner(req.approverId, req.role),
          log2N: this.log2N,
        });
        const stored: StoredApproverKey = {
          type: 'lineage-desktop-approver-key',
          version: 2,
          id: req.approverId,
          name: req.name,
          role: req.role,
          public_key: toHex(pub),
          keyfile,
        };
        const text = `${JSON.stringify(stored, null, 2)}\n`;
        // Exclusive: if another process (or an earlier create) wrote a key meanwhile, it stays.
        if (!(await createFileExclusive(this.file, text))) {
          throw new Error('an approver key already exists; it is never overwritten from the app');
        }
        // Only a key that is durably on disk, as written, becomes the key in use.
        if ((await readFile(this.file, 'utf8')) !== text) {
          throw new Error(`${this.file} changed while the key was being created; it was not unlocked`);
        }
        this.setUnlocked({
          id: stored.id,
          name: stored.name,
          role: stored.role,
          secretKey: seed,
          publicKey: pub,
        });
      } catch (e) {
        seed.fill(0);
        throw e;
      }
      return this.status();
    });
  }

  async unlock(passphrase: string): Promise<KeyStatus> {
    return serialized(this.file, async () => {
      const s = await this.stored();
      if (!s) throw new Error('no approver key yet: create one first');
      const { secretKey, publicKey, owner } = await decryptKeyFile(s.keyfile, passphrase);
      try {
        checkWrapper(s, publicKey, owner);
      } catch (e) {
        secretKey.fill(0);
        throw e;
      }
      this.setUnlocked({ id: s.id, name: s.name, role: s.role, secretKey, publicKey });
      return this.status();
    });
  }

  async lock(): Promise<KeyStatus> {
    return serialized(this.file, async () => {
      this.clear();
      return this.status();
    });
  }

  /** The unlocked key for the approval signer in this process; never crosses IPC. */
  current(): Unlocked | undefined {
    this.lockIfIdle();
    return this.unlocked;
  }

  /** A signing action (preview or sign): restarts the idle period. */
  touch(): void {
    if (!this.unlocked) return;
    this.lastUse = this.now();
    this.armIdleTimer();
  }

  private setUnlocked(u: Unlocked): void {
    // A second unlock replaces the key in memory: the old copy is zeroed, not left to the GC.
    if (this.unlocked && this.unlocked.secretKey !== u.secretKey) this.unlocked.secretKey.fill(0);
    this.unlocked = u;
    this.touch();
  }

  private clear(): void {
    this.unlocked?.secretKey.fill(0);
    this.unlocked = undefined;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private lockIfIdle(): void {
    if (this.unlocked && this.now() - this.lastUse >= this.idleLockMs) this.clear();
  }

  private armIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // Zeroes the key even if nothing asks for it again; never keeps the process alive.
    // Re-armed for the time left, not a whole period: timers and the injected clock may disagree by
    // a millisecond, and a full re-arm would keep the key in memory up to twice as long.
    const left = this.unlocked ? Math.max(0, this.lastUse + this.idleLockMs - this.now()) : this.idleLockMs;
    this.idleTimer = setTimeout(
      () => {
        this.idleTimer = undefined;
        this.lockIfIdle();
        if (this.unlocked) this.armIdleTimer();
      },
      Math.max(left, 1),
    );
    this.idleTimer.unref?.();
  }

  /** Public-key file for the approver's trust-store entry (what others import to verify this approver). */
  async publicKeyFile(): Promise<string> {
    const s = await this.stored();
    if (!s) throw new Error('no approver key yet');
    this.lockIfIdle();
    // Unlocked: the values unlock checked against the sealed key, not the file as it may be now.
    const u = this.unlocked;
    const pub = u ? toHex(u.publicKey) : s.public_key;
    const f: ApproverPublicKeyFile = {
      type: 'lineage-approver-public-key',
      version: 1,
      id: u ? u.id : s.id,
      name: u ? u.name : s.name,
      roles: [u ? u.role : s.role],
      public_key: pub,
      fingerprint: fingerprintOfEd25519(fromHex(pub, 32, 'public_key')),
    };
    return `${JSON.stringify(f, null, 2)}\n`;
  }
}

/**
 * The wrapper's fields outside the sealed key file must agree with it: its public key with the
 * decrypted key, its id (and, from version 2, its role) with the authenticated owner.
 */
function checkWrapper(s: StoredApproverKey, publicKey: Uint8Array, owner: string | undefined): void {
  const where = 'approver-key.json';
  if (s.public_key !== toHex(publicKey)) {
    throw new Error(
      `${where}: public_key does not match the sealed key (the file was edited): expected ${toHex(publicKey)}, found ${s.public_key}`,
    );
  }
  if (s.version === 1) {
    // A version-2 key file's owner is '<id>#<role>': a wrapper downgraded to version 1 with that as
    // its id would otherwise unlock under any role it claims.
    if (owner !== undefined && APPROVER_ROLES.some((r) => owner.endsWith(`#${r}`)))
      throw new Error(
        `${where}: version 1, but the sealed key's owner ${owner} binds a role (a version-2 key): the file was edited`,
      );
    if (owner !== s.id) {
      throw new Error(
        `${where}: id does not match the sealed key's owner: expected ${owner ?? '(none)'}, found ${s.id}`,
      );
    }
    return;
  }
  const expected = boundOwner(s.id, s.role);
  if (owner === expected) return;
  const cut = owner?.lastIndexOf('#') ?? -1;
  const ownerId = owner && cut >= 0 ? owner.slice(0, cut) : owner;
  const ownerRole = owner && cut >= 0 ? owner.slice(cut + 1) : undefined;
  if (ownerId !== s.id) {
    throw new Error(
      `${where}: id does not match the sealed key's owner: expected ${ownerId ?? '(none)'}, found ${s.id}`,
    );
  }
  throw new Error(
    `${where}: role does not match the sealed key's owner: expected ${ownerRole ?? '(none)'}, found ${s.role}`,
  );
}
