import { describe, expect, it } from 'vitest';
import { type ActionPort, Controller, webOrigin } from '../src/background/controller.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import type { ActionPresentation } from '../src/background/tab-state.js';
import { parseRequest } from '../src/shared/messages.js';
import { MemoryStore } from '../src/storage/memory.js';
import {
  CARDS,
  CHECKPOINTS,
  checkpointHeader,
  HISTORIES,
  HISTORY_PATH,
  inclusionHeader,
  TREES,
  trustStoreJson,
} from './fixture/sites.js';

class RecordingAction implements ActionPort {
  readonly shown: Array<{ tabId: number } & ActionPresentation> = [];
  async render(tabId: number, p: ActionPresentation) {
    this.shown.push({ tabId, ...p });
  }
  async tabOrigin() {
    return 'https://agent.example';
  }
}

const goodHeaders = [
  { name: 'lineage-checkpoint', value: checkpointHeader(CHECKPOINTS.v1) },
  { name: 'lineage-inclusion', value: inclusionHeader(3, 8, TREES.v1.inclusionProof(3, 8)) },
];

/** Serves the good card from memory; counts requests so caching is observable. */
function cardFetch(): { fetch: FetchBounded; count: () => number } {
  let n = 0;
  return {
    count: () => n,
    fetch: async (url) => {
      n++;
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

async function setup(fetch: FetchBounded, checkMs?: number) {
  const store = new MemoryStore();
  const action = new RecordingAction();
  const c = new Controller({
    store,
    core: coreApi,
    fetch,
    action,
    now: () => Date.now(),
    ...(checkMs ? { checkMs } : {}),
  });
  const imported = await c.handle({ type: 'importTrust', text: trustStoreJson(), fileName: 'trust.json' });
  expect(imported.ok).toBe(true);
  return { store, action, c };
}

describe('controller', () => {
  it('an advertising page is checked; the toolbar goes checking → verified', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    await c.onDocumentHeaders(7, 'https://agent.example/page', goodHeaders);
    expect(action.shown.map((s) => s.icon)).toEqual(['not_checked', 'checking', 'verified']);
    expect(action.shown.at(-1)).toMatchObject({ tabId: 7, badgeText: 'OK' });
    const v = await c.view(7);
    expect(v.result?.status).toBe('verified');
    expect(v.history).toHaveLength(1);
  });

  it('a page without Lineage headers is not checked (nothing fetched) unless "all sites" is on', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    await c.onDocumentHeaders(1, 'https://plain.example/', [{ name: 'content-type', value: 'text/html' }]);
    expect(f.count()).toBe(0);
    expect(action.shown.at(-1)?.icon).toBe('not_checked');
    await c.handle({ type: 'setCheckAllSites', value: true });
    await c.onDocumentHeaders(1, 'https://plain.example/', [{ name: 'content-type', value: 'text/html' }]);
    expect(f.count()).toBeGreaterThan(0);
    expect(action.shown.at(-1)?.icon).toBe('warning');
  });

  it('non-web pages are never checked', async () => {
    const f = cardFetch();
    const { c } = await setup(f.fetch);
    await c.onDocumentHeaders(2, 'chrome://settings/', goodHeaders);
    expect(f.count()).toBe(0);
    expect(webOrigin('file:///etc/passwd')).toBeNull();
  });

  it('results are cached per origin for identical headers; Retry bypasses the cache', async () => {
    const f = cardFetch();
    const { c } = await setup(f.fetch);
    await c.onDocumentHeaders(3, 'https://agent.example/a', goodHeaders);
    const after1 = f.count();
    await c.onDocumentHeaders(3, 'https://agent.example/b', goodHeaders);
    expect(f.count()).toBe(after1);
    await c.handle({ type: 'check', tabId: 3 });
    expect(f.count()).toBeGreaterThan(after1);
  });

  it('a site that never answers ends in the timeout state, not in verified', async () => {
    const hang: FetchBounded = () => new Promise(() => {});
    const { action, c } = await setup(hang, 50);
    await c.onDocumentHeaders(4, 'https://slow.example/', goodHeaders);
    expect(action.shown.at(-1)).toMatchObject({ icon: 'timeout', badgeText: '?' });
  });

  it('a hanging site does not hold up the check of another tab', async () => {
    const f = cardFetch();
    const mixed: FetchBounded = (url, limits) =>
      url.startsWith('https://slow.example') ? new Promise(() => {}) : f.fetch(url, limits);
    const { action, c } = await setup(mixed, 300);
    await Promise.all([
      c.onDocumentHeaders(20, 'https://slow.example/', goodHeaders),
      c.onDocumentHeaders(21, 'https://agent.example/', goodHeaders),
    ]);
    expect(action.shown.filter((s) => s.tabId === 21).at(-1)?.icon).toBe('verified');
    expect(action.shown.filter((s) => s.tabId === 20).at(-1)?.icon).toBe('timeout');
  });

  it('an internal error is shown as failed, never as verified', async () => {
    const boom: FetchBounded = async () => {
      throw new TypeError('boom');
    };
    const { action, c } = await setup(boom);
    await c.onDocumentHeaders(5, 'https://err.example/', goodHeaders);
    // A fetch error is a finding about the site (card.fetch fails), not a crash.
    expect(action.shown.at(-1)?.icon).toBe('failed');
  });

  it('a malformed trust store is refused with the reason; the old one stays', async () => {
    const { c, store } = await setup(cardFetch().fetch);
    const r = await c.handle({ type: 'importTrust', text: '{"version":2}', fileName: 'bad.json' });
    expect(r.ok).toBe(false);
    expect(store.settings.trust.logs).toHaveLength(1);
  });

  it('clearData forgets tree heads, history and cache but keeps settings', async () => {
    const { c, store } = await setup(cardFetch().fetch);
    await c.onDocumentHeaders(6, 'https://agent.example/', goodHeaders);
    expect(store.treeHeads.size).toBe(1);
    await c.handle({ type: 'clearData' });
    expect(store.treeHeads.size).toBe(0);
    expect(store.entries).toHaveLength(0);
    expect(store.settings.trust.logs).toHaveLength(1);
  });
});

describe('service-worker restarts (MV3 workers are stopped when idle)', () => {
  it('a restarted worker restores the tab from storage and re-renders the same toolbar state', async () => {
    const f = cardFetch();
    const { store, c } = await setup(f.fetch);
    await c.onDocumentHeaders(8, 'https://agent.example/', goodHeaders);
    const action = new RecordingAction();
    const restarted = new Controller({ store, core: coreApi, fetch: f.fetch, action, now: () => Date.now() });
    const v = await restarted.view(8);
    expect(v.state.status).toBe('verified');
    expect(v.result?.card?.name).toBe('Inventory Agent');
    expect(action.shown).toEqual([expect.objectContaining({ tabId: 8, icon: 'verified', badgeText: 'OK' })]);
    // Retry after the restart still has the headers: still verified, not "no proof".
    await restarted.handle({ type: 'check', tabId: 8 });
    expect(action.shown.at(-1)?.icon).toBe('verified');
  });

  it('a cached result for other headers is not restored (no stale verdicts)', async () => {
    const f = cardFetch();
    const { store, c } = await setup(f.fetch);
    await c.onDocumentHeaders(9, 'https://agent.example/', goodHeaders);
    await store.putTabHeaders({
      tabId: 9,
      origin: 'https://agent.example',
      headers: [{ name: 'lineage-checkpoint', value: ':AAAA:' }],
    });
    const restarted = new Controller({
      store,
      core: coreApi,
      fetch: f.fetch,
      action: new RecordingAction(),
      now: () => Date.now(),
    });
    const v = await restarted.view(9);
    expect(v.state.status).toBe('not_checked');
    expect(v.result).toBeNull();
  });

  it('an unseen cross-origin URL change (back/forward cache) resets the tab', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    await c.onDocumentHeaders(10, 'https://agent.example/', goodHeaders);
    await c.onTabUrlChanged(10, 'https://agent.example/other'); // same origin: nothing changes
    expect(action.shown.at(-1)?.icon).toBe('verified');
    await c.onTabUrlChanged(10, 'https://elsewhere.example/');
    expect(action.shown.at(-1)?.icon).toBe('not_checked');
    expect((await c.view(10)).state.origin).toBe('https://elsewhere.example');
  });

  it('the URL-change event of the same navigation, handled mid-way, does not drop the headers', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    // Both events of one navigation, interleaved as the browser may deliver them.
    await Promise.all([
      c.onDocumentHeaders(12, 'https://agent.example/', goodHeaders),
      c.onTabUrlChanged(12, 'https://agent.example/'),
    ]);
    expect(action.shown.filter((s) => s.tabId === 12).at(-1)?.icon).toBe('verified');
  });

  it('stored headers are capped so a hostile header stays oversized but small', async () => {
    const f = cardFetch();
    const { store, c } = await setup(f.fetch);
    await c.onDocumentHeaders(11, 'https://agent.example/', [
      { name: 'Lineage-Checkpoint', value: `:${'A'.repeat(1_000_000)}:` },
      { name: 'set-cookie', value: 'secret=1' },
    ]);
    const saved = await store.getTabHeaders(11);
    expect(saved?.headers.map((h) => h.name)).toEqual(['lineage-checkpoint']);
    expect(saved?.headers[0]?.value.length).toBe(16_385);
  });
});

describe('messages from our pages are validated', () => {
  it('accepts well-formed requests and rejects everything else', () => {
    expect(parseRequest({ type: 'getView', tabId: 3 })).toEqual({ type: 'getView', tabId: 3 });
    expect(parseRequest({ type: 'getView', tabId: -1 })).toBeNull();
    expect(parseRequest({ type: 'getView', tabId: '3' })).toBeNull();
    expect(parseRequest({ type: 'setCheckAllSites', value: 'yes' })).toBeNull();
    expect(parseRequest({ type: 'eval', code: '1' })).toBeNull();
    expect(parseRequest(null)).toBeNull();
    expect(parseRequest({ type: 'importTrust', text: 'x'.repeat(1_000_001), fileName: 'a' })).toBeNull();
  });
});
