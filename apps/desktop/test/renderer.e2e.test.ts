// The renderer in real Chromium, bridged to the real main-process services: every screen, the
// FedRAMP sample, every tampered variant, approvals verified by the CLI, trust store round trip.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
import { runCli } from '../../cli/src/main.js';
import { rendererCss } from '../src/main/services/renderer-css.js';
import {
  bridge,
  ensureBuilt,
  launch,
  rendererDir,
  screenshotsDir,
  serveRenderer,
  shot,
  watchNetwork,
} from './support/browser.js';
import { createHarness, type Harness } from './support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-e2e-'));
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let sample: FedrampSample;
let variants: TamperedVariant[];

beforeAll(async () => {
  ensureBuilt();
  [browser, server, sample, variants] = await Promise.all([
    launch(),
    serveRenderer(),
    buildFedrampSample({ dir }),
    buildTamperedVariants(),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openApp(h: Harness): Promise<{ page: Page; foreign: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const foreign = watchNetwork(page, new URL(server.url).origin);
  await bridge(page, h);
  await page.goto(server.url);
  await page.waitForSelector('.topbar');
  return { page, foreign };
}

async function openCapsule(page: Page, h: Harness, path: string): Promise<void> {
  h.openQueue.push(path);
  await page.click('[data-testid=open-capsule]');
  await page.waitForSelector('.lin-verdict, [data-testid=verify-error]', { timeout: 30_000 });
}

async function cli(argv: string[]): Promise<number> {
  return runCli(argv, {
    out: () => {},
    err: () => {},
    isTty: false,
    cwd: dir,
    env: {},
    now: () => new Date(),
  });
}

describe('assessor: trust, open, verify, read the report', () => {
  let h: Harness;
  let page: Page;
  let foreign: string[];
  beforeAll(async () => {
    h = createHarness();
    ({ page, foreign } = await openApp(h));
  });

  it('starts with nothing trusted and says so', async () => {
    await page.waitForSelector('[data-testid=trust-empty]');
    await shot(page, 'open-empty-trust');
    await page.click('[data-nav=trust]');
    await page.waitForSelector('[data-testid=trust-none]');
  });

  it('imports a trust store, shows fingerprints, and round-trips it through export', async () => {
    await page.setInputFiles('[data-testid=trust-store-input]', sample.paths!.trust);
    await page.waitForSelector('[data-trust-entry]');
    const ids = await page.$$eval('[data-trust-entry]', (rows) =>
      rows.map((r) => r.getAttribute('data-trust-entry')),
    );
    expect(ids).toContain(`log:${sample.trust.logs[0]!.origin}`);
    expect(ids.filter((i) => i?.startsWith('approver:'))).toHaveLength(sample.trust.approvers.length);
    const fp = await page.textContent('[data-trust-entry] .lin-fp');
    expect(fp?.replace(/\s/g, '')).toMatch(/^[0-9a-f]{64}$/);
    await shot(page, 'trust-store');

    await page.click('[data-testid=trust-export]');
    // The import's own status line is already showing: wait for the export's.
    await page.waitForSelector('[data-testid=trust-status]:has-text("Trust store saved to")');
    const exported = h.saved.at(-1)!;
    expect(JSON.parse(readFileSync(exported, 'utf8'))).toEqual(sample.trust);
    // Round trip: a fresh install imports the exported file and shows the same keys and fingerprints.
    const h2 = createHarness();
    const v2 = await h2.api.trustImportStore(readFileSync(exported, 'utf8'));
    const v1 = await h.api.trustList();
    expect(v2.entries.map((e) => [e.id, e.fingerprint])).toEqual(
      v1.entries.map((e) => [e.id, e.fingerprint]),
    );
  });

  it('imports a single key from a file with a role', async () => {
    const keyFile = join(dir, 'isso.pub.json');
    writeFileSync(keyFile, await createHarnessKey());
    await page.selectOption('[data-testid=trust-kind]', 'approver');
    await page.setInputFiles('[data-testid=trust-key-file]', keyFile);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=trust-text]') as HTMLTextAreaElement).value.length > 0,
    );
    await page.click('[data-testid=trust-import]');
    await page.waitForSelector('[data-trust-entry="approver:lin:human:isso.kim"]');
    await page.click('[data-trust-entry="approver:lin:human:isso.kim"] .lin-link');
    await page.waitForSelector('[data-trust-entry="approver:lin:human:isso.kim"]', { state: 'detached' });
  });

  it('makes one trust change at a time: a second remove clicked while the first is in flight does nothing', async () => {
    const ids = () =>
      page.$$eval('[data-trust-entry]', (rows) => rows.map((r) => r.getAttribute('data-trust-entry')!));
    const before = await ids();
    // Two remove clicks in the same turn of the event loop, as a double click on two rows would be.
    const clicked = await page.evaluate(() => {
      const rows = Array.from(document.querySelectorAll('[data-trust-entry^="approver:"]')).slice(0, 2);
      for (const r of rows) (r.querySelector('[data-testid=trust-remove]') as HTMLButtonElement).click();
      return rows.map((r) => r.getAttribute('data-trust-entry')!);
    });
    await page.waitForSelector(`[data-trust-entry="${clicked[0]}"]`, { state: 'detached' });
    await page.waitForFunction(() => !document.querySelector('[data-testid=trust-remove]:disabled'));
    const expected = before.filter((id) => id !== clicked[0]);
    expect(await ids()).toEqual(expected);
    expect((await h.api.trustList()).entries.map((e) => e.id).sort()).toEqual([...expected].sort());
    // Put the sample's store back for the tests that follow.
    await page.setInputFiles('[data-testid=trust-store-input]', sample.paths!.trust);
    await page.waitForSelector(`[data-trust-entry="${clicked[0]}"]`);
  });

  it('opens the FedRAMP sample from the dialog and shows it verified, lineage first', async () => {
    await page.click('[data-nav=capsule]');
    h.openQueue.push(sample.paths!.capsule);
    await page.click('[data-testid=open-capsule]');
    await page.waitForSelector('[data-testid=verifying], .lin-verdict');
    if (await page.$('[data-testid=verifying]')) {
      // Best effort: catch the bar after the first progress event, for the screenshot only.
      await page
        .waitForFunction(
          () => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')) > 0,
          null,
          {
            timeout: 3000,
          },
        )
        .catch(() => undefined);
      if (await page.$('[data-testid=verifying]')) await shot(page, 'verifying');
    }
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    expect(await page.textContent('.lin-verdict-headline')).toBe('Verified');
    const nodes = await page.$$eval('[data-node]', (n) =>
      n.map((x) => [x.getAttribute('data-kind'), x.getAttribute('data-status')]),
    );
    expect(nodes.length).toBe(sample.events.length);
    expect(nodes.some(([k]) => k === 'human')).toBe(true);
    expect(nodes.some(([k]) => k === 'agent')).toBe(true);
    expect(nodes.every(([, s]) => s === 'pass')).toBe(true);
    expect(await page.$$('[data-kind=handoff]')).not.toHaveLength(0);
    expect(await page.$$('[data-kind=predecessor]')).not.toHaveLength(0);
    await shot(page, 'report-verified-lineage');
  });

  it('cancels a verification from the progress panel', async () => {
    const current = await page.textContent('.report-file');
    await page.click('[data-testid=close-capsule]');
    h.openQueue.push(sample.paths!.capsule);
    await page.click('[data-testid=open-capsule]');
    await page.click('[data-testid=cancel-verify]');
    await page.waitForSelector('[data-testid=cancelled]');
    expect(await page.$('.lin-verdict')).toBeNull();
    await page.click('[data-testid=cancelled] .btn-primary');
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.textContent('.report-file')).toBe(current);
    await page.click('[data-tab=lineage]');
  });

  it('shows an event with its fields, audit path, tree head and commitments on click', async () => {
    const humanId =
      sample.eventIds['3a'] ?? (await page.getAttribute('[data-node][data-kind=human]', 'data-node'))!;
    await page.click(`[data-node="${humanId}"]`);
    await page.waitForSelector(`[data-testid=event-panel] [data-event="${humanId}"]`);
    const panel = await page.textContent('[data-testid=event-panel]');
    expect(panel).toContain('sibling on the');
    expect(panel).toContain('Signed tree head');
    expect(panel).toContain(humanId);
    await shot(page, 'event-proof');
    await page.click('[data-tab=events]');
    await page.waitForSelector('[data-event-row]');
    await shot(page, 'events-table');
    // Without a mouse: Tab reaches the next row's button, Enter selects that event and shows its proof.
    const rows = await page.$$eval('[data-event-row]', (r) =>
      r.map((x) => x.getAttribute('data-event-row')!),
    );
    await page.focus(`[data-event-row="${rows[0]}"] button`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`[data-event-row="${rows[1]}"].row-selected`);
    expect(await page.getAttribute(`[data-event-row="${rows[1]}"] button`, 'aria-pressed')).toBe('true');
  });

  it('lists every check grouped by step with filters', async () => {
    await page.click('[data-tab=checks]');
    await page.waitForSelector('.lin-check-group');
    const total = await page.$$eval('[data-check-id]', (c) => c.length);
    expect(total).toBeGreaterThan(10);
    expect(await page.textContent('[data-tab=checks]')).toBe(`Checks (${total})`);
    // Every row fits its panel: a long subject (a card's id, file and field) moves under the title
    // instead of running off the right edge and squeezing the title to a word per line.
    expect(await crampedChecks(page)).toEqual([]);
    await shot(page, 'report-checks');
    await page.uncheck('.lin-filter-pass input');
    expect(await page.$$('[data-status=pass][data-check-id]')).toHaveLength(0);
    await page.check('.lin-filter-pass input');
    await page.fill('.lin-search', 'event.signature');
    const shown = await page.$$eval('[data-check-id]', (c) => c.map((x) => x.getAttribute('data-check-id')));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((id) => id === 'event.signature')).toBe(true);
    await page.fill('.lin-search', '');
  });

  it('exports the report as JSON, OSCAL and HTML', async () => {
    await page.click('[data-tab=export]');
    await shot(page, 'export');
    for (const f of ['json', 'oscal', 'html']) {
      await page.click(`[data-export=${f}]`);
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=export-status]')?.textContent?.includes(n),
        f === 'oscal' ? 'oscal' : `report.${f}`,
      );
    }
    const html = readFileSync(h.saved.at(-1)!, 'utf8');
    expect(html).toContain('Lineage verification report');
    // The desktop app styles the printable page with the built renderer's CSS.
    expect(await rendererCss(rendererDir)).toContain('.lin-verdict');
    // The printable page renders on its own, with no script, as the PDF export prints it.
    const print = await browser.newPage({
      viewport: { width: 1100, height: 1400 },
      javaScriptEnabled: false,
    });
    await print.goto(pathToFileURL(h.saved.at(-1)!).href);
    expect(await print.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    expect(await print.$$('[data-node]')).toHaveLength(sample.events.length);
    // On paper nothing may be cut at the page edge: every check row fits the page width.
    expect(await crampedChecks(print)).toEqual([]);
    await print.screenshot({ path: join(screenshotsDir, 'desktop-printable-report.png') });
    await print.close();
  });

  it('reopens a capsule from the recent files list', async () => {
    await page.click('[data-testid=close-capsule]');
    await page.waitForSelector('.recent');
    expect(await page.textContent('.recent')).toContain('fedramp-sample.capsule.zip');
    await page.click('.recent .lin-link');
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
  });

  it('made no request outside the app', () => {
    expect(foreign).toEqual([]);
  });
});

