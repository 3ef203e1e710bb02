/**
 * Every byte and millisecond the extension spends on a site is bounded (docs/spec/06-proof-headers.md
 * "Limits"). A site over a limit gets a precise failure, never a hang or a crash.
 */
export const LIMITS = Object.freeze({
  /** Any one Lineage-* header value, in characters as received. */
  headerChars: 8_192,
  /** All Lineage-* header values of one response together. */
  totalHeaderChars: 16_384,
  /** Lines of one Lineage-* field (more is a failure) and of Link or Content-Digest (more is ignored). */
  headerLines: 4,
  /** Link header scanned for rel="agent-card". */
  linkHeaderChars: 16_384,
  /** The decoded checkpoint (signed note) bytes. */
  checkpointBytes: 6_000,
  /** Hashes in one audit path or consistency proof (2^64 leaves need at most 64, RFC 9162 §2.1.3). */
  proofHashes: 64,
  /** The agent card document. */
  cardBytes: 65_536,
  /** The consistency endpoint's JSON answer. */
  consistencyBytes: 16_384,
  /** The agent-history document (lifecycle events with inclusion proofs). */
  historyBytes: 65_536,
  /** Lifecycle events in one agent-history document. */
  historyEvents: 64,
  /** One fetch from the site (card, key history or consistency proof). */
  fetchMs: 5_000,
  /** One whole check of a page, from headers received to verdict. */
  checkMs: 12_000,
  /** How long a finished check of an origin is reused. */
  cacheMs: 60_000,
  /** History entries remembered per origin. */
  historyPerOrigin: 20,
  /** Origins whose history is remembered (the site checked longest ago is forgotten first). */
  historyOrigins: 200,
  /** Tree heads remembered per log (the largest and the next smaller ones, spec §6.6). */
  treeHeadsPerLog: 8,
  /** Origins whose last result is cached. */
  cachedOrigins: 200,
});
