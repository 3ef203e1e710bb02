import { toHex } from '../encoding/hex.js';
import { type CheckResult, fail, formatCount, isLineageError, LineageError } from '../result.js';
import { HASH_SIZE } from './hash.js';

/** Input checks shared by the proof verifiers: they throw LineageError before any hashing. */

export function requireHash(h: Uint8Array, code: string, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    const found = h instanceof Uint8Array ? `${h.length} bytes` : 'not a byte array';
    throw new LineageError(code, `${what} has ${found}; a SHA-256 hash has ${HASH_SIZE}`);
  }
}

export function requireProofHashes(proof: readonly Uint8Array[], code: string): void {
  if (!Array.isArray(proof))
    throw new LineageError(code, `proof is ${typeof proof}; expected an array of hashes`);
  for (let i = 0; i < proof.length; i++) requireHash(proof[i]!, code, `proof hash [${i}]`);
}

/** "a tree of 1,000" — shared wording for messages. */
export function treeOf(size: bigint): string {
  return `a tree of ${formatCount(size)}`;
}

export function hashForMessage(h: Uint8Array): string {
  return toHex(h);
}

/**
 * Runs a verification body that throws LineageError for unusable input and turns
 * the error into a failed CheckResult, so verify* functions never throw on bad input.
 */
export function asCheck(body: () => CheckResult): CheckResult {
  try {
    return body();
  } catch (e) {
    if (isLineageError(e)) return fail(e.code, e.message, e);
    throw e;
  }
}
