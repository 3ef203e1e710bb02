/**
 * Strict DER ECDSA-Sig-Value (RFC 3279 §2.2.3, SEQUENCE { r INTEGER, s INTEGER })
 * to the fixed-width r‖s form WebCrypto takes. Strict like OpenSSL, which
 * re-encodes and compares: short-form lengths only, minimal positive integers,
 * nothing after the sequence. Returns null for anything else.
 */
export function ecdsaDerToRaw(der: Uint8Array, size = 32): Uint8Array | null {
  // Largest valid encoding: 2 + 2 × (2 + size + 1) bytes, always under 128.
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[1]! >= 0x80) return null;
  const out = new Uint8Array(2 * size);
  let off = 2;
  for (let k = 0; k < 2; k++) {
    if (der[off] !== 0x02) return null;
    const len = der[off + 1]!;
    if (len === 0 || len >= 0x80 || off + 2 + len > der.length) return null;
    const v = der.subarray(off + 2, off + 2 + len);
    if (v[0]! & 0x80) return null; // negative
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return null; // non-minimal
    const digits = v[0] === 0 && len > 1 ? v.subarray(1) : v;
    if (digits.length > size) return null;
    out.set(digits, k * size + size - digits.length);
    off += 2 + len;
  }
  return off === der.length ? out : null;
}

/** Fixed-width r‖s to strict DER (used by tests and by producers that need DER). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const ints = [raw.subarray(0, half), raw.subarray(half)].map((x) => {
    let i = 0;
    while (i < x.length - 1 && x[i] === 0) i++;
    const v = x.subarray(i);
    return v[0]! & 0x80 ? Uint8Array.of(0, ...v) : Uint8Array.from(v);
  });
  const body = ints.flatMap((v) => [0x02, v.length, ...v]);
  return Uint8Array.from([0x30, body.length, ...body]);
}
