import { bytesEqual } from '../encoding/bytes.js';
import { type CheckResult, fail, formatCount, LineageError, OK } from '../result.js';
import { bitAt, bitLength, popCount, type Size, toSize, trailingZeros } from './bits.js';
import { chainBorderRight } from './chain.js';
import { asCheck, hashForMessage, requireHash, requireProofHashes } from './guard.js';
import { emptyRoot, nodeHash } from './hash.js';
import { decompInclProof, rootFromInclusionProof } from './inclusion.js';

/**
 * Subtrees [start, end) of a log (draft-ietf-plants-merkle-tree-certs; the
 * transparency-dev/merkle VerifySubtreeInclusion / VerifySubtreeConsistency).
 * A proof about a subtree covers a contiguous range of leaves with one hash.
 */

/**
 * [start, end) is a subtree iff start <= end and start is 0, or start == end, or
 * start is a multiple of bit_ceil(end - start): then one node of some tree holds
 * exactly these leaves, plus possibly later ones to its right.
 */
export function isValidSubtree(start: Size, end: Size): boolean {
  const s = toSize(start, 'start');
  const e = toSize(end, 'end');
  return subtreeProblem(s, e) === undefined;
}

function subtreeProblem(start: bigint, end: bigint): string | undefined {
  if (start > end) return `start ${formatCount(start)} is after end ${formatCount(end)}`;
  if (start === 0n || start === end) return undefined;
  const len = end - start;
  if (len > 1n << 63n)
    return `start ${formatCount(start)} must be 0 for a subtree of ${formatCount(len)} leaves`;
  const ceil = len <= 1n ? 1n : 1n << BigInt(bitLength(len - 1n));
  if ((start & (ceil - 1n)) !== 0n) {
    return `start ${formatCount(start)} is not a multiple of ${formatCount(ceil)}, the power of two covering its ${formatCount(len)} leaves`;
  }
  return undefined;
}

function requireSubtree(start: bigint, end: bigint): void {
  const problem = subtreeProblem(start, end);
  if (problem)
    throw new LineageError('merkle.subtree.invalid_range', `[${start}, ${end}) is not a subtree: ${problem}`);
}

export interface SubtreeInclusionCheckInput {
  leafHash: Uint8Array;
  index: Size;
  start: Size;
  end: Size;
  proof: readonly Uint8Array[];
  /** Hash of the subtree [start, end). */
  root: Uint8Array;
}

/** Inclusion of leaf `index` in the subtree [start, end): an ordinary proof for index-start in a tree of end-start. */
export function verifySubtreeInclusion(p: SubtreeInclusionCheckInput): CheckResult {
  return asCheck(() => {
    const index = toSize(p.index, 'index');
    const start = toSize(p.start, 'start');
    const end = toSize(p.end, 'end');
    requireSubtree(start, end);
    if (index < start || index >= end) {
      throw new LineageError(
        'merkle.subtree.index_out_of_range',
        `index ${formatCount(index)} is outside the subtree [${formatCount(start)}, ${formatCount(end)})`,
      );
    }
    requireHash(p.root, 'merkle.root_length', 'subtree root');
    const calc = rootFromInclusionProof({
      leafHash: p.leafHash,
      index: index - start,
      treeSize: end - start,
      proof: p.proof,
    });
    if (!bytesEqual(calc, p.root)) {
      return fail(
        'merkle.subtree.root_mismatch',
        `proof for index ${formatCount(index)} in subtree [${formatCount(start)}, ${formatCount(end)}) leads to ${hashForMessage(calc)}; expected ${hashForMessage(p.root)}`,
      );
    }
    return OK;
  });
}

export interface SubtreeConsistencyCheckInput {
  start: Size;
  end: Size;
  /** Size of the whole tree. */
  size: Size;
  /** Hash of the subtree [start, end). */
  root1: Uint8Array;
  /** Root of the tree of `size` leaves. */
  root2: Uint8Array;
  proof: readonly Uint8Array[];
}

function proofLengthError(got: number, want: number, start: bigint, end: bigint, size: bigint): LineageError {
  return new LineageError(
    'merkle.subtree.proof_length',
    `proof has ${formatCount(got)} hashes; subtree [${formatCount(start)}, ${formatCount(end)}) of a tree of ${formatCount(size)} needs ${want}`,
  );
}

/**
 * Proves the subtree [start, end) with hash root1 sits at those positions in the
 * tree of `size` leaves with root root2. With start = 0 this is ordinary
 * consistency from end to size. An empty subtree (start == end <= size) is
 * trivially contained: it needs an empty proof and root1 = the empty-tree root,
 * and root2 is not used (upstream semantics).
 */
