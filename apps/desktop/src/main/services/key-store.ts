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
import {
  decryptKeyFile,
  encryptKeyFile,
  type KeyFile,
  newPassphraseRefusal,
  parseKeyFile,
} from '@lineage/producer';
import {
  APPROVER_ROLES,
  type ApproverRole,
  fromBase64Url,
  fromHex,
  isLineageError,
  toHex,
} from '@lineage/verifier-core';
import type { KeyFileInfo, KeyImportRequest, KeyStatus } from '../../shared/api.js';
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

/**
 * Largest key file taken in, in characters. One made by `lineage keygen` is about 600 plus its
 * owner; the bound keeps a wrong file chosen by mistake (a capsule, a log) from crossing IPC whole.
 */
export const MAX_KEY_FILE_CHARS = 16_384;
/** Longest approver id, as the key-creation form's IPC schema allows. */
export const MAX_APPROVER_ID_CHARS = 200;

const KEY_EXISTS = 'an approver key already exists; it is never overwritten from the app';

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
      if (await this.stored()) throw new Error(KEY_EXISTS);
      const refusal = newPassphraseRefusal(req.passphrase);
      if (refusal) throw new Error(refusal);
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const seed = fromBase64Url(String(privateKey.export({ format: 'jwk' }).d));
      const pub = fromBase64Url(String(publicKey.export({ format: 'jwk' }).x));
      await this.keep(req, seed, pub);
      return this.status();
    });
  }

  /**
   * What a key file made by `lineage keygen` says outside its sealed part: its owner and public
   * key. Nothing is decrypted; a file that is not a key file is refused naming the field.
   */
  keyFileInfo(text: string): KeyFileInfo {
    const k = readKeyFile(text);
    const owner = ownerOf(k);
    const fp = fingerprintOfEd25519(fromHex(k.public_key, 32, 'public_key'));
    return {
      ...(owner !== undefined ? { owner } : {}),
      publicKey: k.public_key,
      fingerprint: fp,
      fingerprintGroups: fingerprintGroups(fp),
    };
  }

  /**
   * Takes in a key made with `lineage keygen`: decrypts it with its passphrase, seals the same seed
   * again under the bound owner `<id>#<role>` (same passphrase, this store's scrypt cost) and keeps
   * it as create does — never over an existing key — then it is unlocked. The approver id is the
   * key file's owner when it has one (a different `approverId` is refused), else `approverId`.
   */
  async importKeyFile(req: KeyImportRequest): Promise<KeyStatus> {
    return serialized(this.file, async () => {
      if (await this.stored()) throw new Error(KEY_EXISTS);
      const k = readKeyFile(req.keyfile);
      const owner = ownerOf(k);
      const approverId = owner ?? req.approverId;
      if (approverId === undefined || approverId === '')
        throw new Error(
          'the key file names no owner (it was made without --owner): give the approver id it is for',
        );
      if (owner !== undefined && req.approverId !== undefined && req.approverId !== owner)
        throw new Error(
          `the key file's owner is the approver id: expected ${owner}, found ${req.approverId}`,
        );
      const refusal = newPassphraseRefusal(req.passphrase);
      if (refusal)
        throw new Error(
          `${refusal}: the app keeps a signing key only under such a passphrase, and this key would stay sealed with the one given`,
        );
      // A wrong passphrase is refused in the producer's words ("wrong passphrase, or the key file
      // was modified"); the caller names the file.
      const opened = await decryptKeyFile(req.keyfile, req.passphrase);
      await this.keep(
        { approverId, name: req.name, role: req.role, passphrase: req.passphrase },
        opened.secretKey,
        opened.publicKey,
      );
      return this.status();
    });
  }

  /**
   * Seals `seed` under the bound owner and writes the version-2 wrapper with an exclusive create;
   * only a key durably on disk, as written, becomes the unlocked key. The seed is zeroed on failure.
   */
  private async keep(
    req: { approverId: string; name: string; role: ApproverRole; passphrase: string },
    seed: Uint8Array,
    pub: Uint8Array,
  ): Promise<void> {
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
      if (!(await createFileExclusive(this.file, text))) throw new Error(KEY_EXISTS);
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

/** A key file made by `lineage keygen`, read (not decrypted); refused naming the field that is wrong. */
function readKeyFile(text: string): KeyFile {
  const not = 'not a key file made by lineage keygen';
  if (text.length > MAX_KEY_FILE_CHARS)
    throw new Error(`${not}: ${text.length} characters, a key file is at most ${MAX_KEY_FILE_CHARS}`);
  // The likely mistake is another JSON file (a trust store, a public-key file, an approval): say
  // what it is not by its type, before the strict parser stops at its first deep member.
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const type = (v as Record<string, unknown>).type;
    if (type !== 'lineage.keyfile')
      throw new Error(
        `${not}: /type: expected "lineage.keyfile", found ${type === undefined ? 'nothing (field absent)' : shortJson(type)}`,
      );
  }
  try {
    return parseKeyFile(text);
  } catch (e) {
    // The producer's message names the field (a JSON pointer) and what it expected there.
    if (isLineageError(e)) throw new Error(`${not}: ${e.message}`);
    throw e;
  }
}

function shortJson(v: unknown): string {
  const t = JSON.stringify(v);
  return t.length > 60 ? `${t.slice(0, 57)}...` : t;
}

/**
 * The key file's owner, the approver id it was made for. An empty owner is none: the file's
 * associated data cannot tell the two apart.
 */
function ownerOf(k: KeyFile): string | undefined {
  if (k.owner === undefined || k.owner === '') return undefined;
  if (k.owner.length > MAX_APPROVER_ID_CHARS)
    throw new Error(
      `the key file's owner is ${k.owner.length} characters; an approver id is at most ${MAX_APPROVER_ID_CHARS}`,
    );
  return k.owner;
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
