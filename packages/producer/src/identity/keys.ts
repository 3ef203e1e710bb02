import {
  deriveAgentId,
  type JsonValue,
  type SignatureObject,
  type SigningContext,
  signingInput,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';

/** Ed25519 key pair for agents, approvers, proof servers. */
export interface Ed25519Key {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyHex: string;
}

export interface AgentKey extends Ed25519Key {
  /** Self-certifying id of this key (spec §4.1.1); after rotation the agent keeps its genesis id. */
  agentId: string;
}

export function ed25519KeyFromSeed(seed: Uint8Array): Ed25519Key {
  const publicKey = ed25519.getPublicKey(seed);
  return { secretKey: seed, publicKey, publicKeyHex: toHex(publicKey) };
}

export function generateEd25519Key(): Ed25519Key {
  return ed25519KeyFromSeed(ed25519.utils.randomSecretKey());
}

/** Deterministic key for tests and spec vectors: seed = SHA-256("lineage/test-key/v1:" ‖ label). Never for production. */
export function testKey(label: string): Ed25519Key {
  return ed25519KeyFromSeed(sha256(utf8Encode(`lineage/test-key/v1:${label}`)));
}

export function asAgentKey(k: Ed25519Key, genesis?: Ed25519Key): AgentKey {
  return { ...k, agentId: deriveAgentId((genesis ?? k).publicKey) };
}

export function signBytes(key: Ed25519Key, message: Uint8Array): Uint8Array {
  return ed25519.sign(message, key.secretKey);
}

/** Signature object over signing_input(context, unsigned) (spec §4 "Signatures"). */
export function signObject(context: SigningContext, unsigned: unknown, key: Ed25519Key): SignatureObject {
  const value = signBytes(key, signingInput(context, unsigned as JsonValue));
  return { alg: 'Ed25519', public_key: key.publicKeyHex, value: toHex(value) };
}

/** P-256 key for ES256 card signatures. */
export interface P256Key {
  secretKey: Uint8Array;
  /** 65-byte uncompressed SEC1 point. */
  publicKey: Uint8Array;
  publicKeyHex: string;
}

export function p256TestKey(label: string): P256Key {
  const secretKey = sha256(utf8Encode(`lineage/test-key/p256/v1:${label}`));
  const publicKey = p256.getPublicKey(secretKey, false);
  return { secretKey, publicKey, publicKeyHex: toHex(publicKey) };
}

/** ES256: SHA-256 prehash, 64-byte R‖S, low-S. */
export function signEs256(key: P256Key, message: Uint8Array): Uint8Array {
  return p256.sign(message, key.secretKey);
}
