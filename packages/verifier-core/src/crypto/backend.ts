/**
 * Everything the core needs from cryptography, behind one interface so the same
 * verification code runs in Node, Electron, browsers and extension workers.
 *
 * Policy (docs/spec.md "Signature policy"): Ed25519 is strict RFC 8032 —
 * canonical S < L, canonical point encodings, cofactorless equation. Every
 * backend must agree on every RFC 8032 and Wycheproof vector.
 * Verification functions never throw on malformed keys or signatures: they
 * return false.
 */
export interface Sha256Hasher {
  update(chunk: Uint8Array): Sha256Hasher;
  digest(): Uint8Array;
}

export interface Ed25519VerifyItem {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

export interface EcdsaP256VerifyItem {
  /** SEC1 point: 65 bytes uncompressed (0x04‖X‖Y) or 33 bytes compressed. */
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  /** 'der' = ASN.1 DER (Rekor, X.509, TLS); 'raw' = 64-byte r‖s (JWS ES256). */
  signatureFormat: 'der' | 'raw';
}

export interface CryptoBackend {
  readonly name: 'node' | 'webcrypto' | 'noble' | (string & {});
  sha256(data: Uint8Array): Uint8Array;
  /**
   * The same digest as lowercase hex, where a backend makes it cheaper than `toHex(sha256(…))`
   * (node:crypto returns hex without allocating a Buffer: event ids and leaves, 100k+ a capsule).
   */
  sha256Hex?(data: Uint8Array): string;
  /** Incremental hashing for large artifacts, so they never sit in memory whole. */
  createSha256(): Sha256Hasher;
  sha512(data: Uint8Array): Uint8Array;
  ed25519Verify(item: Ed25519VerifyItem): Promise<boolean>;
  /** Verifies many signatures; implementations may spread the work over cores. Order is preserved. */
  ed25519VerifyBatch(items: readonly Ed25519VerifyItem[]): Promise<boolean[]>;
  /**
   * A hint that about `count` signatures will soon be batch-verified: a backend with a worker
   * pool may start it now, so its threads boot while the caller is still reading. No effect on
   * any result.
   */
  expectBatch?(count: number): void;
  ecdsaP256Verify(item: EcdsaP256VerifyItem): Promise<boolean>;
}
