// A capsule too large to send to the page whole (past the report-view limits) still gets its
// report on screen, in real Chromium: every failure first, the lists capped and saying so, the
// exports whole. The limits are lowered so a 20k-event capsule stands in for the 380k-event one
// the capsule limits allow (whose 1,078 MiB result could not cross IPC; apps/desktop/README.md, "Large capsules").
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCapsule } from '../../../bench/capsule.bench.js';
import { checkBytes, reportView } from '../src/main/services/report-view.js';
import type { ReportView } from '../src/shared/contract.js';
import { bridge, ensureBuilt, launch, serveRenderer, shot } from './support/browser.js';
import { createHarness } from './support/harness.js';

const N = 20_000;
// About a seventh of the checks (a passed one is ~200 bytes) and a quarter of the events.
const limits = { checkBytes: 4 * 2 ** 20, events: 5_000 };
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let capsule: { zip: string; trust: string };

beforeAll(async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-large-'));
  [browser, server, capsule] = await Promise.all([launch(), serveRenderer(), buildCapsule(N, dir)]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a capsule larger than the page is sent', () => {
  it('shows the verdict over everything, capped lists that say so, and exports every check', async () => {
    const h = createHarness({ reportViewLimits: limits });
    await h.api.trustImportStore(readFileSync(capsule.trust, 'utf8'));
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
    const page: Page = await ctx.newPage();
    page.setDefaultTimeout(30_000);
    await bridge(page, h);
    await page.goto(server.url);
    await page.waitForSelector('.topbar');
    h.openQueue.push(capsule.zip);
    await page.click('[data-testid=open-capsule]');
    await page.waitForSelector('.lin-verdict, [data-testid=verify-error]', { timeout: 120_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    const totalChecks = N * 7 + 26;
    const total = totalChecks.toLocaleString('en-US');
    const note = (await page.textContent('[data-testid=report-partial]')) ?? '';
    const shown = new RegExp(
      `^This capsule is too large to list in full here: the lists below hold ([\\d,]+) checks of ${total} and 5,000 events of 20,000, every failure first\\. The verdict and counts above are over all of them, and the JSON, OSCAL and HTML exports carry every check and event\\.$`,
    ).exec(note)?.[1];
    expect(shown, note).toBeDefined();
    expect(Number(shown!.replaceAll(',', ''))).toBeGreaterThan(10_000);
    expect(Number(shown!.replaceAll(',', ''))).toBeLessThan(30_000);
    expect(await page.textContent('[data-tab=checks]')).toBe(`Checks (${shown} of ${total})`);
    expect(await page.textContent('[data-tab=events]')).toBe('Events & proofs (5,000 of 20,000)');
    expect(await page.$$('[data-node]')).not.toHaveLength(0);
    await shot(page, 'report-large-capsule');
    // The checks tab's own counts are of what it lists, and say so (the banner's are of the report).
    await page.click('[data-tab=checks]');
    expect(await page.textContent('.lin-filters .lin-muted')).toBe(
      `${shown} of ${shown} shown — these counts are of the ${shown} checks listed here, of ${total} in the report`,
    );
    expect(await page.textContent('.lin-check-group-title .lin-group-counts')).toMatch(
      /passed\s*listed here$/,
    );
    await shot(page, 'report-large-capsule-checks');
    await page.click('[data-tab=events]');
    await page.waitForSelector('[data-event-row]');
    await page.click('[data-tab=checks]');
    await page.waitForSelector('.lin-check');

    await page.click('[data-tab=export]');
    await page.click('[data-export=json]');
    await page.waitForSelector('[data-testid=export-status]:has-text("Saved")', { timeout: 60_000 });
    const exported = JSON.parse(readFileSync(h.saved.at(-1)!, 'utf8')) as { report: { checks: unknown[] } };
    expect(exported.report.checks).toHaveLength(totalChecks);
    await ctx.close();
  }, 180_000);
});

describe('reportView', () => {
  it('sends a verification within the limits whole', async () => {
    const sample = await buildFedrampSample();
    const h = createHarness();
    await h.api.trustImportStore(JSON.stringify(sample.trust));
    const opened = await h.api.openCapsuleBytes('s.zip', sample.zip);
    const out = await h.api.verify(opened.capsuleId);
    expect(out.status === 'done' && out.verification).toEqual(h.api.verificationOf(opened.capsuleId));
  });

  it('past the limits keeps every failure and the events it names first', async () => {
    const variant = (await buildTamperedVariants()).find((x) => x.eventKey !== undefined)!;
    const h = createHarness();
    await h.api.trustImportStore(JSON.stringify(variant.sample.trust));
    const opened = await h.api.openCapsuleBytes('t.zip', variant.sample.zip);
    await h.api.verify(opened.capsuleId);
    const full = h.api.verificationOf(opened.capsuleId)!;
    const notPassed = full.report.checks.filter((c) => c.status !== 'pass');
    expect(notPassed.length).toBeGreaterThan(0);
    const passed = full.report.checks.filter((c) => c.status === 'pass');
    const budget = [...notPassed, passed[0]!, passed[1]!].reduce((n, c) => n + checkBytes(c), 0);
    const view: ReportView = reportView(full, { checkBytes: budget, events: 3 });
    expect(view.report.checks.slice(0, notPassed.length)).toEqual(notPassed);
    expect(view.report.checks).toHaveLength(notPassed.length + 2);
    expect(view.report.checks.slice(notPassed.length)).toEqual(passed.slice(0, 2));
    expect(view.report.verdict).toBe(full.report.verdict);
    expect(view.report.summary).toEqual(full.report.summary);
    const failed = full.events.filter((e) => e.status === 'fail' || e.failedChecks.length > 0);
    expect(failed.length).toBeGreaterThan(0);
    expect(view.events.slice(0, Math.min(3, failed.length))).toEqual(failed.slice(0, 3));
    expect(view.events).toHaveLength(3);
    expect(view.lineage.nodes.map((n) => n.id)).toEqual(
      full.lineage.nodes.filter((n) => view.events.some((e) => e.id === n.id)).map((n) => n.id),
    );
    const kept = new Set(view.events.map((e) => e.id));
    expect(view.lineage.edges.every((e) => kept.has(e.from) && kept.has(e.to))).toBe(true);
    expect(view.shown).toEqual({
      checks: notPassed.length + 2,
      totalChecks: full.report.checks.length,
      events: 3,
      totalEvents: full.events.length,
    });
  });
});
