import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, concatBytes } from '../encoding/bytes.js';
import { verifyConsistency } from './consistency.js';
import { verifyInclusion } from './inclusion.js';
import { verifyMultiproof } from './multiproof.js';
import { MerkleTree } from './tree.js';

/*
 * Property tests against an independent reference written from the RFC text:
 * MTH / PATH / PROOF exactly as the recursive definitions of RFC 6962 §2.1, and the
 * fn/sn verification loops of RFC 9162 §2.1.3.2 and §2.1.4.2, hashing with
 * @noble/hashes directly (not through hash.ts).
 */

const H = (...parts: Uint8Array[]) => nobleSha256(concatBytes(...parts));
const refLeaf = (entry: Uint8Array) => H(Uint8Array.of(0), entry);
const refNode = (l: Uint8Array, r: Uint8Array) => H(Uint8Array.of(1), l, r);

function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}
function kBig(n: bigint): bigint {
  let p = 1n;
  while (p * 2n < n) p *= 2n;
  return p;
}

function mth(d: Uint8Array[]): Uint8Array {
  if (d.length === 0) return H();
  if (d.length === 1) return d[0]!;
  const s = k(d.length);
  return refNode(mth(d.slice(0, s)), mth(d.slice(s)));
}

function path(m: number, d: Uint8Array[]): Uint8Array[] {
  if (d.length <= 1) return [];
  const s = k(d.length);
  return m < s
    ? [...path(m, d.slice(0, s)), mth(d.slice(s))]
    : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}

function subproof(m: number, d: Uint8Array[], b: boolean): Uint8Array[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const s = k(d.length);
  return m <= s
    ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))]
    : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}

/** |PATH(m, D[n])| by the same recursion, on sizes only (works up to 2^64-1). */
function pathLen(m: bigint, n: bigint): number {
  if (n <= 1n) return 0;
  const s = kBig(n);
  return 1 + (m < s ? pathLen(m, s) : pathLen(m - s, n - s));
}
function subproofLen(m: bigint, n: bigint, b: boolean): number {
  if (m === n) return b ? 0 : 1;
  const s = kBig(n);
  return 1 + (m <= s ? subproofLen(m, s, b) : subproofLen(m - s, n - s, false));
}

const lsb = (x: bigint) => (x & 1n) === 1n;

