import { leafHash, sha256, toHex, utf8Encode } from '@lineage/verifier-core';

/**
 * Log entries that anchor what a site serves (docs/spec/06-proof-headers.md §6.3). The entry is the
 * RFC 8785 form of a three-field object; with these fixed keys and a hex value, writing it out
 * directly in sorted-key order is already its canonical form.
 */
export function cardAnchorEntry(cardBytes: Uint8Array): Uint8Array {
  return utf8Encode(`{"kind":"lineage.card-anchor","sha256":"${toHex(sha256(cardBytes))}","v":1}`);
}

export function bodyAnchorEntry(bodySha256: Uint8Array): Uint8Array {
  return utf8Encode(`{"kind":"lineage.body-anchor","sha256":"${toHex(bodySha256)}","v":1}`);
}

export function cardAnchorLeafHash(cardBytes: Uint8Array): Uint8Array {
  return leafHash(cardAnchorEntry(cardBytes));
}

export function bodyAnchorLeafHash(bodySha256: Uint8Array): Uint8Array {
  return leafHash(bodyAnchorEntry(bodySha256));
}
