/**
 * The parts of Lineage's Ed25519 policy (docs/spec/01-encodings-and-crypto.md)
 * that engines disagree on, checked on the bytes before any engine sees them, so
 * OpenSSL, WebCrypto and noble accept exactly the same signatures:
 *
 * - exact lengths (32-byte A, 64-byte R‖S);
 * - S < L (RFC 8032 §5.1.7; otherwise signatures are malleable);
 * - A is a canonical encoding: y < p, and no "negative zero" x (RFC 8032 §5.1.3;
 *   OpenSSL accepts y ≥ p);
 * - A is not one of the eight points of small order (noble rejects them,
 *   OpenSSL accepts them, and such a key "signs" many messages at once).
 *
 * Whatever passes is then verified with the cofactorless equation
 * encode([S]B − [k]A) == R, which OpenSSL and our noble path both implement.
 */

/** L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/** The only encodings of small-order points that decode under RFC 8032 §5.1.3 (y < p, no negative zero). */
export const ED25519_SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity, order 1
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // (0, -1), order 2
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

const SMALL_ORDER = ED25519_SMALL_ORDER_ENCODINGS.map((h) => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++) b[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
});

/** Little-endian a < b for equal-length byte strings. */
function lessThanLE(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] !== b[i]) return a[i]! < b[i]!;
  }
  return false;
}

function equal32(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** y (the low 255 bits) < p = 2^255 - 19. */
function canonicalY(e: Uint8Array): boolean {
  if ((e[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (e[i] !== 0xff) return true;
  return e[0]! < 0xed;
}

/** x = 0 only for y = ±1; those points must not carry the sign bit (RFC 8032 §5.1.3 step 4). */
function negativeZeroX(e: Uint8Array): boolean {
  if ((e[31]! & 0x80) === 0) return false;
  let yIsOne = e[0] === 0x01;
  let yIsMinusOne = e[0] === 0xec;
  for (let i = 1; i < 31; i++) {
    if (e[i] !== 0x00) yIsOne = false;
    if (e[i] !== 0xff) yIsMinusOne = false;
  }
  const top = e[31]! & 0x7f;
  return (yIsOne && top === 0x00) || (yIsMinusOne && top === 0x7f);
}

/** True when (publicKey, signature) may be handed to an engine; false means "invalid" under our policy. */
export function ed25519Precheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  if (!lessThanLE(signature.subarray(32), L_LE)) return false;
  if (!canonicalY(publicKey) || negativeZeroX(publicKey)) return false;
  for (const s of SMALL_ORDER) if (equal32(publicKey, s)) return false;
  return true;
}
