import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  leafHash,
  MerkleTree,
  parseTrustStore,
  sha256,
  toBase64,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { bodyAnchorEntry, cardAnchorEntry } from '../src/background/anchors.js';
import { checkOrigin } from '../src/background/check-origin.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import { FetchError } from '../src/background/fetch-bounded.js';
import type { HeaderList } from '../src/background/headers.js';
import { MemoryStore } from '../src/storage/memory.js';
import type { OriginCheck } from '../src/storage/types.js';
import {
  CARDS,
  CHECKPOINTS,
  checkpointHeader,
  inclusionHeader,
  LOG_VKEY,
  SITES,
  TREES,
  trustStoreJson,
} from './fixture/sites.js';

const trust = parseTrustStore(trustStoreJson());
const origin = 'https://agent.example';
const h = (o: Record<string, string>): HeaderList =>
  Object.entries(o).map(([name, value]) => ({ name, value }));
const goodHeaders = SITES.good('/', 1).headers;

/** An in-memory site: path → response. */
function siteFetch(routes: Record<string, { status?: number; body: Uint8Array } | FetchError>): FetchBounded {
  return async (url, { maxBytes }) => {
    const path = url.slice(origin.length);
    const r = routes[path];
    if (r instanceof FetchError) throw r;
    if (!r) return { url, status: 404, bytes: new Uint8Array(0), contentType: null };
    if (r.body.length > maxBytes)
      throw new FetchError('too_large', `${url} sent more than ${maxBytes} bytes`);
    return { url, status: r.status ?? 200, bytes: r.body, contentType: 'application/json' };
  };
}

const run = (headers: HeaderList, fetch: FetchBounded, store = new MemoryStore()): Promise<OriginCheck> =>
  checkOrigin({ origin, headers, trust, store, core: coreApi, fetch, now: 1 });
const status = (r: OriginCheck, id: string) => r.checks.filter((c) => c.id === id).map((c) => c.status);
const card = siteFetch({ '/.well-known/agent-card.json': { body: CARDS.good } });

describe('the card', () => {
  it('falls back to the legacy /.well-known/agent.json', async () => {
    const r = await run(h(goodHeaders), siteFetch({ '/.well-known/agent.json': { body: CARDS.good } }));
    expect(r.cardUrl).toBe(`${origin}/.well-known/agent.json`);
    expect(r.status).toBe('verified');
  });

  it('no card at either path → warning (card.fetch not checked)', async () => {
    const r = await run(h(goodHeaders), siteFetch({}));
    expect(status(r, 'card.fetch')).toEqual(['not_checked']);
    expect(status(r, 'proof.inclusion.card')).toEqual(['not_checked']);
    expect(r.status).toBe('warning');
  });

  it('an oversized card → failed with the limit, never parsed', async () => {
    const r = await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': { body: new Uint8Array(70_000).fill(32) } }),
    );
    expect(status(r, 'card.fetch')).toEqual(['fail']);
    expect(r.checks.find((c) => c.id === 'card.fetch')?.reason).toMatch(/more than 65536 bytes/);
  });

  it('a card that is not UTF-8 → card.parse fails', async () => {
    const r = await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': { body: Uint8Array.of(0x7b, 0xff, 0x7d) } }),
    );
    expect(status(r, 'card.parse')).toEqual(['fail']);
    expect(r.status).toBe('failed');
  });

  it('a card with duplicate keys is rejected by strict parsing (no parser differential)', async () => {
    const text = new TextDecoder()
      .decode(CARDS.good)
      .replace('"name": "Inventory Agent",', '"name": "Inventory Agent", "name": "Other",');
    const r = await run(h({}), siteFetch({ '/.well-known/agent-card.json': { body: utf8Encode(text) } }));
    expect(status(r, 'card.parse')).toEqual(['fail']);
  });

  it('a redirecting or failing card endpoint → card.fetch fails', async () => {
    const r = await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': new FetchError('redirect', 'redirects are not followed') }),
    );
    expect(status(r, 'card.fetch')).toEqual(['fail']);
    const e = await run(
      h(goodHeaders),
      siteFetch({ '/.well-known/agent-card.json': { status: 500, body: new Uint8Array(0) } }),
    );
    expect(e.checks.find((c) => c.id === 'card.fetch')?.reason).toMatch(/HTTP 500/);
  });

  it('one byte added to the served card breaks its inclusion proof', async () => {
    const bytes = new Uint8Array([...CARDS.good, 0x0a]);
    const r = await run(h(goodHeaders), siteFetch({ '/.well-known/agent-card.json': { body: bytes } }));
    expect(status(r, 'proof.inclusion.card')).toEqual(['fail']);
  });

  it('an inclusion proof for another tree size than the checkpoint is refused', async () => {
    const r = await run(
      h({ ...goodHeaders, 'lineage-inclusion': inclusionHeader(3, 13, TREES.v2.inclusionProof(3, 13)) }),
      card,
    );
    expect(r.checks.find((c) => c.id === 'proof.inclusion.card')?.reason).toBe(
      'the proof is for a tree of 13, the checkpoint is of 8',
    );
  });
});

