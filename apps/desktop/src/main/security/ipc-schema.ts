/**
 * Input schemas for every IPC method. The renderer is treated as untrusted: a
 * compromised page may call any channel with any value, so each handler's
 * arguments are checked here (types, lengths, enumerations) before a service
 * sees them. Pure: tested in Node.
 */
import { APPROVER_ROLES } from '@lineage/verifier-core';
import type { IpcMethod } from '../../shared/api.js';
import { MAX_CAPSULE_BYTES_IN_MEMORY } from '../services/capsule-store.js';
import { MAX_APPROVER_ID_CHARS, MAX_KEY_FILE_CHARS } from '../services/key-store.js';

type Check = (v: unknown) => string | undefined;

const MAX_TEXT = 1_000_000;
// Dropped capsule bytes: the capsule store's in-memory limit, checked here before anything else.
const MAX_BYTES = MAX_CAPSULE_BYTES_IN_MEMORY;

const str =
  (max: number, min = 0): Check =>
  (v) =>
    typeof v !== 'string'
      ? `expected a string, found ${typeOf(v)}`
      : v.length > max
        ? `string of ${v.length} characters exceeds ${max}`
        : v.length < min
          ? `string of ${v.length} characters is shorter than ${min}`
          : undefined;

const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `expected one of ${values.join(', ')}`;

const bytes: Check = (v) =>
  v instanceof Uint8Array
    ? v.byteLength > MAX_BYTES
      ? `capsule of ${v.byteLength} bytes exceeds ${MAX_BYTES}`
      : undefined
    : `expected bytes, found ${typeOf(v)}`;

function optional(c: Check): Check {
  return (v) => (v === undefined ? undefined : c(v));
}

function object(shape: Record<string, Check>): Check {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      return `expected an object, found ${typeOf(v)}`;
    const rec = v as Record<string, unknown>;
    // Own fields only: `in` would accept Object.prototype's names ("constructor", "__proto__", "toString").
    for (const k of Object.keys(rec)) if (!Object.hasOwn(shape, k)) return `unexpected field "${k}"`;
    for (const [k, c] of Object.entries(shape)) {
      const err = c(rec[k]);
      if (err) return `${k}: ${err}`;
    }
    return undefined;
  };
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v;
}

const id = str(128, 1);
const role = oneOf(...APPROVER_ROLES);

function arrayOf(c: Check, max: number): Check {
  return (v) => {
    if (!Array.isArray(v)) return `expected an array, found ${typeOf(v)}`;
    if (v.length > max) return `array of ${v.length} items exceeds ${max}`;
    for (let i = 0; i < v.length; i++) {
      const err = c(v[i]);
      if (err) return `[${i}]: ${err}`;
    }
    return undefined;
  };
}
const approvalRequest = object({
  capsuleId: id,
  decision: oneOf('approve', 'reject', 'conditional'),
  comment: str(4000),
});

/** Argument checks per method, positional. */
export const IPC_SCHEMAS: Record<IpcMethod, Check[]> = {
  openCapsuleDialog: [],
  openRecent: [str(4096, 1)],
  openDropped: [str(4096, 1)],
  openCapsuleBytes: [str(512, 1), bytes],
  recentFiles: [],
  verify: [id],
  cancelVerify: [id],
  trustList: [],
  trustImport: [
    object({
      kind: oneOf('log', 'witness', 'proof-server', 'approver', 'card-signer'),
      name: optional(str(300, 1)),
      label: optional(str(200)),
      text: str(64_000, 1),
      roles: optional(arrayOf(role, 8)),
    }),
  ],
  trustRemove: [str(400, 1)],
  trustExportText: [],
  trustImportStore: [str(MAX_TEXT, 1)],
  keyStatus: [],
  keyCreate: [
    object({ approverId: str(MAX_APPROVER_ID_CHARS, 1), name: str(200, 1), role, passphrase: str(1024, 12) }),
  ],
  keyFileInfo: [str(MAX_KEY_FILE_CHARS, 1)],
  // The passphrase's length is the key store's to judge, so a short one is refused in its words.
  keyImport: [
    object({
      keyfile: str(MAX_KEY_FILE_CHARS, 1),
      passphrase: str(1024, 1),
      name: str(200, 1),
      role,
      approverId: optional(str(MAX_APPROVER_ID_CHARS, 1)),
    }),
  ],
  keyUnlock: [str(1024, 1)],
  keyLock: [],
  keyPublicText: [],
  approvalPreview: [approvalRequest],
  approvalSign: [approvalRequest],
  approvalVerify: [str(MAX_TEXT, 1), optional(id)],
  exportFile: [
    object({
      capsuleId: optional(id),
      format: oneOf('json', 'oscal', 'html', 'pdf', 'approval', 'trust', 'public-key'),
      content: optional(str(MAX_TEXT)),
    }),
  ],
};

/** Returns why the arguments are unacceptable, or undefined when they fit the schema. */
export function validateArgs(method: string, args: readonly unknown[]): string | undefined {
  if (!Object.hasOwn(IPC_SCHEMAS, method)) return `unknown method "${method}"`;
  const checks = IPC_SCHEMAS[method as IpcMethod];
  // Trailing optional arguments may be left out; extra arguments never pass.
  if (args.length > checks.length) {
    return `${method} takes ${checks.length} argument(s), received ${args.length}`;
  }
  for (let i = 0; i < checks.length; i++) {
    const err = checks[i]!(args[i]);
    if (err) return `${method} argument ${i + 1}: ${err}`;
  }
  return undefined;
}
