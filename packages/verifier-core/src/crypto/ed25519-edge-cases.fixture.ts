// Ed25519 signatures crafted to sit exactly where implementations disagree
// ("Taming the many EdDSAs", Chalkias et al. 2020): small-order and mixed-order
// keys and R values, non-canonical encodings. Shared by the Node and Chromium
// tests; `expected` is what our policy (docs/spec/01-encodings-and-crypto.md §1.5) says.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../encoding/bytes.js';
import { fromHex } from '../encoding/hex.js';
import type { Ed25519VerifyItem } from './backend.js';

type Point = InstanceType<typeof ed25519.Point>;
const { Point } = ed25519;
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;
export const P = 2n ** 255n - 19n;

function le(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}
export function toLE(n: bigint): Uint8Array {
  const o = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    o[i] = Number(n & 255n);
    n >>= 8n;
  }
  return o;
}
function challenge(R: Uint8Array, A: Uint8Array, M: Uint8Array): bigint {
  return le(sha512(concatBytes(R, A, M))) % L;
}

/** The 8-torsion subgroup: T[j] = [j]T1 for a point T1 of order 8. */
function torsion(): Point[] {
  for (let y = 2n; ; y++) {
    let p: Point;
    try {
      p = Point.fromBytes(toLE(y), false);
    } catch {
      continue;
    }
    const t = p.multiplyUnsafe(L - 1n).add(p); // [L]p: the small-order component of p
    if (!t.multiplyUnsafe(4n).is0()) return Array.from({ length: 8 }, (_, j) => t.multiplyUnsafe(BigInt(j)));
  }
}

export const T = torsion();
export const secret = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'); // RFC 8032 TEST 1
export const { scalar: a, pointBytes: A } = ed25519.utils.getExtendedPublicKey(secret);
export const msg = new TextEncoder().encode('lineage event');

export interface Case {
  label: string;
  item: Ed25519VerifyItem;
  expected: boolean;
}
export const cases: Case[] = [];

// 1. Small-order keys with signatures that satisfy the cofactorless equation
//    (OpenSSL accepts these): rejected by policy.
for (let j = 0; j < 8; j++) {
  const Aj = T[j]!.toBytes();
  search: for (let m = 0; m < 256; m++) {
    const M = Uint8Array.of(m);
    const s = 1000n + BigInt(m);
    for (const t of T) {
      const R = Point.BASE.multiply(s).subtract(t).toBytes();
      if (T[j]!.multiplyUnsafe(challenge(R, Aj, M)).equals(t)) {
        cases.push({
          label: `small-order A #${j}`,
          item: { publicKey: Aj, message: M, signature: concatBytes(R, toLE(s)) },
          expected: false,
        });
        break search;
      }
    }
  }
}

// 2. R with a small-order component (valid only under the cofactored equation, which noble uses): rejected.
for (let j = 1; j < 8; j++) {
  const r = 777n + BigInt(j);
  const R = Point.BASE.multiply(r).add(T[j]!).toBytes();
  const S = (r + challenge(R, A, msg) * a) % L;
  cases.push({
    label: `mixed-order R +T${j}`,
    item: { publicKey: A, message: msg, signature: concatBytes(R, toLE(S)) },
    expected: false,
  });
}

// 3. A with a small-order component: valid exactly when [k]T = 0 (cofactorless), whatever the engine.
for (let j = 1; j < 8; j++) {
  for (const r of [999n, 1001n, 1003n]) {
    const A2 = Point.fromBytes(A).add(T[j]!).toBytes();
    const R = Point.BASE.multiply(r).toBytes();
    const k = challenge(R, A2, msg);
    const S = (r + k * a) % L;
    cases.push({
      label: `mixed-order A +T${j} (k mod 8 = ${k % 8n})`,
      item: { publicKey: A2, message: msg, signature: concatBytes(R, toLE(S)) },
      expected: T[j]!.multiplyUnsafe(k).is0(),
    });
  }
}

// 4. Non-canonical encodings of A: y ≥ p (OpenSSL accepts), and "negative zero" x.
{
  const s = 4242n;
  const R = Point.BASE.multiply(s).toBytes();
  for (const [label, pk] of [
    ['A = identity with y = p + 1', toLE(P + 1n)],
    [
      'A = (0,-1) with sign bit set',
      fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff'),
    ],
    [
      'A = identity with sign bit set',
      fromHex('0100000000000000000000000000000000000000000000000000000000000080'),
    ],
  ] as const) {
    cases.push({
      label,
      item: { publicKey: pk, message: msg, signature: concatBytes(R, toLE(s)) },
      expected: false,
    });
  }
  // A non-canonical encoding of the real key (y + p does not fit below 2^255 unless y < 19), so use S + L instead.
  const good = ed25519.sign(msg, secret);
  const sPlusL = toLE(le(good.subarray(32)) + L);
  cases.push({
    label: 'S + L',
    item: { publicKey: A, message: msg, signature: concatBytes(good.subarray(0, 32), sPlusL) },
    expected: false,
  });
  cases.push({
    label: 'the genuine signature',
    item: { publicKey: A, message: msg, signature: good },
    expected: true,
  });
  // R = identity is a legitimate (if odd) choice of nonce r = 0: S = k·a.
  const Rid = Point.ZERO.toBytes();
  cases.push({
    label: 'R = identity with S = k·a',
    item: { publicKey: A, message: msg, signature: concatBytes(Rid, toLE((challenge(Rid, A, msg) * a) % L)) },
    expected: true,
  });
}
