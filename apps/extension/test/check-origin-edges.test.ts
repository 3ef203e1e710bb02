import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  agentEvent,
  asAgentKey,
  makeLineageSth,
  noteSigner,
  revokeEvent,
  rotateEvent,
  testKey,
} from '@lineage/producer';
import {
  eventEntryBytes,
  type JsonObject,
  type LineageEvent,
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
  checkpointAt,
  checkpointHeader,
  FIXTURE_NOW,
  HISTORIES,
  HISTORY_PATH,
  inclusionHeader,
  LIFECYCLE,
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
  checkOrigin({ origin, headers, trust, store, core: coreApi, fetch, now: FIXTURE_NOW });
const status = (r: OriginCheck, id: string) => r.checks.filter((c) => c.id === id).map((c) => c.status);
const card = siteFetch({
  '/.well-known/agent-card.json': { body: CARDS.good },
  [HISTORY_PATH]: { body: HISTORIES.good },
});

describe('the card', () => {
  it('falls back to the legacy /.well-known/agent.json', async () => {
    const r = await run(
      h(goodHeaders),
      siteFetch({
        '/.well-known/agent.json': { body: CARDS.good },
        [HISTORY_PATH]: { body: HISTORIES.good },
      }),
    );
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
    expect(c.reason).toMatch(/^checkpoint\.log-signature: /);
    // The pinned key of that log was expected; another key of the same name signed.
    expect(c.expected).toMatch(
      /^a signature by the pinned log key fixture\.lineage\.test\/log\+[0-9a-f]{8}$/,
    );
    expect(c.found).toMatch(/^a signature by fixture\.lineage\.test\/log\+[0-9a-f]{8}$/);
    expect(c.found!.slice(-8)).not.toBe(c.expected!.slice(-8));
  });

  it("a malformed note → failed with the parser's code", async () => {
    const r = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader('not a note') }), card);
    expect(status(r, 'proof.checkpoint')).toEqual(['fail']);
  });

  it("a tree head dated more than ten minutes after this computer's time → failed, and not remembered", async () => {
    const store = new MemoryStore();
    const future = checkpointAt(TREES.v1, FIXTURE_NOW + 11 * 60_000);
    const r = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(future) }), card, store);
    const c = r.checks.find((x) => x.id === 'proof.checkpoint')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/^checkpoint\.future: the tree head is dated .* after this computer's time/);
    expect(c.expected).toBe(
      `a tree head dated at or before ${new Date(FIXTURE_NOW).toISOString()} (with 10 minutes for clock differences)`,
    );
    expect(c.found).toBe(new Date(FIXTURE_NOW + 11 * 60_000).toISOString());
    expect(r.status).toBe('failed');
    expect(store.treeHeads.size).toBe(0);
    // Within the allowance it is an ordinary tree head.
    const near = checkpointAt(TREES.v1, FIXTURE_NOW + 9 * 60_000);
    const ok = await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(near) }), card);
    expect(status(ok, 'proof.checkpoint')).toEqual(['pass']);
  });
});

