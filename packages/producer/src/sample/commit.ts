import {
  canonicalBytes,
  concatBytes,
  type JsonValue,
  sha256,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';

/**
 * sha256-salted-v1 commitment (docs/spec/04-identity-and-lineage.md §4.5):
 * SHA-256("lineage/commitment/sha256/v1" ‖ 0x00 ‖ u8(len salt) ‖ salt ‖ u32be(len name) ‖ name ‖ JCS(value)).
 */
export function sha256Commitment(name: string, value: JsonValue, salt: Uint8Array): string {
  const n = utf8Encode(name);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, n.length);
  return toHex(
    sha256(
      concatBytes(
        utf8Encode('lineage/commitment/sha256/v1'),
        Uint8Array.of(0, salt.length),
        salt,
        len,
        n,
        canonicalBytes(value),
      ),
    ),
  );
}
