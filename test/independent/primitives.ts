// An independent implementation of the Lineage wire formats, written from docs/spec/*.md alone.
// It deliberately imports nothing from @lineage/*: only node:crypto. Its job is to prove (or
// disprove) that the spec is enough to build an interoperable producer and verifier.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

// ---------- bytes ----------
export const enc = new TextEncoder();
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export function unhex(s: string, len?: number): Uint8Array {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error(`not lowercase hex: ${s.slice(0, 20)}`);
  const b = new Uint8Array(Buffer.from(s, 'hex'));
  if (len !== undefined && b.length !== len) throw new Error(`expected ${len} bytes, found ${b.length}`);
  return b;
}
export const cat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
export const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
export const eq = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
export const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
function unb64Strict(s: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error('bad base64');
  const b = new Uint8Array(Buffer.from(s, 'base64'));
  if (b64(b) !== s) throw new Error('non-canonical base64');
  return b;
}
export function unb64url(s: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new Error('bad base64url');
  const b = new Uint8Array(Buffer.from(s, 'base64url'));
  if (b64url(b) !== s) throw new Error('non-canonical base64url');
  return b;
}

// ---------- RFC 8785 (JCS): sort keys by UTF-16 code units; JSON.stringify for leaves ----------
export function jcs(v: Json): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error('non-finite number');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  const keys = Object.keys(v).sort(); // default sort compares UTF-16 code units, as RFC 8785 requires
  return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(v[k] as Json)}`).join(',')}}`;
}
export const jcsBytes = (v: Json): Uint8Array => enc.encode(jcs(v));
export const without = (o: Obj, ...keys: string[]): Obj =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

// ---------- Ed25519 via KeyObject (DER wrappers of the raw 32-byte keys) ----------
const PKCS8_ED25519 = unhex('302e020100300506032b657004220420');
const SPKI_ED25519 = unhex('302a300506032b6570032100');
export interface Ed25519Key {
  seed: Uint8Array;
  publicKey: Uint8Array;
  privateKey: KeyObject;
}
export function keyFromSeed(seed: Uint8Array): Ed25519Key {
  const privateKey = createPrivateKey({
    key: Buffer.from(cat(PKCS8_ED25519, seed)),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { seed, privateKey, publicKey: unb64url(jwk.x as string) };
}
/** The spec's deterministic test keys: seed = SHA-256("lineage/test-key/v1:" ‖ label). */
export const testKey = (label: string): Ed25519Key =>
  keyFromSeed(sha256(enc.encode(`lineage/test-key/v1:${label}`)));
export const edSign = (k: Ed25519Key, msg: Uint8Array): Uint8Array =>
  new Uint8Array(sign(null, msg, k.privateKey));
export function edVerify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (publicKey.length !== 32 || sig.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: Buffer.from(cat(SPKI_ED25519, publicKey)),
      format: 'der',
      type: 'spki',
    });
    return verify(null, msg, key, sig);
  } catch {
    return false;
  }
}
/** ES256 with a 65-byte uncompressed SEC1 point and a 64-byte r‖s signature (JWS form). */
export function es256Verify(sec1: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  if (sec1.length !== 65 || sec1[0] !== 4 || sig.length !== 64) return false;
  try {
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: b64url(sec1.slice(1, 33)), y: b64url(sec1.slice(33)) },
      format: 'jwk',
    });
    return verify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

// ---------- chapter 4 conventions ----------
export const signingInput = (context: string, object: Obj): Uint8Array =>
  cat(enc.encode(`${context}\n`), jcsBytes(object));
export const agentId = (publicKey: Uint8Array): string =>
  `lin:agent:${hex(sha256(enc.encode('lineage/agent-id/v1'), new Uint8Array([0]), publicKey))}`;
export interface SignatureObject extends Obj {
  alg: 'Ed25519';
  public_key: string;
  value: string;
}
export const sigObject = (k: Ed25519Key, msg: Uint8Array): SignatureObject => ({
  alg: 'Ed25519',
  public_key: hex(k.publicKey),
  value: hex(edSign(k, msg)),
});
export function sigValid(sig: Json | undefined, msg: Uint8Array): boolean {
  if (!sig || typeof sig !== 'object' || Array.isArray(sig) || sig.alg !== 'Ed25519') return false;
  try {
    return edVerify(unhex(String(sig.public_key), 32), msg, unhex(String(sig.value), 64));
  } catch {
    return false;
  }
}