/**
 * Check rows that do not fit: wider than their row (cut off or scrolled away), a title squeezed
 * onto more than two lines beside a long subject, or a check id running into its title.
 */
async function crampedChecks(p: Page): Promise<string[]> {
  return p.$$eval('.lin-check', (rows) =>
    rows.flatMap((row) => {
      const id = row.querySelector('.lin-check-id')!.getBoundingClientRect();
      const titleEl = row.querySelector('.lin-check-title')!;
      const title = titleEl.getBoundingClientRect();
      const css = getComputedStyle(titleEl);
      const lines =
        title.height / (Number.parseFloat(css.lineHeight) || Number.parseFloat(css.fontSize) * 1.2);
      const what = `${row.getAttribute('data-check-id')}`;
      if (row.scrollWidth > row.clientWidth + 1) return [`${what}: wider than its row`];
      if (lines > 2.5) return [`${what}: title squeezed to ${Math.round(lines)} lines`];
      const sameLine = id.bottom > title.top && title.bottom > id.top;
      if (sameLine && id.right > title.left + 0.5) return [`${what}: id runs into the title`];
      return [];
    }),
  );
}

async function createHarnessKey(): Promise<string> {
  const k = createHarness();
  await k.api.keyCreate({
    approverId: 'lin:human:isso.kim',
    name: 'Kim Isso',
    role: 'security_officer',
    passphrase: 'another long passphrase',
  });
  return k.api.keyPublicText();
}

