import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { fromBase64 } from '../encoding/base64.js';
import type { CheckResult } from '../result.js';
import { verifyConsistency } from './consistency.js';
import { verifyInclusion } from './inclusion.js';
import { verifySubtreeConsistency, verifySubtreeInclusion } from './subtree.js';

// Every file of transparency-dev/merkle's testdata, with its wantErr expectation.
const root = vectorPath('transparency-dev-merkle');

/**
 * Files upstream accepts and we reject on purpose: their "roots" are the 12-byte
 * string "don't care …", and we require 32-byte roots before comparing anything
 * (docs/spec/02-merkle.md, "Deviations"). Each must fail with merkle.root_length.
 */
const DEVIATIONS = new Set([
  'consistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
  'subtreeconsistency/additional/sizes-are-equal-one-and-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-one-subtree-root-valid-tree-root-random-proof-is-empty.json',
  'subtreeconsistency/additional/subtree-is-empty-sizes-are-equal-zero-subtree-root-valid-tree-root-random-proof-is-empty.json',
]);

const INTEGER_FIELDS = ['leafIdx', 'treeSize', 'size1', 'size2', 'start', 'end', 'size'];

type Vector = Record<string, unknown> & { desc: string; wantErr: boolean };

/**
 * JSON.parse rounds 18446744073709551615 to 18446744073709552000, so integer
 * fields are quoted in the raw text first and read back as exact bigints.
 */
function readVector(file: string): Vector {
  const text = readFileSync(file, 'utf8');
  const pattern = new RegExp(`("(?:${INTEGER_FIELDS.join('|')})"\\s*:\\s*)(-?\\d+)`, 'g');
  const v = JSON.parse(text.replace(pattern, '$1"$2"')) as Record<string, unknown>;
  for (const f of INTEGER_FIELDS) if (typeof v[f] === 'string') v[f] = BigInt(v[f] as string);
  return v as Vector;
}

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

const b64 = (s: unknown): Uint8Array => fromBase64(s as string);
const proofOf = (v: Vector): Uint8Array[] => ((v.proof as string[] | null) ?? []).map(b64);
const n = (x: unknown): bigint => x as bigint;

/** Runs one vector; `asNumbers` passes sizes as numbers (only when they are safe integers). */
function run(kind: string, v: Vector, asNumbers: boolean): CheckResult {
  const size = (x: unknown) => (asNumbers ? Number(n(x)) : n(x));
  switch (kind) {
    case 'inclusion':
      return verifyInclusion({
        index: size(v.leafIdx),
        treeSize: size(v.treeSize),
        leafHash: b64(v.leafHash),
        proof: proofOf(v),
        root: b64(v.root),
      });
    case 'consistency':
      return verifyConsistency({
        size1: size(v.size1),
        size2: size(v.size2),
        root1: b64(v.root1),
        root2: b64(v.root2),
        proof: proofOf(v),
      });
    case 'subtreeinclusion':
      return verifySubtreeInclusion({
        index: size(v.leafIdx),
        start: size(v.start),
        end: size(v.end),
        leafHash: b64(v.leafHash),
        proof: proofOf(v),
        root: b64(v.root),
      });
    case 'subtreeconsistency':
      return verifySubtreeConsistency({
        start: size(v.start),
        end: size(v.end),
        size: size(v.size),
        root1: b64(v.root1),
        root2: b64(v.root2),
        proof: proofOf(v),
      });
    default:
      throw new Error(`unknown vector kind ${kind}`);
  }
}

const EXPECTED_COUNTS: Record<string, number> = {
  inclusion: 98,
  consistency: 98,
  subtreeinclusion: 204,
  subtreeconsistency: 118,
};

for (const kind of Object.keys(EXPECTED_COUNTS)) {
  describe(`transparency-dev/merkle ${kind} vectors`, () => {
    const all = files(join(root, kind));

    it('finds every file the README lists', () => {
      expect(all.length).toBe(EXPECTED_COUNTS[kind]);
    });

    for (const file of all) {
      const rel = relative(root, file);
      const v = readVector(file);
      const deviation = DEVIATIONS.has(rel);
      it(`${rel}: ${deviation ? 'intentional deviation, rejected' : v.wantErr ? 'rejected' : 'accepted'}`, () => {
        const res = run(kind, v, false);
        if (deviation) {
          expect(v.wantErr).toBe(false);
          expect(res).toMatchObject({ ok: false, code: 'merkle.root_length' });
          return;
        }
        expect(res.ok, JSON.stringify(res)).toBe(!v.wantErr);
        if (!res.ok) {
          expect(res.code).toMatch(/^merkle\./);
          expect(res.message.length).toBeGreaterThan(10);
        }
        // The number and bigint paths must agree wherever numbers can carry the sizes.
        const safe = INTEGER_FIELDS.every(
          (f) => v[f] === undefined || n(v[f]) <= BigInt(Number.MAX_SAFE_INTEGER),
        );
        if (safe) expect(run(kind, v, true)).toEqual(res);
      });
    }
  });
}

describe('vector reader', () => {
  it('keeps 2^64-1 exact (JSON.parse would round it)', () => {
    const v = readVector(join(root, 'inclusion/0/leafIdx-sub-@1.json'));
    expect(v.leafIdx).toBe(18446744073709551615n);
    // Why the reader exists: plain JSON.parse yields 2^64, which is not 2^64-1.
    const naive = JSON.parse(readFileSync(join(root, 'inclusion/0/leafIdx-sub-@1.json'), 'utf8')).leafIdx;
    expect(BigInt(naive)).toBe(1n << 64n);
  });

  it('rejects the 2^64-1 index with an index_out_of_range code, not a crash', () => {
    const v = readVector(join(root, 'inclusion/0/leafIdx-sub-@1.json'));
    const res = run('inclusion', v, false);
    expect(res).toMatchObject({ ok: false, code: 'merkle.inclusion.index_out_of_range' });
    if (!res.ok) expect(res.message).toContain('18,446,744,073,709,551,615');
  });
});