// ---------- §4.2 events ----------
export const eventId = (event: Obj): string => hex(sha256(jcsBytes(without(event, 'signature'))));
export const eventSigningInput = (event: Obj): Uint8Array =>
  signingInput('lineage/event/v1', without(event, 'signature'));
export const leafHash = (entry: Uint8Array): Uint8Array => sha256(new Uint8Array([0]), entry);
export const eventLeaf = (event: Obj): Uint8Array => leafHash(jcsBytes(event));
export function signEvent(unsigned: Obj, k: Ed25519Key): Obj {
  return { ...unsigned, signature: sigObject(k, signingInput('lineage/event/v1', unsigned)) };
}

// ---------- §4.1 identity block ----------
export const IDENTITY_URI = 'https://lineage.dev/ext/identity/v1';
export function capabilityDigest(card: Obj): string {
  const d: Obj = {};
  for (const k of ['capabilities', 'skills', 'defaultInputModes', 'defaultOutputModes']) {
    if (k in card) d[k] = card[k] as Json;
  }
  const caps = d.capabilities;
  if (caps && typeof caps === 'object' && !Array.isArray(caps) && Array.isArray(caps.extensions)) {
    const rest = caps.extensions.filter(
      (e) => !(e && typeof e === 'object' && !Array.isArray(e) && e.uri === IDENTITY_URI),
    );
    d.capabilities = rest.length > 0 ? { ...caps, extensions: rest } : without(caps, 'extensions');
  }
  return hex(sha256(enc.encode('lineage/capability-digest/v1'), new Uint8Array([0]), jcsBytes(d)));
}
export const identityClaims = (params: Obj, cardName: string): Obj => ({
  ...without(params, 'identity_proof'),
  card_name: cardName,
});

// ---------- §4.4 receipts ----------
export const senderSigningInput = (r: Obj): Uint8Array =>
  signingInput(
    'lineage/handoff-sender/v1',
    without(r, 'sender_signature', 'acknowledgement', 'receiver_signature'),
  );
export const receiverSigningInput = (r: Obj): Uint8Array =>
  signingInput('lineage/handoff-receiver/v1', without(r, 'receiver_signature'));
export const receiptHash = (r: Obj): string => hex(sha256(jcsBytes(r)));

// ---------- §4.5 salted commitments ----------
export function saltedCommitment(name: string, value: Json, salt: Uint8Array): string {
  const n = enc.encode(name);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, n.length);
  return hex(
    sha256(
      enc.encode('lineage/commitment/sha256/v1'),
      new Uint8Array([0, salt.length]),
      salt,
      len,
      n,
      jcsBytes(value),
    ),
  );
}

// ---------- chapter 5 capsule digest ----------
export const capsuleDigest = (manifest: Obj): string => hex(sha256(jcsBytes(manifest)));

// ---------- chapter 2: RFC 6962 Merkle trees (RFC 9162 §2.1.3.2 / §2.1.4.2 loops verbatim) ----------
export const nodeHash = (l: Uint8Array, r: Uint8Array): Uint8Array => sha256(new Uint8Array([1]), l, r);
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
export function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
export function auditPath(m: number, leaves: Uint8Array[]): Uint8Array[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
/** RFC 6962 §2.1.2 PROOF(m, D[n]) from the definition. */
export function consistencyProof(m: number, leaves: Uint8Array[]): Uint8Array[] {
  const sub = (k: number, d: Uint8Array[], complete: boolean): Uint8Array[] => {
    if (k === d.length) return complete ? [] : [mth(d)];
    const s = split(d.length);
    return k <= s
      ? [...sub(k, d.slice(0, s), complete), mth(d.slice(s))]
      : [...sub(k - s, d.slice(s), false), mth(d.slice(0, s))];
  };
  return sub(m, leaves, true);
}
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
  root: Uint8Array,
) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(r, root);
}
export function verifyConsistency(
  n1: number,
  n2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: Uint8Array[],
) {
  if (n1 === 0 || n1 > n2) return false;
  if (n1 === n2) return proof.length === 0 && eq(root1, root2);
  let path = proof;
  if ((n1 & (n1 - 1)) === 0) path = [root1, ...path];
  if (path.length === 0) return false;
  let fn = n1 - 1;
  let sn = n2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && eq(fr, root1) && eq(sr, root2);
}
/** §2.6 multiproof: recompute the root walking left child then right child. */
export function multiproofRoot(
  leaves: { index: number; hash: Uint8Array }[],
  size: number,
  proof: Uint8Array[],
) {
  for (let i = 0; i < leaves.length; i++) {
    if (leaves[i]!.index >= size || (i > 0 && leaves[i]!.index <= leaves[i - 1]!.index)) return null;
  }
  if (leaves.length === 0) return null;
  let next = 0;
  const compute = (lo: number, hi: number): Uint8Array | null => {
    if (hi - lo === 1) return leaves.find((l) => l.index === lo)!.hash;
    const mid = lo + split(hi - lo);
    const has = (a: number, b: number) => leaves.some((l) => l.index >= a && l.index < b);
    const left = has(lo, mid) ? compute(lo, mid) : (proof[next++] ?? null);
    const right = has(mid, hi) ? compute(mid, hi) : (proof[next++] ?? null);
    return left && right ? nodeHash(left, right) : null;
  };
  const root = compute(0, size);
  return root && next === proof.length ? root : null;
}