describe('assessor: tampered capsules', () => {
  let h: Harness;
  let page: Page;
  beforeAll(async () => {
    h = createHarness();
    await h.api.trustImportStore(sample.trustText);
    ({ page } = await openApp(h));
  });

  it('shows each variant failed, with the documented check, on the documented node', async () => {
    for (const v of variants) {
      const path = join(dir, `${v.name}.zip`);
      writeFileSync(path, v.sample.zip);
      if (await page.$('[data-testid=close-capsule]')) await page.click('[data-testid=close-capsule]');
      await openCapsule(page, h, path);
      expect(await page.getAttribute('.lin-verdict', 'data-verdict'), v.name).toBe('failed');
      // Failures first: the report opens on the checks, the first group holds a failure.
      await page.waitForSelector('.lin-check-group');
      const firstStatus = await page.getAttribute('.lin-check-group .lin-check', 'data-status');
      expect(firstStatus, v.name).toBe('fail');
      expect(
        await page.$(`.lin-check[data-check-id="${v.checkId}"][data-status=fail]`),
        `${v.name}: ${v.checkId}`,
      ).not.toBeNull();
      if (v.eventKey) {
        const id = v.sample.eventIds[v.eventKey]!;
        await page.click('[data-tab=lineage]');
        await page.waitForSelector(`[data-node="${id}"]`);
        expect(await page.getAttribute(`[data-node="${id}"]`, 'data-status'), `${v.name} node`).toBe('fail');
        await page.click(`[data-node="${id}"]`);
        await page.waitForSelector(`[data-testid=event-failures] [data-check-id="${v.checkId}"]`);
        if (v.name === 'forged-event-signature') await shot(page, 'tampered-lineage');
        await page.click('[data-tab=checks]');
        if (v.name === 'forged-event-signature') await shot(page, 'tampered-checks');
      }
    }
  }, 240_000);

  it('opens a dropped file', async () => {
    await page.click('[data-testid=close-capsule]');
    const b64 = Buffer.from(sample.zip).toString('base64');
    await page.evaluate((data) => {
      const bin = atob(data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.capsule.zip', { type: 'application/zip' }));
      document
        .querySelector('[data-testid=dropzone]')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, b64);
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    expect(await page.textContent('.report-file')).toContain('dropped.capsule.zip');
  });

  it('opens a file dropped from disk by the path the preload resolves, never one the page names', async () => {
    await page.click('[data-testid=close-capsule]');
    // What webUtils would say for this File: the capsule on disk. The page only hands over the File.
    h.dropPaths.set('from-disk.capsule.zip', sample.paths!.capsule);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(4)], 'from-disk.capsule.zip', { type: 'application/zip' }));
      document
        .querySelector('[data-testid=dropzone]')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('verified');
    expect((await h.api.recentFiles())[0]?.path).toBe(sample.paths!.capsule);
    // The page's API has no way to ask for an arbitrary path.
    const refused = await page.evaluate(async () => {
      const api = (window as unknown as { lineage: Record<string, unknown> }).lineage;
      const out: string[] = [String('openCapsulePath' in api), String('openDropped' in api)];
      try {
        await (api.openRecent as (p: string) => Promise<unknown>)('/etc/shadow');
        out.push('opened');
      } catch (e) {
        out.push((e as Error).message);
      }
      return out;
    });
    expect(refused).toEqual([
      'false',
      'false',
      'refused to open /etc/shadow: it is not in the recent files list; open it with "Open capsule…"',
    ]);
  });
});

