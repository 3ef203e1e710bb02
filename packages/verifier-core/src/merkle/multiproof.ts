import { bytesEqual } from '../encoding/bytes.js';
import { type CheckResult, fail, formatCount, LineageError, OK } from '../result.js';
import { type Size, splitPoint, toSize } from './bits.js';
import { asCheck, hashForMessage, requireHash, requireProofHashes, treeOf } from './guard.js';
import { nodeHash } from './hash.js';

/**
 * Multiproofs: one de-duplicated set of hashes proving k leaves of one tree.
 *
 * Walk the RFC 6962 tree from the root, splitting [lo, hi) at the largest power
 * of two below hi - lo exactly as MTH does. At each node, visit the left child
 * first, then the right child. A child that contains none of the proven leaves
 * contributes its hash to the proof (and is not entered); a child that contains
 * some is entered; a single leaf is given by the caller. The proof is the list of
 * contributed hashes in the order this walk meets them, which is the order a
 * left-to-right, depth-first recomputation of the root consumes them. Every hash
 * in it is needed and none can be derived from the others, so the set is minimal.
 * docs/spec/02-merkle.md has a worked example.
 */

/** A node of the tree as its leaf range [lo, hi). */
export interface LeafRange {
  lo: bigint;
  hi: bigint;
}

/**
 * Calls `contribute(lo, hi)` for each node whose hash is in the multiproof for
 * `indices` (strictly ascending, all < size), in proof order. Nothing is hashed.
 */
function walkMultiproof(
  indices: readonly bigint[],
  size: bigint,
  contribute: (lo: bigint, hi: bigint) => void,
): void {
  if (indices.length === 0 || size === 0n) return;
  const walk = (lo: bigint, hi: bigint, a: number, b: number): void => {
    if (hi - lo === 1n) return;
    const mid = lo + splitPoint(hi - lo);
    const c = firstAtOrAfter(indices, mid, a, b);
    if (c === a) contribute(lo, mid);
    else walk(lo, mid, a, c);
    if (c === b) contribute(mid, hi);
    else walk(mid, hi, c, b);
  };
  walk(0n, size, 0, indices.length);
}

/**
 * The ranges whose hashes make up the multiproof for `indices` (strictly
 * ascending, all < size), in proof order: what a producer hashes.
 */
export function multiproofRanges(indices: readonly bigint[], size: bigint): LeafRange[] {
  const out: LeafRange[] = [];
  walkMultiproof(indices, size, (lo, hi) => out.push({ lo, hi }));
  return out;
}

function countMultiproof(indices: readonly bigint[], size: bigint): number {
  let n = 0;
  walkMultiproof(indices, size, () => n++);
  return n;
}

