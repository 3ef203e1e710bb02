import { bytesEqual } from '../encoding/bytes.js';
import { type CheckResult, fail, formatCount, LineageError, OK } from '../result.js';
import { bitLength, popCount, type Size, toSize } from './bits.js';
import { chainBorderRight, chainInner } from './chain.js';
import { asCheck, hashForMessage, requireHash, requireProofHashes, treeOf } from './guard.js';

/**
 * Inclusion proofs (RFC 6962 §2.1.1 audit paths, verified as in RFC 9162 §2.1.3.2),
 * structured like transparency-dev/merkle proof/verify.go.
 */

export interface InclusionProofInput {
  leafHash: Uint8Array;
  index: Size;
  treeSize: Size;
  /** Sibling hashes from the leaf's level upwards. */
  proof: readonly Uint8Array[];
}

export interface InclusionCheckInput extends InclusionProofInput {
  root: Uint8Array;
}

/**
 * Splits the proof for leaf `index` of a tree of `size` into its two parts. The
 * paths to `index` and to the last leaf `size-1` diverge at level `inner`: below
 * it the siblings are on either side (chainInner); above it the path runs along
 * the right border and every sibling is a left one, present only where the path
 * turns right, i.e. once per set bit of index >> inner (chainBorderRight).
 */
export function decompInclProof(index: bigint, size: bigint): { inner: number; border: number } {
  const inner = bitLength(index ^ (size - 1n));
  const border = popCount(index >> BigInt(inner));
  return { inner, border };
}

/** Expected length of an inclusion proof, for producers and messages. Requires index < size. */
export function inclusionProofLength(index: Size, treeSize: Size): number {
  const i = toSize(index, 'index');
  const n = toSize(treeSize, 'treeSize');
  checkIndex(i, n);
  const { inner, border } = decompInclProof(i, n);
  return inner + border;
}

function checkIndex(index: bigint, size: bigint): void {
  if (index >= size) {
    throw new LineageError(
      'merkle.inclusion.index_out_of_range',
      size === 0n
        ? `index ${formatCount(index)} cannot be in a tree of 0: an empty tree has no leaves`
        : `index ${formatCount(index)} is outside ${treeOf(size)} (valid indices 0..${formatCount(size - 1n)})`,
      undefined,
      { expected: `an index below ${formatCount(size)}`, found: formatCount(index) },
    );
  }
}

interface InclusionPlan {
  index: bigint;
  size: bigint;
  inner: number;
}

/** Every check that needs no hashing: index < size, 32-byte hashes, exact proof length. */
function planInclusion(p: InclusionProofInput): InclusionPlan {
  const index = toSize(p.index, 'index');
  const size = toSize(p.treeSize, 'treeSize');
  checkIndex(index, size);
  requireHash(p.leafHash, 'merkle.leaf_hash_length', 'leaf hash');
  requireProofHashes(p.proof, 'merkle.proof_hash_length');
  const { inner, border } = decompInclProof(index, size);
  if (p.proof.length !== inner + border) {
    throw new LineageError(
      'merkle.inclusion.proof_length',
      `proof has ${formatCount(p.proof.length)} hashes; ${treeOf(size)} with index ${formatCount(index)} needs ${inner + border}`,
      undefined,
      { expected: `${formatCount(inner + border)} hashes`, found: formatCount(p.proof.length) },
    );
  }
  return { index, size, inner };
}

function chainInclusion(p: InclusionProofInput, plan: InclusionPlan): Uint8Array {
  const h = chainInner(p.leafHash, p.proof.slice(0, plan.inner), plan.index);
  return chainBorderRight(h, p.proof.slice(plan.inner));
}

/**
 * The root that `proof` implies for the leaf. Throws LineageError (codes
 * merkle.inclusion.*, merkle.leaf_hash_length, merkle.proof_hash_length,
 * merkle.invalid_number) when the proof cannot be a proof for this position.
 */
export function rootFromInclusionProof(p: InclusionProofInput): Uint8Array {
  return chainInclusion(p, planInclusion(p));
}

export function verifyInclusion(p: InclusionCheckInput): CheckResult {
  return asCheck(() => {
    const plan = planInclusion(p);
    requireHash(p.root, 'merkle.root_length', 'root');
    const calc = chainInclusion(p, plan);
    if (!bytesEqual(calc, p.root)) {
      return fail(
        'merkle.inclusion.root_mismatch',
        `proof for index ${formatCount(plan.index)} in ${treeOf(plan.size)} leads to root ${hashForMessage(calc)}; expected ${hashForMessage(p.root)}`,
        {
          expected: `root ${hashForMessage(p.root)}`,
          found: `root ${hashForMessage(calc)}, recomputed from the leaf and its proof`,
        },
      );
    }
    return OK;
  });
}