describe('approver: sign offline, carry the file back, check it', () => {
  let h: Harness;
  let page: Page;
  let conditionalFile: string;
  beforeAll(async () => {
    h = createHarness();
    await h.api.trustImportStore(sample.trustText);
    ({ page } = await openApp(h));
  });

  it('creates a key, reviews exactly what will be signed, signs, and the file verifies with the CLI', async () => {
    await page.click('[data-nav=approve]');
    await page.waitForSelector('[data-testid=key-create]');
    await page.fill('[data-testid=key-id]', 'lin:human:ao.rivera');
    await page.fill('[data-testid=key-name]', 'Sam Rivera');
    await page.selectOption('[data-testid=key-role]', 'authorizing_official');
    await page.fill('[data-testid=key-pass]', 'an offline passphrase 42');
    await page.fill('[data-testid=key-pass2]', 'an offline passphrase 42');
    await shot(page, 'approve-create-key');
    await page.click('[data-testid=key-create-button]');
    await page.waitForSelector('[data-testid=key-panel][data-unlocked=true]');
    // The approver's public key is pinned, as a colleague would import it.
    await h.api.trustImport({ kind: 'approver', text: await h.api.keyPublicText() });

    await page.click('[data-nav=capsule]');
    await openCapsule(page, h, sample.paths!.capsule);
    await page.click('text=Approve or reject…');
    await page.fill('[data-testid=approval-comment]', 'All 3PAO evidence reviewed; recommend ATO.');
    await page.click('[data-testid=approval-preview]');
    await page.waitForSelector('[data-testid=preview]');
    const preview = await page.textContent('.preview-lines');
    expect(preview).toContain('Sam Rivera (lin:human:ao.rivera), acting as Authorizing Official, APPROVES');
    expect(preview).toContain('Comment: "All 3PAO evidence reviewed; recommend ATO."');
    // What is shown before signing is the document, not yet signed.
    expect(await page.textContent('[data-testid=preview-document] summary')).toBe(
      'The document that will be signed, verbatim (not signed yet)',
    );
    const unsigned = JSON.parse((await page.textContent('[data-testid=preview-document] pre'))!) as object;
    expect(unsigned).not.toHaveProperty('signature');
    await shot(page, 'approve-preview');
    await page.click('[data-testid=approval-sign]');
    await page.waitForSelector('[data-testid=signed] canvas');
    const signedText = (await page.textContent('[data-testid=signed-document] pre'))!;
    const { signature, ...signedDoc } = JSON.parse(signedText) as Record<string, unknown>;
    expect(signature).toMatchObject({ alg: 'Ed25519' });
    expect(signedDoc).toEqual(unsigned);
    await shot(page, 'approve-signed-qr');
    await page.click('[data-testid=approval-save]');
    await page.waitForSelector('[data-testid=approval-saved]');
    const file = h.saved.at(-1)!;
    const trustFile = join(dir, 'approver-trust.json');
    writeFileSync(trustFile, await h.api.trustExportText());
    expect(
      await cli(['approval', 'verify', file, '--trust', trustFile, '--capsule', sample.paths!.capsule]),
    ).toBe(0);

    // The other side: check the approval in the app.
    await page.click('[data-nav=approval-check]');
    await page.setInputFiles('[data-testid=approval-file]', file);
    await page.waitForSelector('[data-testid=approval-result]');
    expect(await page.getAttribute('[data-testid=approval-result]', 'data-verdict')).toBe('verified');
    await shot(page, 'approval-check');

    // A forged copy is refused, in the app and by the CLI.
    const forged = join(dir, 'forged-approval.json');
    writeFileSync(forged, readFileSync(file, 'utf8').replace('recommend ATO', 'recommend ATQ'));
    await page.setInputFiles('[data-testid=approval-file]', forged);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=failed]');
    await shot(page, 'approval-check-forged');
    expect(await cli(['approval', 'verify', forged, '--trust', trustFile])).toBe(1);
  });

  it('a request that cannot be signed says so before anything else, with no sign button', async () => {
    const forged = variants.find((x) => x.name === 'forged-event-signature')!;
    const path = join(dir, 'approve-forged.zip');
    writeFileSync(path, forged.sample.zip);
    await page.click('[data-nav=capsule]');
    if (await page.$('[data-testid=close-capsule]')) await page.click('[data-testid=close-capsule]');
    await openCapsule(page, h, path);
    await page.click('[data-nav=approve]');
    await page.check('[data-testid=decision-approve]');
    await page.click('[data-testid=approval-preview]');
    await page.waitForSelector('[data-testid=preview][data-blocked=true]');
    expect(await page.textContent('[data-testid=preview] .panel-title')).toBe('This cannot be signed');
    expect(await page.textContent('[data-testid=preview-blocked]')).toContain('cannot approve');
    const blockedFirst = await page.evaluate(() => {
      const why = document.querySelector('[data-testid=preview-blocked]')!;
      const lines = document.querySelector('[data-testid=preview] .preview-lines')!;
      return Boolean(why.compareDocumentPosition(lines) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    expect(blockedFirst).toBe(true);
    expect(await page.$('[data-testid=approval-sign]')).toBeNull();
  });

  it('clears the passphrase field after every unlock attempt, wrong or right', async () => {
    await page.click('[data-nav=approve]');
    await page.click('[data-testid=key-lock]');
    await page.waitForSelector('[data-testid=key-panel][data-unlocked=false]');
    await page.fill('[data-testid=key-unlock-pass]', 'not the passphrase at all');
    await page.click('[data-testid=key-unlock]');
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid=key-unlock-pass]') as HTMLInputElement | null)?.value === '' &&
        !(document.querySelector('[data-testid=key-unlock]') as HTMLButtonElement).textContent?.includes('…'),
    );
    expect((await h.api.keyStatus()).unlocked).toBe(false);
    await page.fill('[data-testid=key-unlock-pass]', 'an offline passphrase 42');
    await page.click('[data-testid=key-unlock]');
    await page.waitForSelector('[data-testid=key-panel][data-unlocked=true]');
  });

  it('numbers each sentence of the preview on its first line, a long multi-line condition included', async () => {
    await page.click('[data-nav=capsule]');
    if (await page.$('[data-testid=close-capsule]')) await page.click('[data-testid=close-capsule]');
    await openCapsule(page, h, sample.paths!.capsule);
    await page.click('text=Approve or reject…');
    await page.check('[data-testid=decision-conditional]');
    const conditions = [
      'Conditions of approval:',
      '1. POA&M item F-002 remediated within 30 days and re-scanned.',
      '2. The break-glass IAM role removed; evidence to the ISSO.',
      ...Array.from(
        { length: 8 },
        (_, i) => `   - evidence of control ${['AC-2', 'CM-6', 'RA-5', 'SI-2'][i % 4]} (${i + 1})`,
      ),
    ].join('\n');
    await page.fill('[data-testid=approval-comment]', conditions);
    await page.click('[data-testid=approval-preview]');
    await page.waitForSelector('[data-testid=preview][data-blocked=false]');
    // Where each item's number is drawn: a probe at the start of the item shares its first line box.
    const misplaced = await page.$$eval('.preview-lines li', (items) =>
      items.flatMap((li, i) => {
        const text = li.querySelector('.lin-data')!.firstChild!;
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, 1);
        const firstLine = range.getClientRects()[0]!;
        const probe = document.createElement('span');
        probe.textContent = '1';
        li.prepend(probe);
        const marker = probe.getBoundingClientRect();
        probe.remove();
        return Math.abs(marker.top - firstLine.top) > 4
          ? [
              `item ${i + 1}: number at y=${Math.round(marker.top)}, text starts at y=${Math.round(firstLine.top)}`,
            ]
          : [];
      }),
    );
    expect(misplaced).toEqual([]);
    const lines = await page.$$eval('.preview-lines li', (l) => l.map((x) => x.textContent ?? ''));
    expect(lines).toContain(`Comment: "${conditions}"`);
    expect(lines.some((l) => /found the capsule VERIFIED: 0 checks failed/.test(l))).toBe(true);
    await page.click('[data-testid=approval-sign]');
    await page.waitForSelector('[data-testid=signed]');
    await page.click('[data-testid=approval-save]');
    await page.waitForSelector('[data-testid=approval-saved]');
    conditionalFile = h.saved.at(-1)!;
  });

  it('a checked approval says what was decided, by whom, and its conditions, not only that it verifies', async () => {
    await page.click('[data-nav=approval-check]');
    await page.setInputFiles('[data-testid=approval-file]', conditionalFile);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=verified]');
    const doc = JSON.parse(readFileSync(conditionalFile, 'utf8')) as { comment: string; signed_at: string };
    expect(await page.textContent('[data-testid=approval-statement] h3')).toBe('What was signed');
    expect(await page.textContent('[data-testid=approval-decision]')).toBe('APPROVE WITH CONDITIONS');
    expect(await page.textContent('[data-testid=approval-comment-shown]')).toBe(doc.comment);
    const said = (await page.textContent('[data-testid=approval-statement]'))!;
    expect(said).toContain('lin:human:ao.rivera as Authorizing Official');
    expect(said).toContain(doc.signed_at);
    expect(said).toContain('verified: 0 failed');
    // An edited copy still shows what it claims, marked as not verified.
    const forged = join(dir, 'forged-conditions.json');
    writeFileSync(forged, readFileSync(conditionalFile, 'utf8').replace('30 days', '90 days'));
    await page.setInputFiles('[data-testid=approval-file]', forged);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=failed]');
    expect(await page.textContent('[data-testid=approval-statement] h3')).toBe(
      'What the file claims (not verified: do not rely on it)',
    );
  });

  it('every file chooser is a button the keyboard reaches and opens', async () => {
    const reach = async (label: string) => {
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate(() => document.activeElement?.textContent)) === label) break;
      }
      expect(await page.evaluate(() => document.activeElement?.textContent), label).toBe(label);
      // Chromium opens no chooser while the previous one is still closing (setFiles([]) cancels it
      // asynchronously; on a loaded machine the next Enter came first): Enter again, a few times.
      for (let attempt = 1; ; attempt++) {
        const opened = page.waitForEvent('filechooser', { timeout: 5_000 }).catch(() => null);
        await page.keyboard.press('Enter');
        const chooser = await opened;
        if (chooser) return chooser;
        if (attempt === 4) throw new Error(`Enter on "${label}" opened no file chooser`);
      }
    };
    await page.click('[data-nav=approval-check]');
    const chooser = await reach('Load approval file…');
    await chooser.setFiles(conditionalFile);
    await page.waitForSelector('[data-testid=approval-result][data-verdict=verified]');
    await page.click('[data-nav=trust]');
    await (await reach('Import trust store…')).setFiles([]);
    await (await reach('Load key file…')).setFiles([]);
  });

  it('the page cannot reach the network: fetch, WebSocket, EventSource, beacons and images are refused', async () => {
    const foreign = watchNetwork(page, new URL(server.url).origin);
    const failures: string[] = [];
    page.on('requestfailed', (r) => failures.push(`${r.url()} ${r.failure()?.errorText}`));
    const results = await page.evaluate(async (own) => {
      const out: Record<string, string> = {};
      const attempt = async (name: string, f: () => Promise<unknown>) => {
        try {
          await f();
          out[name] = 'reached';
        } catch (e) {
          out[name] = `refused: ${(e as Error).name}`;
        }
      };
      await attempt('fetch https', () => fetch('https://example.com/'));
      // Not even the server the page came from: connect-src 'none'.
      await attempt('fetch own origin', () => fetch(`${own}/index.html`));
      await attempt('websocket', () => {
        const ws = new WebSocket('wss://example.com/');
        return new Promise((ok, no) => {
          ws.onopen = ok;
          ws.onerror = () => no(new Error('error'));
        });
      });
      await attempt('eventsource', () => {
        const es = new EventSource('https://example.com/events');
        return new Promise((ok, no) => {
          es.onopen = ok;
          es.onerror = () => no(new Error('error'));
        });
      });
      // sendBeacon only queues (it returns true either way): the CSP's report of the block is the answer.
      const blocked: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => blocked.push(e.blockedURI));
      navigator.sendBeacon('https://example.com/b', 'x');
      await new Promise((r) => setTimeout(r, 300));
      out.beacon = blocked.includes('https://example.com/b') ? 'refused: CSP' : 'not refused';
      await attempt('image', () => {
        const img = new Image();
        img.src = 'https://example.com/pixel.png';
        return new Promise((ok, no) => {
          img.onload = ok;
          img.onerror = () => no(new Error('error'));
        });
      });
      return out;
    }, new URL(server.url).origin);
    expect(results).toEqual({
      'fetch https': 'refused: TypeError',
      'fetch own origin': 'refused: TypeError',
      websocket: 'refused: Error',
      eventsource: 'refused: Error',
      beacon: 'refused: CSP',
      image: 'refused: Error',
    });
    // Chromium announces the image and event-stream requests, then the CSP stops them before they leave.
    expect(foreign.filter((u) => !failures.includes(`${u} csp`))).toEqual([]);
  });
});
