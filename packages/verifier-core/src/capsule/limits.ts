import { formatCount, LineageError } from '../result.js';

/**
 * Limits applied while reading a capsule. A capsule is hostile input: every size
 * and count is bounded before anything is allocated or decompressed.
 */
export interface CapsuleLimits {
  /** Files (zip entries or directory files) in the capsule. */
  maxEntries: number;
  /** Uncompressed size of one file. Zip v1 capsules cannot exceed 4 GiB - 1 per file anyway. */
  maxEntryBytes: number;
  /** Sum of uncompressed sizes of all files. */
  maxTotalBytes: number;
  /** Largest uncompressed/compressed ratio for an entry larger than `ratioFloorBytes`. */
  maxCompressionRatio: number;
  /** Entries smaller than this are exempt from the ratio check (tiny JSON compresses well). */
  ratioFloorBytes: number;
  /** Length of a path in bytes, and number of `/`-separated segments. */
  maxPathLength: number;
  maxPathDepth: number;
  /** Largest JSON document read into memory (manifest, events.jsonl, …). */
  maxJsonBytes: number;
}

export const DEFAULT_CAPSULE_LIMITS: Readonly<CapsuleLimits> = Object.freeze({
  maxEntries: 10_000,
  maxEntryBytes: 0xffff_ffff,
  maxTotalBytes: 8 * 1024 ** 3,
  maxCompressionRatio: 200,
  ratioFloorBytes: 1024 * 1024,
  maxPathLength: 255,
  maxPathDepth: 8,
  maxJsonBytes: 256 * 1024 * 1024,
});

export function resolveLimits(limits?: Partial<CapsuleLimits>): CapsuleLimits {
  return { ...DEFAULT_CAPSULE_LIMITS, ...(limits ?? {}) };
}

/** The error for a file larger than a read may take (zip and directory capsules alike). */
export function fileOverLimit(path: string, size: number, maxBytes: number): LineageError {
  return new LineageError(
    'capsule.limit',
    `the file is ${formatCount(size)} bytes; the limit for this file is ${formatCount(maxBytes)}`,
    path,
    { expected: `at most ${formatCount(maxBytes)} bytes`, found: `${formatCount(size)} bytes` },
  );
}