describe('checkpoint signatures', () => {
  it('a checkpoint of a pinned log with a corrupted signature → failed, not "unknown log"', async () => {
    const note = CHECKPOINTS.v1;
    const sigStart = note.lastIndexOf(' ') + 1;
    const sig = Uint8Array.from(atob(note.slice(sigStart).trim()), (c) => c.charCodeAt(0));
    sig[10]! ^= 0x01;
    const forged = `${note.slice(0, sigStart)}${toBase64(sig)}\n`;
    const r = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(forged) }), card);
    expect(status(r, 'proof.checkpoint')).toEqual(['fail']);
    expect(r.status).toBe('failed');
  });

  it("a checkpoint claiming a pinned log's name but signed by another key → failed (impersonation)", async () => {
    const { makeLineageSth, noteSigner, testKey } = await import('@lineage/producer');
    const impostor = noteSigner('fixture.lineage.test/log', testKey('impostor-log'));
    const note = makeLineageSth(
      { logId: impostor.name, treeSize: 8, rootHash: TREES.v1.root(), timestampMs: 1 },
      impostor,
    );
    const r = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(note) }), card);
    const c = r.checks.find((x) => x.id === 'proof.checkpoint')!;
    expect(c.status).toBe('fail');
    expect(c.found).toBe('checkpoint.log-signature');
  });

  it("a malformed note → failed with the parser's code", async () => {
    const r = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader('not a note') }), card);
    expect(status(r, 'proof.checkpoint')).toEqual(['fail']);
  });
});

describe('page (body) proofs bound with Content-Digest', () => {
  const bodyDigest = sha256(utf8Encode('<html>the page</html>'));
  const t = new MerkleTree();
  for (const e of [cardAnchorEntry(CARDS.good), bodyAnchorEntry(bodyDigest)]) t.appendEntry(e);
  // A second log pinned for this test only, so the tree can hold both anchors.
  const headers = (digest: Uint8Array | null) => {
    const proof = (i: number) =>
      t
        .inclusionProof(i, 2)
        .map((x) => `:${toBase64(x)}:`)
        .join(' ');
    return h({
      'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v1), // replaced below
      'lineage-inclusion': `card=(${proof(0)});index=0;size=2, body=(${proof(1)});index=1;size=2`,
      ...(digest ? { 'content-digest': `sha-256=:${toBase64(digest)}:` } : {}),
    });
  };

  it('the declared digest proven in the log passes; another digest fails; no digest is not checked', async () => {
    const { makeLineageSth, noteSigner, testKey } = await import('@lineage/producer');
    const signer = noteSigner('body.fixture/log', testKey('ext-body-log'));
    const note = makeLineageSth(
      { logId: signer.name, treeSize: 2, rootHash: t.root(), timestampMs: 1 },
      signer,
    );
    const bodyTrust = parseTrustStore(trustStoreJson());
    bodyTrust.logs = [{ origin: signer.name, vkey: signer.vkey }];
    const go = (digest: Uint8Array | null) =>
      checkOrigin({
        origin,
        headers: headers(digest).map((x) =>
          x.name === 'lineage-checkpoint' ? { ...x, value: checkpointHeader(note) } : x,
        ),
        trust: bodyTrust,
        store: new MemoryStore(),
        core: coreApi,
        fetch: card,
        now: 1,
      });
    const ok = await go(bodyDigest);
    expect(status(ok, 'proof.inclusion.body')).toEqual(['pass']);
    expect(ok.proof?.body?.digestHex).toBe(toHex(bodyDigest));
    expect(ok.status).toBe('verified');
    const other = await go(sha256(utf8Encode('<html>another page</html>')));
    expect(status(other, 'proof.inclusion.body')).toEqual(['fail']);
    const none = await go(null);
    expect(status(none, 'proof.inclusion.body')).toEqual(['not_checked']);
    expect(none.status).toBe('warning');
  });
});

