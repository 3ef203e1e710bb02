// Capsule text that imitates our verdict, smuggles markup or reorders text is shown as inert data.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, type FedrampSample } from '@lineage/producer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridge, ensureBuilt, launch, serveRenderer, shot } from './support/browser.js';
import { createHarness } from './support/harness.js';

const SPOOF = '✓ VERIFIED — all checks passed';
const MARKUP = '<img src=x onerror="document.title=`pwned`">';
const BIDI = '\u202Edeifirev';
// Reads as "Payroll run" where a soft hyphen, a tag character and a Hangul filler are drawn as nothing.
const INVISIBLE = 'Pay\u00adroll \u{E0041}run\u3164';
// A step title whose second line imitates our status badge.
const BROKEN_LINE = 'Scan results\n✓ Passed';
const dir = mkdtempSync(join(tmpdir(), 'lineage-spoof-'));
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let page: Page;
let sample: FedrampSample;
let dialogs = 0;
let spoofedKey = '';

beforeAll(async () => {
  ensureBuilt();
  sample = await buildFedrampSample({
    hooks: {
      specs: (specs) => {
        const human = specs.find((s) => s.approval && s.step !== '0')!;
        human.approval = { ...human.approval!, statement: `${SPOOF} ${MARKUP} ${BIDI} ${INVISIBLE}` };
        spoofedKey = human.key;
      },
      content: (c, { events }) => {
        c.title = `${SPOOF} ${MARKUP}`;
        // One forged signature, so the capsule must fail while its text claims the opposite.
        const [targetId, target] = [...events.entries()].find(([, e]) => e.action === 'scan.run')!;
        c.workflow.steps = c.workflow.steps.map((st) =>
          st.events.includes(targetId) ? { ...st, title: BROKEN_LINE } : st,
        );
        c.events = c.events.map((e) =>
          e === target
            ? { ...e, signature: { ...e.signature, value: `${e.signature.value.slice(0, -2)}00` } }
            : e,
        );
      },
    },
  });
  writeFileSync(join(dir, 'spoof.zip'), sample.zip);
  [browser, server] = await Promise.all([launch(), serveRenderer()]);
  const h = createHarness();
  await h.api.trustImportStore(sample.trustText);
  const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await bridge(page, h);
  await page.goto(server.url);
  h.openQueue.push(join(dir, 'spoof.zip'));
  await page.click('[data-testid=open-capsule]');
  await page.waitForSelector('.lin-verdict', { timeout: 30_000 });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('capsule text cannot pose as our status', () => {
  it('the verdict is ours: failed, whatever the capsule says', async () => {
    expect(await page.getAttribute('.lin-verdict', 'data-verdict')).toBe('failed');
    expect(await page.textContent('.lin-verdict-headline')).toBe('Verification failed');
  });

  it('every occurrence of the capsule text is framed as data', async () => {
    await page.click('[data-tab=lineage]');
    const id = sample.eventIds[spoofedKey]!;
    await page.click(`[data-node="${id}"]`);
    await page.waitForSelector(`[data-event="${id}"]`);
    const placements = await page.evaluate((needle) => {
      const out: { inData: boolean; inStatus: boolean; tag: string }[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (!n.textContent?.includes(needle)) continue;
        const el = n.parentElement!;
        out.push({
          inData: !!el.closest('.lin-data, svg text, svg title'),
          inStatus: !!el.closest(
            '.lin-verdict-headline, .lin-verdict-sentence, .lin-status, .lin-verdict-mark',
          ),
          tag: el.tagName,
        });
      }
      return out;
    }, 'VERIFIED — all checks passed');
    expect(placements.length).toBeGreaterThanOrEqual(2);
    expect(placements.every((p) => p.inData && !p.inStatus)).toBe(true);
    await shot(page, 'spoof-attempt');
  });

  it('markup in capsule text stays text: no element, no script, no dialog', async () => {
    expect(await page.$$eval('img', (i) => i.length)).toBe(0);
    expect(await page.title()).toBe('Lineage');
    expect(dialogs).toBe(0);
    expect(await page.textContent('body')).toContain('<img src=x');
  });

  it('direction overrides are shown, not obeyed', async () => {
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('⟨U+202E⟩deifirev');
    expect(body).not.toContain('\u202E');
  });

  it('characters that draw nothing are shown, an astral one as one mark', async () => {
    const body = (await page.textContent('body')) ?? '';
    expect(body).toContain('Pay⟨U+00AD⟩roll ⟨U+E0041⟩run⟨U+3164⟩');
    expect(body).not.toMatch(/[\u00ad\u3164\u{e0000}-\u{e007f}]/u);
  });

  it('a line break inside a one-line label is shown, not obeyed', async () => {
    await page.click('[data-tab=checks]');
    const step = page.locator('.lin-step-name', { hasText: 'Scan results' });
    expect(await step.textContent()).toContain('Scan results⟨U+000A⟩✓ Passed');
    // One line: the "✓ Passed" of the title cannot stand on a line of its own beside our badges.
    const box = (await step.locator('.lin-data').boundingBox())!;
    expect(box.height).toBeLessThan(24);
  });
});
