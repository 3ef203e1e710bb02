import { parseUint64, truncateForMessage } from '../encoding/decimal.js';
import { type ExpectedFound, expectedFoundOf, LineageError } from '../result.js';
import { type CheckpointResult, type VerifiedCheckpoint, verifyCheckpoint } from './checkpoint.js';
import type { NoteVerifierKey } from './vkey.js';

/**
 * The Lineage STH is a C2SP checkpoint (docs/spec/03-checkpoints.md):
 *
 *   <log id>\n<size>\n<base64 root>\ntimestamp <unix ms>\n
 *
 * signed by the log's Ed25519 (0x01) key whose name is the log id, optionally
 * cosigned by cosignature/v1 witnesses.
 */
export const LINEAGE_STH_TIMESTAMP_PREFIX = 'timestamp ';

/** Largest instant a JS Date can hold (8.64e15 ms, year 275760); also exact as a JS number. */
const MAX_TIMESTAMP_MS = 8_640_000_000_000_000n;

export interface LineageSth {
  logId: string;
  treeSize: bigint;
  rootHash: Uint8Array;
  /** Milliseconds since the Unix epoch, as signed by the log. */
  timestampMs: number;
  /** The same instant as RFC 3339 UTC, for display. */
  timestamp: string;
}

export interface LineageSthPolicy {
  /** The log id (= checkpoint origin = log key name) the caller expects. */
  logId: string;
  logKeys: readonly NoteVerifierKey[];
  witnesses?: readonly NoteVerifierKey[];
  witnessThreshold?: number;
  nowSeconds?: bigint;
}

export type LineageSthResult =
  | ({ ok: true; sth: LineageSth } & VerifiedCheckpoint)
  | ({ ok: false; code: string; message: string } & ExpectedFound);

/** Parses the single `timestamp <unix ms>` extension line of a Lineage STH. */
export function parseLineageSthTimestamp(extensionLines: readonly string[]): number {
  if (extensionLines.length !== 1) {
    throw new LineageError(
      'sth.timestamp',
      `a Lineage STH has exactly one extension line ("timestamp <unix ms>"), found ${extensionLines.length}`,
      'line 4',
    );
  }
  const line = extensionLines[0]!;
  if (!line.startsWith(LINEAGE_STH_TIMESTAMP_PREFIX)) {
    throw new LineageError(
      'sth.timestamp',
      `line 4 must be "timestamp <unix ms>", found "${line}"`,
      'line 4',
    );
  }
  const digits = line.slice(LINEAGE_STH_TIMESTAMP_PREFIX.length);
  let ms: bigint;
  try {
    ms = parseUint64(digits, 'line 4');
  } catch {
    throw new LineageError(
      'sth.timestamp',
      `timestamp "${truncateForMessage(digits)}" is not canonical decimal milliseconds since the Unix epoch`,
      'line 4',
    );
  }
  if (ms > MAX_TIMESTAMP_MS) {
    throw new LineageError(
      'sth.timestamp',
      `timestamp ${ms} ms is beyond the largest representable instant (8.64e15 ms)`,
      'line 4',
    );
  }
  return Number(ms);
}

/**
 * Verifies a Lineage STH: a checkpoint whose origin is the expected log id, whose
 * log signature is Ed25519 (0x01) by a key NAMED the log id, with exactly one
 * `timestamp` extension line. Witness policy as in verifyCheckpoint.
 */
export async function verifyLineageSth(
  noteText: string | Uint8Array,
  policy: LineageSthPolicy,
): Promise<LineageSthResult> {
  const wrongKey = policy.logKeys.find((k) => k.type !== 'ed25519' || k.name !== policy.logId);
  if (wrongKey) {
    return {
      ok: false,
      code: 'sth.log-key',
      message: `Lineage log keys are Ed25519 (0x01) named after the log id "${policy.logId}"; got ${wrongKey.type} key "${wrongKey.name}"`,
    };
  }
  const checkpointPolicy: Parameters<typeof verifyCheckpoint>[1] = {
    logKeys: policy.logKeys,
    origin: policy.logId,
  };
  if (policy.witnesses) checkpointPolicy.witnesses = policy.witnesses;
  if (policy.witnessThreshold !== undefined) checkpointPolicy.witnessThreshold = policy.witnessThreshold;
  if (policy.nowSeconds !== undefined) checkpointPolicy.nowSeconds = policy.nowSeconds;
  const r: CheckpointResult = await verifyCheckpoint(noteText, checkpointPolicy);
  if (!r.ok) return { ok: false, code: r.code, message: r.message, ...expectedFoundOf(r) };
  let timestampMs: number;
  try {
    timestampMs = parseLineageSthTimestamp(r.checkpoint.extensionLines);
  } catch (e) {
    if (e instanceof LineageError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  const sth: LineageSth = {
    logId: r.checkpoint.origin,
    treeSize: r.checkpoint.size,
    rootHash: r.checkpoint.rootHash,
    timestampMs,
    timestamp: new Date(timestampMs).toISOString(),
  };
  return { ...r, sth };
}
