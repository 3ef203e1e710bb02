// A tab that navigates while its check awaits storage: the check belongs to the document it started
// for (its origin, its headers, its run), never to the one that replaced it.
import { toBase64, utf8Encode } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import { MemoryStore } from '../src/storage/memory.js';
import {
  CARDS,
  CHECKPOINTS,
  checkpointHeader,
  HISTORIES,
  HISTORY_PATH,
  inclusionHeader,
  TREES,
} from './fixture/sites.js';
import { cardFetch, goodHeaders, setup } from './support/controller-harness.js';

const bad = TREES.v1.inclusionProof(3, 8).map((h) => h.slice());
bad[0]![0]! ^= 1;
const badHeaders = [
  { name: 'lineage-checkpoint', value: checkpointHeader(CHECKPOINTS.v1) },
  { name: 'lineage-inclusion', value: inclusionHeader(3, 8, bad) },
];
/** A store whose reads take a little while (IndexedDB does). */
class SlowStore extends MemoryStore {
  override async getSettings() {
    await new Promise((r) => setTimeout(r, 5));
    return super.getSettings();
  }
  override async getCached(o: string) {
    await new Promise((r) => setTimeout(r, 5));
    return super.getCached(o);
  }
}
const slow = (fetch: FetchBounded) => setup(fetch, { store: new SlowStore() });

describe('a navigation while a check runs (second review)', () => {
  it("the next document's headers are never checked or cached as the previous origin's", async () => {
    const f = cardFetch();
    const { store, c } = await slow(f.fetch);
    // Tab 1 commits the honest agent, whose headers are good.
    const first = c.onDocumentHeaders(1, 'https://agent.example/', goodHeaders);
    // ~12 ms later (inside check(): after key computed, before checkOrigin reads t.headers) the
    // opener navigates the popup to its own page with bad headers.
    await new Promise((r) => setTimeout(r, 12));
    await c.onDocumentHeaders(1, 'https://evil.example/', badHeaders);
    await first;
    const cached = await store.getCached('https://agent.example');
    // A fresh tab (or the same tab later) visiting the honest agent with its genuine good headers:
    await c.onDocumentHeaders(2, 'https://agent.example/', goodHeaders);
    const v = await c.view(2);
    expect(cached?.status).toBe('verified');
    expect(v.state.status).toBe('verified');
    expect(
      store.entries.filter((e) => e.origin === 'https://agent.example').map((e) => e.status),
    ).not.toContain('failed');
  });

  it('a document that does not advertise Lineage, replacing one that did, is not fetched from', async () => {
    const f = cardFetch();
    const { c } = await slow(f.fetch);
    const first = c.onDocumentHeaders(3, 'https://agent.example/', goodHeaders);
    await new Promise((r) => setTimeout(r, 1));
    await c.onDocumentHeaders(3, 'https://quiet.example/', []); // no Lineage, checkAllSites off
    await first;
    expect(f.urls.some((u) => u.startsWith('https://quiet.example/'))).toBe(false);
    expect((await c.view(3)).state.status).toBe('not_checked');
  });
});

describe('two tabs showing one log at once', () => {
  // Each site proves its own tree of 13 consistent with the remembered 8 (the fork is a real fork
  // from leaf 8 on), after a network round trip: the read-compare-write of the log's memory spans it.
  const forkedSites: FetchBounded = async (url) => {
    await new Promise((r) => setTimeout(r, 3));
    const tree = url.startsWith('https://fork.example/') ? TREES.fork : TREES.v2;
    const body = url.includes('/.well-known/lineage/consistency?from=8&to=13')
      ? utf8Encode(JSON.stringify({ from: 8, to: 13, proof: tree.consistencyProof(8, 13).map(toBase64) }))
      : url.endsWith('/.well-known/agent-card.json')
        ? CARDS.split
        : url.endsWith(HISTORY_PATH)
          ? HISTORIES.split
          : null;
    return body
      ? { url, status: 200, bytes: body, contentType: 'application/json' }
      : { url, status: 404, bytes: new Uint8Array(0), contentType: null };
  };
  const at13 = (cp: string, tree: typeof TREES.v2) => [
    { name: 'lineage-checkpoint', value: checkpointHeader(cp) },
    { name: 'lineage-inclusion', value: inclusionHeader(9, 13, tree.inclusionProof(9, 13)) },
  ];

  it('a split view between them is caught: the second compares with what the first remembered', async () => {
    const { store, c } = await setup(forkedSites);
    await c.onDocumentHeaders(1, 'https://agent.example/', goodHeaders); // remembers 8
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
    await Promise.all([
      c.onDocumentHeaders(2, 'https://honest.example/', at13(CHECKPOINTS.v2, TREES.v2)),
      c.onDocumentHeaders(3, 'https://fork.example/', at13(CHECKPOINTS.fork, TREES.fork)),
    ]);
    const [honest, fork] = [(await c.view(2)).result!, (await c.view(3)).result!];
    const consistency = (r: typeof honest) => r.checks.find((x) => x.id === 'proof.consistency')?.status;
    // Whichever ran first is remembered; the other is the split view.
    expect([consistency(honest), consistency(fork)].sort()).toEqual(['fail', 'pass']);
    expect([honest.status, fork.status]).toContain('failed');
  });
});
