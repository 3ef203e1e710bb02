import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { getCryptoBackend, sha256 } from '../crypto/current.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { LineageError } from '../result.js';

/**
 * Commitment schemes (spec §4.5). Salted SHA-256 is hiding through a ≥128-bit
 * salt; Pedersen on ristretto255 is perfectly hiding and computationally binding
 * with a second generator H whose discrete log nobody knows (hash-to-curve of a
 * published string). Group arithmetic uses @noble/curves directly: the crypto
 * backend interface covers hashes and signatures only.
 */
export const MIN_SALT_BYTES = 16;
const SALTED_DOMAIN = utf8Encode('lineage/commitment/sha256/v1');
const PEDERSEN_DOMAIN = utf8Encode('lineage/commitment/pedersen/v1');
export const PEDERSEN_H_MESSAGE = 'lineage/pedersen/H/v1';
export const PEDERSEN_H_DST = 'lineage-pedersen-generator-v1_XMD:SHA-512_R255MAP_RO_';

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

export function saltedCommitment(name: string, value: JsonValue, salt: Uint8Array): string {
  if (salt.length < MIN_SALT_BYTES || salt.length > 255) {
    throw new LineageError(
      'commitment.salt',
      `salt must be 16..255 bytes (≥128 bits), found ${salt.length}`,
      'salt',
    );
  }
  const n = utf8Encode(name);
  return toHex(
    sha256(
      concatBytes(
        SALTED_DOMAIN,
        Uint8Array.of(0, salt.length),
        salt,
        u32be(n.length),
        n,
        canonicalBytes(value),
      ),
    ),
  );
}

type Point = InstanceType<typeof ristretto255.Point>;
let H: Point | undefined;

/** The nothing-up-my-sleeve second generator H (RFC 9380 hash_to_ristretto255). */
export function pedersenGeneratorH(): Point {
  H ??= ristretto255_hasher.hashToCurve(utf8Encode(PEDERSEN_H_MESSAGE), { DST: PEDERSEN_H_DST }) as Point;
  return H;
}

const L = ristretto255.Point.Fn.ORDER;

function leToBigint(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/** m = SHA-512(domain ‖ 0x00 ‖ u32be(len name) ‖ name ‖ JCS(value)) as little-endian integer mod L. */
export function pedersenMessageScalar(name: string, value: JsonValue): bigint {
  const n = utf8Encode(name);
  return (
    leToBigint(
      getCryptoBackend().sha512(
        concatBytes(PEDERSEN_DOMAIN, Uint8Array.of(0), u32be(n.length), n, canonicalBytes(value)),
      ),
    ) % L
  );
}

/** Parses a canonical 32-byte little-endian scalar in [1, L). */
export function parseBlinding(b: Uint8Array): bigint {
  if (b.length !== 32)
    throw new LineageError('commitment.blinding', `blinding is 32 bytes, found ${b.length}`, 'blinding');
  const r = leToBigint(b);
  if (r === 0n || r >= L)
    throw new LineageError(
      'commitment.blinding',
      'blinding must be a canonical non-zero scalar below the group order',
      'blinding',
    );
  return r;
}

export function pedersenCommitment(name: string, value: JsonValue, blinding: Uint8Array): string {
  const m = pedersenMessageScalar(name, value);
  const r = parseBlinding(blinding);
  const G = ristretto255.Point.BASE;
  const C = (m === 0n ? ristretto255.Point.ZERO : G.multiply(m)).add(pedersenGeneratorH().multiply(r));
  return toHex(C.toBytes());
}
