import { formatCount, LineageError } from '../result.js';
import { requireHash } from './guard.js';
import { emptyRoot, HASH_SIZE, leafHash as hashLeaf, nodeHash } from './hash.js';
import { multiproofRanges } from './multiproof.js';

/**
 * The producing side: an append-only RFC 6962 tree that answers roots, inclusion,
 * consistency and multiproofs for its current size or any earlier one (so a log
 * can prove consistency between two tree heads it published).
 *
 * Storage: level L holds the hashes of the perfect subtrees of 2^L leaves that are
 * complete, i.e. floor(size / 2^L) nodes, packed into one growable buffer per
 * level (32 bytes each). Nodes never change once written, which is why any past
 * tree is available: every node an older tree needs is a perfect subtree of it,
 * stored here, or a hash combined from those on demand (at most log2(n) hashes).
 */

class Level {
  buf = new Uint8Array(HASH_SIZE * 16);
  count = 0;

  push(h: Uint8Array): void {
    const off = this.count * HASH_SIZE;
    if (off + HASH_SIZE > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf.set(h, off);
    this.count++;
  }

  /** A view into storage: callers inside this module only, never handed out. */
  at(i: number): Uint8Array {
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }
}

export class MerkleTree {
  readonly #levels: Level[] = [new Level()];
  #size = 0;

  constructor(leafHashes?: Iterable<Uint8Array>) {
    if (leafHashes) for (const h of leafHashes) this.append(h);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a leaf by its hash (SHA-256(0x00‖entry)); returns its index. */
  append(leafHash: Uint8Array): number {
    requireHash(leafHash, 'merkle.leaf_hash_length', `leaf hash for index ${formatCount(this.#size)}`);
    const index = this.#size;
    this.#levels[0]!.push(leafHash);
    // Leaf `index` completes one perfect subtree per trailing 1 bit of index.
    let level = 0;
    for (let count = index + 1; count % 2 === 0; count /= 2) {
      const lv = this.#levels[level]!;
      const parent = nodeHash(lv.at(lv.count - 2), lv.at(lv.count - 1));
      if (this.#levels.length === level + 1) this.#levels.push(new Level());
      this.#levels[level + 1]!.push(parent);
      level++;
    }
    this.#size = index + 1;
    return index;
  }

  /** Appends a raw entry, hashing it as an RFC 6962 leaf; returns its index. */
  appendEntry(entry: Uint8Array): number {
    return this.append(hashLeaf(entry));
  }

  leafHash(index: number): Uint8Array {
    this.#checkIndex(index, this.#size);
    return this.#levels[0]!.at(index).slice();
  }

  /** MTH of the first `size` leaves (default: all). */
  root(size: number = this.#size): Uint8Array {
    this.#checkSize(size, 'size');
    return size === 0 ? emptyRoot() : this.#rangeHash(0, size);
  }

  /** RFC 6962 §2.1.1 PATH(index, D[size]), lowest level first. */
  inclusionProof(index: number, size: number = this.#size): Uint8Array[] {
    this.#checkSize(size, 'size');
    this.#checkIndex(index, size);
    const proof: Uint8Array[] = [];
    let lo = 0;
    let hi = size;
    while (hi - lo > 1) {
      const mid = lo + splitPoint(hi - lo);
      if (index < mid) {
        proof.push(this.#rangeHash(mid, hi));
        hi = mid;
      } else {
        proof.push(this.#rangeHash(lo, mid));
        lo = mid;
      }
    }
    return proof.reverse();
  }

  /**
   * RFC 6962 §2.1.2 PROOF(size1, D[size2]). Empty when size1 = size2, and empty
   * when size1 = 0 (the C2SP tlog-witness rule; transparency-dev verifiers reject
   * size1 = 0 whatever the proof).
   */
  consistencyProof(size1: number, size2: number = this.#size): Uint8Array[] {
    this.#checkSize(size2, 'size2');
    if (!Number.isSafeInteger(size1) || size1 < 0 || size1 > size2) {
      throw new LineageError(
        'merkle.tree.size',
        `size1 ${size1} must be an integer in 0..${formatCount(size2)} (size2)`,
      );
    }
    const proof: Uint8Array[] = [];
    if (size1 === 0 || size1 === size2) return proof;
    // SUBPROOF(m, D[lo:hi], b) with m = size1 - lo, unrolled; siblings are
    // collected top-down and reversed at the end.
    let lo = 0;
    let hi = size2;
    let complete = true; // the RFC's b: whether [lo, hi) is a subtree of the old tree too
    while (size1 !== hi) {
      const mid = lo + splitPoint(hi - lo);
      if (size1 <= mid) {
        proof.push(this.#rangeHash(mid, hi));
        hi = mid;
      } else {
        proof.push(this.#rangeHash(lo, mid));
        lo = mid;
        complete = false;
      }
    }
    if (!complete) proof.push(this.#rangeHash(lo, hi));
    return proof.reverse();
  }

  /** Multiproof for leaves at strictly ascending `indices` (node order: docs/spec/02-merkle.md). */
  multiproof(indices: readonly number[], size: number = this.#size): Uint8Array[] {
    this.#checkSize(size, 'size');
    if (indices.length === 0) {
      throw new LineageError(
        'merkle.multiproof.no_leaves',
        'a multiproof must prove at least one leaf; found none',
      );
    }
    indices.forEach((idx, i) => {
      this.#checkIndex(idx, size);
      if (i > 0 && idx <= indices[i - 1]!) {
        throw new LineageError(
          'merkle.multiproof.index_order',
          `indices[${i}] ${formatCount(idx)} is not above indices[${i - 1}] ${formatCount(indices[i - 1]!)}; indices must be strictly ascending without duplicates`,
        );
      }
    });
    return multiproofRanges(indices.map(BigInt), BigInt(size)).map((r) =>
      this.#rangeHash(Number(r.lo), Number(r.hi)),
    );
  }

  /**
   * MTH(D[lo:hi]) for a range that is a node of some RFC 6962 tree (lo is a
   * multiple of a power of two >= hi - lo). Decomposes it into stored perfect
   * subtrees, largest first, and folds them right to left.
   */
  #rangeHash(lo: number, hi: number): Uint8Array {
    const parts: Uint8Array[] = [];
    let at = lo;
    while (at < hi) {
      let level = 0;
      while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= hi) level++;
      parts.push(this.#levels[level]!.at(at / 2 ** level));
      at += 2 ** level;
    }
    // A single stored node is a view into storage: hand out a copy.
    if (parts.length === 1) return parts[0]!.slice();
    let acc = parts.pop()!;
    while (parts.length > 0) acc = nodeHash(parts.pop()!, acc);
    return acc;
  }

  #checkSize(size: number, field: string): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.#size) {
      throw new LineageError(
        'merkle.tree.size',
        `${field} ${size} must be an integer in 0..${formatCount(this.#size)} (the tree's size)`,
      );
    }
  }

  #checkIndex(index: number, size: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new LineageError(
        'merkle.tree.index_out_of_range',
        size === 0
          ? `index ${index} cannot be in a tree of 0: an empty tree has no leaves`
          : `index ${index} is outside a tree of ${formatCount(size)} (valid indices 0..${formatCount(size - 1)})`,
      );
    }
  }
}

/** Largest power of two strictly below n (n >= 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