// ---------- chapter 3: signed notes and the Lineage STH ----------
export const noteKeyId = (name: string, type: number, key: Uint8Array): Uint8Array =>
  sha256(enc.encode(`${name}\n`), new Uint8Array([type]), key).slice(0, 4);
export const vkeyOf = (name: string, publicKey: Uint8Array): string =>
  `${name}+${hex(noteKeyId(name, 1, publicKey))}+${b64(cat(new Uint8Array([1]), publicKey))}`;
export function parseVkey(vkey: string): { name: string; keyId: Uint8Array; publicKey: Uint8Array } {
  const i = vkey.indexOf('+');
  const j = vkey.indexOf('+', i + 1);
  const name = vkey.slice(0, i);
  const material = unb64Strict(vkey.slice(j + 1));
  if (material[0] !== 1 || material.length !== 33) throw new Error('only Ed25519 (0x01) vkeys are used here');
  const publicKey = material.slice(1);
  const keyId = unhex(vkey.slice(i + 1, j), 4);
  if (!eq(keyId, noteKeyId(name, 1, publicKey))) throw new Error('vkey key id mismatch');
  return { name, keyId, publicKey };
}
export interface Sth {
  origin: string;
  size: number;
  root: Uint8Array;
  timestampMs: number;
}
export function makeSth(sth: Sth, k: Ed25519Key): string {
  const text = `${sth.origin}\n${sth.size}\n${b64(sth.root)}\ntimestamp ${sth.timestampMs}\n`;
  const sig = edSign(k, enc.encode(text));
  return `${text}\n\u2014 ${sth.origin} ${b64(cat(noteKeyId(sth.origin, 1, k.publicKey), sig))}\n`;
}
/** Verify a Lineage STH against the log's vkey (key name = origin); null when anything is wrong. */
export function verifySth(note: string, vkey: string): Sth | null {
  try {
    const key = parseVkey(vkey);
    const cut = note.lastIndexOf('\n\n');
    if (cut < 0) return null;
    const text = note.slice(0, cut + 1);
    const sigLines = note.slice(cut + 2);
    if (!sigLines.endsWith('\n')) return null;
    let verified = false;
    for (const line of sigLines.slice(0, -1).split('\n')) {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m) return null;
      const raw = unb64Strict(m[2]!);
      if (m[1] !== key.name || !eq(raw.slice(0, 4), key.keyId)) continue; // unknown signer: ignored
      if (!edVerify(key.publicKey, enc.encode(text), raw.slice(4))) return null; // known key, bad signature
      verified = true;
    }
    const lines = text.slice(0, -1).split('\n');
    if (!verified || lines.length !== 4 || lines[0] !== key.name) return null;
    const [origin, size, root, ts] = lines as [string, string, string, string];
    const tm = /^timestamp (0|[1-9][0-9]*)$/.exec(ts);
    if (!/^(0|[1-9][0-9]*)$/.test(size) || !tm) return null;
    const rootBytes = unb64Strict(root);
    if (rootBytes.length !== 32) return null;
    return { origin, size: Number(size), root: rootBytes, timestampMs: Number(tm[1]) };
  } catch {
    return null;
  }
}
