/**
 * Runs the built renderer in real Debian Chromium with the preload API bridged
 * to the real main-process services: the page is served from 127.0.0.1 by this
 * test with the app's own CSP headers, `window.lineage.*` calls go through
 * page.exposeFunction, are checked by the same IPC schema as in Electron, and
 * run in the services; events come back through page.evaluate.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../../test/support/chromium.js';
import { validateArgs } from '../../src/main/security/ipc-schema.js';
import { responseHeaders } from '../../src/main/security/policy.js';
import { API_METHODS, type ApiEvent } from '../../src/shared/api.js';
import type { Harness } from './harness.js';

export const appDir = resolve(import.meta.dirname, '../..');
export const rendererDir = join(appDir, 'out/renderer');
export const offlineHtml = join(appDir, 'out/offline/lineage-offline.html');
// Screenshots go to test-results/ on every run; LINEAGE_UPDATE_SCREENSHOTS=1 refreshes the README's.
export const screenshotsDir = process.env.LINEAGE_UPDATE_SCREENSHOTS
  ? resolve(appDir, '../../docs/screenshots')
  : join(appDir, 'test-results/screenshots');

/** The newest modification time of any source file (not a test) under `dirs`. */
function newestMtime(dirs: readonly string[]): number {
  let newest = 0;
  // Test files are not built into the page: editing one does not make the build stale.
  const built = (name: string) => !/\.test\.tsx?$/.test(name);
  for (const dir of dirs) {
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && built(e.name))
        newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
    }
  }
  return newest;
}

/** What the renderer and the offline page are built from. */
const SOURCES = [
  join(appDir, 'src'),
  resolve(appDir, '../../packages/ui/src'),
  resolve(appDir, '../../packages/verifier-core/src'),
];

/**
 * Builds the renderer and the offline page when the test runs before `npm run build`, and refuses
 * a build older than its sources (the tests would check yesterday's page): rebuilding here could
 * race another test file doing the same, so it says what to run instead.
 */
export function ensureBuilt(): void {
  for (const [built, args] of [
    [join(rendererDir, 'index.html'), ['electron-vite', 'build']],
    [offlineHtml, ['vite', 'build', '-c', 'vite.offline.config.ts']],
  ] as const) {
    if (!existsSync(built)) {
      execFileSync('npx', [...args], { cwd: appDir, stdio: 'ignore', timeout: 180_000 });
      continue;
    }
    const stale = newestMtime(SOURCES) > statSync(built).mtimeMs;
    if (stale)
      throw new Error(
        `${built} is older than the sources it is built from: run \`npm run build -w @lineage/desktop\` first`,
      );
  }
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** Serves out/renderer on 127.0.0.1 with the headers app:// sends. */
export async function serveRenderer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const rel = normalize(path === '/' ? '/index.html' : path).replace(/^\/+/, '');
    const file = join(rendererDir, rel);
    if (rel.includes('..') || !file.startsWith(rendererDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, responseHeaders(rel)).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/index.html`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

type Wire = { __bytes: string } | unknown;

function toWire(v: unknown): Wire {
  if (v instanceof Uint8Array) return { __bytes: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWire(x)]));
  return v;
}

function fromWire(v: unknown): unknown {
  if (
    v &&
    typeof v === 'object' &&
    '__bytes' in v &&
    typeof (v as { __bytes: unknown }).__bytes === 'string'
  ) {
    return new Uint8Array(Buffer.from((v as { __bytes: string }).__bytes, 'base64'));
  }
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromWire(x)]));
  return v;
}

/**
 * The preload bridge, recreated in the page: same methods, same argument checks, real services.
 * As in the preload, the page gets no method that takes a path for a drop: `openDroppedFile` takes
 * the File, and the bridge (standing in for webUtils) looks up its path outside the page.
 */
export async function bridge(page: Page, h: Harness): Promise<void> {
  await page.exposeFunction('__lineageDropPath', async (name: string) => h.dropPaths.get(name) ?? null);
  await page.exposeFunction('__lineageCall', async (method: string, argsJson: string) => {
    const args = fromWire(JSON.parse(argsJson)) as unknown[];
    const err = validateArgs(method, args);
    if (err) return JSON.stringify({ error: `rejected: ${err}` });
    try {
      const fn = (h.api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      const result = await fn.apply(h.api, args);
      return JSON.stringify({ result: toWire(result) ?? null });
    } catch (e) {
      return JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
    }
  });
  h.onEvent((e: ApiEvent) => {
    page
      .evaluate(
        (ev) => (window as unknown as { __lineageEmit?: (x: unknown) => void }).__lineageEmit?.(ev),
        e,
      )
      .catch(() => {});
  });
  await page.addInitScript((methods: readonly string[]) => {
    type W = { __lineageCall: (m: string, a: string) => Promise<string> };
    const toWireInPage = (v: unknown): unknown => {
      if (v instanceof Uint8Array) {
        let s = '';
        for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode(...v.subarray(i, i + 0x8000));
        return { __bytes: btoa(s) };
      }
      if (Array.isArray(v)) return v.map(toWireInPage);
      if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toWireInPage(x)]));
      return v;
    };
    const listeners = new Set<(e: unknown) => void>();
    const api: Record<string, unknown> = { host: 'desktop' };
    for (const m of methods) {
      api[m] = async (...args: unknown[]) => {
        // Trailing undefined arguments are dropped (JSON would turn them into null).
        while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
        const raw = await (window as unknown as W).__lineageCall(m, JSON.stringify(args.map(toWireInPage)));
        const r = JSON.parse(raw) as { result?: unknown; error?: string };
        if (r.error !== undefined) throw new Error(r.error);
        return r.result ?? null;
      };
    }
    api.openDroppedFile = async (file: File) => {
      const w = window as unknown as W & { __lineageDropPath: (n: string) => Promise<string | null> };
      const path = await w.__lineageDropPath(file.name);
      if (path === null) return null;
      const r = JSON.parse(await w.__lineageCall('openDropped', JSON.stringify([path]))) as {
        result?: unknown;
        error?: string;
      };
      if (r.error !== undefined) throw new Error(r.error);
      return r.result ?? null;
    };
    api.onEvent = (fn: (e: unknown) => void) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    };
    (window as unknown as { __lineageEmit: (e: unknown) => void }).__lineageEmit = (e) => {
      for (const l of listeners) l(e);
    };
    (window as unknown as { lineage: unknown }).lineage = Object.freeze(api);
  }, API_METHODS);
}

/** Records every request the page makes that is not to the test server itself. */
export function watchNetwork(page: Page, allowedOrigin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(allowedOrigin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  return foreign;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotsDir, `desktop-${name}.png`), fullPage: false });
}
