import { bytesEqual } from '../encoding/bytes.js';
import { type CheckResult, fail, formatCount, LineageError, OK } from '../result.js';
import { type Size, toSize, trailingZeros } from './bits.js';
import { chainBorderRight, chainInner, chainInnerRight } from './chain.js';
import { asCheck, hashForMessage, requireHash, requireProofHashes, treeOf } from './guard.js';
import { emptyRoot } from './hash.js';
import { decompInclProof } from './inclusion.js';

/**
 * Consistency proofs (RFC 6962 §2.1.2, verified as in RFC 9162 §2.1.4.2),
 * structured like transparency-dev/merkle proof/verify.go RootFromConsistencyProof.
 */

export interface ConsistencyCheckInput {
  size1: Size;
  size2: Size;
  root1: Uint8Array;
  root2: Uint8Array;
  proof: readonly Uint8Array[];
}

interface ConsistencyPlan {
  size1: bigint;
  size2: bigint;
  /** size1 === size2: nothing to hash, the roots must simply be equal. */
  same: boolean;
  /** Whether proof[0] is the seed (the root of the subtree ending at size1) or root1 is. */
  seedFromProof: boolean;
  inner: number;
  shift: number;
}

function planConsistency(p: ConsistencyCheckInput): ConsistencyPlan {
  const size1 = toSize(p.size1, 'size1');
  const size2 = toSize(p.size2, 'size2');
  if (size1 > size2) {
    throw new LineageError(
      'merkle.consistency.size_order',
      `size1 ${formatCount(size1)} is larger than size2 ${formatCount(size2)}; a log only grows`,
      undefined,
      { expected: `an older tree no larger than ${formatCount(size2)}`, found: formatCount(size1) },
    );
  }
  if (size1 === 0n) {
    throw new LineageError(
      'merkle.consistency.from_empty',
      `size1 is 0: a consistency proof from the empty tree proves nothing (use verifyConsistencyAllowEmpty for the C2SP tlog-witness rule)`,
    );
  }
  requireProofHashes(p.proof, 'merkle.proof_hash_length');
  if (size1 === size2) {
    if (p.proof.length !== 0) {
      throw new LineageError(
        'merkle.consistency.proof_length',
        `proof has ${formatCount(p.proof.length)} hashes; equal sizes (${formatCount(size1)}) need 0`,
        undefined,
        { expected: '0 hashes', found: formatCount(p.proof.length) },
      );
    }
    return { size1, size2, same: true, seedFromProof: false, inner: 0, shift: 0 };
  }
  // The old tree's last leaf is size1-1; its path to the new root splits like an
  // inclusion proof. The lowest `shift` levels lie inside the perfect subtree that
  // ends at size1, whose root is either proof[0] or (if it is the whole old tree) root1.
  const decomp = decompInclProof(size1 - 1n, size2);
  const shift = trailingZeros(size1);
  const inner = decomp.inner - shift; // shift < decomp.inner whenever size1 < size2
  const seedFromProof = size1 !== 1n << BigInt(shift);
  const want = (seedFromProof ? 1 : 0) + inner + decomp.border;
  if (p.proof.length !== want) {
    throw new LineageError(
      'merkle.consistency.proof_length',
      `proof has ${formatCount(p.proof.length)} hashes; consistency from ${treeOf(size1)} to ${formatCount(size2)} needs ${want}`,
      undefined,
      { expected: `${formatCount(want)} hashes`, found: formatCount(p.proof.length) },
    );
  }
  return { size1, size2, same: false, seedFromProof, inner, shift };
}

/** Recomputes both roots; the caller compares them. */
function chainConsistency(
  p: ConsistencyCheckInput,
  plan: ConsistencyPlan,
): { hash1: Uint8Array; hash2: Uint8Array } {
  if (plan.same) return { hash1: p.root1, hash2: p.root1 };
  const seed = plan.seedFromProof ? p.proof[0]! : p.root1;
  const rest = plan.seedFromProof ? p.proof.slice(1) : p.proof;
  // Now rest is a suffix of the inclusion proof for leaf size1-1 in the tree of
  // size2, starting at level `shift`.
  const mask = (plan.size1 - 1n) >> BigInt(plan.shift);
  const innerPart = rest.slice(0, plan.inner);
  const borderPart = rest.slice(plan.inner);
  const hash1 = chainBorderRight(chainInnerRight(seed, innerPart, mask), borderPart);
  const hash2 = chainBorderRight(chainInner(seed, innerPart, mask), borderPart);
  return { hash1, hash2 };
}

