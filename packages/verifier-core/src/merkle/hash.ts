import { sha256, sha256Hex } from '../crypto/current.js';
import { utf8Encode, utf8EncodeInto } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';

/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 hashing. Domain separation (0x00 for leaves,
 * 0x01 for interior nodes) is what stops a leaf being passed off as a node.
 */

/** Size in bytes of every leaf, node and root hash (SHA-256). */
export const HASH_SIZE = 32;

const EMPTY = new Uint8Array(0);

// One reusable input buffer for the common 32‖32 case: hashing is synchronous and
// backends consume their input before returning, so reuse is safe and saves an
// allocation per node (measured in bench/merkle.bench.ts).
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

// Leaf inputs reuse a buffer too: a fresh backing store per call costs about as
// much as hashing a small entry on the node backend (bench/merkle.bench.ts). Entries
// of one size in a row (a log's fixed-size leaves) get a buffer of exactly that size;
// entries of varying size (events) are hashed as a view of one scratch buffer.
const LEAF_CACHE_MAX = 4096;
const leafScratch = new Uint8Array(LEAF_CACHE_MAX + 1);
let leafExact = new Uint8Array(1);
let lastLeafSize = -1;

export function leafHash(entry: Uint8Array): Uint8Array {
  const n = entry.length + 1;
  let buf: Uint8Array;
  if (n === leafExact.length) buf = leafExact;
  else if (n > leafScratch.length) buf = new Uint8Array(n);
  else if (n === lastLeafSize) buf = leafExact = new Uint8Array(n);
  else buf = leafScratch.subarray(0, n);
  lastLeafSize = n;
  buf[0] = 0x00;
  buf.set(entry, 1);
  return sha256(buf);
}

// A text's leaf is hashed from one scratch buffer: 0x00, then the text's UTF-8 written after it.
const TEXT_SCRATCH_MAX = 1 << 20;
let textScratch = new Uint8Array(0);

/** leafHash(UTF-8(text)) as hex, without allocating the encoded text (every event's leaf). */
export function textLeafHashHex(text: string): string {
  const max = 1 + 3 * text.length;
  if (max > TEXT_SCRATCH_MAX) return toHex(leafHash(utf8Encode(text)));
  if (textScratch.length < max) textScratch = new Uint8Array(Math.max(max, 4096));
  textScratch[0] = 0x00;
  const n = utf8EncodeInto(text, textScratch.subarray(1));
  return sha256Hex(textScratch.subarray(0, 1 + n));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return sha256(nodeInput);
  }
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** MTH({}) = SHA-256 of the empty string (RFC 6962 §2.1). */
export function emptyRoot(): Uint8Array {
  return sha256(EMPTY);
}

/**
 * MTH over leaf hashes (RFC 6962 §2.1), in one left-to-right pass with a stack of
 * perfect-subtree roots (at most log2(n) entries): after leaf i, as many merges
 * happen as (i + 1) has trailing zero bits. Folding the stack right to left at the
 * end reproduces the RFC's split at the largest power of two below n.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const n = leafHashes.length;
  if (n === 0) return emptyRoot();
  const stack: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    let h = leafHashes[i]!;
    for (let count = i + 1; count % 2 === 0; count /= 2) h = nodeHash(stack.pop()!, h);
    stack.push(h);
  }
  let acc = stack.pop()!;
  while (stack.length > 0) acc = nodeHash(stack.pop()!, acc);
  return acc;
}
