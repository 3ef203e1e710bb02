import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { fromBase64 } from '../encoding/base64.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { verifyConsistency } from './consistency.js';
import { emptyRoot, leafHash, merkleRoot } from './hash.js';
import { verifyInclusion } from './inclusion.js';
import { verifyMultiproof } from './multiproof.js';
import { MerkleTree } from './tree.js';

// The classic 8-leaf RFC 6962 test tree (transparency-dev/merkle testonly/constants.go).
const ref = JSON.parse(
  readFileSync(vectorPath('transparency-dev-merkle', 'reference-tree.json'), 'utf8'),
) as {
  leafInputsHex: string[];
  leafHashesHex: string[];
  nodeHashesHexByLevel: { levels: string[][] };
  rootHashesHexBySize: { roots: string[] };
};
const inputs = ref.leafInputsHex.map((h) => fromHex(h));
const leaves = inputs.map(leafHash);
const roots = ref.rootHashesHexBySize.roots;
const tree = new MerkleTree(leaves);

describe('reference tree (8 leaves)', () => {
  it('hashes every leaf input to the published leaf hash', () => {
    expect(leaves.map(toHex)).toEqual(ref.leafHashesHex);
  });

  it('has the published root for every size 0..8, built both ways', () => {
    expect(roots).toHaveLength(9);
    expect(toHex(emptyRoot())).toBe(roots[0]);
    for (let n = 0; n <= 8; n++) {
      expect(toHex(merkleRoot(leaves.slice(0, n))), `merkleRoot size ${n}`).toBe(roots[n]);
      expect(toHex(tree.root(n)), `MerkleTree.root(${n})`).toBe(roots[n]);
      expect(toHex(new MerkleTree(leaves.slice(0, n)).root()), `tree of ${n}`).toBe(roots[n]);
    }
  });

  it('stores every published perfect-subtree hash', () => {
    const levels = ref.nodeHashesHexByLevel.levels;
    levels.forEach((nodes, level) => {
      nodes.forEach((hex, i) => {
        // A perfect subtree is the root of its own leaves.
        const span = leaves.slice(i * 2 ** level, (i + 1) * 2 ** level);
        expect(toHex(merkleRoot(span)), `level ${level} node ${i}`).toBe(hex);
      });
    });
  });

  it('round-trips an inclusion proof for every (index, size), and rejects it at every other index', () => {
    for (let n = 1; n <= 8; n++) {
      const root = fromHex(roots[n]!);
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        expect(verifyInclusion({ leafHash: leaves[i]!, index: i, treeSize: n, proof, root })).toEqual({
          ok: true,
        });
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          expect(verifyInclusion({ leafHash: leaves[i]!, index: j, treeSize: n, proof, root }).ok).toBe(
            false,
          );
        }
      }
    }
  });

  it('round-trips a consistency proof for every 0 < m <= n <= 8, and rejects it against any other root', () => {
    for (let n = 1; n <= 8; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistencyProof(m, n);
        const p = { size1: m, size2: n, root1: fromHex(roots[m]!), root2: fromHex(roots[n]!), proof };
        expect(verifyConsistency(p), `${m} -> ${n}`).toEqual({ ok: true });
        for (let k = 1; k <= 8; k++) {
          if (k !== n) expect(verifyConsistency({ ...p, root2: fromHex(roots[k]!) }).ok).toBe(false);
          if (k !== m) expect(verifyConsistency({ ...p, root1: fromHex(roots[k]!) }).ok).toBe(false);
        }
      }
    }
  });

  it('round-trips a multiproof for every non-empty subset of leaves, for every size', () => {
    for (let n = 1; n <= 8; n++) {
      const root = fromHex(roots[n]!);
      for (let mask = 1; mask < 1 << n; mask++) {
        const idx = [...Array(n).keys()].filter((i) => mask & (1 << i));
        const proof = tree.multiproof(idx, n);
        const res = verifyMultiproof({
          leaves: idx.map((i) => ({ index: i, leafHash: leaves[i]! })),
          treeSize: n,
          proof,
          root,
        });
        expect(res, `size ${n} indices ${idx}`).toEqual({ ok: true });
      }
    }
  });

  // Our producer must emit byte-for-byte the proofs in the upstream happy-path files.
  for (const c of ['0', '1', '2', '3', '4']) {
    it(`produces the proof in inclusion/${c}/happy-path.json`, () => {
      const v = JSON.parse(
        readFileSync(vectorPath('transparency-dev-merkle', 'inclusion', c, 'happy-path.json'), 'utf8'),
      );
      const proof = tree.inclusionProof(v.leafIdx, v.treeSize);
      expect(proof.map(toHex)).toEqual(((v.proof ?? []) as string[]).map((s) => toHex(fromBase64(s))));
      expect(toHex(tree.root(v.treeSize))).toBe(toHex(fromBase64(v.root)));
    });
    it(`produces the proof in consistency/${c}/happy-path.json`, () => {
      const v = JSON.parse(
        readFileSync(vectorPath('transparency-dev-merkle', 'consistency', c, 'happy-path.json'), 'utf8'),
      );
      const proof = tree.consistencyProof(v.size1, v.size2);
      expect(proof.map(toHex)).toEqual(((v.proof ?? []) as string[]).map((s) => toHex(fromBase64(s))));
      expect(toHex(tree.root(v.size1))).toBe(toHex(fromBase64(v.root1)));
      expect(toHex(tree.root(v.size2))).toBe(toHex(fromBase64(v.root2)));
    });
  }
});
