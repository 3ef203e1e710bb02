import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, fetchBounded } from '../src/background/fetch-bounded.js';

let origin = '';
const server = createServer((req, res) => {
  switch (req.url) {
    case '/ok':
      res.end('{"a":1}');
      return;
    case '/big-declared':
      res.writeHead(200, { 'content-length': '100000' });
      res.end('x'.repeat(100_000));
      return;
    case '/big-chunked':
      res.writeHead(200);
      for (let i = 0; i < 20; i++) res.write('y'.repeat(10_000));
      res.end();
      return;
    case '/redirect':
      res.writeHead(302, { location: 'http://example.invalid/' });
      res.end();
      return;
    default:
      // /hang: never answers.
      return;
  }
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function kind(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof FetchError ? e.kind : `other: ${String(e)}`;
  }
}

describe('bounded fetch', () => {
  it('returns the bytes exactly as served', async () => {
    const r = await fetchBounded(`${origin}/ok`, { maxBytes: 100, timeoutMs: 2000 });
    expect(new TextDecoder().decode(r.bytes)).toBe('{"a":1}');
  });
  it('refuses a declared length over the cap, and stops reading an undeclared stream at the cap', async () => {
    expect(await kind(fetchBounded(`${origin}/big-declared`, { maxBytes: 65_536, timeoutMs: 2000 }))).toBe(
      'too_large',
    );
    expect(await kind(fetchBounded(`${origin}/big-chunked`, { maxBytes: 65_536, timeoutMs: 2000 }))).toBe(
      'too_large',
    );
  });
  it('does not follow redirects (they could lead to another origin)', async () => {
    expect(await kind(fetchBounded(`${origin}/redirect`, { maxBytes: 100, timeoutMs: 2000 }))).toBe(
      'redirect',
    );
  });
  it('gives up at the deadline', async () => {
    expect(await kind(fetchBounded(`${origin}/hang`, { maxBytes: 100, timeoutMs: 100 }))).toBe('timeout');
  });
});
