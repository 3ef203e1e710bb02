import { type ExpectedFound, expectedFoundOf, formatCountOf, LineageError } from '../result.js';
import { type CheckpointBody, parseCheckpointBody } from './checkpoint-body.js';
import {
  type NoteSignatureLine,
  parseSignedNote,
  type SignedNote,
  type VerifiedNoteSignature,
  verifySignedNote,
} from './signed-note.js';
import { type NoteVerifierKey, notePublicKeyIdentity } from './vkey.js';

export interface CheckpointPolicy {
  /** The log's own keys: a signature by one of them is required. */
  logKeys: readonly NoteVerifierKey[];
  /** Witness (cosigner) keys; signatures from them count toward the quorum. */
  witnesses?: readonly NoteVerifierKey[];
  /** How many distinct witnesses must have cosigned. Default: all configured witnesses. */
  witnessThreshold?: number;
  /** When set, the checkpoint's origin line must equal it exactly. */
  origin?: string;
  /**
   * POSIX seconds "now". When set, a cosignature timestamped more than
   * `maxClockSkewSeconds` (default 600) after it does not count toward the quorum.
   */
  nowSeconds?: bigint;
  maxClockSkewSeconds?: bigint;
}

export interface RejectedWitness {
  signer: VerifiedNoteSignature;
  reason: string;
}

export interface VerifiedCheckpoint {
  checkpoint: CheckpointBody;
  note: SignedNote;
  /** The log's verified signature. */
  logSigner: VerifiedNoteSignature;
  /** Witness signatures that verified and count toward the quorum, one per distinct key. */
  witnessSigners: VerifiedNoteSignature[];
  /** Cosignature timestamps (POSIX seconds) by witness key name, for cosignature/v1 witnesses. */
  cosignatureTimestamps: Record<string, bigint>;
  /**
   * Witness signatures that verified but do not count: a future timestamp, a public key
   * already counted, or a log key's public key.
   */
  rejectedWitnesses: RejectedWitness[];
  /** Signature lines from keys outside the policy, ignored. */
  unverified: NoteSignatureLine[];
}

export type CheckpointResult =
  | ({ ok: true } & VerifiedCheckpoint)
  | ({ ok: false; code: string; message: string; checkpoint?: CheckpointBody } & ExpectedFound);

function failure(
  code: string,
  message: string,
  checkpoint?: CheckpointBody,
  values: ExpectedFound = {},
): CheckpointResult {
  const r: CheckpointResult = checkpoint
    ? { ok: false, code, message, checkpoint }
    : { ok: false, code, message };
  return { ...r, ...expectedFoundOf(values) };
}

/**
 * Verifies a C2SP checkpoint (c2sp.org/tlog-checkpoint) under a log + witness
 * policy: strict note and body parsing; every signature from a configured key
 * must verify (one bad one rejects the note); the log's own key must be among
 * the verified signers (a quorum of witnesses never substitutes for it); at least
 * `witnessThreshold` distinct witness keys must have cosigned.
 */
