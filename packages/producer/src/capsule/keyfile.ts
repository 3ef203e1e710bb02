import {
  bytesEqual,
  Fields,
  formatCount,
  fromHex,
  isLineageError,
  type JsonValue,
  LineageError,
  parseStrictJson,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { randomBytes } from '@noble/hashes/utils.js';

/**
 * Passphrase-encrypted Ed25519 key file (docs/spec/05-capsules.md "Key files"):
 * scrypt derives a 32-byte key, XChaCha20-Poly1305 seals the 32-byte seed, and every
 * header field is bound as associated data so parameters cannot be swapped.
 */
export interface KeyFile {
  type: 'lineage.keyfile';
  version: 1;
  /** Who the key belongs to (approver id or agent id); informational. */
  owner?: string;
  public_key: string;
  kdf: { name: 'scrypt'; log2_n: number; r: number; p: number; salt: string };
  cipher: { name: 'xchacha20-poly1305'; nonce: string };
  ciphertext: string;
}

export interface KeyFileOptions {
  owner?: string;
  /** log2 of scrypt's N; 17 (128 MiB) by default. Tests may lower it, never below 10. */
  log2N?: number;
  /** Injected randomness for reproducible fixtures. */
  random?: (n: number) => Uint8Array;
}

// Bounds on what a key file may ask of us: a hostile file must not make decrypting take
// gigabytes of memory or minutes.
const MIN_LOG2_N = 10;

/** Shortest passphrase accepted for a NEW signing key (CLI keygen and the desktop alike). */
export const MIN_NEW_PASSPHRASE_LENGTH = 12;

/** Why a passphrase will not protect a new signing key, or undefined when it will. */
export function newPassphraseRefusal(passphrase: string): string | undefined {
  if ([...passphrase].length < MIN_NEW_PASSPHRASE_LENGTH)
    return `the passphrase must be at least ${MIN_NEW_PASSPHRASE_LENGTH} characters`;
  return undefined;
}
const MAX_LOG2_N = 20;

/**
 * Longest owner a key file carries, in characters: an approver id (at most 256) and a role fit many
 * times over, and any file that can be made stays well inside what parseKeyFile reads.
 */
export const MAX_KEYFILE_OWNER_CHARS = 1024;

/** The scrypt cost (log2 N, 128 MiB) new key files are made with, by keygen and the desktop alike. */
export const DEFAULT_LOG2_N = 17;

/**
 * Why a key file's scrypt cost is too low to protect a signing key, or undefined when it is not.
 * Files down to 10 are read (tests and the demo make them cheap), but one someone else made that
 * cheap is said to be so, not used in silence: each step below the default halves a guess's cost.
 */
export function keyFileCostShortfall(log2N: number): string | undefined {
  if (log2N >= DEFAULT_LOG2_N) return undefined;
  return `protected by scrypt with log2_n ${log2N}, below the ${DEFAULT_LOG2_N} lineage keygen uses: a copy of it can be guessed ${2 ** (DEFAULT_LOG2_N - log2N)} times faster`;
}

function aad(k: Omit<KeyFile, 'ciphertext'>): Uint8Array {
  return utf8Encode(
    [
      'lineage/keyfile/v1',
      k.owner ?? '',
      k.public_key,
      `scrypt:${k.kdf.log2_n}:${k.kdf.r}:${k.kdf.p}:${k.kdf.salt}`,
      `xchacha20-poly1305:${k.cipher.nonce}`,
    ].join('\n'),
  );
}

async function deriveKey(passphrase: string, kdf: KeyFile['kdf']): Promise<Uint8Array> {
  return scryptAsync(utf8Encode(passphrase.normalize('NFC')), fromHex(kdf.salt, 16, 'kdf.salt'), {
    N: 2 ** kdf.log2_n,
    r: kdf.r,
    p: kdf.p,
    dkLen: 32,
    maxmem: 2 ** (kdf.log2_n + 7) * kdf.r + 1024 * 1024,
  });
}

export async function encryptKeyFile(
  secretKey: Uint8Array,
  passphrase: string,
  options: KeyFileOptions = {},
): Promise<string> {
  if (secretKey.length !== 32)
    throw new LineageError('keyfile.key', `an Ed25519 secret key is 32 bytes, found ${secretKey.length}`);
  if (passphrase.length === 0)
    throw new LineageError('keyfile.passphrase', 'the passphrase must not be empty');
  if (options.owner !== undefined && options.owner.length > MAX_KEYFILE_OWNER_CHARS)
    throw new LineageError(
      'keyfile.owner',
      `the owner is ${options.owner.length} characters; a key file's owner is at most ${MAX_KEYFILE_OWNER_CHARS}`,
    );
  const log2N = options.log2N ?? DEFAULT_LOG2_N;
  if (!Number.isInteger(log2N) || log2N < MIN_LOG2_N || log2N > MAX_LOG2_N) {
    throw new LineageError(
      'keyfile.kdf',
      `scrypt log2(N) must be ${MIN_LOG2_N}..${MAX_LOG2_N}, found ${log2N}`,
    );
  }
  const random = options.random ?? randomBytes;
  const header: Omit<KeyFile, 'ciphertext'> = {
    type: 'lineage.keyfile',
    version: 1,
    ...(options.owner !== undefined ? { owner: options.owner } : {}),
    public_key: toHex(ed25519.getPublicKey(secretKey)),
    kdf: { name: 'scrypt', log2_n: log2N, r: 8, p: 1, salt: toHex(random(16)) },
    cipher: { name: 'xchacha20-poly1305', nonce: toHex(random(24)) },
  };
  const key = await deriveKey(passphrase, header.kdf);
  let sealed: Uint8Array;
  try {
    sealed = xchacha20poly1305(key, fromHex(header.cipher.nonce), aad(header)).encrypt(secretKey);
  } finally {
    key.fill(0); // the derived key opens the file: not left in memory for the GC to reclaim whenever
  }
  return `${JSON.stringify({ ...header, ciphertext: toHex(sealed) }, null, 2)}\n`;
}

const CODE = 'keyfile.schema';

/** A key file is one small object holding one more: anything deeper or larger is not one. */
const KEYFILE_JSON_LIMITS = { maxDepth: 2, maxBytes: 64 * 1024 };

/**
 * Parses and checks a key file's shape without decrypting it, with the strict parser signed
 * documents are read with: a repeated member (which JSON.parse would quietly take the last of)
 * or a member the format does not have is refused, so every byte that matters is authenticated.
 * The KDF's cost is checked here, before any work is asked of scrypt.
 */
export function parseKeyFile(text: string): KeyFile {
  let v: JsonValue;
  try {
    v = parseStrictJson(text, KEYFILE_JSON_LIMITS);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    // Too deep or too large is JSON, just not a key file (a trust file picked by mistake, say).
    const what = e.code === 'json.depth' || e.code === 'json.size' ? 'not a key file' : 'not JSON';
    throw new LineageError(CODE, `${what}: ${e.detail}`, e.path || '/');
  }
  // What the file says it is comes first: a later version or another KDF is named as such, not
  // as an unknown field.
  const o = Fields.of(v, '', CODE);
  o.literal('type', ['lineage.keyfile']);
  o.literal('version', [1]);
  o.closed(['type', 'version', 'owner', 'public_key', 'kdf', 'cipher', 'ciphertext']);
  const kdf = o.obj_('kdf');
  kdf.literal('name', ['scrypt']);
  kdf.closed(['name', 'log2_n', 'r', 'p', 'salt']);
  const log2n = kdf.raw('log2_n');
  if (typeof log2n !== 'number' || !Number.isInteger(log2n) || log2n < MIN_LOG2_N || log2n > MAX_LOG2_N) {
    const values = {
      expected: `an integer ${MIN_LOG2_N}..${MAX_LOG2_N} (scrypt's memory and time double with each step)`,
      found:
        typeof log2n === 'number'
          ? `number ${log2n}`
          : log2n === undefined
            ? 'nothing (field absent)'
            : JSON.stringify(log2n),
    };
    throw new LineageError(CODE, `expected ${values.expected}, found ${values.found}`, '/kdf/log2_n', values);
  }
  kdf.literal('r', [8]);
  kdf.literal('p', [1]);
  const cipher = o.obj_('cipher');
  cipher.literal('name', ['xchacha20-poly1305']);
  cipher.closed(['name', 'nonce']);
  return {
    type: 'lineage.keyfile',
    version: 1,
    ...(o.has('owner') ? { owner: owner(o) } : {}),
    public_key: o.hex('public_key', 32),
    kdf: { name: 'scrypt', log2_n: log2n, r: 8, p: 1, salt: kdf.hex('salt', 16) },
    cipher: { name: 'xchacha20-poly1305', nonce: cipher.hex('nonce', 24) },
    ciphertext: o.hex('ciphertext', 48),
  };
}

function owner(o: Fields): string {
  const v = o.text('owner');
  if (v.length > MAX_KEYFILE_OWNER_CHARS) {
    const values = {
      expected: `at most ${formatCount(MAX_KEYFILE_OWNER_CHARS)} characters`,
      found: `${formatCount(v.length)} characters`,
    };
    throw new LineageError(CODE, `expected ${values.expected}, found ${values.found}`, '/owner', values);
  }
  return v;
}

/** Decrypts a key file. A wrong passphrase (or an edited file) fails authentication with a clear error. */
export async function decryptKeyFile(
  text: string,
  passphrase: string,
): Promise<{ secretKey: Uint8Array; publicKey: Uint8Array; owner?: string; log2N: number }> {
  const k = parseKeyFile(text);
  const { ciphertext, ...header } = k;
  const key = await deriveKey(passphrase, k.kdf);
  let secretKey: Uint8Array;
  try {
    secretKey = xchacha20poly1305(key, fromHex(k.cipher.nonce), aad(header)).decrypt(fromHex(ciphertext));
  } catch {
    throw new LineageError(
      'keyfile.passphrase',
      'wrong passphrase, or the key file was modified (authentication failed)',
    );
  } finally {
    key.fill(0);
  }
  const publicKey = ed25519.getPublicKey(secretKey);
  if (!bytesEqual(publicKey, fromHex(k.public_key))) {
    secretKey.fill(0);
    throw new LineageError(
      'keyfile.public_key',
      'the decrypted key does not match public_key',
      '/public_key',
    );
  }
  return { secretKey, publicKey, ...(k.owner !== undefined ? { owner: k.owner } : {}), log2N: k.kdf.log2_n };
}
