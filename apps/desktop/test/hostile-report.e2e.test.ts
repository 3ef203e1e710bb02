// Report shapes a hostile capsule can take that the report view (main/services/report-view.ts)
// does not cap, rendered by the built page in real Chromium: one event citing 40k predecessors,
// one committing to 40k attributes, a 1 MB action. Before paging and folding, the first made the
// checks tab 697,554 px tall (its found value lists every predecessor) and the lineage tab 80k
// elements; the second put 280k elements on the lineage and events tabs (3.4 s per tab switch).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, type SampleKeys, signObject } from '@lineage/producer';
import { eventId, type LineageEvent } from '@lineage/verifier-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridge, ensureBuilt, launch, serveRenderer, shot } from './support/browser.js';
import { createHarness } from './support/harness.js';

const N = 40_000;
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-hostile-'));

beforeAll(async () => {
  ensureBuilt();
  [browser, server] = await Promise.all([launch(), serveRenderer()]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The sample with event `i` edited and signed again by its own key (its leaf no longer matches the log). */
async function sampleWith(
  i: number,
  edit: (u: Omit<LineageEvent, 'signature'>) => Omit<LineageEvent, 'signature'>,
) {
  let edited = '';
  const s = await buildFedrampSample({
    hooks: {
      content: (c, { keys }) => {
        const e = c.events[i]!;
        const { signature, ...unsigned } = e;
        const key = [...Object.values(keys.agents), ...Object.values(keys.humans)].find(
          (k: SampleKeys['log']) => k.publicKeyHex === signature.public_key,
        )!;
        const changed = edit(unsigned);
        c.events[i] = { ...changed, signature: signObject('lineage/event/v1', changed, key) };
        edited = eventId(c.events[i]!);
      },
    },
  });
  return { ...s, edited };
}

async function openReport(name: string, s: Awaited<ReturnType<typeof sampleWith>>): Promise<Page> {
  const path = join(dir, `${name}.zip`);
  writeFileSync(path, s.zip);
  const h = createHarness();
  await h.api.trustImportStore(s.trustText);
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  await bridge(page, h);
  await page.goto(server.url);
  await page.waitForSelector('.topbar');
  h.openQueue.push(path);
  await page.click('[data-testid=open-capsule]');
  await page.waitForSelector('.lin-verdict');
  expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('failed');
  return page;
}

const pageHeight = (page: Page) => page.evaluate(() => document.documentElement.scrollHeight);
const elements = (page: Page) => page.evaluate(() => document.querySelectorAll('*').length);

describe('hostile report shapes', () => {
  it('an event citing 40k predecessors: the failure names a few and counts, the predecessor list pages', async () => {
    const fake = Array.from({ length: N }, (_, i) => i.toString(16).padStart(64, '0'));
    const s = await sampleWith(16, (u) => ({ ...u, predecessors: fake }));
    const page = await openReport('predecessors', s);
    // The checks tab opens first (failed): chain.predecessor_dangling names the first few and counts.
    expect(await pageHeight(page)).toBeLessThan(10_000);
    const dangling = page.locator('[data-check-id="chain.predecessor_dangling"] .lin-ef-found');
    const found = (await dangling.first().textContent()) ?? '';
    expect(found).toContain(fake[0]);
    expect(found).toContain('(40,000 in all)');
    await shot(page, 'hostile-predecessors-checks');
    // The lineage tab opens on the failed event: its details list the first page of predecessors.
    await page.click('[data-tab=lineage]');
    await page.waitForSelector('[data-testid=event-panel] .lin-event');
    expect(await elements(page)).toBeLessThan(5_000);
    const more = page.locator('[data-testid=event-panel] .lin-kv [data-testid=more-rows]');
    expect(await more.textContent()).toBe('200 of 40,000 predecessors shown. Show 200 more');
    await more.getByRole('button').click();
    expect(await more.textContent()).toBe('400 of 40,000 predecessors shown. Show 200 more');
    await shot(page, 'hostile-predecessors-lineage');
    await page.context().close();
  }, 120_000);

  it('an event committing to 40k attributes: the commitments table pages', async () => {
    const s = await sampleWith(10, (u) => ({
      ...u,
      commitments: Array.from({ length: N }, (_, i) => ({
        name: `attr-${i}`,
        scheme: 'sha256-salted-v1',
        value: i.toString(16).padStart(64, '0'),
      })),
    }));
    const page = await openReport('commitments', s);
    await page.click('[data-tab=events]');
    const started = Date.now();
    await page.click(`[data-event-row="${s.edited}"]`);
    await page.waitForSelector('.lin-commitments');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await page.locator('.lin-commitments tbody tr').count()).toBe(200);
    expect(await page.locator('.lin-proof [data-testid=more-rows]').textContent()).toBe(
      '200 of 40,000 commitments shown. Show 200 more',
    );
    expect(await elements(page)).toBeLessThan(5_000);
    await shot(page, 'hostile-commitments');
    await page.context().close();
  }, 120_000);

  it('a 1 MB action: one line in the tables, folded in the details with the whole value a click away', async () => {
    const action = `scan.${randomBytes(1 << 19).toString('hex')}`;
    const s = await sampleWith(9, (u) => ({ ...u, action }));
    const page = await openReport('long-action', s);
    expect(await pageHeight(page)).toBeLessThan(10_000);
    await page.click('[data-tab=events]');
    const row = page.locator(`[data-event-row="${s.edited}"]`);
    expect(((await row.locator('.row-select').textContent()) ?? '').length).toBeLessThan(40);
    await row.click();
    await page.click('[data-tab=lineage]');
    const panel = page.locator('[data-testid=event-panel] .lin-event');
    await panel.getByRole('button', { name: 'Show all 1,048,581 characters' }).click();
    expect(await panel.locator('textarea').inputValue()).toBe(action);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(1360);
    await shot(page, 'hostile-long-action');
    await page.context().close();
  }, 120_000);

  it('5,000 receipts between two events: one handoff edge drawn, with the count', async () => {
    // Laid out one by one, 40k such edges took dagre 5 minutes on the page's thread.
    const s = await buildFedrampSample({
      hooks: {
        content: (c) => {
          const r = c.receipts[1]!;
          for (let i = 0; i < 5_000; i++) c.receipts.push({ ...r, handoff_id: `copy-${i}` });
        },
      },
    });
    const page = await openReport('receipts', { ...s, edited: '' });
    await page.click('[data-tab=lineage]');
    await page.waitForSelector('[data-kind=handoff]');
    const badges = await page.locator('[data-kind=handoff] .lin-edge-badge text').allTextContents();
    // handoff-02 and its 5,000 copies (whose signatures no longer hold) are one edge.
    expect(badges).toContain('✕ 5,001');
    expect(badges.length).toBeLessThan(10);
    await shot(page, 'hostile-receipts-lineage');
    await page.context().close();
  }, 120_000);
});
