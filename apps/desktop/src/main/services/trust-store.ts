/**
 * The trust store persisted as spec §4.8 JSON under the user-data dir. Starts empty. Every change
 * is a load-edit-save in the file's queue (json-file.ts), so two changes at once both land.
 */
import { join } from 'node:path';
import type { TrustStore } from '@lineage/verifier-core';
import type { TrustImportRequest, TrustStoreView } from '../../shared/api.js';
import {
  addTrustEntry,
  emptyTrustStore,
  parseTrustStore,
  removeTrustEntry,
  serializeTrustStore,
  viewTrustStore,
} from '../../shared/trust-model.js';
import { readJsonFile, serialized, writeFileAtomic } from './json-file.js';

export class TrustStoreService {
  private readonly file: string;
  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'trust-store.json');
  }

  async load(): Promise<TrustStore> {
    const raw = await readJsonFile(this.file);
    return raw === undefined ? emptyTrustStore() : parseTrustStore(JSON.stringify(raw));
  }

  private async save(store: TrustStore): Promise<TrustStoreView> {
    await writeFileAtomic(this.file, serializeTrustStore(store));
    return viewTrustStore(store);
  }

  async view(): Promise<TrustStoreView> {
    return viewTrustStore(await this.load());
  }

  /** Applies `edit` to the store as it is on disk now, after every change queued before it. */
  private change(edit: (store: TrustStore) => TrustStore): Promise<TrustStoreView> {
    return serialized(this.file, async () => this.save(edit(await this.load())));
  }

  async import(req: TrustImportRequest): Promise<TrustStoreView> {
    return this.change((store) => addTrustEntry(store, req));
  }

  async remove(entryId: string): Promise<TrustStoreView> {
    return this.change((store) => removeTrustEntry(store, entryId));
  }

  async exportText(): Promise<string> {
    return serializeTrustStore(await this.load());
  }

  /** Replaces the whole store: queued like every change, but never reads the old one (it may be the broken one being replaced). */
  async importStore(text: string): Promise<TrustStoreView> {
    const store = parseTrustStore(text);
    return serialized(this.file, async () => this.save(store));
  }
}
