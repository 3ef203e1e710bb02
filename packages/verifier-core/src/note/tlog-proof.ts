import { fromBase64, toBase64 } from '../encoding/base64.js';
import { truncateForMessage } from '../encoding/decimal.js';
import { verifyInclusion } from '../merkle/index.js';
import { formatCount, LineageError } from '../result.js';
import { type CheckpointPolicy, type VerifiedCheckpoint, verifyCheckpoint } from './checkpoint.js';

/** c2sp.org/tlog-proof@v1: an offline-verifiable inclusion proof with its checkpoint. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/** A SHA-256 tree of at most 2^64 leaves never needs more than 64 proof hashes. */
const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  index: bigint;
  /** Opaque, unauthenticated extra data (never trust it implicitly). */
  extra?: Uint8Array;
  /** Inclusion proof, leaf sibling first. */
  proof: Uint8Array[];
  /** The checkpoint signed note, verbatim. */
  checkpointText: string;
}

/**
 * Parses the container strictly. Codes: tlog-proof.header, tlog-proof.extra,
 * tlog-proof.missing-index, tlog-proof.index, tlog-proof.hash-encoding,
 * tlog-proof.hash-length, tlog-proof.hash-count, tlog-proof.checkpoint.
 */
export function parseTlogProof(text: string): TlogProof {
  const lines = text.split('\n');
  let i = 0;
  if (lines[i++] !== TLOG_PROOF_HEADER) {
    throw new LineageError('tlog-proof.header', `first line must be "${TLOG_PROOF_HEADER}"`, 'line 1');
  }
  const out: Partial<TlogProof> & { proof: Uint8Array[] } = { proof: [] };
  if (lines[i]?.startsWith('extra ')) {
    try {
      out.extra = fromBase64(lines[i]!.slice('extra '.length), undefined, `line ${i + 1}`);
    } catch (e) {
      throw new LineageError(
        'tlog-proof.extra',
        `extra data is not standard base64: ${(e as Error).message}`,
        `line ${i + 1}`,
      );
    }
    i++;
  }
  const indexLine = lines[i];
  if (indexLine === undefined || !indexLine.startsWith('index ')) {
    throw new LineageError('tlog-proof.missing-index', `line ${i + 1} must be "index <n>"`, `line ${i + 1}`);
  }
  const idx = indexLine.slice('index '.length);
  if (!/^(0|[1-9][0-9]{0,19})$/.test(idx) || BigInt(idx) > (1n << 64n) - 1n) {
    throw new LineageError(
      'tlog-proof.index',
      `index "${truncateForMessage(idx)}" is not a canonical decimal uint64`,
      `line ${i + 1}`,
    );
  }
  out.index = BigInt(idx);
  i++;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const at = `line ${i + 1}`;
    if (out.proof.length === MAX_PROOF_HASHES) {
      throw new LineageError('tlog-proof.hash-count', `more than ${MAX_PROOF_HASHES} proof hashes`, at);
    }
    let h: Uint8Array;
    try {
      h = fromBase64(lines[i]!, undefined, at);
    } catch (e) {
      throw new LineageError(
        'tlog-proof.hash-encoding',
        `proof hash is not standard base64: ${(e as Error).message}`,
        at,
      );
    }
    if (h.length !== 32)
      throw new LineageError('tlog-proof.hash-length', `proof hash must be 32 bytes, found ${h.length}`, at);
    out.proof.push(h);
  }
  if (i >= lines.length) {
    throw new LineageError('tlog-proof.checkpoint', 'no empty line before the checkpoint', `line ${i}`);
  }
  const checkpointText = lines.slice(i + 1).join('\n');
  if (checkpointText.length === 0)
    throw new LineageError('tlog-proof.checkpoint', 'checkpoint is missing', `line ${i + 2}`);
  out.checkpointText = checkpointText;
  return out as TlogProof;
}

/** Serialises a proof container (the inverse of parseTlogProof). */
export function formatTlogProof(p: TlogProof): string {
  const extra = p.extra ? `extra ${toBase64(p.extra)}\n` : '';
  const hashes = p.proof.map((h) => `${toBase64(h)}\n`).join('');
  return `${TLOG_PROOF_HEADER}\n${extra}index ${p.index}\n${hashes}\n${p.checkpointText}`;
}

export type TlogProofResult =
  | ({ ok: true; proof: TlogProof } & VerifiedCheckpoint)
  | { ok: false; code: string; message: string };

/**
 * End-to-end: parse the container, verify its checkpoint under the policy, then
 * verify that `leafHash` is at `index` in the checkpointed tree.
 */
export async function verifyTlogProof(
  text: string,
  leafHash: Uint8Array,
  policy: CheckpointPolicy,
): Promise<TlogProofResult> {
  let proof: TlogProof;
  try {
    proof = parseTlogProof(text);
  } catch (e) {
    if (e instanceof LineageError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
  const cp = await verifyCheckpoint(proof.checkpointText, policy);
  if (!cp.ok) return { ok: false, code: cp.code, message: `checkpoint: ${cp.message}` };
  const size = cp.checkpoint.size;
  if (proof.index >= size) {
    return {
      ok: false,
      code: 'tlog-proof.index-range',
      message: `index ${formatCount(proof.index)} is not below the checkpoint's tree size ${formatCount(size)}`,
    };
  }
  const incl = verifyInclusion({
    leafHash,
    index: proof.index,
    treeSize: size,
    proof: proof.proof,
    root: cp.checkpoint.rootHash,
  });
  if (!incl.ok) return { ok: false, code: incl.code, message: incl.message };
  return { ...cp, proof };
}
