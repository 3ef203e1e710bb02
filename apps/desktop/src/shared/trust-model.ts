/**
 * Editing the trust store (spec §4.8) from key files, and presenting it with
 * fingerprints. Pure, shared by the desktop main process and the offline page.
 * Nothing is trusted by default: an empty store verifies nothing.
 */
import {
  APPROVER_ROLES,
  type ApproverRole,
  detailWithValues,
  ed25519Spki,
  fromHex,
  isLineageError,
  type JsonValue,
  keyFingerprintHex,
  type LineageError,
  type PublicKeyInfo,
  parseTrustStore as parseCoreTrustStore,
  parsePublicKey,
  parseVkey,
  type TrustStore,
  toHex,
} from '@lineage/verifier-core';
import type { TrustEntryView, TrustImportRequest, TrustKind, TrustStoreView } from './api.js';

// One definition of an empty store: the core's.
export { emptyTrustStore } from '@lineage/verifier-core';

/** A Lineage approver public-key file, as exported by the desktop key store. */
export interface ApproverPublicKeyFile {
  type: 'lineage-approver-public-key';
  version: 1;
  id: string;
  name: string;
  roles: ApproverRole[];
  public_key: string;
  fingerprint: string;
}

/** Reads a public key from hex (32-byte Ed25519 or 65-byte P-256), PEM, or base64 SPKI. */
export function parseKeyText(text: string): PublicKeyInfo {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) {
    const raw = fromHex(t.toLowerCase(), 32, 'public_key');
    return { algorithm: 'ed25519', publicKey: raw, spki: ed25519Spki(raw) };
  }
  return parsePublicKey(t, 'public_key');
}

export function fingerprintOfEd25519(raw: Uint8Array): string {
  return keyFingerprintHex({ algorithm: 'ed25519', publicKey: raw, spki: ed25519Spki(raw) });
}

export function fingerprintGroups(hex: string): string[] {
  const groups: string[] = [];
  for (let i = 0; i < hex.length; i += 4) groups.push(hex.slice(i, i + 4));
  return groups;
}

function ed25519Hex(text: string): { hex: string; fingerprint: string } {
  const key = parseKeyText(text);
  if (key.algorithm !== 'ed25519') {
    throw new Error(`expected an Ed25519 key, found ${key.algorithm}`);
  }
  return { hex: toHex(key.publicKey), fingerprint: keyFingerprintHex(key) };
}

function parseApproverFile(text: string): ApproverPublicKeyFile | undefined {
  const t = text.trim();
  if (!t.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    throw new Error('the key file looks like JSON but does not parse');
  }
  const o = v as Partial<ApproverPublicKeyFile>;
  if (
    o.type !== 'lineage-approver-public-key' ||
    typeof o.public_key !== 'string' ||
    typeof o.id !== 'string'
  ) {
    throw new Error(
      'JSON key file is not a Lineage approver public key (type "lineage-approver-public-key")',
    );
  }
  return {
    type: 'lineage-approver-public-key',
    version: 1,
    id: o.id,
    name: typeof o.name === 'string' ? o.name : o.id,
    roles: Array.isArray(o.roles) ? o.roles.filter(isRole) : [],
    public_key: o.public_key,
    fingerprint: typeof o.fingerprint === 'string' ? o.fingerprint : '',
  };
}

export function isRole(r: unknown): r is ApproverRole {
  return typeof r === 'string' && (APPROVER_ROLES as readonly string[]).includes(r);
}

/**
 * Adds one key to a copy of the store. Throws with a plain message when the key file is unusable,
 * or when the store with it would be one the core refuses (the same witness key under another name,
 * an approver's key under a second id, a log's key as a witness: spec §4.8 "Pins"); saved, such a
 * store could not be loaded again.
 */
export function addTrustEntry(store: TrustStore, req: TrustImportRequest): TrustStore {
  const next = withEntry(store, req);
  try {
    parseCoreTrustStore(next as unknown as JsonValue);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    throw new Error(`this key cannot be added: the trust store would not be valid${describeStoreError(e)}`);
  }
  return next;
}

function withEntry(store: TrustStore, req: TrustImportRequest): TrustStore {
  const next: TrustStore = structuredClone(store);
  switch (req.kind) {
    case 'log': {
      const vk = parseVkey(req.text.trim());
      const origin = req.name?.trim() || vk.name;
      next.logs = next.logs.filter((l) => l.origin !== origin);
      next.logs.push({ origin, vkey: vk.vkey });
      return next;
    }
    case 'witness': {
      const vk = parseVkey(req.text.trim());
      if (!next.witnesses.vkeys.includes(vk.vkey)) next.witnesses.vkeys.push(vk.vkey);
      if (next.witnesses.threshold === 0) next.witnesses.threshold = 1;
      return next;
    }
    case 'proof-server': {
      const id = required(req.name, 'proof-server id');
      const { hex } = ed25519Hex(req.text);
      next.proof_servers = next.proof_servers.filter((p) => p.id !== id);
      next.proof_servers.push({ id, public_key: hex });
      return next;
    }
    case 'approver': {
      const file = parseApproverFile(req.text);
      const id = req.name?.trim() || file?.id;
      if (!id) throw new Error('an approver needs an id (lin:human:…)');
      const { hex } = ed25519Hex(file ? file.public_key : req.text);
      const roles = (req.roles && req.roles.length > 0 ? req.roles : (file?.roles ?? [])).filter(isRole);
      if (roles.length === 0) throw new Error('an approver needs at least one role');
      next.approvers = next.approvers.filter((a) => a.id !== id);
      next.approvers.push({ id, name: req.label?.trim() || file?.name || id, public_key: hex, roles });
      return next;
    }
    case 'card-signer': {
      const kid = required(req.name, 'card signer kid');
      const key = parseKeyText(req.text);
      next.card_signers = next.card_signers.filter((c) => c.kid !== kid);
      next.card_signers.push({
        kid,
        alg: key.algorithm === 'ed25519' ? 'EdDSA' : 'ES256',
        public_key: toHex(key.publicKey),
      });
      return next;
    }
  }
}

