// The extension's IndexedDB store opened over a database an earlier version left (schema version 1:
// no equivocation store, tree-head records of one head). The store module is bundled as the
// extension bundles it and run in real Chromium on a 127.0.0.1 page, where a version-1 database
// can be made first — inside the extension, its service worker opens the database at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../../test/support/chromium.js';

let browser: Browser;
let server: Server;
let page: Page;

beforeAll(async () => {
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: fileURLToPath(new URL('../../src/storage/idb-store.ts', import.meta.url)),
        formats: ['es'],
        fileName: 'store',
      },
    },
  })) as Rollup.RollupOutput[];
  const code = out[0]!.output.find((o) => o.type === 'chunk')!.code;
  server = createServer((req, res) => {
    if (req.url === '/store.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(code);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      // The class only: it opens the database on first use, after the test has made version 1.
      res.end(
        '<!doctype html><title>idb</title><script type="module">import { IdbStore } from "/store.js"; window.IdbStore = IdbStore;</script>',
      );
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // launch() gives the browser a fresh temporary profile of its own.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  await page.waitForFunction(() => 'IdbStore' in window);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

/** What the test calls on the bundled store (its type is the source's; the page has the bundle). */
type IdbStoreApi = Pick<
  import('../../src/storage/idb-store.js').IdbStore,
  'getTreeHead' | 'history' | 'putEquivocation' | 'listEquivocations'
>;

describe('IndexedDB store over a version-1 database', () => {
  it('keeps what version 1 stored and adds the equivocation store', async () => {
    const got = await page.evaluate(async () => {
      const done = (r: IDBRequest | IDBTransaction) =>
        new Promise((res, rej) => {
          if (r instanceof IDBTransaction) r.oncomplete = () => res(undefined);
          else r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
      // Version 1 as the previous release created it, with one remembered head and some history.
      const open = indexedDB.open('lineage-extension', 1);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('settings');
        db.createObjectStore('treeHeads', { keyPath: 'log' });
        db.createObjectStore('history', { autoIncrement: true }).createIndex('byOrigin', 'origin');
        db.createObjectStore('cache', { keyPath: 'origin' });
        db.createObjectStore('tabHeaders', { keyPath: 'tabId' });
      };
      const v1 = (await done(open)) as IDBDatabase;
      const tx = v1.transaction(['treeHeads', 'history'], 'readwrite');
      const head = {
        log: 'log.example/a',
        size: '8',
        rootHex: 'ab'.repeat(32),
        note: 'log.example/a\n8\nq80=\n\n— log.example/a AAAA\n',
        origin: 'https://a.example',
        seenAt: 1,
      };
      tx.objectStore('treeHeads').put(head);
      tx.objectStore('history').put({
        origin: 'https://a.example',
        at: 5,
        status: 'verified',
        sentence: 's',
        log: 'log.example/a',
        treeSize: '8',
      });
      await done(tx);
      v1.close();

      const store = new (window as unknown as { IdbStore: new () => IdbStoreApi }).IdbStore();
      const kept = await store.getTreeHead('log.example/a');
      const history = await store.history('https://a.example', 10);
      const evidence = {
        log: 'log.example/a',
        kind: 'split' as const,
        detectedAt: 9,
        notes: [head, { ...head, rootHex: 'cd'.repeat(32), origin: 'https://b.example' }] as [
          typeof head,
          typeof head,
        ],
      };
      await store.putEquivocation(evidence);
      const listed = await store.listEquivocations();
      const check = indexedDB.open('lineage-extension');
      const db = (await done(check)) as IDBDatabase;
      const info = { version: db.version, stores: [...db.objectStoreNames].sort() };
      db.close();
      return { kept: kept === undefined ? null : kept, head, history, listed, evidence, info };
    });
    expect(got.kept).toEqual(got.head);
    expect(got.history.map((h: { at: number }) => h.at)).toEqual([5]);
    expect(got.listed).toEqual([got.evidence]);
    expect(got.info).toEqual({
      version: 2,
      stores: ['cache', 'equivocations', 'history', 'settings', 'tabHeaders', 'treeHeads'],
    });
  });
});
