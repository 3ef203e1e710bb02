import { stringifyJsonInPieces } from '@lineage/verifier-core';
import { jsonSafeReplacer } from './format.js';

/**
 * Writes `JSON.stringify(value, jsonSafeReplacer, 2)` in pieces (see stringifyJsonInPieces):
 * the CLI's JSON report of a 100k-event capsule never exists as one string.
 */
export function writeJsonSafe(
  write: (piece: string) => void,
  value: unknown,
  options: { chunkSize?: number; streamArraysOver?: number } = {},
): void {
  stringifyJsonInPieces(write, value, { ...options, replacer: jsonSafeReplacer });
}