function required(v: string | undefined, what: string): string {
  const t = v?.trim();
  if (!t) throw new Error(`a ${what} is required`);
  return t;
}

export function removeTrustEntry(store: TrustStore, entryId: string): TrustStore {
  const next: TrustStore = structuredClone(store);
  const sep = entryId.indexOf(':');
  const kind = entryId.slice(0, sep) as TrustKind;
  const name = entryId.slice(sep + 1);
  switch (kind) {
    case 'log':
      next.logs = next.logs.filter((l) => l.origin !== name);
      break;
    case 'witness':
      next.witnesses.vkeys = next.witnesses.vkeys.filter((v) => v !== name);
      next.witnesses.threshold = Math.min(next.witnesses.threshold, next.witnesses.vkeys.length);
      break;
    case 'proof-server':
      next.proof_servers = next.proof_servers.filter((p) => p.id !== name);
      break;
    case 'approver':
      next.approvers = next.approvers.filter((a) => a.id !== name);
      break;
    case 'card-signer':
      next.card_signers = next.card_signers.filter((c) => c.kid !== name);
      break;
    default:
      throw new Error(`unknown trust entry ${entryId}`);
  }
  return next;
}

function view(
  kind: TrustKind,
  idPart: string,
  name: string,
  info: PublicKeyInfo,
  extra: Partial<TrustEntryView> = {},
) {
  const fingerprint = keyFingerprintHex(info);
  return {
    id: `${kind}:${idPart}`,
    kind,
    name,
    fingerprint,
    fingerprintGroups: fingerprintGroups(fingerprint),
    algorithm: info.algorithm,
    ...extra,
  } satisfies TrustEntryView;
}

function vkeyInfo(vkey: string): PublicKeyInfo {
  const k = parseVkey(vkey);
  return k.type === 'ed25519' || k.type === 'cosignature-v1'
    ? { algorithm: 'ed25519', publicKey: k.publicKey, spki: ed25519Spki(k.publicKey) }
    : parsePublicKey(k.keyMaterial);
}

/** The store as a list for display. Entries that no longer parse are shown as unusable rather than hidden. */
export function viewTrustStore(store: TrustStore): TrustStoreView {
  const entries: TrustEntryView[] = [];
  for (const l of store.logs) entries.push(view('log', l.origin, l.origin, vkeyInfo(l.vkey)));
  for (const w of store.witnesses.vkeys) entries.push(view('witness', w, parseVkey(w).name, vkeyInfo(w)));
  for (const p of store.proof_servers)
    entries.push(view('proof-server', p.id, p.id, parseKeyText(p.public_key)));
  for (const a of store.approvers) {
    entries.push(view('approver', a.id, a.id, parseKeyText(a.public_key), { label: a.name, roles: a.roles }));
  }
  for (const c of store.card_signers) {
    const raw = fromHex(c.public_key, undefined, 'public_key');
    const info: PublicKeyInfo =
      raw.length === 32
        ? { algorithm: 'ed25519', publicKey: raw, spki: ed25519Spki(raw) }
        : parsePublicKey(toHex(raw));
    entries.push(view('card-signer', c.kid, c.kid, info));
  }
  return { entries, witnessThreshold: store.witnesses.threshold, usable: store.logs.length > 0 };
}

/**
 * Parses a whole trust-store document with the core's strict parser — the one the CLI uses — so a
 * misspelled policy rule (`must_inculde`) or a malformed one is refused at import, never ignored
 * and verified without, and so is a pin the core refuses (a vkey whose key ID is not its key's, a
 * key pinned twice); then every key must parse, so a bad file is rejected at import rather than at
 * verification.
 */
export function parseTrustStore(text: string): TrustStore {
  let store: TrustStore;
  try {
    store = parseCoreTrustStore(text);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    if (e.code.startsWith('json.')) throw new Error(`trust store is not JSON: ${e.message}`);
    throw new Error(`trust store is not valid${describeStoreError(e)}`);
  }
  viewTrustStore(store);
  return store;
}

/** The core's refusal, to follow "not valid": where, what is wrong, and what was expected and found. */
function describeStoreError(e: LineageError): string {
  return `${e.path ? ` at ${e.path}` : ''}: ${detailWithValues(e)}`;
}

export function serializeTrustStore(store: TrustStore): string {
  return `${JSON.stringify(store, null, 2)}\n`;
}
