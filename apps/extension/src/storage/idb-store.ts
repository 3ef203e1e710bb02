import { type DBSchema, type IDBPDatabase, openDB } from 'idb';
import { defaultSettings } from './defaults.js';
import type {
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
    this.db ??= openDB<LineageDB>(DB_NAME, 1, {
      upgrade(db) {
        db.createObjectStore('settings');
        db.createObjectStore('treeHeads', { keyPath: 'log' });
        const h = db.createObjectStore('history', { autoIncrement: true });
        h.createIndex('byOrigin', 'origin');
        db.createObjectStore('cache', { keyPath: 'origin' });
        db.createObjectStore('tabHeaders', { keyPath: 'tabId' });
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
  async addHistory(e: HistoryEntry, keepPerOrigin: number): Promise<void> {
    const db = await this.open();
    const tx = db.transaction('history', 'readwrite');
    await tx.store.add(e);
    // Auto-increment keys are in insertion order: the oldest of this origin come first.
    const keys = await tx.store.index('byOrigin').getAllKeys(e.origin);
    for (const k of keys.slice(0, Math.max(0, keys.length - keepPerOrigin))) await tx.store.delete(k);
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
