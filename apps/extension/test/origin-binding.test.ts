import { readFileSync } from 'node:fs';
import { parseStrictJson, parseTrustStore } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../test/support/vectors.js';
import { checkOrigin } from '../src/background/check-origin.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import type { HeaderList } from '../src/background/headers.js';
import { isPotentiallyTrustworthy, namedOrigins } from '../src/background/origin-binding.js';
import { MemoryStore } from '../src/storage/memory.js';
import type { OriginCheck } from '../src/storage/types.js';
import {
  DEFAULT_ORIGINS,
  FIXTURE_NOW,
  type FixtureWorld,
  fixtureWorld,
  trustStoreJson,
} from './fixture/sites.js';

const trust = parseTrustStore(trustStoreJson());

/** The good agent's site, byte for byte (card, key history, page headers), served at `origin`. */
function visitGood(world: FixtureWorld, origin: string): Promise<OriginCheck> {
  const page = world.SITES.good('/', 1);
  const headers: HeaderList = Object.entries(page.headers).map(([name, value]) => ({ name, value }));
  const fetch: FetchBounded = async (url) => {
    if (!url.startsWith(`${origin}/`)) throw new Error(`fetched another origin: ${url}`);
    const r = world.SITES.good(url.slice(origin.length), 1);
    return { url, status: r.status, bytes: r.body, contentType: r.headers['content-type'] ?? null };
  };
  return checkOrigin({
    origin,
    headers,
    trust,
    store: new MemoryStore(),
    core: coreApi,
    fetch,
    now: FIXTURE_NOW,
  });
}
const statusOf = (r: OriginCheck, id: string) => r.checks.filter((c) => c.id === id).map((c) => c.status);

describe('a card is bound to the origin that serves it (spec §6.4.2)', () => {
  const world = fixtureWorld(DEFAULT_ORIGINS);

  it('at an origin the card names, with everything else holding → verified', async () => {
    const r = await visitGood(world, DEFAULT_ORIGINS.good);
    expect(statusOf(r, 'card.origin')).toEqual(['pass']);
    expect(statusOf(r, 'proof.transport')).toEqual(['pass']);
    expect(r.status).toBe('verified');
  });

  it('a byte-identical copy (card, history, headers) on another origin is not verified', async () => {
    const r = await visitGood(world, 'https://evil.example');
    // Every signature and proof still holds on the copy; only the origin binding does not.
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['card.origin']);
    expect(r.checks.find((c) => c.id === 'card.origin')).toMatchObject({
      status: 'not_checked',
      expected: 'an interface URL on https://evil.example',
      found: `${DEFAULT_ORIGINS.good}, ${DEFAULT_ORIGINS.noHistory}`,
    });
    expect(r.status).toBe('warning');
    expect(r.sentence).toBe(
      'Warning: the agent card is served by an origin it does not name, so it may be a copy of another agent’s card.',
    );
  });

  it('the same origin on another port or scheme is another origin', async () => {
    expect((await visitGood(world, 'https://agent.example:8443')).status).toBe('warning');
    expect((await visitGood(world, 'http://agent.example')).status).toBe('warning');
  });

  it('plain HTTP is capped at warning even when the card names the origin and every proof holds', async () => {
    const plain = fixtureWorld({ ...DEFAULT_ORIGINS, good: 'http://agent.example' });
    const r = await visitGood(plain, 'http://agent.example');
    expect(statusOf(r, 'card.origin')).toEqual(['pass']);
    expect(r.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['proof.transport']);
    expect(r.status).toBe('warning');
    expect(r.sentence).toBe(
      'Warning: this site uses plain HTTP, so anyone on the network could have supplied its card and proofs.',
    );
  });

  it('loopback http is a potentially trustworthy origin (as in browsers), so it can be verified', async () => {
    const local = fixtureWorld({ ...DEFAULT_ORIGINS, good: 'http://127.0.0.1:8080' });
    expect((await visitGood(local, 'http://127.0.0.1:8080')).status).toBe('verified');
  });
});

describe('potentially trustworthy origins (W3C Secure Contexts §3.1)', () => {
  it.each([
    ['https://agent.example', true],
    ['http://127.0.0.1:5173', true],
    ['http://127.8.9.10', true],
    ['http://[::1]:8080', true],
    ['http://localhost:3000', true],
    ['http://agent.localhost', true],
    ['http://agent.example', false],
    ['http://10.0.0.1', false],
    ['http://localhost.example', false],
    ['http://127.0.0.1.example', false],
    ['ftp://agent.example', false],
    ['not a url', false],
  ])('%s → %s', (origin, expected) => {
    expect(isPotentiallyTrustworthy(origin)).toBe(expected);
  });
});

describe('the origins an A2A card names, per shape', () => {
  const vector = (name: string) => parseStrictJson(readFileSync(vectorPath('a2a-agent-cards', name), 'utf8'));

  it('v1.0: every supportedInterfaces[].url, not provider.url', () => {
    expect(namedOrigins(vector('a2a-spec-main-sample-card-signed.v1.json'))).toEqual([
      'https://georoute-agent.example.com',
    ]);
    expect(namedOrigins(vector('a2a-samples-adk-skills-agent.v1.json'))).toEqual(['http://localhost:10999']);
  });

  it('v0.3: url and additionalInterfaces[].url', () => {
    expect(namedOrigins(vector('a2a-spec-v0.3.0-sample-card-signed.v0.3.json'))).toEqual([
      'https://georoute-agent.example.com',
    ]);
    expect(
      namedOrigins({
        url: 'https://a.example/a2a',
        additionalInterfaces: [{ url: 'https://b.example:8443/grpc' }, { url: 'grpc://c.example' }],
        provider: { url: 'https://provider.example' },
        documentationUrl: 'https://docs.example',
      }),
    ).toEqual(['https://a.example', 'https://b.example:8443']);
  });

  it('≤ 0.2 (agent.json): url', () => {
    expect(namedOrigins(vector('a2a-samples-a2a-mcp-air-ticketing-agent.v0.2.json'))).toEqual([
      'http://localhost:10103',
    ]);
  });

  it('nothing usable → no origin', () => {
    expect(namedOrigins(null)).toEqual([]);
    expect(namedOrigins({ url: 42, supportedInterfaces: 'x' })).toEqual([]);
  });
});
