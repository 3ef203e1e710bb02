/**
 * The unpacked build in Debian Chromium (new headless mode), driven by playwright-core against the
 * fixture sites on 127.0.0.1. One browser for the whole file; every wait is bounded.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSite, serveSite, serveWorld } from '../fixture/server.js';
import type { FixtureWorld, SiteName } from '../fixture/sites.js';
import { trustStoreJson } from '../fixture/sites.js';
import {
  appDir,
  closeExtension,
  importTrust,
  type LineageGlobal,
  type LoadedExtension,
  launchExtension,
  openDetails,
  openOptions,
  openPopup,
  putRecords,
  readStores,
  repoRoot,
  resultsShotsDir,
  screenshots,
  type TabSnapshot,
  tabIdOf,
  visit,
} from './support/extension-browser.js';

// Screenshots go to test-results/ on every run; LINEAGE_UPDATE_SCREENSHOTS=1 refreshes the README's.
const shot = screenshots(
  process.env.LINEAGE_UPDATE_SCREENSHOTS ? join(repoRoot, 'docs/screenshots') : resultsShotsDir,
  'extension',
);

let ext: LoadedExtension;
let sites = new Map<SiteName, RunningSite>();
/** The fixture built for the running sites' origins (its checkpoints are the ones they serve). */
let world: FixtureWorld;

/** Visits a fixture site (again, in `page`) and waits for its check; counted for the benchmark. */
async function visitSite(
  name: SiteName,
  page?: Page,
): Promise<{ page: Page; tabId: number; snap: TabSnapshot }> {
  const v = await visit(ext, sites.get(name)!.origin, page);
  memory.checks++;
  return v;
}

/**
 * JS heap of the extension's service worker, via CDP Runtime.getHeapUsage on the worker target
 * (after a GC), for the benchmark. Playwright has no CDP session for workers, so we attach through
 * a page session's Target domain.
 */
async function swHeapBytes(): Promise<number | null> {
  const page = await ext.ctx.newPage();
  try {
    const cdp = await ext.ctx.newCDPSession(page);
    const { targetInfos } = await cdp.send('Target.getTargets');
    const t = targetInfos.find((x) => x.type === 'service_worker' && x.url === ext.swUrl);
    if (!t) return null;
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
    let next = 1;
    const call = (method: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const id = next++;
        const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 5000);
        cdp.on('Target.receivedMessageFromTarget', (e) => {
          const m = JSON.parse(e.message) as { id?: number; result?: Record<string, unknown> };
          if (m.id === id) {
            clearTimeout(timer);
            resolve(m.result ?? {});
          }
        });
        void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
      });
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.getHeapUsage');
    await cdp.send('Target.detachFromTarget', { sessionId });
    return typeof r.usedSize === 'number' ? r.usedSize : null;
  } catch {
    return null;
  } finally {
    await page.close();
  }
}

const memory: { idleUsedBytes: number | null; afterChecksUsedBytes: number | null; checks: number } = {
  idleUsedBytes: null,
  afterChecksUsedBytes: null,
  /** Page visits that ran a check during this file. */
  checks: 0,
};

/**
 * Stops the extension's service worker (as Chrome does when it is idle) and waits for the next one,
 * started by an extension page asking it for its settings: what it knows then, it read from storage.
 * A marker set in the old worker's global scope tells the fresh one apart.
 */
