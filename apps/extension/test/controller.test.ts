import { describe, expect, it } from 'vitest';
import { Controller, webOrigin } from '../src/background/controller.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import { parseRequest } from '../src/shared/messages.js';
import { CHECKPOINTS, checkpointHeader, inclusionHeader, TREES } from './fixture/sites.js';
import { cardFetch, goodHeaders, RecordingAction, setup } from './support/controller-harness.js';

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
    const { action, c } = await setup(hang, { checkMs: 50 });
    await c.onDocumentHeaders(4, 'https://slow.example/', goodHeaders);
    expect(action.shown.at(-1)).toMatchObject({ icon: 'timeout', badgeText: '?' });
  });

  it('a check that timed out stays timed out: its late result is not shown, cached or recorded as another verdict', async () => {
    let delay = 300;
    const f = cardFetch();
    const slow: FetchBounded = async (url, limits) => {
      await new Promise((r) => setTimeout(r, delay));
      return f.fetch(url, limits);
    };
    const { c } = await setup(slow, { checkMs: 100 });
    await c.onDocumentHeaders(6, 'https://agent.example/', goodHeaders);
    // The abandoned check goes on fetching (card, history) and would finish "verified" later.
    await new Promise((r) => setTimeout(r, 1_200));
    const v = await c.view(6);
    expect(v.state.status).toBe('timeout');
    expect(v.result).toBeNull();
    expect(v.history.map((h) => h.status)).toEqual(['timeout']);
    // The same document again, within the cache's 60 s: checked afresh, not the late result.
    delay = 0;
    const before = f.count();
    await c.onDocumentHeaders(6, 'https://agent.example/', goodHeaders);
    expect(f.count()).toBeGreaterThan(before);
    expect((await c.view(6)).history.map((h) => h.status)).toEqual(['verified', 'timeout']);
  });

  it('a hanging site does not hold up the check of another tab', async () => {
    const f = cardFetch();
    const mixed: FetchBounded = (url, limits) =>
      url.startsWith('https://slow.example') ? new Promise(() => {}) : f.fetch(url, limits);
    const { action, c } = await setup(mixed, { checkMs: 300 });
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
    action.origins.set(8, 'https://agent.example');
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
    const action = new RecordingAction();
    action.origins.set(9, 'https://agent.example');
    const restarted = new Controller({ store, core: coreApi, fetch: f.fetch, action, now: () => Date.now() });
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

describe('a response is the tab’s document only once its navigation commits (no verdict for a page never shown)', () => {
  it('a 204 with Lineage headers never commits: the tab keeps its state and nothing is fetched', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    // The attacker's page is in the tab; it navigates to a real agent's URL that answers 204.
    await c.onCommitted(30, 'https://evil.example/');
    c.onResponseHeaders(30, 'https://agent.example/beacon', 204, goodHeaders);
    // The tab commits its next document (the attacker reloads itself): not the 204's headers.
    await c.onCommitted(30, 'https://evil.example/');
    c.onResponseHeaders(30, 'https://agent.example/beacon', 205, goodHeaders);
    await c.onCommitted(30, 'https://agent.example/beacon'); // even a commit of that URL later
    expect(f.count()).toBe(0);
    expect(action.shown.filter((s) => s.tabId === 30).map((s) => s.icon)).not.toContain('verified');
    expect((await c.view(30)).state.status).toBe('not_checked');
  });

  it('headers of a response whose navigation did not commit (download, error, other URL) are dropped', async () => {
    const f = cardFetch();
    const { c } = await setup(f.fetch);
    c.onResponseHeaders(31, 'https://agent.example/file', 200, [
      ...goodHeaders,
      { name: 'content-disposition', value: 'attachment; filename="x.zip"' },
    ]);
    await c.onCommitted(31, 'https://agent.example/file');
    c.onResponseHeaders(31, 'https://agent.example/', 200, goodHeaders);
    c.onNavigationFailed(31);
    await c.onCommitted(31, 'https://agent.example/');
    c.onResponseHeaders(31, 'https://agent.example/', 200, goodHeaders);
    await c.onCommitted(31, 'https://evil.example/');
    expect(f.count()).toBe(0);
    expect((await c.view(31)).state).toMatchObject({ status: 'not_checked', origin: 'https://evil.example' });
  });

  it('the response for the committed URL (fragment aside) is applied and checked', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    c.onResponseHeaders(32, 'https://agent.example/page', 200, goodHeaders);
    await c.onCommitted(32, 'https://agent.example/page#top');
    expect(action.shown.filter((s) => s.tabId === 32).at(-1)?.icon).toBe('verified');
  });

  it('a state about another origin than the tab shows is never presented (toolbar or popup)', async () => {
    const f = cardFetch();
    const { action, c } = await setup(f.fetch);
    await c.onDocumentHeaders(33, 'https://agent.example/', goodHeaders);
    expect((await c.view(33)).state.status).toBe('verified');
    action.origins.set(33, 'https://evil.example');
    const v = await c.view(33);
    expect(v.state).toMatchObject({ status: 'not_checked', origin: 'https://evil.example' });
    expect(v.result).toBeNull();
    await c.handle({ type: 'check', tabId: 33 }); // a re-render while the tab shows evil
    expect(action.shown.filter((s) => s.tabId === 33).at(-1)?.icon).toBe('not_checked');
  });
});

