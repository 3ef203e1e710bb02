import { defaultSettings } from './defaults.js';
import type {
  EquivocationRecord,
  ExtensionSettings,
  ExtensionStore,
  HistoryEntry,
  OriginCheck,
  TabHeadersRecord,
  TreeHeadRecord,
} from './types.js';

/** In-memory store with the IndexedDB store's semantics, for Node tests and benchmarks. */
export class MemoryStore implements ExtensionStore {
  settings: ExtensionSettings = defaultSettings();
  readonly treeHeads = new Map<string, TreeHeadRecord>();
  readonly equivocations = new Map<string, EquivocationRecord>();
  readonly entries: HistoryEntry[] = [];
  readonly cache = new Map<string, OriginCheck>();
  readonly tabHeaders = new Map<number, TabHeadersRecord>();

  async getTabHeaders(tabId: number): Promise<TabHeadersRecord | undefined> {
    const r = this.tabHeaders.get(tabId);
    return r ? structuredClone(r) : undefined;
  }
  async putTabHeaders(r: TabHeadersRecord): Promise<void> {
    this.tabHeaders.set(r.tabId, structuredClone(r));
  }
  async deleteTabHeaders(tabId: number): Promise<void> {
    this.tabHeaders.delete(tabId);
  }
  async clearTabHeaders(): Promise<void> {
    this.tabHeaders.clear();
  }

  async getSettings(): Promise<ExtensionSettings> {
    return structuredClone(this.settings);
  }
  async putSettings(s: ExtensionSettings): Promise<void> {
    this.settings = structuredClone(s);
  }
  async getTreeHead(log: string): Promise<TreeHeadRecord | undefined> {
    const r = this.treeHeads.get(log);
    return r ? structuredClone(r) : undefined;
  }
  async putTreeHead(r: TreeHeadRecord): Promise<void> {
    this.treeHeads.set(r.log, structuredClone(r));
  }
  async deleteTreeHead(log: string): Promise<void> {
    this.treeHeads.delete(log);
  }
  async getEquivocation(log: string): Promise<EquivocationRecord | undefined> {
    const r = this.equivocations.get(log);
    return r ? structuredClone(r) : undefined;
  }
  async putEquivocation(r: EquivocationRecord): Promise<void> {
    this.equivocations.set(r.log, structuredClone(r));
  }
  async deleteEquivocation(log: string): Promise<void> {
    this.equivocations.delete(log);
  }
  async listEquivocations(): Promise<EquivocationRecord[]> {
    return [...this.equivocations.values()].map((r) => structuredClone(r));
  }
  async addHistory(e: HistoryEntry, keepPerOrigin: number, maxOrigins: number): Promise<void> {
    this.entries.push(structuredClone(e));
    const mine = this.entries.filter((x) => x.origin === e.origin);
    const drop = new Set(mine.slice(0, Math.max(0, mine.length - keepPerOrigin)));
    // Entries are in insertion order: the origin whose last entry comes first was checked longest ago.
    const last = new Map<string, number>();
    for (const [i, x] of this.entries.entries()) last.set(x.origin, i);
    const byAge = [...last.entries()].sort((a, b) => a[1] - b[1]).map(([origin]) => origin);
    const stale = new Set(byAge.slice(0, Math.max(0, byAge.length - maxOrigins)));
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const x = this.entries[i]!;
      if (drop.has(x) || stale.has(x.origin)) this.entries.splice(i, 1);
    }
  }
  async history(origin: string, limit: number): Promise<HistoryEntry[]> {
    return this.entries
      .filter((e) => e.origin === origin)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }
  async getCached(origin: string): Promise<OriginCheck | undefined> {
    const c = this.cache.get(origin);
    return c ? structuredClone(c) : undefined;
  }
  async putCached(c: OriginCheck, maxOrigins: number): Promise<void> {
    this.cache.set(c.origin, structuredClone(c));
    const byAge = [...this.cache.values()].sort((a, b) => a.checkedAt - b.checkedAt);
    for (const old of byAge.slice(0, Math.max(0, byAge.length - maxOrigins))) this.cache.delete(old.origin);
  }
  async clearCached(): Promise<void> {
    this.cache.clear();
  }
  /** Evidence of equivocating logs is not data to tidy away: only clearing that log's mark deletes it. */
  async clearData(): Promise<void> {
    this.treeHeads.clear();
    this.entries.length = 0;
    this.cache.clear();
    this.tabHeaders.clear();
  }
}