describe('consistency proofs for a grown log', () => {
  const v2Headers = h({
    'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v2),
    'lineage-inclusion': inclusionHeader(9, 13, TREES.v2.inclusionProof(9, 13)),
  });
  const splitCard = siteFetch({ '/.well-known/agent-card.json': { body: CARDS.split } });
  async function remembering(): Promise<MemoryStore> {
    const store = new MemoryStore();
    expect((await run(h(goodHeaders), card, store)).status).toBe('verified'); // remembers size 8
    return store;
  }

  it('no endpoint and no header → warning; the remembered head is kept', async () => {
    const store = await remembering();
    const r = await run(v2Headers, splitCard, store);
    expect(status(r, 'proof.consistency')).toEqual(['not_checked']);
    expect(r.status).toBe('warning');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
  });

  it('a Lineage-Consistency header for exactly remembered → current is used', async () => {
    const store = await remembering();
    const proof = TREES.v2
      .consistencyProof(8, 13)
      .map((x) => `:${toBase64(x)}:`)
      .join(' ');
    const headers = [...v2Headers, { name: 'lineage-consistency', value: `from=8, to=13, proof=(${proof})` }];
    const r = await run(headers, splitCard, store);
    expect(status(r, 'proof.consistency')).toEqual(['pass']);
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
  });

  it('a consistency proof that does not hold is a split view', async () => {
    const store = await remembering();
    const bad = TREES.fork.consistencyProof(8, 13).map(toBase64);
    const r = await run(
      v2Headers,
      siteFetch({
        '/.well-known/agent-card.json': { body: CARDS.split },
        '/.well-known/lineage/consistency?from=8&to=13': {
          body: utf8Encode(JSON.stringify({ from: 8, to: 13, proof: bad })),
        },
      }),
      store,
    );
    expect(status(r, 'proof.consistency')).toEqual(['fail']);
    expect(r.status).toBe('failed');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
  });

  it('malformed endpoint answers are "no proof", not a crash', async () => {
    for (const body of [
      '{"from":8,"to":13,"proof":["AA=="]}',
      '{"from":7,"to":13,"proof":[]}',
      '{"from":8,"from":8}',
      'nope',
    ]) {
      const store = await remembering();
      const r = await run(
        v2Headers,
        siteFetch({
          '/.well-known/agent-card.json': { body: CARDS.split },
          '/.well-known/lineage/consistency?from=8&to=13': { body: utf8Encode(body) },
        }),
        store,
      );
      expect(status(r, 'proof.consistency'), body).toEqual(['not_checked']);
    }
  });
});

describe('spec chapter 6 worked example', () => {
  it('quotes exactly what the fixture produces', () => {
    const spec = readFileSync(
      resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/spec/06-proof-headers.md'),
      'utf8',
    );
    expect(spec).toContain(toHex(sha256(CARDS.good)));
    expect(spec).toContain(toHex(leafHash(cardAnchorEntry(CARDS.good))));
    expect(spec).toContain(toHex(TREES.v1.root()));
    expect(spec).toContain(LOG_VKEY);
    expect(spec).toContain(`Lineage-Checkpoint: ${goodHeaders['lineage-checkpoint']}`);
    expect(spec).toContain(`Lineage-Inclusion: ${goodHeaders['lineage-inclusion']}`);
    expect(spec).toContain(JSON.stringify(TREES.v2.consistencyProof(8, 13).map(toBase64)));
    expect(spec).toContain(`${CARDS.good.length.toLocaleString('en-US')} bytes`);
  });
});
