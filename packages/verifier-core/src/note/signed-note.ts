import { fromBase64 } from '../encoding/base64.js';
import { utf8DecodeStrict, utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { type ExpectedFound, formatCount, formatCountOf, LineageError } from '../result.js';
import { verifyNoteSignature } from './signature-types.js';
import type { NoteVerifierKey } from './vkey.js';
import { isValidKeyName } from './vkey.js';

/**
 * c2sp.org/signed-note: a text ending in "\n", a blank line, then one or more
 * lines "— <name> <base64(key ID ‖ signature)>\n".
 */
export interface NoteSignatureLine {
  name: string;
  keyId: Uint8Array;
  keyIdHex: string;
  /** Signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
  /** The base64 field exactly as written (identical lines are de-duplicated on it). */
  base64: string;
  /** 1-based line number in the whole note. */
  line: number;
}

export interface SignedNote {
  /** The signed text, including its final newline, excluding the blank separator line. */
  text: string;
  /** The exact bytes that were signed. */
  textBytes: Uint8Array;
  signatures: NoteSignatureLine[];
}

/** x/mod's limit; C2SP requires accepting at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

const EM_DASH_PREFIX = '\u2014 ';

/** Index of the first ASCII control character other than "\n", or -1. */
function firstControlChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
  }
  return -1;
}

function malformed(message: string, path?: string): LineageError {
  return new LineageError('note.malformed', message, path);
}

/**
 * Parses a signed note with every rule of the spec: valid UTF-8, no control
 * characters but "\n", split at the LAST blank line, every signature line
 * well-formed (valid key name, strict base64 of at least 5 bytes), at most 100
 * signature lines. Throws LineageError('note.malformed') otherwise.
 */
export function parseSignedNote(input: string | Uint8Array): SignedNote {
  let bytes: Uint8Array;
  let whole: string;
  if (typeof input === 'string') {
    if (/\p{Cs}/u.test(input)) throw malformed('note contains a lone UTF-16 surrogate (not valid UTF-8)');
    whole = input;
    bytes = utf8Encode(input);
  } else {
    bytes = input;
    try {
      whole = utf8DecodeStrict(input);
    } catch {
      throw malformed('note is not valid UTF-8');
    }
  }
  const ctl = firstControlChar(whole);
  if (ctl >= 0) {
    const lineNo = whole.slice(0, ctl).split('\n').length;
    const hex = whole.charCodeAt(ctl).toString(16).padStart(4, '0').toUpperCase();
    throw malformed(`control character U+${hex} on line ${lineNo}`);
  }
  // Split at the last "\n\n" (bytes 0x0A 0x0A never occur inside a multi-byte UTF-8 sequence).
  let split = -1;
  for (let i = bytes.length - 2; i >= 0; i--) {
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) {
      split = i;
      break;
    }
  }
  if (split < 0) throw malformed('no blank line separates the text from the signatures');
  const textBytes = bytes.subarray(0, split + 1);
  const text = utf8DecodeStrict(textBytes);
  const sigBlock = utf8DecodeStrict(bytes.subarray(split + 2));
  if (sigBlock.length === 0) throw malformed('no signature lines after the blank line');
  if (!sigBlock.endsWith('\n')) throw malformed('the last signature line does not end with a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw malformed(
      `note has ${formatCount(lines.length)} signature lines; at most ${MAX_NOTE_SIGNATURES} are accepted`,
    );
  }
  const firstSigLine = text.split('\n').length + 1;
  const signatures = lines.map((line, i) => parseSignatureLine(line, firstSigLine + i));
  return { text, textBytes, signatures };
}

function parseSignatureLine(line: string, lineNo: number): NoteSignatureLine {
  const at = `line ${lineNo}`;
  if (!line.startsWith(EM_DASH_PREFIX)) throw malformed('signature line does not start with "— "', at);
  const rest = line.slice(EM_DASH_PREFIX.length);
  const sp = rest.indexOf(' ');
  if (sp < 0) throw malformed('signature line has no space between key name and signature', at);
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  if (!isValidKeyName(name)) throw malformed(`key name "${name}" is empty or contains whitespace or '+'`, at);
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64, undefined, at);
  } catch (e) {
    throw malformed(`signature is not standard base64 (${(e as LineageError).message})`, at);
  }
  if (raw.length < 5)
    throw malformed(`signature decodes to ${raw.length} bytes; at least 5 are required`, at);
  const keyId = raw.slice(0, 4);
  return { name, keyId, keyIdHex: toHex(keyId), signature: raw.slice(4), base64: b64, line: lineNo };
}

