import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TESSERA_ROOTS, vectorPath } from '../../../../test/support/vectors.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { bytesEqual, utf8DecodeStrict } from '../encoding/bytes.js';
import { verifyConsistency, verifyConsistencyAllowEmpty } from './consistency.js';
import { leafHash, merkleRoot } from './hash.js';
import { verifyInclusion } from './inclusion.js';
import { verifyMultiproof } from './multiproof.js';
import { MerkleTree } from './tree.js';

// A real 15-entry log written by transparency-dev/tessera (c2sp.org/tlog-tiles).
const dir = vectorPath('tessera-log');

/** tlog-tiles entry bundle: each entry as uint16 big-endian length ‖ bytes. */
function parseEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (off + 2 > bytes.length) throw new Error(`truncated length at byte ${off}`);
    const len = (bytes[off]! << 8) | bytes[off + 1]!;
    if (off + 2 + len > bytes.length) throw new Error(`entry at byte ${off} runs past the bundle`);
    out.push(bytes.subarray(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

/** Level-0 tile: concatenated 32-byte leaf hashes. */
function parseTile(bytes: Uint8Array): Uint8Array[] {
  expect(bytes.length % 32).toBe(0);
  return Array.from({ length: bytes.length / 32 }, (_, i) => bytes.subarray(i * 32, (i + 1) * 32));
}

/** Only the body's size and root lines: the signature is the checkpoint verifier's job. */
function checkpointSizeAndRoot(n: number): { size: number; root: Uint8Array } {
  const lines = utf8DecodeStrict(readFileSync(`${dir}/checkpoint.${n}`)).split('\n');
  return { size: Number(lines[1]), root: fromBase64(lines[2]!) };
}

const entries = parseEntryBundle(readFileSync(`${dir}/tile/entries/000.p/15`));
const tileLeaves = parseTile(readFileSync(`${dir}/tile/0/000.p/15`));
const tree = new MerkleTree(tileLeaves);

describe('tessera tiled log (15 entries)', () => {
  it('has the 15 entries the README lists, and leaf hashes matching the level-0 tile', () => {
    expect(entries.map((e) => utf8DecodeStrict(e)).join(' ')).toBe(
      'one two three four five six seven eit nain ten ileven twelf threeten fourten fivten',
    );
    expect(tileLeaves).toHaveLength(15);
    for (const [i, e] of entries.entries())
      expect(bytesEqual(leafHash(e), tileLeaves[i]!), `leaf ${i}`).toBe(true);
  });

  it('every partial tile and entry bundle is a prefix of the full one', () => {
    for (let w = 1; w <= 15; w++) {
      const bundle = parseEntryBundle(readFileSync(`${dir}/tile/entries/000.p/${w}`));
      const tile = parseTile(readFileSync(`${dir}/tile/0/000.p/${w}`));
      expect(bundle).toHaveLength(w);
      expect(tile).toHaveLength(w);
      for (const [i, e] of bundle.entries()) expect(bytesEqual(e, entries[i]!)).toBe(true);
      for (const [i, t] of tile.entries()) expect(bytesEqual(t, tileLeaves[i]!)).toBe(true);
    }
  });

  it('computes the README root and the signed checkpoint root for every size 0..15', () => {
    for (let n = 0; n <= 15; n++) {
      const cp = checkpointSizeAndRoot(n);
      expect(cp.size).toBe(n);
      expect(toBase64(tree.root(n)), `size ${n}`).toBe(TESSERA_ROOTS[n]);
      expect(toBase64(merkleRoot(tileLeaves.slice(0, n)))).toBe(TESSERA_ROOTS[n]);
      expect(bytesEqual(cp.root, tree.root(n)), `checkpoint.${n}`).toBe(true);
    }
  });

  it('proves every index in every size up to 15 against the checkpoint roots', () => {
    for (let n = 1; n <= 15; n++) {
      const { root } = checkpointSizeAndRoot(n);
      for (let i = 0; i < n; i++) {
        const proof = tree.inclusionProof(i, n);
        expect(
          verifyInclusion({ leafHash: leafHash(entries[i]!), index: i, treeSize: n, proof, root }),
        ).toEqual({
          ok: true,
        });
        // The same proof must not pass for a neighbouring entry.
        const other = entries[(i + 1) % 15]!;
        expect(
          verifyInclusion({ leafHash: leafHash(other), index: i, treeSize: n, proof, root }),
        ).toMatchObject({
          ok: false,
          code: 'merkle.inclusion.root_mismatch',
        });
      }
    }
  });

  it('proves consistency between every pair of checkpoints 0 < m < n <= 15', () => {
    for (let n = 2; n <= 15; n++) {
      for (let m = 1; m < n; m++) {
        const a = checkpointSizeAndRoot(m);
        const b = checkpointSizeAndRoot(n);
        const proof = tree.consistencyProof(m, n);
        const p = { size1: m, size2: n, root1: a.root, root2: b.root, proof };
        expect(verifyConsistency(p), `${m} -> ${n}`).toEqual({ ok: true });
        expect(verifyConsistency({ ...p, root1: b.root, root2: a.root }).ok).toBe(false);
      }
    }
  });

  it('policy: from the signed size-0 checkpoint, C2SP accepts an empty proof; transparency-dev rejects', () => {
    const empty = checkpointSizeAndRoot(0);
    for (let n = 0; n <= 15; n++) {
      const to = checkpointSizeAndRoot(n);
      const p = { size1: 0, size2: n, root1: empty.root, root2: to.root, proof: tree.consistencyProof(0, n) };
      expect(p.proof).toEqual([]);
      expect(verifyConsistencyAllowEmpty(p)).toEqual({ ok: true });
      expect(verifyConsistency(p)).toMatchObject({ ok: false, code: 'merkle.consistency.from_empty' });
    }
  });

  it('proves all 15 leaves with one multiproof, and every pair with a smaller one', () => {
    const { root } = checkpointSizeAndRoot(15);
    const all = [...Array(15).keys()];
    const leaves = all.map((i) => ({ index: i, leafHash: tileLeaves[i]! }));
    expect(tree.multiproof(all)).toEqual([]);
    expect(verifyMultiproof({ leaves, treeSize: 15, proof: [], root })).toEqual({ ok: true });
    for (let a = 0; a < 15; a++) {
      for (let b = a + 1; b < 15; b++) {
        const proof = tree.multiproof([a, b]);
        const sep = tree.inclusionProof(a).length + tree.inclusionProof(b).length;
        expect(proof.length).toBeLessThanOrEqual(sep);
        expect(verifyMultiproof({ leaves: [leaves[a]!, leaves[b]!], treeSize: 15, proof, root })).toEqual({
          ok: true,
        });
      }
    }
  });
});
