// An approver whose key was made with the CLI (`lineage keygen`) uses it in the desktop app: the
// built renderer in real Chromium, bridged to the real main-process services; the key file, the
// sample capsule and the check of the signed approval all come from the built `lineage` command.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridge, ensureBuilt, launch, serveRenderer, shot, watchNetwork } from './support/browser.js';
import { createHarness, type Harness } from './support/harness.js';

const LINEAGE = resolve(import.meta.dirname, '../../cli/dist/lineage.mjs');
const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-keygen-'));
const PASS = 'keygen passphrase on the CLI 9';
let browser: Browser;
let server: { url: string; close: () => Promise<void> };
let capsule: string;

/** The built CLI, as an approver runs it; returns its exit code and output. */
function lineage(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [LINEAGE, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** `lineage keygen --out FILE [--owner ID]`; returns the path and the public key it printed. */
function keygen(name: string, owner?: string): { path: string; publicKey: string } {
  const r = lineage(['keygen', '--out', name, ...(owner ? ['--owner', owner] : [])], {
    LINEAGE_PASSPHRASE: PASS,
  });
  expect(r, r.err).toMatchObject({ code: 0 });
  return { path: join(dir, name), publicKey: /public key ([0-9a-f]{64})/.exec(r.out)![1]! };
}

beforeAll(async () => {
  ensureBuilt();
  expect(
    execFileSync(process.execPath, [LINEAGE, '--version'], { encoding: 'utf8' }),
    'run `npm run build -w @lineage/cli` first',
  ).toMatch(/lineage/i);
  const demo = lineage(['demo', '--dir', join(dir, 'sample')]);
  expect(demo.code, demo.err).toBe(0);
  capsule = join(dir, 'sample/fedramp-sample.capsule.zip');
  [browser, server] = await Promise.all([launch(), serveRenderer()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The sample's trust file with this approver pinned, as the receiving side would have it. */
function trustWith(approver: { id: string; name: string; public_key: string }): string {
  const trust = JSON.parse(readFileSync(join(dir, 'sample/trust.json'), 'utf8')) as {
    approvers: unknown[];
  };
  trust.approvers.push({ ...approver, roles: ['authorizing_official'] });
  const path = join(dir, `trust-${approver.id.replace(/\W/g, '_')}.json`);
  writeFileSync(path, JSON.stringify(trust, null, 2));
  return path;
}

async function openApp(h: Harness): Promise<{ page: Page; foreign: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  const foreign = watchNetwork(page, new URL(server.url).origin);
  await bridge(page, h);
  await page.goto(server.url);
  await page.waitForSelector('.topbar');
  await page.click('[data-nav=approve]');
  await page.waitForSelector('[data-testid=key-import]');
  return { page, foreign };
}

describe('approver: a key made with lineage keygen', () => {
  it('is taken in with its passphrase (owner shown, not editable), signs the sample, and the CLI accepts the approval', async () => {
    const key = keygen('ao-keygen.key', 'lin:human:ao.okafor');
    const trustFile = trustWith({ id: 'lin:human:ao.okafor', name: 'Ada Okafor', public_key: key.publicKey });
    const h = createHarness();
    await h.api.trustImportStore(readFileSync(trustFile, 'utf8'));
    const { page, foreign } = await openApp(h);
    await shot(page, 'approve-import-key-empty');

    // Not a key file: the trust file chosen by mistake is refused naming the field.
    await page.setInputFiles('[data-testid=key-import-file]', trustFile);
    await page.waitForSelector('[data-testid=key-import-refusal]');
    expect(await page.textContent('[data-testid=key-import-refusal]')).toMatch(
      /^trust-.*\.json: not a key file made by lineage keygen: \/type: expected "lineage.keyfile", found nothing \(field absent\)/,
    );
    await shot(page, 'approve-import-key-not-a-key-file');
    expect(await page.$('[data-testid=key-import-button]')).toBeNull();

    await page.setInputFiles('[data-testid=key-import-file]', key.path);
    await page.waitForSelector('[data-testid=key-import-owner]');
    expect(await page.textContent('[data-testid=key-import-owner]')).toBe('lin:human:ao.okafor');
    // The owner is the id: there is no field to type another.
    expect(await page.$('[data-testid=key-import-id]')).toBeNull();
    expect(await page.textContent('[data-testid=key-import-public]')).toBe(key.publicKey);
    await page.fill('[data-testid=key-import-name]', 'Ada Okafor');
    await page.selectOption('[data-testid=key-import-role]', 'authorizing_official');

    // A wrong passphrase is refused as such, the field is cleared, nothing is kept.
    await page.fill('[data-testid=key-import-pass]', 'not the keygen passphrase');
    await page.click('[data-testid=key-import-button]');
    await page.waitForSelector('[data-testid=key-import-refusal]');
    expect(await page.textContent('[data-testid=key-import-refusal]')).toContain(
      'Could not use ao-keygen.key: wrong passphrase, or the key file was modified (authentication failed)',
    );
    await page.waitForFunction(
      () => (document.querySelector('[data-testid=key-import-pass]') as HTMLInputElement).value === '',
    );
    expect(await h.api.keyStatus()).toEqual({ exists: false, unlocked: false });
    await page.fill('[data-testid=key-import-pass]', 'not the keygen passphrase');
    await shot(page, 'approve-import-key-wrong-passphrase');

    await page.fill('[data-testid=key-import-pass]', PASS);
    await page.$eval('[data-testid=key-import]', (e) => e.scrollIntoView({ block: 'start' }));
    await shot(page, 'approve-import-key-chosen');
    await page.click('[data-testid=key-import-button]');
    await page.waitForSelector('[data-testid=key-panel][data-unlocked=true]', { timeout: 60_000 });
    expect(await page.$('.error-bar')).toBeNull();
    expect(await page.textContent('[data-testid=key-panel] .lin-kv')).toContain('lin:human:ao.okafor');
    await shot(page, 'approve-import-key-unlocked');
    // The app's own public-key file names the same key the CLI printed.
    expect(JSON.parse(await h.api.keyPublicText())).toMatchObject({
      id: 'lin:human:ao.okafor',
      public_key: key.publicKey,
      roles: ['authorizing_official'],
    });
    // The file the approver chose is untouched.
    expect(JSON.parse(readFileSync(key.path, 'utf8'))).toMatchObject({ owner: 'lin:human:ao.okafor' });

    // Sign an approval of the sample capsule.
    h.openQueue.push(capsule);
    await page.click('[data-nav=capsule]');
    await page.click('[data-testid=open-capsule]');
    await page.waitForSelector('.lin-verdict', { timeout: 60_000 });
    await page.click('text=Approve or reject…');
    await page.fill('[data-testid=approval-comment]', 'Signed with the key made by lineage keygen.');
    await page.click('[data-testid=approval-preview]');
    await page.waitForSelector('[data-testid=preview][data-blocked=false]');
    expect(await page.textContent('.preview-lines')).toContain(
      'Ada Okafor (lin:human:ao.okafor), acting as Authorizing Official, APPROVES',
    );
    await page.click('[data-testid=approval-sign]');
    await page.waitForSelector('[data-testid=signed]');
    await page.click('[data-testid=approval-save]');
    await page.waitForSelector('[data-testid=approval-saved]');
    const approval = h.saved.at(-1)!;
    const verify = lineage(['approval', 'verify', approval, '--trust', trustFile, '--capsule', capsule]);
    expect(verify, verify.out + verify.err).toMatchObject({ code: 0 });
    expect(verify.out).toContain('VERIFIED');
    expect(foreign).toEqual([]);
  }, 180_000);

  it('a key file without an owner asks for the approver id', async () => {
    const key = keygen('no-owner.key');
    const h = createHarness();
    const { page } = await openApp(h);
    await page.setInputFiles('[data-testid=key-import-file]', key.path);
    await page.waitForSelector('[data-testid=key-import-id]');
    expect(await page.$('[data-testid=key-import-owner]')).toBeNull();
    await page.fill('[data-testid=key-import-name]', 'Lee Park');
    await page.selectOption('[data-testid=key-import-role]', '3pao_assessor');
    await page.fill('[data-testid=key-import-pass]', PASS);
    // No id, no import.
    expect(await page.isDisabled('[data-testid=key-import-button]')).toBe(true);
    await page.fill('[data-testid=key-import-id]', 'lin:human:3pao.park');
    await shot(page, 'approve-import-key-no-owner');
    await page.click('[data-testid=key-import-button]');
    await page.waitForSelector('[data-testid=key-panel][data-unlocked=true]', { timeout: 60_000 });
    expect(await h.api.keyStatus()).toMatchObject({
      unlocked: true,
      approverId: 'lin:human:3pao.park',
      role: '3pao_assessor',
    });
    expect(JSON.parse(await h.api.keyPublicText())).toMatchObject({ public_key: key.publicKey });
  }, 120_000);
});
