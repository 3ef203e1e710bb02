import { expect } from 'vitest';
import { type ActionPort, Controller } from '../../src/background/controller.js';
import { coreApi } from '../../src/background/core-adapter.js';
import type { FetchBounded } from '../../src/background/fetch-bounded.js';
import type { ActionPresentation } from '../../src/background/tab-state.js';
import { MemoryStore } from '../../src/storage/memory.js';
import {
  CARDS,
  CHECKPOINTS,
  checkpointHeader,
  HISTORIES,
  HISTORY_PATH,
  inclusionHeader,
  TREES,
  trustStoreJson,
} from '../fixture/sites.js';

/** The controller's toolbar port, recording what it showed. */
export class RecordingAction implements ActionPort {
  readonly shown: Array<{ tabId: number } & ActionPresentation> = [];
  async render(tabId: number, p: ActionPresentation) {
    this.shown.push({ tabId, ...p });
  }
  /** What each tab's address bar shows, when a test says; unknown (null) otherwise. */
  readonly origins = new Map<number, string>();
  async tabOrigin(tabId: number) {
    return this.origins.get(tabId) ?? null;
  }
}

export const goodHeaders = [
  { name: 'lineage-checkpoint', value: checkpointHeader(CHECKPOINTS.v1) },
  { name: 'lineage-inclusion', value: inclusionHeader(3, 8, TREES.v1.inclusionProof(3, 8)) },
];

/** Serves the good card and key history from memory; records requests so caching is observable. */
export function cardFetch(): { fetch: FetchBounded; count: () => number; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    count: () => urls.length,
    fetch: async (url) => {
      urls.push(url);
      const body = url.endsWith('/.well-known/agent-card.json')
        ? CARDS.good
        : url.endsWith(HISTORY_PATH)
          ? HISTORIES.good
          : null;
      return body
        ? { url, status: 200, bytes: body, contentType: 'application/json' }
        : { url, status: 404, bytes: new Uint8Array(0), contentType: null };
    },
  };
}

/** A controller with the fixture trust store imported. */
export async function setup(fetch: FetchBounded, options: { checkMs?: number; store?: MemoryStore } = {}) {
  const store = options.store ?? new MemoryStore();
  const action = new RecordingAction();
  const c = new Controller({
    store,
    core: coreApi,
    fetch,
    action,
    now: () => Date.now(),
    ...(options.checkMs ? { checkMs: options.checkMs } : {}),
  });
  const imported = await c.handle({ type: 'importTrust', text: trustStoreJson(), fileName: 'trust.json' });
  expect(imported.ok).toBe(true);
  return { store, action, c };
}
