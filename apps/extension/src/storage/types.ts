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

/** One signed tree head of a log as this browser saw it. */
export interface TreeHeadSighting {
  /** Tree size as a decimal string (sizes are uint64). */
  size: string;
  rootHex: string;
  /** The full signed note, kept so it can be re-verified (and shown as evidence). */
  note: string;
  /** Site that served it. */
  origin: string;
  seenAt: number;
}

/**
 * The tree heads remembered for a log: the largest accepted one, and a few smaller ones accepted
 * before (all proven consistent with it) so that a rollback to a tree between them is caught too.
 * Stored state is untrusted (anything with disk access could have edited it): every head is
 * re-verified against the pinned key before it is compared with anything.
 */
export interface TreeHeadRecord extends TreeHeadSighting {
  /** The checkpoint's origin line: the log's name. */
  log: string;
  /** Smaller accepted heads, smallest first; at most LIMITS.treeHeadsPerLog - 1 (absent in old records). */
  earlier?: TreeHeadSighting[];
}

/**
 * Proof that a pinned log misbehaved: two tree heads it signed that cannot both be honest — two
 * roots of one size ('split'), or a smaller tree signed after a larger one ('rollback'). The signed
 * notes are the evidence; like all stored state they are re-verified before the mark is applied.
 */
export interface EquivocationRecord {
  log: string;
  kind: 'split' | 'rollback';
  /** When this browser put the two together. */
  detectedAt: number;
  /** The remembered head, then the one that contradicted it. */
  notes: [TreeHeadSighting, TreeHeadSighting];
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
  /** The evidence against the checkpoint's log, when it is marked as equivocating (details page). */
  equivocation?: EquivocationRecord | null;
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
  /** `chars`: the length the site sent, when `value` was cut short (relevantHeaders). */
  headers: Array<{ name: string; value: string; chars?: number }>;
}

/** Persistence the background needs; IndexedDB in the browser, memory in tests. */
export interface ExtensionStore {
  getTabHeaders(tabId: number): Promise<TabHeadersRecord | undefined>;
  putTabHeaders(r: TabHeadersRecord): Promise<void>;
  deleteTabHeaders(tabId: number): Promise<void>;
  /** Forget every tab's headers (a new browser session: the tab ids are no longer ours). */
  clearTabHeaders(): Promise<void>;
  getSettings(): Promise<ExtensionSettings>;
  putSettings(s: ExtensionSettings): Promise<void>;
  getTreeHead(log: string): Promise<TreeHeadRecord | undefined>;
  putTreeHead(r: TreeHeadRecord): Promise<void>;
  deleteTreeHead(log: string): Promise<void>;
  /** Evidence that a log equivocated: one record per log, kept until the user clears it. */
  getEquivocation(log: string): Promise<EquivocationRecord | undefined>;
  putEquivocation(r: EquivocationRecord): Promise<void>;
  deleteEquivocation(log: string): Promise<void>;
  listEquivocations(): Promise<EquivocationRecord[]>;
  /**
   * Appends, then keeps only the newest `keepPerOrigin` entries of that origin and the entries of
   * the `maxOrigins` origins checked most recently (the others are forgotten).
   */
  addHistory(e: HistoryEntry, keepPerOrigin: number, maxOrigins: number): Promise<void>;
  history(origin: string, limit: number): Promise<HistoryEntry[]>;
  getCached(origin: string): Promise<OriginCheck | undefined>;
  /** Stores, then evicts the oldest results beyond `maxOrigins`. */
  putCached(c: OriginCheck, maxOrigins: number): Promise<void>;
  clearCached(): Promise<void>;
  /** Forget everything except settings and the evidence of equivocating logs. */
  clearData(): Promise<void>;
}
