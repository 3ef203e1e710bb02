/**
 * The built extension in Debian Chromium, for every browser test of the extension: which build is
 * loaded, one persistent context with it, the waits on its service worker and tabs, its pages,
 * screenshots and its IndexedDB. Every wait is bounded; none is a fixed sleep.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../../../test/support/chromium.js';

export const appDir = resolve(import.meta.dirname, '../../..');
export const repoRoot = resolve(appDir, '../..');
/** Where every run's screenshots go (a test may be told another directory). */
export const resultsShotsDir = join(appDir, 'test-results/screenshots');

/** States a check ends in (tab-state.ts); 'checking' and 'not_checked' are not among them. */
const FINAL = new Set(['verified', 'warning', 'failed', 'timeout']);

/** The debug handle the service worker exposes to tests (service-worker.ts). */
export interface LineageGlobal {
  __lineage: {
    view(tabId: number): Promise<{
      state: { status: string; sentence: string; run: number; origin: string };
      result: unknown;
    }>;
  };
}

/** The extension loaded in its own Chromium profile. */
export interface LoadedExtension {
  ctx: BrowserContext;
  /** The running service worker: replaced by a test that stops it and waits for the next one. */
  sw: Worker;
  /** The service worker's URL never changes across restarts; its Worker handle does. */
  swUrl: string;
  id: string;
  userDataDir: string;
  /** A private build made for this file because dist/ was stale, removed on close. */
  privateDist: string | undefined;
}

/** The toolbar and state of a tab once its check has ended. */
export interface TabSnapshot {
  status: string;
  sentence: string;
  run: number;
  badge: string;
  title: string;
}

/** True when the build in `extDir` is missing or older than any source it is built from. */
function buildIsStale(extDir: string): boolean {
  const manifest = join(extDir, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const built = statSync(manifest).mtimeMs;
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  const sources = [
    'apps/extension/src',
    'apps/extension/build',
    'packages/ui/src',
    'packages/verifier-core/src',
  ];
  return sources.some((d) => newest(join(repoRoot, d)) > built);
}

/**
 * The unpacked build to test: dist/chromium (CI builds first), or a private fresh build when dist
 * is stale — never a rebuild of the shared dist/ under other test files' feet.
 */
function extensionBuild(): { dir: string; privateDist: string | undefined } {
  const dist = join(appDir, 'dist/chromium');
  if (!buildIsStale(dist)) return { dir: dist, privateDist: undefined };
  const privateDist = mkdtempSync(join(tmpdir(), 'lineage-ext-dist-'));
  execFileSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build'], {
    cwd: appDir,
    stdio: 'ignore',
    timeout: 120_000,
    env: { ...process.env, LINEAGE_EXT_DIST: privateDist },
  });
  return { dir: join(privateDist, 'chromium'), privateDist };
}

/**
 * Launches headless Chromium on a fresh profile (`profilePrefix` names its temporary directory)
 * with only the extension loaded, and waits (15 s) for its service worker. On failure nothing is
 * left running or on disk.
 */
export async function launchExtension(profilePrefix: string): Promise<LoadedExtension> {
  const { dir, privateDist } = extensionBuild();
  const userDataDir = mkdtempSync(join(tmpdir(), profilePrefix));
  let ctx: BrowserContext | undefined;
  try {
    ctx = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      timeout: 30_000,
      args: [...CHROMIUM_ARGS, `--disable-extensions-except=${dir}`, `--load-extension=${dir}`],
    });
    const isExtension = (w: Worker) => w.url().startsWith('chrome-extension://');
    const sw =
      ctx.serviceWorkers().find(isExtension) ??
      (await ctx.waitForEvent('serviceworker', { predicate: isExtension, timeout: 15_000 }));
    return { ctx, sw, swUrl: sw.url(), id: new URL(sw.url()).host, userDataDir, privateDist };
  } catch (e) {
    await ctx?.close();
    rmSync(userDataDir, { recursive: true, force: true });
    if (privateDist) rmSync(privateDist, { recursive: true, force: true });
    throw e;
  }
}

/** Closes the browser and removes its profile and any private build. */
export async function closeExtension(ext: LoadedExtension | undefined): Promise<void> {
  if (!ext) return;
  await ext.ctx.close();
  rmSync(ext.userDataDir, { recursive: true, force: true });
  if (ext.privateDist) rmSync(ext.privateDist, { recursive: true, force: true });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The id of the (first) tab showing `origin`, polled for up to 10 s. */
export async function tabIdOf(sw: Worker, origin: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const id = await sw.evaluate(async (o: string) => {
      const tabs = await chrome.tabs.query({});
      return tabs.find((t) => t.url?.startsWith(o))?.id ?? null;
    }, origin);
    if (id !== null) return id;
    await pause(100);
  }
  throw new Error(`no tab for ${origin}`);
}

/** The number of the tab's latest check run (0 before any). */
export async function runOf(sw: Worker, tabId: number): Promise<number> {
  return sw.evaluate(async (id: number) => {
    const v = await (globalThis as unknown as LineageGlobal).__lineage.view(id);
    return v.state.run;
  }, tabId);
}

/**
 * Waits (bounded by `ms`) until a run of the tab's state machine after `minRun` reaches a final
 * state and the toolbar shows it, then reads the toolbar.
 */