describe('the key history (spec §6.5)', () => {
  const goodDoc = (): JsonObject => JSON.parse(new TextDecoder().decode(HISTORIES.good)) as JsonObject;
  const agentId = LIFECYCLE.good.actor;
  const runWith = (history: { status?: number; body: Uint8Array } | FetchError, t = trust) =>
    checkOrigin({
      origin,
      headers: h(goodHeaders),
      trust: t,
      store: new MemoryStore(),
      core: coreApi,
      fetch: siteFetch({ '/.well-known/agent-card.json': { body: CARDS.good }, [HISTORY_PATH]: history }),
      now: FIXTURE_NOW,
    });
  const doc = (v: JsonObject | string) => ({
    body: utf8Encode(typeof v === 'string' ? v : JSON.stringify(v)),
  });
  const keyHistory = (r: OriginCheck) => r.checks.find((c) => c.id === 'proof.key_history')!;

  /** A second log holding `events`, pinned in the returned trust store (or not, with pin=false). */
  function otherLog(events: LineageEvent[], timestampMs = 1_795_000_000_000, pin = true) {
    const signer = noteSigner('history.fixture/log', testKey('ext-history-log'));
    const t = new MerkleTree();
    for (const e of events) t.appendEntry(eventEntryBytes(e));
    const checkpoint = makeLineageSth(
      { logId: signer.name, treeSize: t.size, rootHash: t.root(), timestampMs },
      signer,
    );
    const d: JsonObject = {
      type: 'lineage.agent-history',
      version: 1,
      agent_id: agentId,
      events: events.map((e, i) => ({
        event: e as unknown as JsonObject,
        inclusion: {
          log_origin: signer.name,
          leaf_index: i,
          tree_size: t.size,
          proof: t.inclusionProof(i, t.size).map(toHex),
          checkpoint,
        },
      })),
    };
    const tr = parseTrustStore(trustStoreJson());
    if (pin) tr.logs = [...tr.logs, { origin: signer.name, vkey: signer.vkey }];
    return { doc: d, trust: tr };
  }

  it('an oversized history → failed with the limit, never parsed', async () => {
    const r = await runWith({ body: new Uint8Array(70_000).fill(32) });
    expect(keyHistory(r).status).toBe('fail');
    expect(keyHistory(r).reason).toMatch(/more than 65536 bytes/);
    expect(status(r, 'card.key_current')).toEqual(['not_checked']);
    expect(r.status).toBe('failed');
  });

  it('an endpoint that fails (HTTP 500, redirect) → failed, not "not published"', async () => {
    expect(keyHistory(await runWith({ status: 500, body: new Uint8Array(0) })).reason).toMatch(/HTTP 500/);
    const r = await runWith(new FetchError('redirect', 'redirects are not followed'));
    expect(keyHistory(r).status).toBe('fail');
    expect(r.status).toBe('failed');
  });

  it('the history of another agent → failed, naming both agents', async () => {
    const r = await runWith({ body: HISTORIES.split });
    const c = keyHistory(r);
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(agentId);
    expect(c.found).toBe(LIFECYCLE.split.actor);
    expect(status(r, 'card.key_current')).toEqual(['not_checked']);
  });

  it('strict JSON and a closed shape: duplicate keys, unknown fields, no events', async () => {
    const text = new TextDecoder().decode(HISTORIES.good);
    const dup = await runWith(doc(text.replace('{', '{"version":1,')));
    expect(keyHistory(dup).status).toBe('fail');
    expect(keyHistory(dup).reason).toMatch(/malformed/);
    const extra = await runWith(doc({ ...goodDoc(), next: 'https://elsewhere.example/' }));
    expect(keyHistory(extra).reason).toMatch(/unknown field "next"/);
    const bytes = await runWith({ body: Uint8Array.of(0x7b, 0xff, 0x7d) });
    expect(keyHistory(bytes).reason).toMatch(/invalid UTF-8 at byte 1 of 3/);
    const none = await runWith(doc({ ...goodDoc(), events: [] }));
    expect(keyHistory(none)).toMatchObject({
      reason: 'the history lists 0 events; it must list 1 to 64 (history.size)',
      expected: '1 to 64 events',
      found: '0',
    });
  });

  it('an event whose signature does not verify (timestamp edited) → failed', async () => {
    const d = goodDoc();
    const entry = (d.events as JsonObject[])[0]!;
    (entry.event as JsonObject).timestamp = '2026-10-01T09:00:00.000Z';
    const r = await runWith(doc(d));
    expect(keyHistory(r).reason).toMatch(
      /^event 0 \([0-9a-f]{12}…\): the signature does not verify \(event\.signature\)$/,
    );
    expect(keyHistory(r).found).toMatch(/^signature [0-9a-f]{12}…, which does not verify$/);
    expect(r.status).toBe('failed');
  });

  it('a non-lifecycle event in the history → failed', async () => {
    const act = agentEvent(asAgentKey(testKey('ext-good-agent')), {
      action: 'inventory.generate',
      timestamp: '2026-11-02T09:00:00.000Z',
      sequence: 1,
    });
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good, act]);
    const r = await runWith(doc(d), t);
    expect(keyHistory(r).reason).toMatch(/^event 1 .* is not a lifecycle event of lin:agent:/);
  });

  it('a revocation by someone other than the agent or a pinned officer → failed, key not judged', async () => {
    const forgedRevoke = revokeEvent(agentId, testKey('intruder'), 'take-over', {
      timestamp: '2026-11-05T09:00:00.000Z',
      sequence: 1,
    });
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good, forgedRevoke]);
    const r = await runWith(doc(d), t);
    expect(keyHistory(r).reason).toMatch(
      /revocation is signed neither by the current key.*\(history\.lifecycle\)$/,
    );
    // Who had to sign it, and who did.
    expect(keyHistory(r).expected).toMatch(
      /^signed as lin:agent:[0-9a-f]{64} with its current key [0-9a-f]{12}…, or by the revoked key itself, or by a pinned security officer or authorizing official$/,
    );
    expect(keyHistory(r).found).toMatch(/^signed as \S+ with key [0-9a-f]{12}…$/);
    expect(status(r, 'card.key_current')).toEqual(['not_checked']);
  });

  it('a card still signed with the key the agent rotated away from → failed on card.key_current', async () => {
    const agent = asAgentKey(testKey('ext-good-agent'));
    const rotate = rotateEvent(agent, agent, testKey('ext-good-agent-2'), {
      timestamp: '2026-11-03T09:00:00.000Z',
      sequence: 1,
    });
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good, rotate]);
    const r = await runWith(doc(d), t);
    expect(keyHistory(r).status).toBe('pass');
    const k = r.checks.find((c) => c.id === 'card.key_current')!;
    expect(k.status).toBe('fail');
    expect(k.reason).toBe("the card names a key that is no longer the agent's current key");
    expect(k.expected).toBe(testKey('ext-good-agent-2').publicKeyHex);
    expect(r.sentence).toBe('Failed: the card names a key the agent has revoked or rotated out.');
  });

  it('an event timestamped after the tree head that includes it → failed', async () => {
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good], Date.parse('2026-10-01T00:00:00Z'));
    const r = await runWith(doc(d), t);
    expect(keyHistory(r)).toMatchObject({
      reason: expect.stringMatching(/\(event\.sth_time\)$/),
      expected: 'at or before 2026-10-01T00:00:00.000Z',
      found: expect.stringMatching(/^2026-1\d-\d\dT/),
    });
  });

  it('a history proven only in a log you have not pinned → warning that says so', async () => {
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good], undefined, false);
    const r = await runWith(doc(d), t);
    expect(keyHistory(r).status).toBe('not_checked');
    expect(r.status).toBe('warning');
    expect(r.sentence).toMatch(/proven only in a log you have not pinned/);
  });

  it('a registration proven in another pinned log than the card points to → card.lineage fails', async () => {
    const { doc: d, trust: t } = otherLog([LIFECYCLE.good]);
    const r = await runWith(doc(d), t);
    expect(keyHistory(r).status).toBe('pass');
    expect(status(r, 'card.key_current')).toEqual(['pass']);
    expect(status(r, 'card.lineage')).toEqual(['fail']);
    expect(r.checks.find((c) => c.id === 'card.lineage')).toMatchObject({
      reason: 'the inclusion proof is for another log or leaf than the card points to',
      expected: 'fixture.lineage.test/log leaf 0',
      found: 'history.fixture/log leaf 0',
    });
    expect(r.status).toBe('failed');
  });

  it('a card without an identity block is not judged by a key history', async () => {
    const plain = utf8Encode(JSON.stringify({ name: 'Plain', skills: [] }));
    const r = await checkOrigin({
      origin,
      headers: h({}),
      trust,
      store: new MemoryStore(),
      core: coreApi,
      fetch: siteFetch({
        '/.well-known/agent-card.json': { body: plain },
        [HISTORY_PATH]: { body: HISTORIES.good },
      }),
      now: FIXTURE_NOW,
    });
    expect(status(r, 'proof.key_history')).toEqual([]);
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
    // The body log is pinned next to the fixture log, which proves the agent's key history.
    bodyTrust.logs = [...bodyTrust.logs, { origin: signer.name, vkey: signer.vkey }];
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
        now: FIXTURE_NOW,
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

describe('an older tree head than the remembered one (spec §6.6, n2 < n1)', () => {
  const v2Headers = h({
    'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v2),
    'lineage-inclusion': inclusionHeader(9, 13, TREES.v2.inclusionProof(9, 13)),
  });
  const proof8to13 = TREES.v2.consistencyProof(8, 13);
  const endpoint = (p: Uint8Array[]) => ({
    body: utf8Encode(JSON.stringify({ from: 8, to: 13, proof: p.map((x) => toBase64(x)) })),
  });
  const goodSite = (extra: Record<string, { body: Uint8Array }>) =>
    siteFetch({
      '/.well-known/agent-card.json': { body: CARDS.good },
      [HISTORY_PATH]: { body: HISTORIES.good },
      ...extra,
    });
  /** A hostile site replayed the log's newest genuine checkpoint (13) first. */
  async function rememberingNewer(): Promise<MemoryStore> {
    const store = new MemoryStore();
    await run(v2Headers, siteFetch({}), store);
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
    return store;
  }

  it('proven to be a prefix of the remembered tree (endpoint) → pass, verified; the larger head stays', async () => {
    const store = await rememberingNewer();
    const r = await run(
      h(goodHeaders),
      goodSite({ '/.well-known/lineage/consistency?from=8&to=13': endpoint(proof8to13) }),
      store,
    );
    expect(status(r, 'proof.consistency')).toEqual(['pass']);
    expect(r.status).toBe('verified');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
  });

  it('a Lineage-Consistency header from the page’s size to the remembered one is used', async () => {
    const store = await rememberingNewer();
    const p = proof8to13.map((x) => `:${toBase64(x)}:`).join(' ');
    const r = await run(
      [...h(goodHeaders), { name: 'lineage-consistency', value: `from=8, to=13, proof=(${p})` }],
      goodSite({}),
      store,
    );
    expect(status(r, 'proof.consistency')).toEqual(['pass']);
  });

  it('no proof available → not checked with its own sentence, never “shrank”', async () => {
    const store = await rememberingNewer();
    const r = await run(h(goodHeaders), goodSite({}), store);
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('not_checked');
    expect(c.reason).not.toMatch(/shrank/);
    expect(r.status).toBe('warning');
    expect(r.sentence).toBe(
      'Warning: the site shows an older tree head than one you saw before, and no proof links the two.',
    );
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
  });

  it('a proof that does not hold → split view', async () => {
    const store = await rememberingNewer();
    const bad = proof8to13.map((x) => x.slice());
    bad[0]![0]! ^= 1;
    const r = await run(
      h(goodHeaders),
      goodSite({ '/.well-known/lineage/consistency?from=8&to=13': endpoint(bad) }),
      store,
    );
    expect(status(r, 'proof.consistency')).toEqual(['fail']);
    expect(r.sentence).toMatch(/^Failed: split view/);
  });

  it('a smaller tree signed after the remembered larger one is a rollback, whatever the proofs say', async () => {
    const store = await rememberingNewer();
    const later = checkpointAt(TREES.v1, 1_795_000_000_000 + 60_000);
    const r = await run(
      h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(later) }),
      goodSite({ '/.well-known/lineage/consistency?from=8&to=13': endpoint(proof8to13) }),
      store,
    );
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/shrank/);
    expect(r.sentence).toBe('Failed: the log rolled back — it signed a smaller tree after a larger one.');
  });
});