/** First position in indices[a, b) whose value is >= x (binary search; indices ascend). */
function firstAtOrAfter(indices: readonly bigint[], x: bigint, a: number, b: number): number {
  let lo = a;
  let hi = b;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (indices[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Expected number of hashes in the multiproof for these leaf indices. */
export function multiproofLength(indices: readonly Size[], treeSize: Size): number {
  const size = toSize(treeSize, 'treeSize');
  return countMultiproof(checkIndices(indices, size), size);
}

/** Strictly ascending, below size, at least one. Returns them as bigints. */
function checkIndices(indices: readonly Size[], size: bigint): bigint[] {
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new LineageError(
      'merkle.multiproof.no_leaves',
      'a multiproof must prove at least one leaf; found none',
    );
  }
  const out: bigint[] = new Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const idx = toSize(indices[i]!, `leaves[${i}].index`);
    if (i > 0 && idx <= out[i - 1]!) {
      throw new LineageError(
        'merkle.multiproof.index_order',
        `leaves[${i}].index ${formatCount(idx)} ${idx === out[i - 1] ? 'repeats' : 'is below'} leaves[${i - 1}].index ${formatCount(out[i - 1]!)}; indices must be strictly ascending without duplicates`,
      );
    }
    out[i] = idx;
  }
  const last = out[out.length - 1]!;
  if (last >= size) {
    throw new LineageError(
      'merkle.multiproof.index_out_of_range',
      size === 0n
        ? `leaves[${out.length - 1}].index ${formatCount(last)} cannot be in a tree of 0: an empty tree has no leaves`
        : `leaves[${out.length - 1}].index ${formatCount(last)} is outside ${treeOf(size)} (valid indices 0..${formatCount(size - 1n)})`,
      undefined,
      { expected: `indices below ${formatCount(size)}`, found: formatCount(last) },
    );
  }
  return out;
}

export interface MultiproofInput {
  /** The proven leaves, by strictly ascending index. */
  leaves: readonly { index: Size; leafHash: Uint8Array }[];
  treeSize: Size;
  proof: readonly Uint8Array[];
}

export interface MultiproofCheckInput extends MultiproofInput {
  root: Uint8Array;
}

function planMultiproof(p: MultiproofInput): { indices: bigint[]; size: bigint } {
  const size = toSize(p.treeSize, 'treeSize');
  if (!Array.isArray(p.leaves))
    throw new LineageError('merkle.multiproof.no_leaves', 'leaves must be an array');
  const indices = checkIndices(
    p.leaves.map((l) => l?.index),
    size,
  );
  for (let i = 0; i < p.leaves.length; i++)
    requireHash(p.leaves[i]?.leafHash, 'merkle.leaf_hash_length', `leaves[${i}].leafHash`);
  requireProofHashes(p.proof, 'merkle.proof_hash_length');
  const want = countMultiproof(indices, size);
  if (p.proof.length !== want) {
    throw new LineageError(
      'merkle.multiproof.proof_length',
      `multiproof has ${formatCount(p.proof.length)} hashes; ${formatCount(indices.length)} leaves of ${treeOf(size)} (indices ${describeIndices(indices)}) need ${formatCount(want)}`,
      undefined,
      { expected: `${formatCount(want)} hashes`, found: formatCount(p.proof.length) },
    );
  }
  return { indices, size };
}

function describeIndices(indices: readonly bigint[]): string {
  const shown = indices.slice(0, 5).map(formatCount).join(', ');
  return indices.length > 5 ? `${shown}, … ${formatCount(indices[indices.length - 1]!)}` : shown;
}

/** The root a multiproof implies. Throws LineageError (merkle.multiproof.*) on bad shape. */
export function rootFromMultiproof(p: MultiproofInput): Uint8Array {
  return chainMultiproof(p, planMultiproof(p));
}

function chainMultiproof(p: MultiproofInput, plan: { indices: bigint[]; size: bigint }): Uint8Array {
  const { indices, size } = plan;
  let cursor = 0;
  // Same walk as multiproofRanges; proof hashes are consumed in the order it emits them.
  const compute = (lo: bigint, hi: bigint, a: number, b: number): Uint8Array => {
    if (hi - lo === 1n) return p.leaves[a]!.leafHash;
    const mid = lo + splitPoint(hi - lo);
    const c = firstAtOrAfter(indices, mid, a, b);
    const left = c === a ? p.proof[cursor++]! : compute(lo, mid, a, c);
    const right = c === b ? p.proof[cursor++]! : compute(mid, hi, c, b);
    return nodeHash(left, right);
  };
  return compute(0n, size, 0, indices.length);
}

export function verifyMultiproof(p: MultiproofCheckInput): CheckResult {
  return asCheck(() => {
    const plan = planMultiproof(p);
    requireHash(p.root, 'merkle.root_length', 'root');
    const calc = chainMultiproof(p, plan);
    if (!bytesEqual(calc, p.root)) {
      return fail(
        'merkle.multiproof.root_mismatch',
        `multiproof for ${formatCount(p.leaves.length)} leaves of ${treeOf(plan.size)} leads to root ${hashForMessage(calc)}; expected ${hashForMessage(p.root)}`,
        {
          expected: `root ${hashForMessage(p.root)}`,
          found: `root ${hashForMessage(calc)}, recomputed from the leaves and the proof`,
        },
      );
    }
    return OK;
  });
}
