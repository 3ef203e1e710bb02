import type { CheckOutcome, TrustStore } from '@lineage/verifier-core';

/** What the user configured on the options page. */
export interface ExtensionSettings {
  version: 1;
  /** Check every site visited, not only those that advertise Lineage. Off by default. */
  checkAllSites: boolean;
  /** Pinned logs, witnesses and card signers (the Lineage trust store format, spec §4.8). */
  trust: TrustStore;
  /** File name the trust store was imported from, for display. */
  trustSource: string | null;
}

/**
 * A tree head remembered for a log. Stored state is untrusted (anything with disk access could
 * have edited it): it is re-verified against the pinned key before it is compared with anything.
 */
export interface TreeHeadRecord {
  /** The checkpoint's origin line: the log's name. */
  log: string;
  /** Tree size as a decimal string (sizes are uint64). */
  size: string;
  rootHex: string;
  /** The full signed note, kept so it can be re-verified. */
  note: string;
  /** Site that served it. */
  origin: string;
  seenAt: number;
}

export type FinalStatus = 'verified' | 'warning' | 'failed' | 'timeout';

export interface CardView {
  /** Which wire shape the card has (v1.0 / v0.3 / legacy), from verifier-core. */
  shape: string;
  name: string;
  provider: string | null;
  skills: string[];
  interfaces: string[];
  agentId: string | null;
}

export interface ProofView {
  log: string;
  treeSize: string;
  rootHex: string;
  /** Present when an inclusion proof for the card was given. */
  card: { index: string; leafHashHex: string; auditPath: string[] } | null;
  body: { index: string; digestHex: string | null; auditPath: string[] } | null;
  witnesses: { required: number; configured: number } | null;
  /** The remembered tree head this one was compared with. */
  previous: { size: string; rootHex: string } | null;
}

/** The outcome of one check of one origin; cached briefly and shown by popup and details. */
export interface OriginCheck {
  origin: string;
  checkedAt: number;
  status: FinalStatus;
  sentence: string;
  checks: CheckOutcome[];
  card: CardView | null;
  cardUrl: string | null;
  /** The card exactly as served (for the details page), when it was fetched and was text. */
  cardText: string | null;
  checkpointText: string | null;
  proof: ProofView | null;
  /** The Lineage headers the result was computed from; a cached result is reused only for the same. */
  headerKey?: string;
}

export interface HistoryEntry {
  origin: string;
  at: number;
  status: FinalStatus;
  sentence: string;
  log: string | null;
  treeSize: string | null;
}

/**
 * The Lineage-relevant headers of a tab's current document, kept so a restarted service worker
 * (MV3 workers are stopped when idle) can still retry or explain the tab's check.
 */
export interface TabHeadersRecord {
  tabId: number;
  origin: string;
  headers: Array<{ name: string; value: string }>;
}

/** Persistence the background needs; IndexedDB in the browser, memory in tests. */
export interface ExtensionStore {
  getTabHeaders(tabId: number): Promise<TabHeadersRecord | undefined>;
  putTabHeaders(r: TabHeadersRecord): Promise<void>;
  deleteTabHeaders(tabId: number): Promise<void>;
  getSettings(): Promise<ExtensionSettings>;
  putSettings(s: ExtensionSettings): Promise<void>;
  getTreeHead(log: string): Promise<TreeHeadRecord | undefined>;
  putTreeHead(r: TreeHeadRecord): Promise<void>;
  deleteTreeHead(log: string): Promise<void>;
  /** Appends, then keeps only the newest `keepPerOrigin` entries of that origin. */
  addHistory(e: HistoryEntry, keepPerOrigin: number): Promise<void>;
  history(origin: string, limit: number): Promise<HistoryEntry[]>;
  getCached(origin: string): Promise<OriginCheck | undefined>;
  /** Stores, then evicts the oldest results beyond `maxOrigins`. */
  putCached(c: OriginCheck, maxOrigins: number): Promise<void>;
  clearCached(): Promise<void>;
  /** Forget everything except settings. */
  clearData(): Promise<void>;
}