async function restartServiceWorker(): Promise<void> {
  await ext.sw.evaluate(() => {
    (globalThis as { __testMarker?: number }).__testMarker = 1;
  });
  const page = await ext.ctx.newPage();
  const cdp = await ext.ctx.newCDPSession(page);
  const stopped = new Promise<void>((resolve) =>
    cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
      if (e.versions.some((v) => v.scriptURL === ext.swUrl && v.runningStatus === 'stopped')) resolve();
    }),
  );
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await stopped;
  await page.goto(`chrome-extension://${ext.id}/options.html`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const fresh = await Promise.all(
      ext.ctx.serviceWorkers().map(async (w) => {
        try {
          const marker = await w.evaluate(() => (globalThis as { __testMarker?: number }).__testMarker);
          return w.url() === ext.swUrl && marker === undefined ? w : null;
        } catch {
          return null;
        }
      }),
    );
    const w = fresh.find((x) => x !== null);
    if (w) {
      ext.sw = w;
      break;
    }
    if (Date.now() > deadline) throw new Error('the service worker did not start again within 15 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.close();
}

beforeAll(async () => {
  ({ sites, world } = await serveWorld());
  ext = await launchExtension('lineage-ext-');

  // Pin the fixture log through the options page, as a user would.
  const options = await openOptions(ext);
  expect(await importTrust(options, ext.userDataDir, 'fixture-trust.json', trustStoreJson())).toBe(
    'Imported fixture-trust.json.',
  );
  await shot(options, 'options');
  await options.close();
  memory.idleUsedBytes = await swHeapBytes();
}, 90_000);

afterAll(async () => {
  if (ext) {
    memory.afterChecksUsedBytes = await swHeapBytes();
    const out = join(appDir, 'test-results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'sw-memory.json'),
      `${JSON.stringify({ ...memory, chromium: ext.ctx.browser()?.version() ?? null, measuredAt: new Date().toISOString() }, null, 2)}\n`,
    );
  }
  await closeExtension(ext);
  await Promise.all([...sites.values()].map((s) => s.close()));
});

describe('extension in Chromium against the fixture sites', { timeout: 30_000 }, () => {
  it('manifest loads as MV3 with only webRequest + http(s) host access', async () => {
    const m = await ext.sw.evaluate(() => chrome.runtime.getManifest());
    expect(m.manifest_version).toBe(3);
    expect(m.permissions).toEqual(['webRequest', 'webNavigation']);
  });

  it('good agent → verified icon, badge OK, popup shows card, identity, proof with audit path', async () => {
    const { tabId, snap, page } = await visitSite('good');
    expect(snap.status).toBe('verified');
    expect(snap.badge).toBe('OK');
    expect(snap.title).toMatch(/^Lineage — Verified/);
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('sentence').textContent()).toBe(
      'Verified: the agent card’s identity and current key hold, and it is anchored in a log you trust.',
    );
    expect(await popup.getByTestId('card-name').textContent()).toBe('Inventory Agent');
    await expect
      .poll(() => popup.locator('[data-check-id="card.identity_proof"]').getAttribute('data-status'))
      .toBe('pass');
    // The key history was fetched and checked: no check was skipped.
    for (const id of ['proof.key_history', 'card.key_current', 'card.lineage']) {
      expect(await popup.locator(`[data-check-id="${id}"]`).getAttribute('data-status'), id).toBe('pass');
    }
    expect(await popup.locator('[data-status="not_checked"]').count()).toBe(0);
    expect(await popup.getByTestId('audit-path').locator('li').count()).toBe(5); // leaf, 3 siblings, root
    expect(await popup.locator('body').textContent()).toContain('Asset inventory');
    await shot(popup, 'popup-verified');

    const details = await openDetails(ext, tabId);
    await details.getByTestId('raw-card').waitFor({ timeout: 10_000 });
    expect(await details.getByTestId('raw-card').textContent()).toContain('"name": "Inventory Agent"');
    expect(await details.getByTestId('raw-checkpoint').textContent()).toMatch(
      /^fixture\.lineage\.test\/log\n8\n/,
    );
    await shot(details, 'details');
    await Promise.all([details.close(), popup.close(), page.close()]);
  });

  it('key history not published → warning, badge !, the popup says the key could have been revoked', async () => {
    const { tabId, snap, page } = await visitSite('noHistory');
    expect(snap.status).toBe('warning');
    expect(snap.badge).toBe('!');
    expect(snap.title).toMatch(/^Lineage — Warning: key history not published/);
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('sentence').textContent()).toBe(
      'Warning: key history not published, so the card’s key could have been revoked.',
    );
    for (const id of ['proof.key_history', 'card.key_current', 'card.lineage']) {
      expect(await popup.locator(`[data-check-id="${id}"]`).getAttribute('data-status'), id).toBe(
        'not_checked',
      );
    }
    expect(await popup.locator('.lin-ext-verdict').getAttribute('data-status')).toBe('warning');
    await shot(popup, 'popup-no-key-history');
    await Promise.all([popup.close(), page.close()]);
  });

  it('card signed by a key the history shows revoked → failed on card.key_current', async () => {
    const { tabId, snap, page } = await visitSite('revokedKey');
    expect(snap.status).toBe('failed');
    expect(snap.badge).toBe('X');
    expect(snap.title).toMatch(/^Lineage — Failed: the card names a key the agent has revoked/);
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('sentence').textContent()).toBe(
      'Failed: the card names a key the agent has revoked or rotated out.',
    );
    const current = popup.locator('[data-check-id="card.key_current"]');
    expect(await current.getAttribute('data-status')).toBe('fail');
    expect(await current.textContent()).toContain('the agent is revoked or superseded');
    expect(await popup.locator('[data-check-id="proof.key_history"]').getAttribute('data-status')).toBe(
      'pass',
    );
    expect(await popup.getByTestId('card-name').textContent()).toBe('Payroll Agent');
    await shot(popup, 'popup-revoked-key');
    await Promise.all([popup.close(), page.close()]);
  });

  it('a key-history event with a bad inclusion proof → failed', async () => {
    const { tabId, snap, page } = await visitSite('badHistoryProof');
    expect(snap.status).toBe('failed');
    expect(snap.badge).toBe('X');
    expect(snap.sentence).toMatch(/^Failed: the agent’s key history does not verify/);
    const popup = await openPopup(ext, tabId);
    const h = popup.locator('[data-check-id="proof.key_history"]');
    expect(await h.getAttribute('data-status')).toBe('fail');
    expect(await h.textContent()).toContain('merkle.inclusion.root_mismatch');
    expect(await popup.locator('[data-check-id="card.key_current"]').getAttribute('data-status')).toBe(
      'not_checked',
    );
    await Promise.all([popup.close(), page.close()]);
  });

  it('forged card → failed, badge X', async () => {
    const { snap, page } = await visitSite('forged');
    expect(snap.status).toBe('failed');
    expect(snap.badge).toBe('X');
    expect(snap.sentence).toMatch(/changed after it was signed|signature does not verify/);
    await page.close();
  });

  it('bad identity proof → failed, and the popup says why in one line', async () => {
    const { tabId, snap, page } = await visitSite('badIdentity');
    expect(snap.status).toBe('failed');
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('sentence').textContent()).toBe(
      'Failed: the card’s identity proof does not verify.',
    );
    expect(await popup.locator('[data-check-id="card.identity_proof"]').getAttribute('data-status')).toBe(
      'fail',
    );
    await shot(popup, 'popup-failed');
    await Promise.all([popup.close(), page.close()]);
  });

  it('wrong inclusion proof → failed', async () => {
    const { tabId, snap, page } = await visitSite('wrongInclusion');
    expect(snap.status).toBe('failed');
    expect(snap.sentence).toBe('Failed: the inclusion proof does not place this agent card in the log.');
    const popup = await openPopup(ext, tabId);
    expect(await popup.locator('[data-check-id="proof.inclusion.card"]').getAttribute('data-status')).toBe(
      'fail',
    );
    await Promise.all([popup.close(), page.close()]);
  });

  it('unknown log → warning; a card named "✓ Verified by Lineage" stays framed data', async () => {
    const { tabId, snap, page } = await visitSite('unknownLog');
    expect(snap.status).toBe('warning');
    expect(snap.badge).toBe('!');
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('sentence').textContent()).toMatch(
      /^Warning: the proof is signed by a log you have not pinned/,
    );
    const name = popup.getByTestId('card-name').locator('.lin-data');
    expect(await name.textContent()).toBe('✓ Verified by Lineage');
    expect(await popup.locator('.lin-ext-verdict').getAttribute('data-status')).toBe('warning');
    await shot(popup, 'popup-warning');
    await Promise.all([popup.close(), page.close()]);
  });

  it('hostile oversized header → failed, no crash, the service worker keeps working', async () => {
    const { snap, page } = await visitSite('hostileHeader');
    expect(snap.status).toBe('failed');
    expect(snap.sentence).toMatch(/malformed or oversized/);
    await page.close();
  });

  it('split view: first visit (grown, proven consistent) verifies; the second (same size, other root) fails', async () => {
    const first = await visitSite('splitView');
    expect(first.snap.status).toBe('verified');
    const second = await visitSite('splitView', first.page);
    expect(second.snap.status).toBe('failed');
    expect(second.snap.badge).toBe('X');
    expect(second.snap.sentence).toMatch(/split view/);
    const popup = await openPopup(ext, second.tabId);
    const rows = popup.getByTestId('history').locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('failed');
    // The failed check says which root was remembered and which one the log signed now.
    const split = popup.locator('[data-check-id="proof.consistency"]');
    expect(await split.locator('.lin-ef-expected').textContent()).toMatch(
      /^Expectedroot [0-9a-f]{12}.*\(signed 2026-11-18T11:06:40\.000Z, seen from http:\/\/127\.0\.0\.1:\d+ on 20\d\d-.*Z\)$/,
    );
    expect(await split.locator('.lin-ef-found').textContent()).toMatch(
      /^Foundroot [0-9a-f]{12}.*\(signed 2026-11-18T11:06:40\.000Z, served by http:\/\/127\.0\.0\.1:\d+\)$/,
    );
    await shot(popup, 'popup-split-view');
    const details = await openDetails(ext, second.tabId);
    await details.locator('[data-check-id="proof.consistency"] .lin-ef-found').waitFor({ timeout: 10_000 });
    // The two signed notes are the evidence, shown in full at once.
    expect(await details.getByTestId('evidence-note-0').textContent()).toBe(world.CHECKPOINTS.v2);
    expect(await details.getByTestId('evidence-note-1').textContent()).toBe(world.CHECKPOINTS.fork);
    await shot(details, 'details-split-view');
    await Promise.all([details.close(), popup.close(), first.page.close()]);
  });

  it('the log stays marked as equivocating, across a service-worker restart, until cleared in Options', async () => {
    // The good site verified at the start; the log it shows has since been caught equivocating.
    const { tabId, snap, page } = await visitSite('good');
    expect(snap.status).toBe('failed');
    expect(snap.sentence).toBe(
      'Failed: this log was caught signing two contradicting tree heads; the evidence is kept (see Details).',
    );
    const popup = await openPopup(ext, tabId);
    expect(await popup.getByTestId('equivocation-note').textContent()).toMatch(
      /^Log fixture\.lineage\.test\/log is marked as equivocating/,
    );
    const marked = popup.locator('[data-check-id="proof.consistency"]');
    expect(await marked.getAttribute('data-status')).toBe('fail');
    await shot(popup, 'popup-equivocation');
    const details = await openDetails(ext, tabId);
    await details.getByTestId('evidence').waitFor({ timeout: 10_000 });
    expect(await details.getByTestId('evidence-note-0').textContent()).toBe(world.CHECKPOINTS.v2);
    expect(await details.getByTestId('evidence-note-1').textContent()).toBe(world.CHECKPOINTS.fork);
    await shot(details, 'details-equivocation');
    // Copy evidence puts both notes on the clipboard, as text to send to the log's operator.
    // (Reading the clipboard back needs a permission Chromium cannot grant to an extension origin:
    // the text is recorded on its way to the real writeText.)
    await details.evaluate(() => {
      const write = navigator.clipboard.writeText.bind(navigator.clipboard);
      navigator.clipboard.writeText = async (text: string) => {
        (globalThis as { __copied?: string }).__copied = text;
        return write(text);
      };
    });
    await details.getByTestId('copy-evidence').click();
    await details.getByText('Copied both signed tree heads.').waitFor({ timeout: 5_000 });
    const copied = await details.evaluate(() => (globalThis as { __copied?: string }).__copied ?? '');
    expect(copied).toContain(world.CHECKPOINTS.v2);
    expect(copied).toContain(world.CHECKPOINTS.fork);
    expect(copied).toMatch(/^Log fixture\.lineage\.test\/log — The log signed two different trees/);
    await Promise.all([details.close(), popup.close()]);

    // The evidence is in IndexedDB: a restarted service worker still fails the log (a site whose
    // last result was cleared from the cache when the log was marked, so this check runs afresh).
    await restartServiceWorker();
    const again = await visitSite('noHistory');
    expect(again.snap.status).toBe('failed');
    expect(again.snap.sentence).toMatch(/^Failed: this log was caught signing two contradicting/);
    await again.page.close();

    const options = await openOptions(ext);
    const item = options.getByTestId('equivocations').locator('li');
    await item.first().waitFor({ timeout: 10_000 });
    expect(await item.count()).toBe(1);
    expect(await item.first().textContent()).toMatch(
      /^fixture\.lineage\.test\/log two trees of size 13, seen 20/,
    );
    await shot(options, 'options-equivocation');
    await item.first().getByTestId('clear-equivocation').click();
    // Nothing goes before the page has said what goes (options-privacy.browser.test.ts).
    await item.first().getByTestId('confirm-clear-equivocation').click();
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
    await options.close();
    // Cleared: the good site's tree of 8 is proven consistent with the remembered 13 again.
    const cleared = await visitSite('good', page);
    expect(cleared.snap.status).toBe('verified');
    await page.close();
  });

  it('the history of at most 200 sites is kept in IndexedDB; the site checked longest ago goes first', async () => {
    // 250 sites' entries written straight into the store, as 250 checks over time would leave them.
    await putRecords(
      ext.sw,
      'history',
      Array.from({ length: 250 }, (_, i) => ({
        value: {
          origin: `https://site-${i}.example`,
          at: i,
          status: 'warning',
          sentence: 's',
          log: null,
          treeSize: null,
        },
      })),
    );
    const { page } = await visitSite('noHistory');
    await page.close();
    const history = (await readStores(ext.sw)).history as Array<{ origin: string }>;
    const origins = [...new Set(history.map((e) => e.origin))];
    expect(origins).toHaveLength(200);
    expect(origins).toContain(sites.get('noHistory')!.origin);
    expect(origins).toContain('https://site-249.example');
    expect(origins).not.toContain('https://site-0.example');
  });

  it('a page that sends its tab to a Lineage site’s 204 beacon does not wear that site’s verdict', async () => {
    const good = sites.get('good')!;
    const evil = await serveSite((path) =>
      path === '/'
        ? {
            status: 200,
            headers: { 'content-type': 'text/html' },
            body: new TextEncoder().encode(
              `<!doctype html><title>Evil</title><h1>Not the Inventory Agent</h1><script>setTimeout(() => { location.href = ${JSON.stringify(`${good.origin}/beacon`)}; }, 200)</script>`,
            ),
          }
        : { status: 404, headers: { 'content-type': 'text/plain' }, body: new Uint8Array(0) },
    );
    try {
      const page = await ext.ctx.newPage();
      await page.goto(`${evil.origin}/`);
      const tabId = await tabIdOf(ext.sw, evil.origin);
      await page.waitForTimeout(2000); // the beacon answered 204; the tab stays on the attacker's page
      expect(page.url().startsWith(evil.origin)).toBe(true);
      const v = await ext.sw.evaluate(async (id: number) => {
        const view = await (globalThis as unknown as LineageGlobal).__lineage.view(id);
        return {
          ...view.state,
          result: view.result !== null,
          badge: await chrome.action.getBadgeText({ tabId: id }),
        };
      }, tabId);
      expect(v).toMatchObject({ status: 'not_checked', origin: evil.origin, result: false, badge: '' });
      const popup = await openPopup(ext, tabId);
      expect(await popup.locator('.lin-ext-verdict').getAttribute('data-status')).toBe('not_checked');
      await Promise.all([popup.close(), page.close()]);
    } finally {
      await evil.close();
    }
  });

  it('a site that does not advertise Lineage is not checked until asked from the popup', async () => {
    const site = await serveSite((path) =>
      path === '/'
        ? {
            status: 200,
            headers: { 'content-type': 'text/html' },
            body: new TextEncoder().encode('<h1>plain</h1>'),
          }
        : { status: 404, headers: { 'content-type': 'text/plain' }, body: new Uint8Array(0) },
    );
    try {
      const page = await ext.ctx.newPage();
      await page.goto(`${site.origin}/`);
      const tabId = await tabIdOf(ext.sw, site.origin);
      const popup = await openPopup(ext, tabId);
      expect(await popup.locator('.lin-ext-verdict').getAttribute('data-status')).toBe('not_checked');
      expect(await ext.sw.evaluate((id: number) => chrome.action.getBadgeText({ tabId: id }), tabId)).toBe(
        '',
      );
      await shot(popup, 'popup-not-checked');
      await popup.getByTestId('check').click();
      await expect
        .poll(() => popup.locator('.lin-ext-verdict').getAttribute('data-status'), { timeout: 15_000 })
        .toBe('warning');
      expect(await popup.getByTestId('sentence').textContent()).toMatch(/publishes no agent card|sends none/);
      await Promise.all([popup.close(), page.close()]);
    } finally {
      await site.close();
    }
  });
});
