// The empty tree is a prefix of every tree: a genuine size-0 checkpoint must neither be remembered
// (every later proof would start from it) nor frame an honest site as a split view.
import { MerkleTree, parseTrustStore, utf8Encode } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { checkOrigin } from '../src/background/check-origin.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import type { HeaderList } from '../src/background/headers.js';
import { MemoryStore } from '../src/storage/memory.js';
import {
  CARDS,
  checkpointAt,
  checkpointHeader,
  HISTORIES,
  HISTORY_PATH,
  SITES,
  trustStoreJson,
} from './fixture/sites.js';

const trust = parseTrustStore(trustStoreJson());
const origin = 'https://agent.example';
const h = (o: Record<string, string>): HeaderList =>
  Object.entries(o).map(([name, value]) => ({ name, value }));
const goodHeaders = SITES.good('/', 1).headers;
function siteFetch(routes: Record<string, Uint8Array>): FetchBounded {
  return async (url) => {
    const r = routes[url.slice(origin.length)];
    return r
      ? { url, status: 200, bytes: r, contentType: 'application/json' }
      : { url, status: 404, bytes: new Uint8Array(0), contentType: null };
  };
}
const run = (headers: HeaderList, fetch: FetchBounded, store: MemoryStore) =>
  checkOrigin({ origin, headers, trust, store, core: coreApi, fetch, now: 1 });

describe('empty tree head', () => {
  it('a genuine size-0 checkpoint is never remembered: honest sites after it are judged as if it had not been seen', async () => {
    const store = new MemoryStore();
    const empty = checkpointAt(new MerkleTree(), 1_700_000_000_000); // the log's first, genuine checkpoint
    await run(h({ 'lineage-checkpoint': checkpointHeader(empty) }), siteFetch({}), store);
    expect(store.treeHeads.get('fixture.lineage.test/log')).toBeUndefined();
    // The honest site answers from=0&to=8 with the (empty) consistency proof C2SP prescribes.
    const site = siteFetch({
      '/.well-known/agent-card.json': CARDS.good,
      [HISTORY_PATH]: HISTORIES.good,
      '/.well-known/lineage/consistency?from=0&to=8': utf8Encode(
        JSON.stringify({ from: 0, to: 8, proof: [] }),
      ),
    });
    const r = await run(h(goodHeaders), site, store);
    expect(r.status).toBe('verified');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
    // and without an endpoint: stuck warning
    const r2 = await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': CARDS.good, [HISTORY_PATH]: HISTORIES.good }),
      store,
    );
    expect(r2.status).toBe('verified');
  });
  it('an empty tree under a remembered one is consistent with it (a prefix of every tree), never a split view', async () => {
    const store = new MemoryStore();
    await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': CARDS.good, [HISTORY_PATH]: HISTORIES.good }),
      store,
    );
    const empty = checkpointAt(new MerkleTree(), 1_700_000_000_000);
    const r = await run(
      h({ 'lineage-checkpoint': checkpointHeader(empty) }),
      siteFetch({
        '/.well-known/lineage/consistency?from=0&to=8': utf8Encode(
          JSON.stringify({ from: 0, to: 8, proof: [] }),
        ),
      }),
      store,
    );
    expect(r.checks.find((x) => x.id === 'proof.consistency')?.status).toBe('pass');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
  });
});