export function verifySubtreeConsistency(p: SubtreeConsistencyCheckInput): CheckResult {
  return asCheck(() => {
    const start = toSize(p.start, 'start');
    const end = toSize(p.end, 'end');
    const size = toSize(p.size, 'size');
    requireSubtree(start, end);
    if (end > size) {
      throw new LineageError(
        'merkle.subtree.size_order',
        `subtree [${formatCount(start)}, ${formatCount(end)}) ends after the tree of ${formatCount(size)}`,
      );
    }
    requireProofHashes(p.proof, 'merkle.proof_hash_length');
    requireHash(p.root1, 'merkle.root_length', 'root1');
    requireHash(p.root2, 'merkle.root_length', 'root2');
    if (start === end) {
      if (p.proof.length !== 0) throw proofLengthError(p.proof.length, 0, start, end, size);
      if (!bytesEqual(p.root1, emptyRoot())) {
        return fail(
          'merkle.subtree.root1_mismatch',
          `subtree [${formatCount(start)}, ${formatCount(end)}) is empty, so root1 must be the empty-tree root; found ${hashForMessage(p.root1)}`,
        );
      }
      return OK;
    }
    let calc: Uint8Array;
    if (start === 0n && end === size) {
      if (p.proof.length !== 0) throw proofLengthError(p.proof.length, 0, start, end, size);
      calc = p.root1;
    } else {
      calc = rootFromSubtreeConsistency(start, end, size, p.proof, p.root1);
    }
    if (!bytesEqual(calc, p.root2)) {
      return fail(
        'merkle.subtree.root2_mismatch',
        `proof for subtree [${formatCount(start)}, ${formatCount(end)}) leads to a root ${hashForMessage(calc)} for the tree of ${formatCount(size)}; expected root2 ${hashForMessage(p.root2)}`,
      );
    }
    return OK;
  });
}

/** Requires a valid non-empty subtree with end <= size and not (start = 0 and end = size). */
function rootFromSubtreeConsistency(
  start: bigint,
  end: bigint,
  size: bigint,
  proof: readonly Uint8Array[],
  subRoot: Uint8Array,
): Uint8Array {
  // Height of the subtree's root node: where the paths of its first and last leaf meet.
  const height = bitLength((end - 1n) ^ start);
  if (end === size) {
    // The subtree's node lies on the right border: one left sibling per level
    // where its ancestor is a right child.
    const want = popCount(start >> BigInt(height));
    if (proof.length !== want) throw proofLengthError(proof.length, want, start, end, size);
    return chainBorderRight(subRoot, proof);
  }
  // Where the paths to end-1 and size-1 diverge; below it the subtree may have
  // grown (the later leaves of its node were added after end).
  const forkLevel = bitLength((end - 1n) ^ (size - 1n));
  // Height of the rightmost perfect subtree inside [start, end): the proof starts there.
  const shift = trailingZeros(end - start);
  // That perfect subtree's root is proof[0], unless it is the whole subtree.
  const seedFromProof = end - start !== 1n << BigInt(shift);
  const pStart = seedFromProof ? 1 : 0;
  const want = pStart + (forkLevel - shift) + popCount((end - 1n) >> BigInt(forkLevel));
  if (proof.length !== want) throw proofLengthError(proof.length, want, start, end, size);
  // Levels shift..height-1 rebuild the subtree's node twice: as it was at size
  // `end` (left siblings only) and as it is now (right siblings below forkLevel
  // too). Count what they consume first, so every length is checked before hashing.
  let consumed = 0;
  for (let lvl = shift; lvl < height; lvl++) if (bitAt(end - 1n, lvl) || lvl < forkLevel) consumed++;
  // The rest is an inclusion proof of the grown node, seen as a leaf on level `height`.
  const sIndex = start >> BigInt(height);
  const sSize = ((size - 1n) >> BigInt(height)) + 1n;
  const incl = decompInclProof(sIndex, sSize);
  if (proof.length !== pStart + consumed + incl.inner + incl.border) {
    throw proofLengthError(proof.length, pStart + consumed + incl.inner + incl.border, start, end, size);
  }

  let subtreeRoot = seedFromProof ? proof[0]! : subRoot;
  let grown = subtreeRoot;
  let i = pStart;
  for (let lvl = shift; lvl < height; lvl++) {
    if (bitAt(end - 1n, lvl)) {
      subtreeRoot = nodeHash(proof[i]!, subtreeRoot);
      grown = nodeHash(proof[i]!, grown);
      i++;
    } else if (lvl < forkLevel) {
      grown = nodeHash(grown, proof[i]!);
      i++;
    }
  }
  if (!bytesEqual(subtreeRoot, subRoot)) {
    throw new LineageError(
      'merkle.subtree.root1_mismatch',
      `proof rebuilds subtree [${formatCount(start)}, ${formatCount(end)}) as ${hashForMessage(subtreeRoot)}; expected root1 ${hashForMessage(subRoot)}`,
    );
  }
  return rootFromInclusionProof({ leafHash: grown, index: sIndex, treeSize: sSize, proof: proof.slice(i) });
}
