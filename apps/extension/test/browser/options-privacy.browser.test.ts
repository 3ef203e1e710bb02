/**
 * The options page and what the extension keeps, in Chromium against the built extension: hostile
 * trust stores refused with the field named, a stored pin edited behind the extension's back,
 * deletions that say what goes before anything goes (read back from IndexedDB), and a hostile page
 * that tries to reach the extension by every channel a page has.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSite, serveWorld } from '../fixture/server.js';
import { LOG_ORIGIN, LOG_VKEY, type SiteName, trustStoreJson } from '../fixture/sites.js';
import {
  closeExtension,
  importTrust,
  type LoadedExtension,
  launchExtension,
  openOptions,
  putRecords,
  readStores,
  resultsShotsDir,
  screenshots,
  visit,
} from './support/extension-browser.js';

const shot = screenshots(process.env.LINEAGE_OPTIONS_SHOTS ?? resultsShotsDir, 'options');

let ext: LoadedExtension;
let sites = new Map<SiteName, RunningSite>();

beforeAll(async () => {
  ({ sites } = await serveWorld());
  ext = await launchExtension('lineage-ext-options-');
}, 60_000);

afterAll(async () => {
  await closeExtension(ext);
  await Promise.all([...sites.values()].map((s) => s.close()));
});

describe('options page and stored data, in Chromium', { timeout: 40_000 }, () => {
  it('does not run in private windows', async () => {
    expect(await ext.sw.evaluate(() => chrome.runtime.getManifest().incognito)).toBe('not_allowed');
    expect(await ext.sw.evaluate(() => chrome.extension.isAllowedIncognitoAccess())).toBe(false);
  });

  it('a hostile trust store is refused naming the field, and nothing is stored', async () => {
    const p = await openOptions(ext);
    const wrongId = LOG_VKEY.replace(/\+([0-9a-f])/, (_m, d: string) => `+${d === '0' ? '1' : '0'}`);
    const log = { origin: LOG_ORIGIN, vkey: LOG_VKEY };
    const cases: Array<[string, string, RegExp]> = [
      [
        'wrong-key-id.json',
        JSON.stringify({ version: 1, logs: [{ origin: LOG_ORIGIN, vkey: wrongId }] }),
        /^wrong-key-id\.json: \/logs\/0\/vkey: key ID [0-9a-f]{8} does not match the key/,
      ],
      [
        'twice.json',
        JSON.stringify({ version: 1, logs: [log, log] }),
        /^twice\.json: \/logs\/1: the same log key is pinned twice/,
      ],
      ['trailing-comma.json', '{"version":1,"logs":[],}', /^trailing-comma\.json: expected a member name/],
      [
        'repeated.json',
        `{"version":1,"logs":[],"logs":[${JSON.stringify(log)}]}`,
        /^repeated\.json: \/logs: duplicate member name "logs"/,
      ],
    ];
    for (const [name, text, want] of cases)
      expect(await importTrust(p, ext.userDataDir, name, text)).toMatch(want);
    await shot(p, 'refused');
    expect(await p.getByTestId('trust-file').evaluate((e) => e.closest('main')?.textContent)).toContain(
      'Logs (0)',
    );
    // Over 1 MB: refused before it is read.
    expect(
      await importTrust(p, ext.userDataDir, 'huge.json', `{"version":1,"x":"${'a'.repeat(1_100_000)}"}`),
    ).toMatch(/^huge\.json is 1100\d+ bytes; trust stores over 1 MB are refused\.$/);
    expect((await readStores(ext.sw)).settings).toEqual([]);
    await p.close();
  });

  it('a pin edited in storage is reported when the page loads, and trusts nothing', async () => {
    const p = await openOptions(ext);
    expect(await importTrust(p, ext.userDataDir, 'trust.json', trustStoreJson())).toBe(
      'Imported trust.json.',
    );
    const [stored] = (await readStores(ext.sw)).settings as Array<{
      trust: { logs: Array<{ vkey: string }> };
    }>;
    expect(stored!.trust.logs[0]!.vkey).toBe(LOG_VKEY);
    stored!.trust.logs[0]!.vkey = LOG_VKEY.replace(
      /\+([0-9a-f])/,
      (_m, d: string) => `+${d === '0' ? '1' : '0'}`,
    );
    await putRecords(ext.sw, 'settings', [{ value: stored, key: 'settings' }]);
    await p.reload();
    const problem = p.getByTestId('trust-problem');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.textContent()).toMatch(
      /^The stored trust store no longer holds, so nothing is trusted: \/logs\/0\/vkey: key ID /,
    );
    expect(await p.locator('main').textContent()).toContain('Logs (0)');
    await shot(p, 'stored-pin-edited');
    expect(await importTrust(p, ext.userDataDir, 'trust.json', trustStoreJson())).toBe(
      'Imported trust.json.',
    );
    expect(await p.getByTestId('trust-problem').count()).toBe(0);
    await p.close();
  });

  it('a hostile page reaches the extension by no channel; nothing of it is stored or fetched', async () => {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      res.end('<!doctype html><title>hostile</title><p>hostile</p>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await ext.ctx.newPage();
      await page.goto(`${origin}/`);
      const tries = await page.evaluate(async (id: string) => {
        const out: Record<string, string> = {};
        const c = (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome;
        out.runtime = typeof c?.runtime?.sendMessage;
        const msgs = [
          { type: 'importTrust', text: '{"version":1}', fileName: 'evil.json' },
          { type: 'clearData' },
          { type: 'setCheckAllSites', value: true },
        ];
        for (const m of msgs) {
          window.postMessage(m, '*');
          window.dispatchEvent(new CustomEvent('lineage', { detail: m }));
          document.documentElement.dataset.lineage = JSON.stringify(m);
        }
        try {
          await fetch(`chrome-extension://${id}/manifest.json`);
          out.fetchManifest = 'read';
        } catch (e) {
          out.fetchManifest = String(e);
        }
        try {
          await fetch(`chrome-extension://${id}/icons/verified-16.png`);
          out.fetchIcon = 'read';
        } catch (e) {
          out.fetchIcon = String(e);
        }
        out.image = await new Promise<string>((res) => {
          const img = new Image();
          img.onload = () => res('loaded');
          img.onerror = () => res('error');
          img.src = `chrome-extension://${id}/icons/verified-16.png`;
        });
        return out;
      }, ext.id);
      expect(tries.runtime).toBe('undefined');
      expect(tries.fetchManifest).toMatch(/TypeError/);
      expect(tries.fetchIcon).toMatch(/TypeError/);
      expect(tries.image).toBe('error');
      // Framing an extension page: the frame never shows it.
      await page.setContent(`<iframe src="chrome-extension://${ext.id}/options.html"></iframe>`);
      await page.waitForTimeout(500);
      const frame = page.frames()[1];
      const framed = frame
        ? await frame.evaluate(() => document.body?.textContent ?? '').catch(() => '')
        : '';
      expect(framed).not.toContain('Lineage extension');
      await page.waitForTimeout(500);
      // Nothing changed: settings as imported, no site checked, nothing of this origin stored.
      const s = await readStores(ext.sw);
      const [settings] = s.settings as Array<{ checkAllSites: boolean; trustSource: string }>;
      expect(settings).toMatchObject({ checkAllSites: false, trustSource: 'trust.json' });
      expect(JSON.stringify(s)).not.toContain(origin);
      // The extension asked this site for nothing (it does not advertise Lineage).
      expect(requests.filter((u) => u !== '/' && u !== '/favicon.ico')).toEqual([]);
      await page.close();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('"Clear remembered data" first says what goes, deletes only once confirmed, and keeps the evidence', async () => {
    const good = sites.get('good')!;
    const { page, snap } = await visit(ext, good.origin);
    expect(snap.status).toBe('verified');
    const evidence = {
      log: 'other.example/log',
      kind: 'split',
      detectedAt: 1,
      notes: [
        { size: '1', rootHex: '00', note: 'a', origin: 'https://a.example', seenAt: 1 },
        { size: '1', rootHex: '11', note: 'b', origin: 'https://b.example', seenAt: 2 },
      ],
    };
    await putRecords(ext.sw, 'equivocations', [{ value: evidence }]);
    let s = await readStores(ext.sw);
    expect(s.treeHeads).toHaveLength(1);
    expect(s.history!.length).toBeGreaterThan(0);
    expect(s.cache).toHaveLength(1);
    expect(s.tabHeaders).toHaveLength(1);

    const p = await openOptions(ext);
    await p.getByTestId('clear-data').click();
    const confirm = p.getByTestId('confirm-data');
    await confirm.waitFor({ timeout: 5_000 });
    expect(await confirm.textContent()).toMatch(
      /deletes the tree heads remembered for every log.*trusted on first use again.*evidence against logs caught equivocating \(1\) are kept/,
    );
    await shot(p, 'confirm-clear-data');
    // Asked, not done: everything is still there.
    s = await readStores(ext.sw);
    expect(s.treeHeads).toHaveLength(1);
    await p.getByTestId('confirm-clear-data').click();
    await p.getByTestId('options-message').waitFor({ timeout: 5_000 });
    s = await readStores(ext.sw);
    expect(s.treeHeads).toEqual([]);
    expect(s.history).toEqual([]);
    expect(s.cache).toEqual([]);
    expect(s.tabHeaders).toEqual([]);
    expect(s.equivocations).toHaveLength(1);
    expect(s.settings).toHaveLength(1);
    await Promise.all([p.close(), page.close()]);
  });

  it('clearing a log’s mark says the evidence goes, offers to copy it, and deletes it only once confirmed', async () => {
    const p = await openOptions(ext);
    const item = p.getByTestId('equivocations').locator('li');
    await item.first().waitFor({ timeout: 10_000 });
    await item.first().getByTestId('clear-equivocation').click();
    const confirm = p.getByTestId('confirm-equivocation');
    await confirm.waitFor({ timeout: 5_000 });
    expect(await confirm.textContent()).toMatch(
      /deletes the two signed tree heads that prove this log equivocated/,
    );
    await p.evaluate(() => {
      navigator.clipboard.writeText = async (text: string) => {
        (globalThis as { __copied?: string }).__copied = text;
      };
    });
    await confirm.getByTestId('copy-evidence').click();
    await confirm.getByText('Copied both signed tree heads.').waitFor({ timeout: 5_000 });
    expect(await p.evaluate(() => (globalThis as { __copied?: string }).__copied)).toMatch(
      /^Log other\.example\/log — The log signed two different trees/,
    );
    await shot(p, 'confirm-clear-mark');
    expect((await readStores(ext.sw)).equivocations).toHaveLength(1);
    await confirm.getByTestId('confirm-clear-equivocation').click();
    await expect.poll(() => item.count(), { timeout: 10_000 }).toBe(0);
    expect((await readStores(ext.sw)).equivocations).toEqual([]);
    await p.close();
  });
});
