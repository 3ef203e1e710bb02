/**
 * How the verifier reads a capsule. Each platform supplies one: Node reads a zip file
 * or a directory, a browser reads a File/Blob, tests read bytes in memory. The core
 * never touches a file system.
 */
export interface CapsuleEntryInfo {
  /** Normalised relative path, `/`-separated (docs/spec/05-capsules.md "Paths"). */
  path: string;
  /** Uncompressed size in bytes. */
  size: number;
}

export interface CapsuleSource {
  /** Every regular file in the capsule. Implementations have already rejected unsafe names. */
  list(): Promise<CapsuleEntryInfo[]>;
  /** Reads a whole (small) file; throws LineageError `capsule.limit` when it exceeds maxBytes. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
  /** SHA-256 of a file, streamed so large artifacts never sit in memory whole. */
  sha256(path: string, onBytes?: (n: number) => void): Promise<Uint8Array>;
}

/** Positional reads over something large (a zip file on disk, a Blob, bytes in memory). */
export interface RandomAccessReader {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesReader(bytes: Uint8Array): RandomAccessReader {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** The part of DOM/Node `AbortSignal` the verifier reads (the core is built without DOM types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}