/** RFC 9162 §2.1.3.2, steps 1-5; returns the computed root or null on failure. */
function rfcInclusionRoot(
  index: bigint,
  size: bigint,
  hash: Uint8Array,
  proof: Uint8Array[],
): Uint8Array | null {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1n;
  let r = hash;
  for (const p of proof) {
    if (sn === 0n) return null;
    if (lsb(fn) || fn === sn) {
      r = refNode(p, r);
      if (!lsb(fn)) {
        while (!(lsb(fn) || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = refNode(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** RFC 9162 §2.1.4.2 for 0 < first < second; returns (fr, sr) or null on failure. */
function rfcConsistencyRoots(first: bigint, second: bigint, firstHash: Uint8Array, proof: Uint8Array[]) {
  if (proof.length === 0) return null;
  const p = (first & (first - 1n)) === 0n ? [firstHash, ...proof] : proof;
  let fn = first - 1n;
  let sn = second - 1n;
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = p[0]!;
  let sr = p[0]!;
  for (const c of p.slice(1)) {
    if (sn === 0n) return null;
    if (lsb(fn) || fn === sn) {
      fr = refNode(c, fr);
      sr = refNode(c, sr);
      if (!lsb(fn)) {
        while (!(lsb(fn) || fn === 0n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = refNode(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? { fr, sr } : null;
}

/** Distinct leaf hashes for a tree, derived from a seed. */
function leavesFor(seed: number, n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    refLeaf(Uint8Array.of(seed & 255, (seed >> 8) & 255, i & 255, i >> 8)),
  );
}

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const out = h.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const RUNS = { numRuns: 150 };

describe('MerkleTree agrees with the RFC 6962 definitions', () => {
  it('roots, audit paths and consistency proofs for every size, index and old size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, seed) => {
        const d = leavesFor(seed, n);
        const tree = new MerkleTree(d);
        for (let size = 0; size <= n; size++) {
          expect(bytesEqual(tree.root(size), mth(d.slice(0, size)))).toBe(true);
        }
        for (let i = 0; i < n; i++) expect(tree.inclusionProof(i)).toEqual(path(i, d));
        for (let m = 1; m <= n; m++) expect(tree.consistencyProof(m)).toEqual(subproof(m, d, true));
      }),
      { numRuns: 25 },
    );
  });
});

describe('inclusion proofs', () => {
  it('every valid proof verifies, and every mutation is rejected', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 255 }),
        hash32,
        (n, seed, pick, bit, extra) => {
          const d = leavesFor(seed, n + 8);
          const tree = new MerkleTree(d);
          const i = pick % n;
          const root = tree.root(n);
          const proof = tree.inclusionProof(i, n);
          const base = { leafHash: d[i]!, index: i, treeSize: n, proof, root };
          expect(verifyInclusion(base)).toEqual({ ok: true });
          expect(bytesEqual(rfcInclusionRoot(BigInt(i), BigInt(n), d[i]!, proof)!, root)).toBe(true);

          const rejected = (p: typeof base) => expect(verifyInclusion(p).ok).toBe(false);
          proof.forEach((_, j) => {
            rejected({ ...base, proof: proof.map((h, x) => (x === j ? flipBit(h, bit) : h)) });
            rejected({ ...base, proof: proof.filter((_, x) => x !== j) }); // truncation anywhere
          });
          for (let j = 0; j <= proof.length; j++)
            rejected({ ...base, proof: [...proof.slice(0, j), extra, ...proof.slice(j)] });
          rejected({ ...base, leafHash: flipBit(d[i]!, bit) });
          rejected({ ...base, root: flipBit(root, bit) });
          for (let j = 0; j < n + 8; j++) if (j !== i) rejected({ ...base, index: j });
          // A different size is only meaningful with that size's root (both come from one tree head).
          for (let s = i + 1; s <= n + 8; s++)
            if (s !== n) rejected({ ...base, treeSize: s, root: tree.root(s) });
          rejected({ ...base, root: tree.root(n - 1 > 0 ? n - 1 : n + 1) });
        },
      ),
      RUNS,
    );
  });

  it('agrees with RFC 9162 §2.1.3.2 on synthesized proofs for sizes up to 2^64-1', () => {
    const big = fc.bigInt({ min: 1n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(
        big,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        hash32,
        fc.array(hash32, { maxLength: 70 }),
        (size, rawIdx, leaf, pool) => {
          const index = rawIdx % size;
          const len = pathLen(index, size);
          const proof = Array.from({ length: len }, (_, j) => pool[j % Math.max(pool.length, 1)] ?? leaf);
          const root = rfcInclusionRoot(index, size, leaf, proof);
          expect(root).not.toBeNull();
          expect(verifyInclusion({ leafHash: leaf, index, treeSize: size, proof, root: root! })).toEqual({
            ok: true,
          });
          // Wrong lengths: ours rejects up front, the RFC loop rejects at the end; both reject.
          if (len > 0) {
            const short = proof.slice(1);
            expect(
              verifyInclusion({ leafHash: leaf, index, treeSize: size, proof: short, root: root! }).ok,
            ).toBe(false);
          }
          expect(rfcInclusionRoot(index, size, leaf, [...proof, leaf])).toBeNull();
          expect(
            verifyInclusion({ leafHash: leaf, index, treeSize: size, proof: [...proof, leaf], root: root! }),
          ).toMatchObject({
            ok: false,
            code: 'merkle.inclusion.proof_length',
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('consistency proofs', () => {
  it('every valid proof verifies, and every mutation is rejected', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 255 }),
        hash32,
        (n, seed, pick, bit, extra) => {
          const d = leavesFor(seed, n + 4);
          const tree = new MerkleTree(d);
          const m = 1 + (pick % (n - 1)); // 1 <= m < n
          const proof = tree.consistencyProof(m, n);
          const base = { size1: m, size2: n, root1: tree.root(m), root2: tree.root(n), proof };
          expect(verifyConsistency(base)).toEqual({ ok: true });
          const ref = rfcConsistencyRoots(BigInt(m), BigInt(n), base.root1, proof)!;
          expect(bytesEqual(ref.fr, base.root1) && bytesEqual(ref.sr, base.root2)).toBe(true);

          const rejected = (p: typeof base) => expect(verifyConsistency(p).ok).toBe(false);
          proof.forEach((_, j) => {
            rejected({ ...base, proof: proof.map((h, x) => (x === j ? flipBit(h, bit) : h)) });
            rejected({ ...base, proof: proof.filter((_, x) => x !== j) });
          });
          for (let j = 0; j <= proof.length; j++)
            rejected({ ...base, proof: [...proof.slice(0, j), extra, ...proof.slice(j)] });
          rejected({ ...base, root1: base.root2, root2: base.root1 });
          rejected({ ...base, size1: n, size2: m, root1: base.root2, root2: base.root1 });
          rejected({ ...base, root1: flipBit(base.root1, bit) });
          rejected({ ...base, root2: flipBit(base.root2, bit) });
          rejected({ ...base, proof: [] });
          for (let s = 1; s <= n + 4; s++) {
            if (s !== m && s <= n) rejected({ ...base, size1: s, root1: tree.root(s) });
            if (s !== n && s >= m) rejected({ ...base, size2: s, root2: tree.root(s) });
          }
        },
      ),
      RUNS,
    );
  });

  it('agrees with RFC 9162 §2.1.4.2 on synthesized proofs for sizes up to 2^64-1', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 2n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        hash32,
        fc.array(hash32, { minLength: 1, maxLength: 70 }),
        (size2, raw, firstHash, pool) => {
          const size1 = 1n + (raw % (size2 - 1n));
          const len = subproofLen(size1, size2, true);
          const proof = Array.from({ length: len }, (_, j) => pool[j % pool.length]!);
          const roots = rfcConsistencyRoots(size1, size2, firstHash, proof);
          expect(roots).not.toBeNull();
          const p = { size1, size2, root1: roots!.fr, root2: roots!.sr, proof };
          expect(verifyConsistency(p)).toEqual({ ok: true });
          expect(verifyConsistency({ ...p, proof: proof.slice(0, -1) }).ok).toBe(false);
          expect(verifyConsistency({ ...p, proof: [...proof, firstHash] })).toMatchObject({
            ok: false,
            code: 'merkle.consistency.proof_length',
          });
          expect(verifyConsistency({ ...p, root2: flipBit(p.root2, 0) }).ok).toBe(false);
          expect(verifyConsistency({ ...p, root1: flipBit(p.root1, 0) }).ok).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Independent multiproof: ancestors of proven leaves, then their children that are not ancestors. */
function refMultiproofRanges(indices: number[], n: number): Array<[number, number]> {
  const nodes: Array<[number, number, boolean]> = []; // [lo, hi, containsProvenLeaf]
  const walk = (lo: number, hi: number) => {
    const has = indices.some((i) => i >= lo && i < hi);
    nodes.push([lo, hi, has]);
    if (hi - lo > 1 && has) {
      const s = k(hi - lo);
      walk(lo, lo + s);
      walk(lo + s, hi);
    }
  };
  walk(0, n);
  // Needed: nodes without proven leaves whose parent has some (every visited node except the root has such a parent).
  return nodes
    .filter(([lo, hi, has]) => !has && !(lo === 0 && hi === n))
    .map(([lo, hi]) => [lo, hi] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

describe('multiproofs', () => {
  it('proves random subsets with the minimal node set in left-to-right order, and rejects every mutation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.nat({ max: 255 }),
        hash32,
        (n, seed, picks, bit, extra) => {
          const d = leavesFor(seed, n + 4);
          const tree = new MerkleTree(d);
          const idx = [...new Set(picks.map((p) => p % n))].sort((a, b) => a - b);
          const root = tree.root(n);
          const proof = tree.multiproof(idx, n);
          const expected = refMultiproofRanges(idx, n).map(([lo, hi]) => mth(d.slice(lo, hi)));
          expect(proof).toEqual(expected);
          const sep = new Set(idx.flatMap((i) => path(i, d.slice(0, n)).map((h) => h.join(','))));
          expect(proof.length).toBeLessThanOrEqual(sep.size);

          const leaves = idx.map((i) => ({ index: i, leafHash: d[i]! }));
          const base = { leaves, treeSize: n, proof, root };
          expect(verifyMultiproof(base)).toEqual({ ok: true });

          const rejected = (p: typeof base) => expect(verifyMultiproof(p).ok).toBe(false);
          proof.forEach((_, j) => {
            rejected({ ...base, proof: proof.map((h, x) => (x === j ? flipBit(h, bit) : h)) });
            rejected({ ...base, proof: proof.filter((_, x) => x !== j) });
            if (j > 0 && !bytesEqual(proof[j]!, proof[j - 1]!)) {
              const swapped = proof.slice();
              [swapped[j - 1], swapped[j]] = [proof[j]!, proof[j - 1]!];
              rejected({ ...base, proof: swapped });
            }
          });
          for (let j = 0; j <= proof.length; j++)
            rejected({ ...base, proof: [...proof.slice(0, j), extra, ...proof.slice(j)] });
          leaves.forEach((l, j) => {
            rejected({
              ...base,
              leaves: leaves.map((x, y) => (y === j ? { ...x, leafHash: flipBit(l.leafHash, bit) } : x)),
            });
            // Move one index to a neighbouring free position (keeping the order valid).
            for (const moved of [l.index - 1, l.index + 1]) {
              const prev = j > 0 ? leaves[j - 1]!.index : -1;
              const next = j + 1 < leaves.length ? leaves[j + 1]!.index : n;
              if (moved > prev && moved < next)
                rejected({ ...base, leaves: leaves.map((x, y) => (y === j ? { ...x, index: moved } : x)) });
            }
          });
          if (leaves.length > 1) {
            rejected({ ...base, leaves: [...leaves].reverse() });
            expect(verifyMultiproof({ ...base, leaves: [leaves[0]!, ...leaves] })).toMatchObject({
              ok: false,
              code: 'merkle.multiproof.index_order',
            });
          }
          for (let s = idx[idx.length - 1]! + 1; s <= n + 4; s++)
            if (s !== n) rejected({ ...base, treeSize: s, root: tree.root(s) });
          rejected({ ...base, root: flipBit(root, bit) });
        },
      ),
      RUNS,
    );
  });
});