/**
 * The new root a consistency proof implies, after checking it against root1.
 * Throws LineageError (merkle.consistency.*) when the proof cannot apply.
 */
export function rootFromConsistencyProof(p: Omit<ConsistencyCheckInput, 'root2'>): Uint8Array {
  const plan = planConsistency({ ...p, root2: p.root1 });
  requireHash(p.root1, 'merkle.root_length', 'root1');
  const { hash1, hash2 } = chainConsistency({ ...p, root2: p.root1 }, plan);
  if (!bytesEqual(hash1, p.root1))
    throw new LineageError('merkle.consistency.root1_mismatch', root1Message(plan, hash1, p.root1));
  return hash2;
}

function root1Message(plan: ConsistencyPlan, calc: Uint8Array, root1: Uint8Array): string {
  return `proof from ${treeOf(plan.size1)} to ${formatCount(plan.size2)} leads to old root ${hashForMessage(calc)}; expected root1 ${hashForMessage(root1)}`;
}

/**
 * transparency-dev/merkle semantics: requires 0 < size1 <= size2; equal sizes need
 * an empty proof and equal roots. Both roots must be 32 bytes (checked up front).
 */
export function verifyConsistency(p: ConsistencyCheckInput): CheckResult {
  return asCheck(() => {
    const plan = planConsistency(p);
    requireHash(p.root1, 'merkle.root_length', 'root1');
    requireHash(p.root2, 'merkle.root_length', 'root2');
    if (plan.same) {
      if (!bytesEqual(p.root1, p.root2)) {
        return fail(
          'merkle.consistency.root2_mismatch',
          `both sizes are ${formatCount(plan.size1)} but root1 ${hashForMessage(p.root1)} differs from root2 ${hashForMessage(p.root2)}`,
          {
            expected: `root ${hashForMessage(p.root1)} (the same size, the same tree)`,
            found: `root ${hashForMessage(p.root2)}`,
          },
        );
      }
      return OK;
    }
    const { hash1, hash2 } = chainConsistency(p, plan);
    if (!bytesEqual(hash1, p.root1))
      return fail('merkle.consistency.root1_mismatch', root1Message(plan, hash1, p.root1), {
        expected: `root ${hashForMessage(p.root1)} of the older tree (${formatCount(plan.size1)} leaves)`,
        found: `root ${hashForMessage(hash1)}, recomputed from the proof`,
      });
    if (!bytesEqual(hash2, p.root2)) {
      return fail(
        'merkle.consistency.root2_mismatch',
        `proof from ${treeOf(plan.size1)} to ${formatCount(plan.size2)} leads to new root ${hashForMessage(hash2)}; expected root2 ${hashForMessage(p.root2)}`,
        {
          expected: `root ${hashForMessage(p.root2)} of the newer tree (${formatCount(plan.size2)} leaves)`,
          found: `root ${hashForMessage(hash2)}, recomputed from the proof`,
        },
      );
    }
    return OK;
  });
}

/**
 * The C2SP tlog-witness rule: the empty tree is consistent with every tree, and
 * the proof from size 0 MUST be empty. root1 must then be the empty-tree root
 * (SHA-256 of ""), since that is the only root a size-0 tree has. Any size1 > 0
 * is checked exactly as verifyConsistency does.
 */
export function verifyConsistencyAllowEmpty(p: ConsistencyCheckInput): CheckResult {
  return asCheck(() => {
    const size1 = toSize(p.size1, 'size1');
    if (size1 !== 0n) return verifyConsistency(p);
    const size2 = toSize(p.size2, 'size2');
    requireProofHashes(p.proof, 'merkle.proof_hash_length');
    if (p.proof.length !== 0) {
      throw new LineageError(
        'merkle.consistency.proof_length',
        `proof has ${formatCount(p.proof.length)} hashes; consistency from the empty tree to ${formatCount(size2)} needs 0`,
      );
    }
    requireHash(p.root1, 'merkle.root_length', 'root1');
    requireHash(p.root2, 'merkle.root_length', 'root2');
    const empty = emptyRoot();
    if (!bytesEqual(p.root1, empty)) {
      return fail(
        'merkle.consistency.root1_mismatch',
        `size1 is 0, so root1 must be the empty-tree root ${hashForMessage(empty)}; found ${hashForMessage(p.root1)}`,
      );
    }
    if (size2 === 0n && !bytesEqual(p.root2, empty)) {
      return fail(
        'merkle.consistency.root2_mismatch',
        `size2 is 0, so root2 must be the empty-tree root ${hashForMessage(empty)}; found ${hashForMessage(p.root2)}`,
      );
    }
    return OK;
  });
}