describe('consistency proofs for a grown log', () => {
  const v2Headers = h({
    'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v2),
    'lineage-inclusion': inclusionHeader(9, 13, TREES.v2.inclusionProof(9, 13)),
  });
  const splitCard = siteFetch({
    '/.well-known/agent-card.json': { body: CARDS.split },
    [HISTORY_PATH]: { body: HISTORIES.split },
  });
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
    const headers = [...v2Headers, consistency8to13()];
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

  it('a larger tree signed before the remembered smaller one is a rollback too, whatever the proofs say', async () => {
    // The log signed 13 at TS and 8 a minute later; this reader saw 8 first. Seen in the other
    // order it is the "shrank" rollback above: the order pages are opened in must not decide.
    const store = new MemoryStore();
    const later = checkpointAt(TREES.v1, 1_795_000_000_000 + 60_000);
    const first = await run(
      h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(later) }),
      card,
      store,
    );
    expect(first.status).toBe('verified');
    const headers = [...v2Headers, consistency8to13()];
    const r = await run(headers, splitCard, store);
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(
      /shrank: it signed the tree of 8 remembered from .* at 2026-.*, after this tree of 13/,
    );
    expect(r.sentence).toBe('Failed: the log rolled back — it signed a smaller tree after a larger one.');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
  });

  it('the same tree signed again later is remembered with its newest signature, so a larger tree signed in between is a rollback', async () => {
    // The log signed 8 at TS, 13 a minute later, then 8 again two minutes later: it rolled back.
    // A reader who sees 13 before the re-signed 8 is told "shrank" (above); one who saw 8 at TS
    // first, then the re-signed 8, then 13 must be told too — the memory had kept TS.
    const store = new MemoryStore();
    const resigned = checkpointAt(TREES.v1, 1_795_000_000_000 + 120_000);
    expect((await run(h(goodHeaders), card, store)).status).toBe('verified');
    const again = await run(
      h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(resigned) }),
      card,
      store,
    );
    expect(status(again, 'proof.consistency')).toEqual(['pass']);
    const grown = h({
      'lineage-checkpoint': checkpointHeader(checkpointAt(TREES.v2, 1_795_000_000_000 + 60_000)),
      'lineage-inclusion': inclusionHeader(9, 13, TREES.v2.inclusionProof(9, 13)),
    });
    const r = await run([...grown, consistency8to13()], splitCard, store);
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(
      /shrank: it signed the tree of 8 remembered from .* at 2026-11-18T11:08:40.000Z/,
    );
    expect(r.sentence).toBe('Failed: the log rolled back — it signed a smaller tree after a larger one.');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.note).toBe(resigned);
  });

  it('an older signature of the remembered tree does not replace the newer one', async () => {
    const store = new MemoryStore();
    const later = checkpointAt(TREES.v1, 1_795_000_000_000 + 120_000);
    await run(h({ ...goodHeaders, 'lineage-checkpoint': checkpointHeader(later) }), card, store);
    expect(status(await run(h(goodHeaders), card, store), 'proof.consistency')).toEqual(['pass']);
    expect(store.treeHeads.get('fixture.lineage.test/log')?.note).toBe(later);
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

describe('a stored tree head of another shape (edited, or from another version)', () => {
  it('is discarded and replaced with a warning, never a crash that stops every check of the log', async () => {
    for (const edit of [
      { note: undefined },
      { note: 42 },
      { size: 8 },
      { rootHex: null },
      { note: undefined, size: undefined },
    ]) {
      const store = new MemoryStore();
      await run(h(goodHeaders), card, store);
      const rec = store.treeHeads.get('fixture.lineage.test/log')!;
      store.treeHeads.set(rec.log, { ...rec, ...edit } as unknown as typeof rec);
      const r = await run(h(goodHeaders), card, store);
      const c = r.checks.find((x) => x.id === 'proof.consistency')!;
      expect(c.status, JSON.stringify(edit)).toBe('not_checked');
      expect(c.reason).toMatch(/failed re-verification .* and was discarded/);
      expect(r.status).toBe('warning');
      expect(store.treeHeads.get(rec.log)).toEqual(rec);
    }
  });
});

describe('a split view names both tree heads', () => {
  it('an unreadable stored seenAt (not covered by the signature) is left out, never a crash', async () => {
    const store = new MemoryStore();
    const at13 = (cp: string) => h({ 'lineage-checkpoint': checkpointHeader(cp) });
    await run(at13(CHECKPOINTS.v2), siteFetch({}), store);
    const rec = store.treeHeads.get('fixture.lineage.test/log')!;
    store.treeHeads.set(rec.log, { ...rec, seenAt: 'yesterday' as unknown as number });
    const r = await run(at13(CHECKPOINTS.fork), siteFetch({}), store);
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(
      `root ${toHex(TREES.v2.root())} (signed 2026-11-18T11:06:40.000Z, seen from ${origin})`,
    );
    expect(c.found).toBe(
      `root ${toHex(TREES.fork.root())} (signed 2026-11-18T11:06:40.000Z, served by ${origin})`,
    );
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
    expect(spec).toContain(new TextDecoder().decode(HISTORIES.good).trim());
    expect(spec).toContain(`(${HISTORIES.good.length.toLocaleString('en-US')} bytes;`);
    expect(spec).toContain(LIFECYCLE.good.signature.value);
  });
});

// The empty tree is a prefix of every tree: a genuine size-0 checkpoint must neither be remembered
// (every later proof would start from it) nor frame an honest site as a split view.
describe('empty tree head', () => {
  const emptyProof = { body: utf8Encode(JSON.stringify({ from: 0, to: 8, proof: [] })) };
  it('a genuine size-0 checkpoint is never remembered: honest sites after it are judged as if it had not been seen', async () => {
    const store = new MemoryStore();
    const empty = checkpointAt(new MerkleTree(), 1_700_000_000_000); // the log's first, genuine checkpoint
    await run(h({ 'lineage-checkpoint': checkpointHeader(empty) }), siteFetch({}), store);
    expect(store.treeHeads.get('fixture.lineage.test/log')).toBeUndefined();
    // The honest site answers from=0&to=8 with the (empty) consistency proof C2SP prescribes, or nothing.
    const withProof = siteFetch({
      '/.well-known/agent-card.json': { body: CARDS.good },
      [HISTORY_PATH]: { body: HISTORIES.good },
      '/.well-known/lineage/consistency?from=0&to=8': emptyProof,
    });
    expect((await run(h(goodHeaders), withProof, store)).status).toBe('verified');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
    expect((await run(h(goodHeaders), card, store)).status).toBe('verified');
  });

  it('an empty tree under a remembered one is consistent with it (a prefix of every tree), never a split view', async () => {
    const store = new MemoryStore();
    await run(h(goodHeaders), card, store);
    const empty = checkpointAt(new MerkleTree(), 1_700_000_000_000);
    const r = await run(
      h({ 'lineage-checkpoint': checkpointHeader(empty) }),
      siteFetch({ '/.well-known/lineage/consistency?from=0&to=8': emptyProof }),
      store,
    );
    expect(status(r, 'proof.consistency')).toEqual(['pass']);
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('8');
  });
});

/** A Lineage-Consistency header with the honest proof from tree 8 to tree 13. */
function consistency8to13(): { name: string; value: string } {
  const proof = TREES.v2
    .consistencyProof(8, 13)
    .map((x) => `:${toBase64(x)}:`)
    .join(' ');
  return { name: 'lineage-consistency', value: `from=8, to=13, proof=(${proof})` };
}