export async function settled(sw: Worker, tabId: number, minRun = 0, ms = 20_000): Promise<TabSnapshot> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const s = await sw.evaluate(
      async ([id, run]: [number, number]) => {
        const v = await (globalThis as unknown as LineageGlobal).__lineage.view(id);
        if (v.state.run <= run) return null;
        return {
          status: v.state.status,
          sentence: v.state.sentence,
          run: v.state.run,
          badge: await chrome.action.getBadgeText({ tabId: id }),
          title: await chrome.action.getTitle({ tabId: id }),
        };
      },
      [tabId, minRun] as [number, number],
    );
    // The toolbar is drawn after the state is stored: wait until it shows the final state too
    // (its title is the state's sentence, its badge no longer the checking one).
    if (s && FINAL.has(s.status) && s.badge !== '...' && s.title === `Lineage — ${s.sentence}`) return s;
    await pause(100);
  }
  throw new Error(`tab ${tabId} did not reach a final state (and show it) within ${ms / 1000} s`);
}

/**
 * Opens `origin` in a new tab, or navigates `page` to it again, and waits for that visit's check
 * to end (`ms`, 20 s unless told).
 */
export async function visit(
  ext: LoadedExtension,
  origin: string,
  page?: Page,
  ms?: number,
): Promise<{ page: Page; tabId: number; snap: TabSnapshot }> {
  const p = page ?? (await ext.ctx.newPage());
  const before = page ? await runOf(ext.sw, await tabIdOf(ext.sw, origin)) : 0;
  await p.goto(`${origin}/`, { timeout: 15_000 });
  const tabId = await tabIdOf(ext.sw, origin);
  return { page: p, tabId, snap: await settled(ext.sw, tabId, before, ms) };
}

/** The popup for `tabId`, once it has drawn its sentence. */
export async function openPopup(ext: LoadedExtension, tabId: number): Promise<Page> {
  const p = await ext.ctx.newPage();
  await p.setViewportSize({ width: 400, height: 120 }); // full-page shots then follow the content
  await p.goto(`chrome-extension://${ext.id}/popup.html?tab=${tabId}`, { timeout: 10_000 });
  await p.getByTestId('sentence').waitFor({ timeout: 10_000 });
  return p;
}

/** The details page for `tabId` (the caller waits for the part it reads). */
export async function openDetails(ext: LoadedExtension, tabId: number): Promise<Page> {
  const p = await ext.ctx.newPage();
  await p.setViewportSize({ width: 900, height: 800 });
  await p.goto(`chrome-extension://${ext.id}/details.html?tab=${tabId}`);
  return p;
}

/** The options page, once it has drawn. */
export async function openOptions(ext: LoadedExtension): Promise<Page> {
  const p = await ext.ctx.newPage();
  await p.setViewportSize({ width: 900, height: 700 });
  await p.goto(`chrome-extension://${ext.id}/options.html`);
  await p.getByTestId('clear-data').waitFor({ timeout: 10_000 });
  return p;
}

/**
 * Imports `text` as a trust file named `name` (written in `dir`) through the options page, as a
 * user would, and returns the page's message about that file.
 */
export async function importTrust(options: Page, dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name);
  writeFileSync(file, text);
  await options.getByTestId('trust-file').setInputFiles(file);
  // The message of an earlier import may still be shown: wait for the one about this file (a
  // locator wait, not expect.poll, so that a beforeAll can import too).
  const msg = options.getByTestId('options-message').filter({ hasText: name });
  await msg.waitFor({ timeout: 10_000 });
  return (await msg.textContent()) ?? '';
}

/** A full-page screenshot writer: `shot(page, name)` writes `<dir>/<prefix>-<name>.png`. */
export function screenshots(dir: string, prefix: string): (p: Page, name: string) => Promise<void> {
  return async (p, name) => {
    mkdirSync(dir, { recursive: true });
    await p.screenshot({ path: join(dir, `${prefix}-${name}.png`), fullPage: true });
  };
}

/** Every object store of the extension's IndexedDB, read in the service worker. */
export async function readStores(sw: Worker): Promise<Record<string, unknown[]>> {
  return sw.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('lineage-extension');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const out: Record<string, unknown[]> = {};
    for (const name of Array.from(db.objectStoreNames)) {
      out[name] = await new Promise<unknown[]>((res) => {
        const r = db.transaction(name).objectStore(name).getAll();
        r.onsuccess = () => res(r.result);
      });
    }
    db.close();
    return out;
  });
}

/**
 * Writes `records` into one store of the extension's IndexedDB in one transaction, behind the
 * extension's back (`key` for a store without a key path; none for a key-path or auto-increment one).
 */
export async function putRecords(
  sw: Worker,
  store: string,
  records: ReadonlyArray<{ value: unknown; key?: string }>,
): Promise<void> {
  await sw.evaluate(
    async ([s, rs]: [string, Array<{ value: unknown; key: string | null }>]) => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open('lineage-extension');
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const tx = db.transaction(s, 'readwrite');
      for (const { value, key } of rs) {
        if (key === null) tx.objectStore(s).put(value);
        else tx.objectStore(s).put(value, key);
      }
      await new Promise((r) => {
        tx.oncomplete = r;
      });
      db.close();
    },
    [store, records.map((r) => ({ value: r.value, key: r.key ?? null }))] as [
      string,
      Array<{ value: unknown; key: string | null }>,
    ],
  );
}
