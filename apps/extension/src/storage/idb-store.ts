import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
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

interface LineageDB extends DBSchema {
  settings: { key: string; value: ExtensionSettings };
  treeHeads: { key: string; value: TreeHeadRecord };
  equivocations: { key: string; value: EquivocationRecord };
  history: { key: number; value: HistoryEntry; indexes: { byOrigin: string } };
  cache: { key: string; value: OriginCheck };
  tabHeaders: { key: number; value: TabHeadersRecord };
}

const DB_NAME = 'lineage-extension';
const SETTINGS_KEY = 'settings';

/** IndexedDB persistence (idb). Needs no extension permission: the store is the extension origin's. */
export class IdbStore implements ExtensionStore {
  private db: Promise<IDBPDatabase<LineageDB>> | null = null;

  private open(): Promise<IDBPDatabase<LineageDB>> {
    // Version 2 adds the evidence of equivocating logs; version-1 data is kept as it is (a tree
    // head record without `earlier` is a memory of one head).
    this.db ??= openDB<LineageDB>(DB_NAME, 2, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('settings');
          db.createObjectStore('treeHeads', { keyPath: 'log' });
          const h = db.createObjectStore('history', { autoIncrement: true });
          h.createIndex('byOrigin', 'origin');
          db.createObjectStore('cache', { keyPath: 'origin' });
          db.createObjectStore('tabHeaders', { keyPath: 'tabId' });
        }
        if (oldVersion < 2) db.createObjectStore('equivocations', { keyPath: 'log' });
      },
    });
    return this.db;
  }

  async getTabHeaders(tabId: number): Promise<TabHeadersRecord | undefined> {
    return (await this.open()).get('tabHeaders', tabId);
  }
  async putTabHeaders(r: TabHeadersRecord): Promise<void> {
    await (await this.open()).put('tabHeaders', r);
  }
  async deleteTabHeaders(tabId: number): Promise<void> {
    await (await this.open()).delete('tabHeaders', tabId);
  }
  async clearTabHeaders(): Promise<void> {
    await (await this.open()).clear('tabHeaders');
  }
  async getSettings(): Promise<ExtensionSettings> {
    return (await (await this.open()).get('settings', SETTINGS_KEY)) ?? defaultSettings();
  }
  async putSettings(s: ExtensionSettings): Promise<void> {
    await (await this.open()).put('settings', s, SETTINGS_KEY);
  }
  async getTreeHead(log: string): Promise<TreeHeadRecord | undefined> {
    return (await this.open()).get('treeHeads', log);
  }
  async putTreeHead(r: TreeHeadRecord): Promise<void> {
    await (await this.open()).put('treeHeads', r);
  }
  async deleteTreeHead(log: string): Promise<void> {
    await (await this.open()).delete('treeHeads', log);
  }
  async getEquivocation(log: string): Promise<EquivocationRecord | undefined> {
    return (await this.open()).get('equivocations', log);
  }
  async putEquivocation(r: EquivocationRecord): Promise<void> {
    await (await this.open()).put('equivocations', r);
  }
  async deleteEquivocation(log: string): Promise<void> {
    await (await this.open()).delete('equivocations', log);
  }
  async listEquivocations(): Promise<EquivocationRecord[]> {
    return (await this.open()).getAll('equivocations');
  }
  async addHistory(e: HistoryEntry, keepPerOrigin: number, maxOrigins: number): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('history', 'readwrite');
    const byOrigin = tx.store.index('byOrigin');
    await tx.store.add(e);
    // Auto-increment keys are in insertion order: the oldest of this origin come first.
    const keys = await byOrigin.getAllKeys(e.origin);
    for (const k of keys.slice(0, Math.max(0, keys.length - keepPerOrigin))) await tx.store.delete(k);
    // Over the cap of origins (a new one, or a store written before there was a cap): forget the
    // origins whose last entry is oldest — one pass over at most maxOrigins × keepPerOrigin keys.
    let origins = 0;
    for (let c = await byOrigin.openKeyCursor(null, 'nextunique'); c; c = await c.continue()) origins++;
    if (origins > maxOrigins) {
      const last = new Map<string, number>();
      for (let c = await tx.store.openCursor(); c; c = await c.continue()) last.set(c.value.origin, c.key);
      const byAge = [...last.entries()].sort((a, b) => a[1] - b[1]);
      for (const [origin] of byAge.slice(0, origins - maxOrigins)) {
        for (const k of await byOrigin.getAllKeys(origin)) await tx.store.delete(k);
      }
    }
    await tx.done;
  }
  async history(origin: string, limit: number): Promise<HistoryEntry[]> {
    const all = await (await this.open()).getAllFromIndex('history', 'byOrigin', origin);
    return all.sort((a, b) => b.at - a.at).slice(0, limit);
  }
  async getCached(origin: string): Promise<OriginCheck | undefined> {
    return (await this.open()).get('cache', origin);
  }
  async putCached(c: OriginCheck, maxOrigins: number): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('cache', 'readwrite');
    await tx.store.put(c);
    if ((await tx.store.count()) > maxOrigins) {
      const byAge = (await tx.store.getAll()).sort((a, b) => a.checkedAt - b.checkedAt);
      for (const old of byAge.slice(0, byAge.length - maxOrigins)) await tx.store.delete(old.origin);
    }
    await tx.done;
  }
  async clearCached(): Promise<void> {
    await (await this.open()).clear('cache');
  }
  async clearData(): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(['treeHeads', 'history', 'cache', 'tabHeaders'], 'readwrite');
    await Promise.all([
      tx.objectStore('treeHeads').clear(),
      tx.objectStore('history').clear(),
      tx.objectStore('cache').clear(),
      tx.objectStore('tabHeaders').clear(),
      tx.done,
    ]);
  }
}