/** The good site's fetcher, held until `release()`: a check that is still running when the tab moves. */
function heldFetch(): { fetch: FetchBounded; release: () => void } {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const f = cardFetch();
  return {
    release,
    fetch: async (url, limits) => {
      await gate;
      return f.fetch(url, limits);
    },
  };
}

describe('a result is shown only for the document it was computed for', () => {
  it('a late result for origin A does not attach to the tab after it moved to B', async () => {
    const { fetch: slow, release } = heldFetch();
    const { c } = await setup(slow);
    const first = c.onDocumentHeaders(40, 'https://agent.example/', goodHeaders);
    await new Promise((r) => setTimeout(r, 20));
    await c.onDocumentHeaders(40, 'https://elsewhere.example/', []);
    release();
    await first;
    const v = await c.view(40);
    expect(v.state).toMatchObject({ origin: 'https://elsewhere.example', status: 'not_checked' });
    expect(v.result).toBeNull();
  });

  it('a late result does not attach to a new document of the same origin either', async () => {
    const { fetch: slow, release } = heldFetch();
    const { c } = await setup(slow);
    const first = c.onDocumentHeaders(41, 'https://agent.example/a', goodHeaders);
    await new Promise((r) => setTimeout(r, 20));
    await c.onDocumentHeaders(41, 'https://agent.example/b', []); // no Lineage headers: not checked
    release();
    await first;
    const v = await c.view(41);
    expect(v.state.status).toBe('not_checked');
    expect(v.result).toBeNull();
  });

  it('after a timeout, a cached result computed for other headers is not shown', async () => {
    let slow = false;
    const f = cardFetch();
    const fetch: FetchBounded = async (url, limits) => {
      if (slow) await new Promise((r) => setTimeout(r, 300));
      return f.fetch(url, limits);
    };
    const { c } = await setup(fetch, { checkMs: 100 });
    await c.onDocumentHeaders(42, 'https://agent.example/', goodHeaders);
    expect((await c.view(42)).state.status).toBe('verified');
    slow = true;
    const bad = TREES.v1.inclusionProof(3, 8).map((h) => h.slice());
    bad[0]![0]! ^= 1;
    await c.onDocumentHeaders(42, 'https://agent.example/other', [
      { name: 'lineage-checkpoint', value: checkpointHeader(CHECKPOINTS.v1) },
      { name: 'lineage-inclusion', value: inclusionHeader(3, 8, bad) },
    ]);
    const v = await c.view(42);
    expect(v.state.status).toBe('timeout');
    expect(v.result).toBeNull();
  });
});

describe('header lines are counted per field before anything is dropped', () => {
  it('two Lineage-Checkpoint lines are rejected however many Link lines come first', async () => {
    for (const pad of [0, 14, 200]) {
      const f = cardFetch();
      const { c } = await setup(f.fetch);
      await c.onDocumentHeaders(50, 'https://agent.example/', [
        ...Array.from({ length: pad }, () => ({ name: 'link', value: '</x>; rel="agent-card"' })),
        goodHeaders[1]!,
        goodHeaders[0]!,
        { name: 'lineage-checkpoint', value: checkpointHeader(CHECKPOINTS.fork) },
      ]);
      const v = await c.view(50);
      expect(v.state.status, `${pad} Link lines first`).toBe('failed');
      expect(v.result?.checks.find((x) => x.id === 'proof.headers')?.status).toBe('fail');
    }
  });

  it('a Lineage-* field on too many lines is a failure, not truncated into a valid one', async () => {
    const f = cardFetch();
    const { c } = await setup(f.fetch);
    await c.onDocumentHeaders(51, 'https://agent.example/', [
      goodHeaders[0]!,
      ...Array.from({ length: 9 }, () => goodHeaders[1]!),
    ]);
    const v = await c.view(51);
    expect(v.result?.checks.find((x) => x.id === 'proof.headers')).toMatchObject({
      status: 'fail',
      found: 'headers.too_many_lines',
    });
  });
});

describe('an oversized header is reported with the size the site sent', () => {
  it('a 200,002-character Lineage-Checkpoint is reported as such, not as the length kept', async () => {
    const f = cardFetch();
    const { c } = await setup(f.fetch);
    await c.onDocumentHeaders(52, 'https://agent.example/', [
      { name: 'lineage-checkpoint', value: `:${'A'.repeat(200_000)}:` },
    ]);
    const h = (await c.view(52)).result?.checks.find((x) => x.id === 'proof.headers');
    expect(h).toMatchObject({ status: 'fail', found: 'headers.too_large' });
    expect(h?.reason).toBe('Lineage-Checkpoint: value is 200,002 characters; at most 8,192 are accepted');
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
