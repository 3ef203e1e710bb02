/**
 * The WebCrypto backend inside Debian Chromium (the engine of the extension and the
 * desktop renderer): the same vectors and crafted edge cases as under Node must give
 * the same answers, so a signature that verifies on the desktop verifies identically
 * in the extension. The backend is bundled with esbuild and served from 127.0.0.1
 * (a secure context, where crypto.subtle exists).
 */
import { ECDH, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../../../test/support/chromium.js';
import { vectorPath } from '../../../../test/support/vectors.js';
import { fromBase64Url } from '../encoding/base64.js';
import { toHex } from '../encoding/hex.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js';
import { cases as edgeCases } from './ed25519-edge-cases.fixture.js';

const here = dirname(fileURLToPath(import.meta.url));

interface HexCase {
  label: string;
  pk: string;
  msg: string;
  sig: string;
  expected: boolean;
}

const wycheproof = JSON.parse(
  readFileSync(vectorPath('ed25519', 'wycheproof', 'ed25519_test.json'), 'utf8'),
) as {
  testGroups: {
    publicKey: { pk: string };
    tests: { tcId: number; msg: string; sig: string; result: string }[];
  }[];
};
const rfc = JSON.parse(readFileSync(vectorPath('ed25519', 'rfc8032-section-7.1-ed25519.json'), 'utf8')) as {
  tests: { name: string; publicKey: string; message: string; signature: string }[];
};
const edCases: HexCase[] = [
  ...wycheproof.testGroups.flatMap((g) =>
    g.tests.map((t) => ({
      label: `wycheproof tcId ${t.tcId}`,
      pk: g.publicKey.pk,
      msg: t.msg,
      sig: t.sig,
      expected: t.result === 'valid',
    })),
  ),
  ...rfc.tests.map((t) => ({
    label: t.name,
    pk: t.publicKey,
    msg: t.message,
    sig: t.signature,
    expected: true,
  })),
  ...edgeCases.map((c) => ({
    label: c.label,
    pk: toHex(c.item.publicKey),
    msg: toHex(c.item.message),
    sig: toHex(c.item.signature),
    expected: c.expected,
  })),
];

let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const out = await build({
    stdin: {
      contents: `import { webcryptoBackend, detectWebCryptoEd25519 } from './backends/webcrypto.ts';
import { defaultBackend, resolveDefaultBackend } from './backends/browser-default.ts';
globalThis.__lineage = { webcryptoBackend, detectWebCryptoEd25519, defaultBackend, resolveDefaultBackend };`,
      resolveDir: here,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = out.outputFiles[0]!.text;
  server = createServer((req, res) => {
    if (req.url === '/core.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script src="/core.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: CHROMIUM_ARGS,
  });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('WebCrypto backend in Chromium', () => {
  it('passes the strictness probes, so the browser default uses WebCrypto', async () => {
    const r = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        isSecureContext: boolean;
        __lineage: {
          detectWebCryptoEd25519(): Promise<boolean>;
          resolveDefaultBackend(): Promise<{ name: string }>;
        };
      };
      const ok = await g.__lineage.detectWebCryptoEd25519();
      const chosen = await g.__lineage.resolveDefaultBackend();
      return { ok, chosen: chosen.name, isSecure: g.isSecureContext };
    });
    expect(r).toEqual({ ok: true, chosen: 'webcrypto', isSecure: true });
  });

  it('gets every RFC 8032, Wycheproof and crafted edge case right, single and batched', async () => {
    const got = await page.evaluate(async (cs: HexCase[]) => {
      type Item = { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array };
      type Backend = {
        ed25519Verify(i: Item): Promise<boolean>;
        ed25519VerifyBatch(i: Item[]): Promise<boolean[]>;
      };
      const l = (
        globalThis as unknown as { __lineage: { webcryptoBackend: Backend; defaultBackend: Backend } }
      ).__lineage;
      const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
      const items = cs.map((c) => ({ publicKey: hex(c.pk), message: hex(c.msg), signature: hex(c.sig) }));
      const single: boolean[] = [];
      for (const it of items) single.push(await l.webcryptoBackend.ed25519Verify(it));
      return {
        single,
        batch: await l.webcryptoBackend.ed25519VerifyBatch(items),
        auto: await l.defaultBackend.ed25519VerifyBatch(items),
      };
    }, edCases);
    for (const path of ['single', 'batch', 'auto'] as const) {
      expect([path, edCases.filter((c, i) => got[path][i] !== c.expected).map((c) => c.label)]).toEqual([
        path,
        [],
      ]);
    }
    expect(edCases.length).toBeGreaterThan(151 + 5 + 20);
  });

  it('verifies ECDSA P-256 (raw, DER, high-S, compressed keys) and rejects tampering', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Uint8Array.from([4, ...fromBase64Url(jwk.x!, 32), ...fromBase64Url(jwk.y!, 32)]);
    const compressed = new Uint8Array(
      ECDH.convertKey(point, 'prime256v1', undefined, undefined, 'compressed') as Buffer,
    );
    const message = new TextEncoder().encode('tree head');
    const der = new Uint8Array(sign('sha256', message, privateKey));
    const raw = ecdsaDerToRaw(der)!;
    const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
    const s = BigInt(`0x${toHex(raw.subarray(32))}`);
    const flipped = Uint8Array.from([
      ...raw.subarray(0, 32),
      ...Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    const tampered = Uint8Array.from(raw);
    tampered[5]! ^= 1;
    const cs = [
      { label: 'raw', pk: point, sig: raw, format: 'raw', expected: true },
      { label: 'der', pk: point, sig: der, format: 'der', expected: true },
      { label: 'compressed key', pk: compressed, sig: der, format: 'der', expected: true },
      { label: 'n - s raw', pk: point, sig: flipped, format: 'raw', expected: true },
      { label: 'n - s der', pk: point, sig: ecdsaRawToDer(flipped), format: 'der', expected: true },
      { label: 'tampered', pk: point, sig: tampered, format: 'raw', expected: false },
      { label: 'der labelled raw', pk: point, sig: der, format: 'raw', expected: false },
      {
        label: 'der + trailing byte',
        pk: point,
        sig: Uint8Array.from([...der, 0]),
        format: 'der',
        expected: false,
      },
    ].map((c) => ({ ...c, pk: toHex(c.pk), sig: toHex(c.sig), msg: toHex(message) }));
    const got = await page.evaluate(async (list: typeof cs) => {
      type Item = {
        publicKey: Uint8Array;
        message: Uint8Array;
        signature: Uint8Array;
        signatureFormat: string;
      };
      const l = (
        globalThis as unknown as {
          __lineage: { webcryptoBackend: { ecdsaP256Verify(i: Item): Promise<boolean> } };
        }
      ).__lineage;
      const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
      const out: boolean[] = [];
      for (const c of list) {
        out.push(
          await l.webcryptoBackend.ecdsaP256Verify({
            publicKey: hex(c.pk),
            message: hex(c.msg),
            signature: hex(c.sig),
            signatureFormat: c.format,
          }),
        );
      }
      return out;
    }, cs);
    expect(cs.map((c, i) => [c.label, got[i]])).toEqual(cs.map((c) => [c.label, c.expected]));
  });
});