export async function verifyCheckpoint(
  noteText: string | Uint8Array,
  policy: CheckpointPolicy,
): Promise<CheckpointResult> {
  const witnesses = policy.witnesses ?? [];
  const threshold = policy.witnessThreshold ?? witnesses.length;
  if (!Number.isSafeInteger(threshold) || threshold < 0) {
    return failure(
      'checkpoint.witness-policy',
      `witness threshold ${threshold} is not a non-negative integer`,
    );
  }
  if (threshold > witnesses.length) {
    return failure(
      'checkpoint.witness-policy',
      `witness threshold ${threshold} can never be met: only ${formatCountOf(witnesses.length, 'witness key')} ${witnesses.length === 1 ? 'is' : 'are'} configured`,
    );
  }
  let note: SignedNote;
  let body: CheckpointBody;
  try {
    note = parseSignedNote(noteText);
    body = parseCheckpointBody(note.text);
  } catch (e) {
    if (e instanceof LineageError) return failure(e.code, e.message);
    throw e;
  }
  if (policy.origin !== undefined && body.origin !== policy.origin) {
    return failure('checkpoint.origin', `origin is "${body.origin}", expected "${policy.origin}"`, body, {
      expected: `origin "${policy.origin}"`,
      found: `"${body.origin}"`,
    });
  }
  // A cosignature/v1 statement is a witness's ("the largest tree I have seen at time
  // T"), not the log's: accepting a witness key as the log key is the misconfiguration
  // that lets a quorum of witnesses stand in for the log.
  const witnessAsLog = policy.logKeys.find((k) => k.type === 'cosignature-v1');
  if (witnessAsLog) {
    return failure(
      'checkpoint.log-key',
      `${witnessAsLog.name}+${witnessAsLog.keyIdHex} is a cosignature/v1 (0x04) witness key; it cannot be the log key`,
      body,
    );
  }
  const logVkeys = new Set(policy.logKeys.map((k) => k.vkey));
  if (logVkeys.size === 0) {
    return failure(
      'checkpoint.log-signature',
      "no log key is configured; the log's own signature is required",
      body,
    );
  }
  const opened = await verifySignedNote(note, [...policy.logKeys, ...witnesses]);
  // Which log key was required and which keys signed: the two sides of a wrong-log checkpoint.
  const names = policy.logKeys.map((k) => `${k.name}+${k.keyIdHex}`).join(', ');
  const signers = [...new Set(note.signatures.map((s) => `${s.name}+${s.keyIdHex}`))].join(', ');
  const logSignature = {
    expected: `a signature by the pinned log key ${names}`,
    found: `${note.signatures.length === 1 ? 'a signature' : 'signatures'} by ${signers}`,
  };
  if (!opened.ok) {
    if (opened.code === 'note.no-verified-signature')
      return failure('checkpoint.log-signature', opened.message, body, logSignature);
    return failure(opened.code, opened.message, body, opened);
  }
  const logSigner = opened.verified.find((v) => logVkeys.has(v.key.vkey));
  if (!logSigner) {
    return failure(
      'checkpoint.log-signature',
      `log signature not among verified signatures: no line from ${names} (${formatCountOf(opened.verified.length, 'other trusted signature')} verified)`,
      body,
      logSignature,
    );
  }
  const witnessVkeys = new Set(witnesses.map((k) => k.vkey));
  // Keys are compared as public keys (notePublicKeyIdentity), never as vkey strings or raw
  // bytes: one key can be written under several names, under 0x01 and 0x04, and (P-256) with
  // its point compressed or not — each spelling a different vkey and key ID, one key.
  const logKeyOf = new Map(policy.logKeys.map((k) => [notePublicKeyIdentity(k), k] as const));
  const witnessSigners: VerifiedNoteSignature[] = [];
  const rejectedWitnesses: RejectedWitness[] = [];
  // No prototype: a witness key may be named "__proto__".
  const cosignatureTimestamps = Object.create(null) as Record<string, bigint>;
  // Distinct by public key: cosignature/v1 does not commit to the name, so one key
  // under two names is one witness.
  const countedKeys = new Map<string, VerifiedNoteSignature>();
  const skew = policy.maxClockSkewSeconds ?? 600n;
  for (const v of opened.verified) {
    if (!witnessVkeys.has(v.key.vkey)) continue;
    const identity = notePublicKeyIdentity(v.key);
    // The log vouching for its own checkpoint is not a witness, under any name or type.
    const asLog = logKeyOf.get(identity);
    if (asLog) {
      rejectedWitnesses.push({
        signer: v,
        reason: `same public key as the log key ${asLog.name}+${asLog.keyIdHex}: the log cannot witness its own checkpoint`,
      });
      continue;
    }
    const counted = countedKeys.get(identity);
    if (counted) {
      rejectedWitnesses.push({
        signer: v,
        reason: `same public key as the witness ${counted.key.name}+${counted.key.keyIdHex}, already counted`,
      });
      continue;
    }
    if (v.timestamp !== undefined && v.key.type === 'cosignature-v1') {
      if (policy.nowSeconds !== undefined && v.timestamp > policy.nowSeconds + skew) {
        rejectedWitnesses.push({
          signer: v,
          reason: `cosignature time ${v.timestamp} is ${v.timestamp - policy.nowSeconds} s in the future`,
        });
        continue;
      }
      cosignatureTimestamps[v.key.name] = v.timestamp;
    }
    countedKeys.set(identity, v);
    witnessSigners.push(v);
  }
  if (witnessSigners.length < threshold) {
    return failure(
      'checkpoint.witness-quorum',
      `${witnessSigners.length} of ${witnesses.length} configured witnesses cosigned; ${threshold} required${rejectedWitnesses.length > 0 ? ` (not counted: ${rejectedWitnesses.map((x) => `${x.signer.key.name}+${x.signer.key.keyIdHex}, ${x.reason}`).join('; ')})` : ''}`,
      body,
      {
        expected: `cosignatures by ${threshold} of the ${formatCountOf(witnesses.length, 'configured witness', 'configured witnesses')}`,
        found: formatCountOf(witnessSigners.length, 'counted cosignature'),
      },
    );
  }
  return {
    ok: true,
    checkpoint: body,
    note,
    logSigner,
    witnessSigners,
    cosignatureTimestamps,
    rejectedWitnesses,
    unverified: opened.unverified,
  };
}
