// The single-file offline verifier in Chromium, opened from file:// with no server at all.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  buildFedrampSample,
  buildTamperedVariants,
  type FedrampSample,
  type TamperedVariant,
} from '@lineage/producer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, launch, offlineHtml, screenshotsDir } from './support/browser.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-offline-e2e-'));
let browser: Browser;
let page: Page;
let sample: FedrampSample;
let tampered: TamperedVariant;
const requests: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  let variants: TamperedVariant[];
  [browser, sample, variants] = await Promise.all([
    launch(),
    buildFedrampSample({ dir }),
    buildTamperedVariants({ only: ['forged-event-signature'] }),
  ]);
  tampered = variants[0]!;
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
  page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(offlineHtml).href);
  await page.waitForSelector('.topbar');
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe('offline single-file verifier', () => {
  it('is one self-contained HTML file with a hash-pinned CSP and no external references', () => {
    const html = readFileSync(offlineHtml, 'utf8');
    expect(statSync(offlineHtml).size).toBeLessThan(3_000_000);
    expect(html).toMatch(
      /Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'/,
    );
    expect(html).toMatch(/connect-src 'none'/);
    const outsideScript = html.replace(/<script type="module">[\s\S]*<\/script>/, '');
    expect(outsideScript.match(/<script/g)).toBeNull();
    expect(outsideScript).not.toMatch(/<link[^>]+href=|src=/);
    expect(html.match(/<script type="module">/g)).toHaveLength(1);
  });

  it('verifies the sample in a Web Worker after the trust store is imported', async () => {
    expect(await page.textContent('.brand-sub')).toBe('Offline verifier');
    await page.click('[data-nav=trust]');
    await page.setInputFiles('[data-testid=trust-store-input]', sample.paths!.trust);
    await page.waitForSelector('[data-trust-entry]');
    await page.click('[data-nav=capsule]');
    await page.setInputFiles('[data-testid=capsule-input]', sample.paths!.capsule);
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    await page.screenshot({ path: join(screenshotsDir, 'desktop-offline-verified.png') });
  });

  it('shows a tampered capsule as failed on the right node', async () => {
    const path = join(dir, 'forged.zip');
    writeFileSync(path, tampered.sample.zip);
    await page.click('[data-testid=close-capsule]');
    await page.setInputFiles('[data-testid=capsule-input]', path);
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('failed');
    expect(await page.$(`.lin-check[data-check-id="${tampered.checkId}"][data-status=fail]`)).not.toBeNull();
    await page.click('[data-tab=lineage]');
    const id = tampered.sample.eventIds[tampered.eventKey!]!;
    expect(await page.getAttribute(`[data-node="${id}"]`, 'data-status')).toBe('fail');
  });

  it('exports the report JSON as a download', async () => {
    await page.click('[data-tab=export]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export=json]')]);
    const saved = join(dir, 'report.json');
    await download.saveAs(saved);
    const { report } = JSON.parse(readFileSync(saved, 'utf8')) as { report: { verdict: string } };
    expect(report.verdict).toBe('failed');
  });

  it('checks an approval in the page, including its binding to the open capsule', async () => {
    // The AO signs (in Node, with the sample's key) an approval of the verified sample.
    const { bytesReader, verifyCapsule, zipCapsuleSourceFromReader } = await import('@lineage/verifier-core');
    const { createSarApproval } = await import('@lineage/producer');
    const v = await verifyCapsule(zipCapsuleSourceFromReader(bytesReader(sample.zip)), sample.trust, {
      capsuleName: 'fedramp-sample.capsule.zip',
      verifiedAt: '2026-11-22T05:00:00Z',
    });
    const approval = createSarApproval({
      capsule: v,
      decision: 'approve',
      comment: 'ok',
      approver: { id: 'lin:human:ao.jane-doe', role: 'authorizing_official' },
      signingKey: sample.keys.humans.ao!.secretKey,
      signedAt: '2026-11-22T05:01:00Z',
    });
    const file = join(dir, 'approval.json');
    writeFileSync(file, JSON.stringify(approval));
    // Reopen the untampered sample so the binding can be checked.
    await page.click('[data-nav=capsule]');
    await page.click('[data-testid=close-capsule]');
    await page.setInputFiles('[data-testid=capsule-input]', sample.paths!.capsule);
    await page.waitForSelector('.lin-verdict[data-verdict=verified]', { timeout: 30_000 });
    await page.click('[data-nav=approval-check]');
    await page.setInputFiles('[data-testid=approval-file]', file);
    await page.waitForSelector('[data-testid=approval-result]');
    expect(await page.getAttribute('[data-testid=approval-result]', 'data-verdict')).toBe('verified');
    writeFileSync(file, JSON.stringify({ ...approval, comment: 'ok!' }));
    await page.setInputFiles('[data-testid=approval-file]', file);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=failed]');

    // With a capsule open that cannot be read (the sample cut to 1,000 bytes), the same approval is
    // not "made for another capsule": its bindings are not checked, and the page says why.
    writeFileSync(file, JSON.stringify(approval));
    const cut = join(dir, 'cut.capsule.zip');
    writeFileSync(cut, sample.zip.subarray(0, 1000));
    await page.click('[data-nav=capsule]');
    await page.click('[data-testid=close-capsule]');
    await page.setInputFiles('[data-testid=capsule-input]', cut);
    await page.waitForSelector('.lin-verdict[data-verdict=failed]', { timeout: 30_000 });
    await page.click('[data-nav=approval-check]');
    await page.setInputFiles('[data-testid=approval-file]', file);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=incomplete]');
    const shown = (await page.textContent('[data-testid=approval-result]'))!;
    const why = 'capsule.container: cut.capsule.zip: no end-of-central-directory record: not a zip file';
    expect(shown).toContain(`the open capsule could not be read (${why})`);
    expect(shown).toContain(
      `the capsule could not be read (${why}), so the approval's binding to it cannot be checked`,
    );
    expect(shown).not.toMatch(/another capsule|open and verify the capsule/);
    expect(await page.$$('[data-testid=approval-result] .check-line-fail')).toHaveLength(0);
    expect(await page.$$('[data-testid=approval-result] .check-line-not_checked')).toHaveLength(2);
    await page.screenshot({ path: join(dir, 'approval-check-unreadable-capsule.png'), fullPage: true });
  });

  it('refuses to hold signing keys', async () => {
    await page.click('[data-nav=approve]');
    await page.waitForSelector('[data-testid=offline-no-signing]');
  });

  it('made no network request of any kind', () => {
    expect(
      requests.filter((u) => !u.startsWith('file://') && !u.startsWith('blob:') && !u.startsWith('data:')),
    ).toEqual([]);
  });
});
