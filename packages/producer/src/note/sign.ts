import {
  concatBytes,
  cosignatureV1Message,
  formatCheckpointBody,
  LineageError,
  parseSignedNote,
  toBase64,
  utf8Encode,
} from '@lineage/verifier-core';
import { signBytes } from '../identity/keys.js';
import type { NoteSigner } from './signer.js';

/** POSIX seconds, for cosignature/v1 (a cosigner's clock is its own business, so it is passed in). */
export type CosignTime = bigint;

function signatureLine(signer: NoteSigner, textBytes: Uint8Array, timestamp?: CosignTime): string {
  let sig: Uint8Array;
  if (signer.type === 'ed25519') {
    sig = signBytes(signer.key, textBytes);
  } else {
    if (timestamp === undefined)
      throw new LineageError('note.sign', `cosigner ${signer.name} needs a timestamp`);
    if (timestamp < 0n || timestamp > (1n << 63n) - 1n) {
      throw new LineageError('note.sign', `cosignature timestamp ${timestamp} is outside 0..2^63-1`);
    }
    const ts = new Uint8Array(8);
    new DataView(ts.buffer).setBigUint64(0, timestamp);
    sig = concatBytes(ts, signBytes(signer.key, cosignatureV1Message(timestamp, textBytes)));
  }
  return `\u2014 ${signer.name} ${toBase64(concatBytes(signer.keyId, sig))}\n`;
}

/**
 * Signs `text` (which must end in "\n") with each signer, producing a
 * c2sp.org/signed-note. The result is parsed back with the verifier's parser, so
 * we never emit a note our own verifier would call malformed.
 */
export function signNote(text: string, signers: readonly NoteSigner[], timestamp?: CosignTime): string {
  if (!text.endsWith('\n')) throw new LineageError('note.sign', 'note text must end with a newline');
  if (signers.length === 0) throw new LineageError('note.sign', 'at least one signer is required');
  const bytes = utf8Encode(text);
  const note = `${text}\n${signers.map((s) => signatureLine(s, bytes, timestamp)).join('')}`;
  const back = parseSignedNote(note);
  if (back.text !== text) {
    throw new LineageError(
      'note.sign',
      'text contains a blank line at its end, which would move the signature split',
    );
  }
  return note;
}

/** Appends signatures (e.g. witness cosignatures) to an existing signed note. */
export function addNoteSignatures(
  noteText: string,
  signers: readonly NoteSigner[],
  timestamp?: CosignTime,
): string {
  const note = parseSignedNote(noteText);
  const lines = signers.map((s) => signatureLine(s, note.textBytes, timestamp)).join('');
  return `${noteText}${lines}`;
}

export interface CheckpointFields {
  origin: string;
  size: bigint | number;
  rootHash: Uint8Array;
  extensionLines?: readonly string[];
}

/** Signs a c2sp.org/tlog-checkpoint with the log's key (and any further signers). */
export function signCheckpoint(
  fields: CheckpointFields,
  logSigner: NoteSigner,
  ...others: NoteSigner[]
): string {
  const body: Parameters<typeof formatCheckpointBody>[0] = {
    origin: fields.origin,
    size: BigInt(fields.size),
    rootHash: fields.rootHash,
  };
  if (fields.extensionLines) body.extensionLines = fields.extensionLines;
  return signNote(formatCheckpointBody(body), [logSigner, ...others]);
}

/**
 * Adds a cosignature/v1 line from a witness. (A real witness first checks a
 * consistency proof from the last checkpoint it cosigned; this is only the signature.)
 */
export function cosignCheckpoint(
  noteText: string,
  witness: NoteSigner,
  timestampSeconds: CosignTime,
): string {
  if (witness.type !== 'cosignature-v1') {
    throw new LineageError('note.sign', `witness ${witness.name} must be a cosignature/v1 (0x04) signer`);
  }
  return addNoteSignatures(noteText, [witness], timestampSeconds);
}

export interface LineageSthFields {
  logId: string;
  treeSize: bigint | number;
  rootHash: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  timestampMs: number;
}

/**
 * A Lineage STH (docs/spec/03-checkpoints.md): the checkpoint
 * `<log id>\n<size>\n<root>\ntimestamp <unix ms>\n` signed by the log's Ed25519
 * key, whose name must be the log id.
 */
export function makeLineageSth(fields: LineageSthFields, logSigner: NoteSigner): string {
  if (logSigner.type !== 'ed25519' || logSigner.name !== fields.logId) {
    throw new LineageError(
      'sth.log-key',
      `the log key must be an Ed25519 (0x01) key named "${fields.logId}", not ${logSigner.type} "${logSigner.name}"`,
    );
  }
  if (!Number.isSafeInteger(fields.timestampMs) || fields.timestampMs < 0 || fields.timestampMs > 8.64e15) {
    throw new LineageError('sth.timestamp', `timestamp ${fields.timestampMs} ms is not a valid instant`);
  }
  return signCheckpoint(
    {
      origin: fields.logId,
      size: fields.treeSize,
      rootHash: fields.rootHash,
      extensionLines: [`timestamp ${fields.timestampMs}`],
    },
    logSigner,
  );
}
