import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleBackend } from '../crypto/backends/noble.js';
import { getCryptoBackend, setCryptoBackend } from '../crypto/current.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { LineageError } from '../result.js';
import * as barrel from './index.js';
import {
  emptyRoot,
  inclusionProofLength,
  isValidSubtree,
  leafHash,
  MerkleTree,
  merkleRoot,
  multiproofLength,
  multiproofRanges,
  nodeHash,
  rootFromConsistencyProof,
  rootFromInclusionProof,
  rootFromMultiproof,
  textLeafHashHex,
  verifyConsistency,
  verifyConsistencyAllowEmpty,
  verifyInclusion,
  verifyMultiproof,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from './index.js';

const entries = Array.from({ length: 1000 }, (_, i) => utf8Encode(`entry ${i}`));
const leaves = entries.map(leafHash);
const tree = new MerkleTree(leaves);
const h = (n: number) => leaves[n]!;

describe('hashing', () => {
  const original = getCryptoBackend();
  afterEach(() => setCryptoBackend(original));

  it('matches SHA-256 with RFC 6962 domain separation', () => {
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash(entries[0]!)).toEqual(nobleSha256(concatBytes(Uint8Array.of(0), entries[0]!)));
    expect(nodeHash(h(0), h(1))).toEqual(nobleSha256(concatBytes(Uint8Array.of(1), h(0), h(1))));
    // Non-32-byte children take the general path and still hash 0x01‖left‖right.
    const odd = Uint8Array.of(1, 2, 3);
    expect(nodeHash(odd, h(1))).toEqual(nobleSha256(concatBytes(Uint8Array.of(1), odd, h(1))));
  });

  it('hashes leaves of every length correctly although the input buffer is cached', () => {
    // Interleave lengths so the cached buffer is hit, replaced and bypassed (> 4096).
    const lengths = [0, 64, 64, 1, 64, 4095, 4096, 5000, 64, 0, 5000, 31, 64];
    for (const [i, len] of lengths.entries()) {
      const entry = Uint8Array.from({ length: len }, (_, j) => (i * 31 + j) & 255);
      expect(leafHash(entry), `length ${len}`).toEqual(nobleSha256(concatBytes(Uint8Array.of(0), entry)));
    }
    const a = leafHash(entries[1]!);
    const copy = a.slice();
    leafHash(entries[2]!);
    expect(a).toEqual(copy);
  });

  it("hashes a text's UTF-8 as a leaf, to hex, on every backend and through its scratch buffer", () => {
    // Long then short (stale bytes must not count), non-ASCII and astral, and past the 1 MiB scratch cap.
    const texts = ['', 'a'.repeat(5000), 'b', 'é∑ — 𝄞 end', '{"a":1}', 'x'.repeat(400_000), 'y'];
    const expected = texts.map((t) => toHex(nobleSha256(concatBytes(Uint8Array.of(0), utf8Encode(t)))));
    expect(texts.map(textLeafHashHex)).toEqual(expected);
    setCryptoBackend(nobleBackend); // no sha256Hex of its own: toHex of its sha256
    expect(texts.map(textLeafHashHex)).toEqual(expected);
  });

  it('returns independent arrays although the node input buffer is reused', () => {
    const a = nodeHash(h(0), h(1));
    const copy = a.slice();
    const b = nodeHash(h(2), h(3));
    expect(a).toEqual(copy);
    expect(a).not.toEqual(b);
  });

  it('gives the same roots on the node and the portable backend', () => {
    const sizes = [0, 1, 2, 3, 7, 8, 9, 255, 1000];
    const native = sizes.map((n) => toHex(merkleRoot(leaves.slice(0, n))));
    setCryptoBackend(nobleBackend);
    expect(sizes.map((n) => toHex(merkleRoot(leaves.slice(0, n))))).toEqual(native);
    expect(toHex(new MerkleTree(leaves.slice(0, 1000)).root())).toBe(native[8]);
  });

  it('exports the agreed API from the barrel', () => {
    for (const name of [
      'leafHash',
      'nodeHash',
      'merkleRoot',
      'emptyRoot',
      'verifyInclusion',
      'rootFromInclusionProof',
      'verifyConsistency',
      'verifyConsistencyAllowEmpty',
      'verifyMultiproof',
      'verifySubtreeInclusion',
      'verifySubtreeConsistency',
      'MerkleTree',
    ]) {
      expect(typeof (barrel as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});

describe('verifyInclusion messages and codes', () => {
  const root = tree.root();
  const proof = tree.inclusionProof(17);

  it('names the numbers when the proof has the wrong length', () => {
    expect(
      verifyInclusion({ leafHash: h(17), index: 17, treeSize: 1000, proof: proof.slice(0, 7), root }),
    ).toEqual({
      ok: false,
      code: 'merkle.inclusion.proof_length',
      message: 'proof has 7 hashes; a tree of 1,000 with index 17 needs 10',
      expected: '10 hashes',
      found: '7',
    });
    expect(inclusionProofLength(17, 1000)).toBe(10);
  });

  it('rejects an index outside the tree, including every index of an empty tree', () => {
    expect(verifyInclusion({ leafHash: h(0), index: 1000, treeSize: 1000, proof, root })).toEqual({
      ok: false,
      code: 'merkle.inclusion.index_out_of_range',
      message: 'index 1,000 is outside a tree of 1,000 (valid indices 0..999)',
      expected: 'an index below 1,000',
      found: '1,000',
    });
    expect(
      verifyInclusion({ leafHash: h(0), index: 0, treeSize: 0, proof: [], root: emptyRoot() }),
    ).toMatchObject({
      ok: false,
      code: 'merkle.inclusion.index_out_of_range',
    });
  });

  it('rejects wrong-length leaf hashes, roots and proof hashes before hashing', () => {
    const base = { leafHash: h(17), index: 17, treeSize: 1000, proof, root };
    expect(verifyInclusion({ ...base, leafHash: utf8Encode('WrongLeaf') })).toEqual({
      ok: false,
      code: 'merkle.leaf_hash_length',
      message: 'leaf hash has 9 bytes; a SHA-256 hash has 32',
    });
    expect(verifyInclusion({ ...base, root: root.subarray(0, 31) })).toMatchObject({
      code: 'merkle.root_length',
    });
    const bad = proof.slice();
    bad[3] = new Uint8Array(33);
    expect(verifyInclusion({ ...base, proof: bad })).toMatchObject({
      code: 'merkle.proof_hash_length',
      message: 'proof hash [3] has 33 bytes; a SHA-256 hash has 32',
    });
  });

  it('reports a root mismatch with both hashes', () => {
    const res = verifyInclusion({ leafHash: h(18), index: 17, treeSize: 1000, proof, root });
    expect(res).toMatchObject({
      ok: false,
      code: 'merkle.inclusion.root_mismatch',
      expected: `root ${toHex(root)}`,
      found: expect.stringMatching(/^root [0-9a-f]{64}, recomputed from the leaf and its proof$/),
    });
    if (!res.ok) expect(res.message).toContain(`expected ${toHex(root)}`);
    if (!res.ok) expect(res.found).not.toContain(toHex(root));
  });

  it('turns unusable numbers into merkle.invalid_number instead of throwing', () => {
    for (const index of [-1, 1.5, Number.NaN, 2 ** 53, -1n, 1n << 64n]) {
      expect(verifyInclusion({ leafHash: h(0), index, treeSize: 1000, proof, root })).toMatchObject({
        ok: false,
        code: 'merkle.invalid_number',
      });
    }
  });

  it('returns structured failures for malformed input from untyped callers (JSON), never throws', () => {
    const junk = JSON.parse('{"proof": null, "leaves": [null], "root": "ab"}') as {
      proof: never;
      leaves: never;
      root: never;
    };
    expect(
      verifyInclusion({ leafHash: h(0), index: 0, treeSize: 1000, proof: junk.proof, root }),
    ).toMatchObject({
      code: 'merkle.proof_hash_length',
    });
    expect(
      verifyInclusion({ leafHash: h(0), index: 0, treeSize: 1000, proof, root: junk.root }),
    ).toMatchObject({
      code: 'merkle.root_length',
    });
    expect(verifyMultiproof({ leaves: junk.leaves, treeSize: 1000, proof: [], root })).toMatchObject({
      code: 'merkle.invalid_number',
    });
    expect(
      verifyConsistency({ size1: 1, size2: 2, root1: root, root2: root, proof: junk.proof }),
    ).toMatchObject({
      code: 'merkle.proof_hash_length',
    });
  });

  it('accepts number and bigint sizes alike', () => {
    expect(verifyInclusion({ leafHash: h(17), index: 17n, treeSize: 1000n, proof, root })).toEqual({
      ok: true,
    });
  });

  it('rootFromInclusionProof throws LineageError with the same codes', () => {
    expect(rootFromInclusionProof({ leafHash: h(17), index: 17, treeSize: 1000, proof })).toEqual(root);
    expect(() => rootFromInclusionProof({ leafHash: h(17), index: 17, treeSize: 999, proof: [] })).toThrow(
      LineageError,
    );
    try {
      rootFromInclusionProof({ leafHash: h(17), index: 17, treeSize: 1000, proof: [] });
    } catch (e) {
      expect((e as LineageError).code).toBe('merkle.inclusion.proof_length');
    }
  });

  it('does not bind the tree size: the size must come with its root from one tree head', () => {
    // Leaf 0's path in a tree of 3 has the same shape as in a tree of 4 (two right
    // siblings), so against the size-3 root the proof also "verifies" as size 4.
    const p = tree.inclusionProof(0, 3);
    expect(verifyInclusion({ leafHash: h(0), index: 0, treeSize: 4, proof: p, root: tree.root(3) })).toEqual({
      ok: true,
    });
    expect(verifyInclusion({ leafHash: h(0), index: 0, treeSize: 4, proof: p, root: tree.root(4) }).ok).toBe(
      false,
    );
  });
});

describe('verifyConsistency policy and messages', () => {
  const r = (n: number) => tree.root(n);

  it('verifies and reports the proof length with numbers', () => {
    const proof = tree.consistencyProof(300, 1000);
    expect(verifyConsistency({ size1: 300, size2: 1000, root1: r(300), root2: r(1000), proof })).toEqual({
      ok: true,
    });
    expect(
      verifyConsistency({ size1: 300, size2: 1000, root1: r(300), root2: r(1000), proof: proof.slice(1) }),
    ).toEqual({
      ok: false,
      code: 'merkle.consistency.proof_length',
      message: `proof has ${proof.length - 1} hashes; consistency from a tree of 300 to 1,000 needs ${proof.length}`,
      expected: `${proof.length} hashes`,
      found: `${proof.length - 1}`,
    });
    expect(rootFromConsistencyProof({ size1: 300, size2: 1000, root1: r(300), proof })).toEqual(r(1000));
  });

  it('distinguishes which root failed', () => {
    const proof = tree.consistencyProof(300, 1000);
    const base = { size1: 300, size2: 1000, root1: r(300), root2: r(1000), proof };
    expect(verifyConsistency({ ...base, root1: r(301) })).toMatchObject({
      code: 'merkle.consistency.root1_mismatch',
      expected: `root ${toHex(r(301))} of the older tree (300 leaves)`,
      found: `root ${toHex(r(300))}, recomputed from the proof`,
    });
    expect(verifyConsistency({ ...base, root2: r(999) })).toMatchObject({
      code: 'merkle.consistency.root2_mismatch',
      expected: `root ${toHex(r(999))} of the newer tree (1,000 leaves)`,
      found: `root ${toHex(r(1000))}, recomputed from the proof`,
    });
    expect(() => rootFromConsistencyProof({ ...base, root1: r(301) })).toThrow(/old root/);
  });

  it('rejects a shrinking log', () => {
    expect(verifyConsistency({ size1: 8, size2: 7, root1: r(8), root2: r(7), proof: [] })).toEqual({
      ok: false,
      code: 'merkle.consistency.size_order',
      message: 'size1 8 is larger than size2 7; a log only grows',
      expected: 'an older tree no larger than 7',
      found: '8',
    });
  });

  it('equal sizes: empty proof and equal roots only', () => {
    expect(verifyConsistency({ size1: 5, size2: 5, root1: r(5), root2: r(5), proof: [] })).toEqual({
      ok: true,
    });
    expect(verifyConsistency({ size1: 5, size2: 5, root1: r(5), root2: r(4), proof: [] })).toMatchObject({
      code: 'merkle.consistency.root2_mismatch',
    });
    expect(verifyConsistency({ size1: 5, size2: 5, root1: r(5), root2: r(5), proof: [r(1)] })).toMatchObject({
      code: 'merkle.consistency.proof_length',
    });
  });

  it('policy: size1 = 0 is rejected by verifyConsistency (transparency-dev)', () => {
    for (const size2 of [0, 1, 1000]) {
      expect(
        verifyConsistency({ size1: 0, size2, root1: emptyRoot(), root2: r(size2), proof: [] }),
      ).toMatchObject({
        ok: false,
        code: 'merkle.consistency.from_empty',
      });
    }
  });

  it('policy: verifyConsistencyAllowEmpty follows C2SP tlog-witness for size1 = 0', () => {
    const ok = { size1: 0, size2: 1000, root1: emptyRoot(), root2: r(1000), proof: [] };
    expect(verifyConsistencyAllowEmpty(ok)).toEqual({ ok: true });
    expect(verifyConsistencyAllowEmpty({ ...ok, size2: 0, root2: emptyRoot() })).toEqual({ ok: true });
    expect(verifyConsistencyAllowEmpty({ ...ok, size2: 0, root2: r(1) })).toMatchObject({
      code: 'merkle.consistency.root2_mismatch',
    });
    expect(verifyConsistencyAllowEmpty({ ...ok, proof: [r(1)] })).toMatchObject({
      code: 'merkle.consistency.proof_length',
      message: 'proof has 1 hashes; consistency from the empty tree to 1,000 needs 0',
    });
    expect(verifyConsistencyAllowEmpty({ ...ok, root1: r(1) })).toMatchObject({
      code: 'merkle.consistency.root1_mismatch',
    });
    expect(verifyConsistencyAllowEmpty({ ...ok, root2: new Uint8Array(12) })).toMatchObject({
      code: 'merkle.root_length',
    });
    // Non-zero size1 is ordinary consistency.
    const proof = tree.consistencyProof(3, 1000);
    expect(
      verifyConsistencyAllowEmpty({ size1: 3, size2: 1000, root1: r(3), root2: r(1000), proof }),
    ).toEqual({ ok: true });
    expect(
      verifyConsistencyAllowEmpty({ size1: 3, size2: 1000, root1: r(4), root2: r(1000), proof }).ok,
    ).toBe(false);
  });

  it('deviation from upstream: 12-byte "roots" are rejected even when equal sizes need no hashing', () => {
    const dontCare = utf8Encode("don't care 2");
    expect(verifyConsistency({ size1: 1, size2: 1, root1: dontCare, root2: dontCare, proof: [] })).toEqual({
      ok: false,
      code: 'merkle.root_length',
      message: 'root1 has 12 bytes; a SHA-256 hash has 32',
    });
  });
});

describe('multiproofs', () => {
  const root = tree.root();
  const leavesAt = (idx: number[]) => idx.map((i) => ({ index: i, leafHash: h(i) }));

  it('is smaller than separate proofs and verifies', () => {
    const idx = [3, 4, 5, 600, 999];
    const proof = tree.multiproof(idx);
    const separate = idx.reduce((s, i) => s + tree.inclusionProof(i).length, 0);
    expect(proof.length).toBe(multiproofLength(idx, 1000));
    expect(proof.length).toBeLessThan(separate);
    expect(verifyMultiproof({ leaves: leavesAt(idx), treeSize: 1000, proof, root })).toEqual({ ok: true });
    expect(rootFromMultiproof({ leaves: leavesAt(idx), treeSize: 1000, proof })).toEqual(root);
  });

  it('a one-leaf multiproof holds the inclusion proof hashes, ordered left to right', () => {
    // Leaf 17 of 1,000: left siblings [0,16) and [16,17), then right siblings
    // [18,20), [20,24), [24,32), [32,64), … [512,1000).
    const incl = tree.inclusionProof(17).map(toHex);
    const multi = tree.multiproof([17]).map(toHex);
    expect([...multi].sort()).toEqual([...incl].sort());
    expect(multi[0]).toBe(incl[4]); // [0,16): the level-4 sibling comes first
    expect(multi[1]).toBe(incl[0]); // [16,17): the leaf's own sibling
    expect(multi.slice(2)).toEqual(incl.slice(1, 4).concat(incl.slice(5)));
  });

  it('rejects duplicates, unsorted, out-of-range and empty leaf lists with precise messages', () => {
    const proof = tree.multiproof([3, 5]);
    expect(verifyMultiproof({ leaves: leavesAt([3, 3]), treeSize: 1000, proof, root })).toEqual({
      ok: false,
      code: 'merkle.multiproof.index_order',
      message:
        'leaves[1].index 3 repeats leaves[0].index 3; indices must be strictly ascending without duplicates',
    });
    expect(verifyMultiproof({ leaves: leavesAt([5, 3]), treeSize: 1000, proof, root })).toMatchObject({
      code: 'merkle.multiproof.index_order',
    });
    expect(verifyMultiproof({ leaves: leavesAt([3, 1000]), treeSize: 1000, proof, root })).toEqual({
      ok: false,
      code: 'merkle.multiproof.index_out_of_range',
      message: 'leaves[1].index 1,000 is outside a tree of 1,000 (valid indices 0..999)',
      expected: 'indices below 1,000',
      found: '1,000',
    });
    expect(verifyMultiproof({ leaves: [], treeSize: 1000, proof, root })).toMatchObject({
      code: 'merkle.multiproof.no_leaves',
    });
    expect(
      verifyMultiproof({ leaves: leavesAt([3, 5]), treeSize: 1000, proof: [...proof, root], root }),
    ).toEqual({
      ok: false,
      code: 'merkle.multiproof.proof_length',
      message: `multiproof has ${proof.length + 1} hashes; 2 leaves of a tree of 1,000 (indices 3, 5) need ${proof.length}`,
      expected: `${proof.length} hashes`,
      found: `${proof.length + 1}`,
    });
    expect(
      verifyMultiproof({ leaves: leavesAt([3, 5]), treeSize: 1000, proof, root: tree.root(999) }),
    ).toMatchObject({
      code: 'merkle.multiproof.root_mismatch',
      expected: `root ${toHex(tree.root(999))}`,
      found: `root ${toHex(tree.root(1000))}, recomputed from the leaves and the proof`,
    });
  });

  it('emits nodes left to right: the worked example of docs/spec/02-merkle.md', () => {
    // Tree of 7, proving leaves 1 and 4: needed are [0,1), [2,4), [5,6), [6,7).
    const ranges = multiproofRanges([1n, 4n], 7n).map((r) => [Number(r.lo), Number(r.hi)]);
    expect(ranges).toEqual([
      [0, 1],
      [2, 4],
      [5, 6],
      [6, 7],
    ]);
    const t7 = new MerkleTree(leaves.slice(0, 7));
    expect(t7.multiproof([1, 4])).toEqual([h(0), nodeHash(h(2), h(3)), h(5), h(6)]);
  });

  it('works at sizes beyond 2^53 with bigint indices', () => {
    const size = (1n << 64n) - 1n;
    const idx = [0n, 1n << 40n, size - 1n];
    const n = multiproofLength(idx, size);
    const proof = Array.from({ length: n }, (_, i) => h(i));
    const ls = idx.map((index, i) => ({ index, leafHash: h(900 + i) }));
    const r = rootFromMultiproof({ leaves: ls, treeSize: size, proof });
    expect(verifyMultiproof({ leaves: ls, treeSize: size, proof, root: r })).toEqual({ ok: true });
    expect(verifyMultiproof({ leaves: ls, treeSize: size - 1n, proof, root: r }).ok).toBe(false);
  });
});

describe('subtrees', () => {
  it('validity follows the bit_ceil rule', () => {
    expect(isValidSubtree(0, 7)).toBe(true);
    expect(isValidSubtree(4, 8)).toBe(true);
    expect(isValidSubtree(4, 7)).toBe(true);
    expect(isValidSubtree(4, 9)).toBe(false);
    expect(isValidSubtree(3, 3)).toBe(true);
    expect(isValidSubtree(3, 2)).toBe(false);
    expect(isValidSubtree(1n, (1n << 63n) + 2n)).toBe(false);
  });

  it('subtree inclusion: a leaf outside [start, end) is refused as such, whatever its proof', () => {
    const sub = new MerkleTree(leaves.slice(4, 8));
    const root = sub.root();
    const ok = { leafHash: h(4), index: 4, start: 4, end: 8, proof: sub.inclusionProof(0), root };
    expect(verifySubtreeInclusion(ok)).toEqual({ ok: true });
    for (const index of [3, 8]) {
      expect(verifySubtreeInclusion({ ...ok, leafHash: h(index), index })).toMatchObject({
        ok: false,
        code: 'merkle.subtree.index_out_of_range',
        message: `index ${index} is outside the subtree [4, 8)`,
      });
    }
  });

  it('subtree consistency: the proof must rebuild root1, and a border proof must have its exact length', () => {
    // [0, 6) of 10: the seed comes from the proof, so only the rebuilt subtree root ties it to root1.
    const grown = { start: 0, end: 6, size: 10, root1: tree.root(6), root2: tree.root(10) };
    const proof = tree.consistencyProof(6, 10);
    expect(verifySubtreeConsistency({ ...grown, proof })).toEqual({ ok: true });
    expect(verifySubtreeConsistency({ ...grown, proof, root1: tree.root(5) })).toMatchObject({
      ok: false,
      code: 'merkle.subtree.root1_mismatch',
    });
    // [4, 8) of 8 lies on the right border: one left sibling, the root of [0, 4).
    const border = { start: 4, end: 8, size: 8, root1: merkleRoot(leaves.slice(4, 8)), root2: tree.root(8) };
    expect(verifySubtreeConsistency({ ...border, proof: [tree.root(4)] })).toEqual({ ok: true });
    expect(verifySubtreeConsistency({ ...border, proof: [tree.root(4), h(0)] })).toMatchObject({
      ok: false,
      code: 'merkle.subtree.proof_length',
    });
  });

  it('subtree consistency: an empty subtree needs the empty-tree root as root1, and nothing else', () => {
    const empty = { start: 3, end: 3, size: 10, root1: emptyRoot(), root2: tree.root(10), proof: [] };
    expect(verifySubtreeConsistency(empty)).toEqual({ ok: true });
    expect(verifySubtreeConsistency({ ...empty, root1: h(3) })).toMatchObject({
      ok: false,
      code: 'merkle.subtree.root1_mismatch',
    });
    expect(verifySubtreeConsistency({ ...empty, proof: [h(0)] })).toMatchObject({
      ok: false,
      code: 'merkle.subtree.proof_length',
    });
  });
});

describe('MerkleTree', () => {
  it('keeps every past tree: roots and proofs for any earlier size', () => {
    const t = new MerkleTree();
    const roots: string[] = [toHex(t.root())];
    for (let i = 0; i < 100; i++) {
      expect(t.append(h(i))).toBe(i);
      roots.push(toHex(t.root()));
    }
    expect(t.size).toBe(100);
    for (let n = 0; n <= 100; n++) expect(toHex(t.root(n))).toBe(roots[n]);
    expect(t.leafHash(42)).toEqual(h(42));
  });

  it('hands out copies, never views of its storage', () => {
    const t = new MerkleTree(leaves.slice(0, 8));
    const r = t.root();
    t.leafHash(0).fill(0);
    t.inclusionProof(0)[0]!.fill(0);
    t.root(4).fill(0);
    expect(t.root()).toEqual(r);
    expect(t.root(4)).toEqual(merkleRoot(leaves.slice(0, 4)));
  });

  it('appendEntry hashes as an RFC 6962 leaf', () => {
    const t = new MerkleTree();
    t.appendEntry(entries[0]!);
    expect(t.root()).toEqual(h(0));
  });

  it('rejects bad sizes and indices with structured errors', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as LineageError).code;
      }
      return 'no error';
    };
    expect(codeOf(() => tree.root(1001))).toBe('merkle.tree.size');
    expect(codeOf(() => tree.inclusionProof(1000))).toBe('merkle.tree.index_out_of_range');
    expect(codeOf(() => tree.inclusionProof(5, 5))).toBe('merkle.tree.index_out_of_range');
    expect(codeOf(() => tree.consistencyProof(6, 5))).toBe('merkle.tree.size');
    expect(codeOf(() => tree.multiproof([5, 5]))).toBe('merkle.multiproof.index_order');
    expect(codeOf(() => tree.multiproof([]))).toBe('merkle.multiproof.no_leaves');
    expect(codeOf(() => new MerkleTree().append(new Uint8Array(31)))).toBe('merkle.leaf_hash_length');
    expect(tree.consistencyProof(0, 10)).toEqual([]);
    expect(tree.consistencyProof(10, 10)).toEqual([]);
  });

  it('matches merkleRoot on a large tree', () => {
    const big = Array.from({ length: 5000 }, (_, i) => fromHex(i.toString(16).padStart(64, '0')));
    const t = new MerkleTree(big);
    for (const n of [1, 2, 3, 1023, 1024, 1025, 4999, 5000])
      expect(t.root(n)).toEqual(merkleRoot(big.slice(0, n)));
  });
});
