import { nodeHash } from './hash.js';

/**
 * The three chaining loops of transparency-dev/merkle proof/verify.go. `proof`
 * hashes are ordered from the lowest level to the highest.
 */

/**
 * Climbs from `seed` (the node at position `index` on its level) through the inner
 * part of a proof: at level i the proof hash is the right sibling if bit i of
 * index is 0, else the left sibling.
 */
export function chainInner(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  let h = seed;
  let bits = index; // bit i of index, shifted down one level per step
  for (let i = 0; i < proof.length; i++, bits >>= 1n) {
    h = (bits & 1n) === 1n ? nodeHash(proof[i]!, h) : nodeHash(h, proof[i]!);
  }
  return h;
}

/**
 * Like chainInner but uses only the left siblings: the result is the hash of the
 * same subtree as it was before anything to the right of the path existed
 * (the old root, in a consistency proof).
 */
export function chainInnerRight(seed: Uint8Array, proof: readonly Uint8Array[], index: bigint): Uint8Array {
  let h = seed;
  let bits = index;
  for (let i = 0; i < proof.length; i++, bits >>= 1n) {
    if ((bits & 1n) === 1n) h = nodeHash(proof[i]!, h);
  }
  return h;
}

/** Chains along the tree's right border, where every proof hash is a left sibling. */
export function chainBorderRight(seed: Uint8Array, proof: readonly Uint8Array[]): Uint8Array {
  let h = seed;
  for (const p of proof) h = nodeHash(p, h);
  return h;
}