export interface VerifiedNoteSignature {
  key: NoteVerifierKey;
  line: NoteSignatureLine;
  /**
   * The signed timestamp carried by the signature, when its type has one:
   * cosignature/v1 (0x04) in POSIX seconds, RFC 6962 (0x05) in milliseconds.
   */
  timestamp?: bigint;
}

export type NoteVerification =
  | { ok: true; note: SignedNote; verified: VerifiedNoteSignature[]; unverified: NoteSignatureLine[] }
  | ({ ok: false; code: string; message: string } & ExpectedFound);

/** Map key for the (name, key ID) pair that identifies a signer. */
function signerId(name: string, keyIdHex: string): string {
  return `${name}\n${keyIdHex}`;
}

/**
 * Builds the (name, key ID) → key lookup. The same key configured twice is
 * de-duplicated (our policy; x/mod calls it ambiguous). Two DIFFERENT keys with
 * the same name and key ID cannot be told apart from a signature line, so that
 * configuration is rejected.
 */
export function indexNoteKeys(
  keys: readonly NoteVerifierKey[],
): { ok: true; keys: Map<string, NoteVerifierKey> } | { ok: false; code: string; message: string } {
  const map = new Map<string, NoteVerifierKey>();
  for (const k of keys) {
    const id = signerId(k.name, k.keyIdHex);
    const prev = map.get(id);
    if (prev && prev.vkey !== k.vkey) {
      return {
        ok: false,
        code: 'note.ambiguous-key',
        message: `two different trusted keys share the name ${k.name} and key ID ${k.keyIdHex}`,
      };
    }
    map.set(id, k);
  }
  return { ok: true, keys: map };
}

/**
 * Opens a parsed note against a trust set (c2sp.org/signed-note §Signatures):
 * lines from unknown (name, key ID) pairs are ignored (reported as unverified,
 * identical lines once); every line from a known key must verify or the whole
 * note is rejected; a key counts once however many lines it has; at least one
 * known key must verify.
 */
export async function verifySignedNote(
  note: SignedNote,
  keys: readonly NoteVerifierKey[],
): Promise<NoteVerification> {
  const index = indexNoteKeys(keys);
  if (!index.ok) return index;
  const verified: VerifiedNoteSignature[] = [];
  const verifiedKeys = new Set<string>();
  const unverified: NoteSignatureLine[] = [];
  const seenLines = new Set<string>();
  for (const sig of note.signatures) {
    const lineId = `${sig.name} ${sig.base64}`;
    if (seenLines.has(lineId)) continue;
    seenLines.add(lineId);
    const id = signerId(sig.name, sig.keyIdHex);
    const key = index.keys.get(id);
    if (!key) {
      unverified.push(sig);
      continue;
    }
    const r = await verifyNoteSignature(key, note, sig);
    if (!r.ok) {
      return {
        ok: false,
        code: 'note.bad-signature',
        message: `line ${sig.line}: signature by trusted key ${key.name}+${key.keyIdHex} (${key.type}) does not verify: ${r.reason}`,
        // The note text was changed after signing (or the line forged): the key is right, the signature is not.
        expected: `a signature by ${key.name}+${key.keyIdHex} over this note text`,
        found: `signature line ${sig.line}, which does not verify over it`,
      };
    }
    if (verifiedKeys.has(id)) continue;
    verifiedKeys.add(id);
    const v: VerifiedNoteSignature = { key, line: sig };
    if (r.timestamp !== undefined) v.timestamp = r.timestamp;
    verified.push(v);
  }
  if (verified.length === 0) {
    const names = [...new Set(note.signatures.map((s) => `${s.name}+${s.keyIdHex}`))].join(', ');
    return {
      ok: false,
      code: 'note.no-verified-signature',
      message: `none of the ${formatCountOf(note.signatures.length, 'signature line')} (${names}) is from a trusted key (${keys.length} configured)`,
    };
  }
  return { ok: true, note, verified, unverified };
}

/** Parses then verifies; malformed input becomes a failed result instead of a throw. */
export async function openSignedNote(
  input: string | Uint8Array,
  keys: readonly NoteVerifierKey[],
): Promise<NoteVerification> {
  let note: SignedNote;
  try {
    note = parseSignedNote(input);
  } catch (e) {
    if (e instanceof LineageError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  return verifySignedNote(note, keys);
}
