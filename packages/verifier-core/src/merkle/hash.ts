import { sha256 } from '../crypto/current.js';

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing. Domain separation (0x00 for leaves,
 * 0x01 for interior nodes) is what stops a leaf being passed off as a node.
 */
const EMPTY = new Uint8Array(0);

export function leafHash(entry: Uint8Array): Uint8Array {
  const buf = new Uint8Array(entry.length + 1);
  buf[0] = 0x00;
  buf.set(entry, 1);
  return sha256(buf);
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

export function emptyRoot(): Uint8Array {
  return sha256(EMPTY);
}

/**
 * MTH over leaf hashes (RFC 6962 §2.1). Iterative: pairs are combined level by
 * level, and an odd last node is carried up unchanged, which yields the same tree
 * as the RFC's recursive split at the largest power of two below n.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  let level: Uint8Array[] = leafHashes.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = new Array(Math.ceil(level.length / 2));
    let j = 0;
    for (let i = 0; i + 1 < level.length; i += 2) next[j++] = nodeHash(level[i]!, level[i + 1]!);
    if (level.length % 2 === 1) next[j] = level[level.length - 1]!;
    level = next;
  }
  return level[0]!;
}
