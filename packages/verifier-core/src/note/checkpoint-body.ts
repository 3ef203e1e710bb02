import { sha256 } from '../crypto/current.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { bytesEqual } from '../encoding/bytes.js';
import { truncateForMessage, UINT64_MAX } from '../encoding/decimal.js';
import { formatCountOf, LineageError } from '../result.js';

/** A parsed c2sp.org/tlog-checkpoint note text (for a SHA-256 log). */
export interface CheckpointBody {
  origin: string;
  size: bigint;
  /** 32-byte RFC 6962 root hash. */
  rootHash: Uint8Array;
  /** Lines after the root hash, in order, without their newlines. */
  extensionLines: string[];
  /** The body text exactly as parsed. */
  text: string;
}

/**
 * Strict checkpoint body parser. Check order follows the lines, so the first
 * problem in the text is the one reported. Codes:
 * checkpoint.newline, checkpoint.lines, checkpoint.origin, checkpoint.size,
 * checkpoint.size-range, checkpoint.root-encoding, checkpoint.root-length,
 * checkpoint.extension, checkpoint.empty-tree.
 */
export function parseCheckpointBody(text: string): CheckpointBody {
  if (!text.endsWith('\n'))
    throw new LineageError('checkpoint.newline', 'checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) {
    throw new LineageError(
      'checkpoint.lines',
      `checkpoint has ${formatCountOf(lines.length, 'line')}; origin, size and root hash (3 lines) are required`,
    );
  }
  const [origin, sizeLine, rootLine] = lines as [string, string, string];
  if (origin.length === 0) throw new LineageError('checkpoint.origin', 'origin (line 1) is empty', 'line 1');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) {
    throw new LineageError(
      'checkpoint.size',
      `tree size "${truncateForMessage(sizeLine)}" is not a canonical decimal (digits only, no sign, spaces or leading zeros)`,
      'line 2',
    );
  }
  const size = BigInt(sizeLine);
  if (size > UINT64_MAX) {
    throw new LineageError(
      'checkpoint.size-range',
      `tree size ${truncateForMessage(sizeLine)} exceeds 2^64-1`,
      'line 2',
    );
  }
  // A 32-byte root is always 44 characters ending in one '='; report a wrong size
  // as such even when the string is also non-canonical base64.
  const shaped = /^[A-Za-z0-9+/]*={0,2}$/.test(rootLine) && rootLine.length % 4 === 0;
  const declared = shaped
    ? (rootLine.length / 4) * 3 - (rootLine.length - rootLine.replace(/=+$/, '').length)
    : -1;
  if (shaped && declared !== 32) {
    throw new LineageError(
      'checkpoint.root-length',
      `root hash must be 32 bytes, found ${declared}`,
      'line 3',
    );
  }
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(rootLine, undefined, 'line 3');
  } catch (e) {
    throw new LineageError(
      'checkpoint.root-encoding',
      `root hash is not standard padded base64: ${(e as Error).message}`,
      'line 3',
    );
  }
  if (rootHash.length !== 32) {
    throw new LineageError(
      'checkpoint.root-length',
      `root hash must be 32 bytes, found ${rootHash.length}`,
      'line 3',
    );
  }
  const extensionLines = lines.slice(3);
  const empty = extensionLines.indexOf('');
  if (empty >= 0) {
    throw new LineageError(
      'checkpoint.extension',
      `extension line ${empty + 4} is empty`,
      `line ${empty + 4}`,
    );
  }
  // C2SP tlog-witness: the empty tree has exactly one root, SHA-256("").
  if (size === 0n && !bytesEqual(rootHash, sha256(new Uint8Array(0)))) {
    throw new LineageError(
      'checkpoint.empty-tree',
      'a size-0 checkpoint must carry the empty-tree root SHA-256("") = 47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
      'line 3',
    );
  }
  return { origin, size, rootHash, extensionLines, text };
}

/**
 * Serialises a checkpoint body and parses it back, so a producer can never emit
 * a body our own parser would reject (empty origin, a newline in a field…).
 */
export function formatCheckpointBody(body: {
  origin: string;
  size: bigint;
  rootHash: Uint8Array;
  extensionLines?: readonly string[];
}): string {
  const ext = (body.extensionLines ?? []).map((l) => `${l}\n`).join('');
  const text = `${body.origin}\n${body.size}\n${toBase64(body.rootHash)}\n${ext}`;
  const back = parseCheckpointBody(text);
  if (back.origin !== body.origin || back.extensionLines.length !== (body.extensionLines ?? []).length) {
    throw new LineageError('checkpoint.format', 'origin and extension lines must not contain newlines');
  }
  return text;
}
