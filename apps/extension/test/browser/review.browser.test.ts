/**
 * Real signed tree heads against the real extension in Chromium: one log key that signs two forks
 * shown on two sites, a log that rolls back, an honest log beside them, and hostile sites (huge and
 * many-entry headers, bad base64, redirecting, slow, endless and oversized cards).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AgentKey,
  asAgentKey,
  eventId,
  makeLineageSth,
  type NoteSigner,
  noteSigner,
  registerEvent,
  testKey,
} from '@lineage/producer';
import {
  eventEntryBytes,
  type JsonObject,
  MerkleTree,
  toBase64,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardAnchorEntry } from '../../src/background/anchors.js';
import { bytes, cardFor, checkpointHeader, inclusionHeader } from '../fixture/sites.js';
import {
  closeExtension,
  importTrust,
  type LoadedExtension,
  launchExtension,
  openDetails,
  openOptions,
  openPopup,
  resultsShotsDir,
  screenshots,
  visit,
} from './support/extension-browser.js';

const shot = screenshots(process.env.LINEAGE_REVIEW_SHOTS ?? resultsShotsDir, 'review');

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Served {
  origin: string;
  close(): Promise<void>;
}
async function serve(handler: Handler): Promise<Served> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const send = (res: ServerResponse, status: number, headers: Record<string, string | string[]>, body = '') => {
  const b = Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': String(b.length), 'cache-control': 'no-store' });
  res.end(b);
};

const NOW = Date.now();
const HOUR = 3_600_000;
const filler = (tag: string) => utf8Encode(`{"kind":"review.filler","n":"${tag}"}`);

interface LogDef {
  origin: string;
  signer: NoteSigner;
}
const logDef = (origin: string, label: string): LogDef => ({
  origin,
  signer: noteSigner(origin, testKey(label)),
});
const FORKED = logDef('forked.review.test/log', 'review-forked-log');
const HONEST = logDef('honest.review.test/log', 'review-honest-log');
const ROLLING = logDef('rolling.review.test/log', 'review-rolling-log');

/** One agent site: its card (anchored at `cardLeaf`), its registration (at `regLeaf`), in `tree`. */
interface AgentSpec {
  agent: AgentKey;
  card: Uint8Array;
  regLeaf: number;
  cardLeaf: number;
}

function tree(entries: Uint8Array[]): MerkleTree {
  const t = new MerkleTree();
  for (const e of entries) t.appendEntry(e);
  return t;
}

const sth = (log: LogDef, t: MerkleTree, ts: number) =>
  makeLineageSth({ logId: log.origin, treeSize: t.size, rootHash: t.root(), timestampMs: ts }, log.signer);

function historyDoc(log: LogDef, a: AgentSpec, t: MerkleTree, note: string): string {
  const reg = registerEvent(a.agent, { timestamp: new Date(NOW - 48 * HOUR).toISOString(), sequence: 0 });
  return JSON.stringify({
    type: 'lineage.agent-history',
    version: 1,
    agent_id: a.agent.agentId,
    events: [
      {
        event: reg as unknown as JsonObject,
        inclusion: {
          log_origin: log.origin,
          leaf_index: a.regLeaf,
          tree_size: Number(t.size),
          proof: t.inclusionProof(a.regLeaf, Number(t.size)).map(toHex),
          checkpoint: note,
        },
      },
    ],
  });
}

/** An agent site serving `note` (a head of `t`), its card, its history and consistency proofs from `proofs`. */
function agentHandler(
  title: string,
  log: LogDef,
  a: () => AgentSpec,
  t: () => MerkleTree,
  note: () => string,
  proofs: (from: number, to: number) => Uint8Array[] | null = () => null,
): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      return send(
        res,
        200,
        {
          'content-type': 'text/html; charset=utf-8',
          link: '</.well-known/agent-card.json>; rel="agent-card"',
          'lineage-checkpoint': checkpointHeader(note()),
          'lineage-inclusion': inclusionHeader(
            a().cardLeaf,
            Number(t().size),
            t().inclusionProof(a().cardLeaf, Number(t().size)),
          ),
        },
        `<!doctype html><title>${title}</title><h1>${title}</h1>`,
      );
    }
    if (url.pathname === '/.well-known/agent-card.json') {
      return send(res, 200, { 'content-type': 'application/json' }, Buffer.from(a().card).toString());
    }
    if (url.pathname === '/.well-known/lineage/agent-history.json') {
      return send(res, 200, { 'content-type': 'application/json' }, historyDoc(log, a(), t(), note()));
    }
    if (url.pathname === '/.well-known/lineage/consistency') {
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      const p = proofs(from, to);
      if (p)
        return send(
          res,
          200,
          { 'content-type': 'application/json' },
          JSON.stringify({ from, to, proof: p.map((h) => toBase64(h)) }),
        );
    }
    send(res, 404, { 'content-type': 'text/plain' }, 'not found');
  };
}

let ext: LoadedExtension;
const servers: Served[] = [];

async function checkText(p: Page, id: string): Promise<{ status: string | null; text: string }> {
  const row = p.locator(`[data-check-id="${id}"]`).first();
  return { status: await row.getAttribute('data-status'), text: (await row.textContent()) ?? '' };
}

beforeAll(async () => {
  ext = await launchExtension('lineage-ext-review-');
  const options = await openOptions(ext);
  await importTrust(
    options,
    ext.userDataDir,
    'review-trust.json',
    JSON.stringify({
      version: 1,
      logs: [FORKED, HONEST, ROLLING].map((l) => ({ origin: l.origin, vkey: l.signer.vkey })),
      witnesses: { vkeys: [], threshold: 0 },
      proof_servers: [],
      approvers: [],
      card_signers: [],
      policy: {},
    }),
  );
  await options.close();
}, 60_000);

afterAll(async () => {
  await closeExtension(ext);
  await Promise.all(servers.map((s) => s.close()));
});

/** Starts a site whose handler is built once its origin is known (cards name their origin). */
async function site(make: (origin: string) => Handler): Promise<string> {
  let h: Handler | null = null;
  const s = await serve((req, res) => h!(req, res));
  servers.push(s);
  h = make(s.origin);
  return s.origin;
}

describe('review: real tree heads in Chromium', { timeout: 60_000 }, () => {
  /** The honest log's site: it must stay verified after another log is caught. */
  let honestOrigin = '';

  it('honest log → verified', async () => {
    const agent = asAgentKey(testKey('review-honest-agent'));
    let spec!: AgentSpec;
    let t!: MerkleTree;
    const origin = await site((o) => {
      const reg = registerEvent(agent, { timestamp: new Date(NOW - 48 * HOUR).toISOString(), sequence: 0 });
      const card = bytes(
        cardFor('Honest Agent', 'review-honest-agent', [o], {
          log_origin: HONEST.origin,
          registration_event_id: eventId(reg),
          registration_leaf_index: 0,
        }),
      );
      spec = { agent, card, regLeaf: 0, cardLeaf: 1 };
      t = tree([eventEntryBytes(reg), cardAnchorEntry(card), filler('h2')]);
      const note = sth(HONEST, t, NOW - HOUR);
      return agentHandler(
        'Honest',
        HONEST,
        () => spec,
        () => t,
        () => note,
      );
    });
    honestOrigin = origin;
    const { tabId, snap, page } = await visit(ext, origin);
    const popup = await openPopup(ext, tabId);
    await shot(popup, 'honest');
    expect(snap.status, snap.sentence).toBe('verified');
    await Promise.all([popup.close(), page.close()]);
  });

  it('one log key, two roots at one size on two sites → split view with both heads as evidence; an honest log is unaffected', async () => {
    const agents = { a: asAgentKey(testKey('review-fork-a')), b: asAgentKey(testKey('review-fork-b')) };
    const regs = {
      a: registerEvent(agents.a, { timestamp: new Date(NOW - 48 * HOUR).toISOString(), sequence: 0 }),
      b: registerEvent(agents.b, { timestamp: new Date(NOW - 48 * HOUR).toISOString(), sequence: 0 }),
    };
    let trees!: { a: MerkleTree; b: MerkleTree };
    let notes!: { a: string; b: string };
    let specs!: { a: AgentSpec; b: AgentSpec };
    const originA = await site(() =>
      agentHandler(
        'Fork A',
        FORKED,
        () => specs.a,
        () => trees.a,
        () => notes.a,
      ),
    );
    const originB = await site(() =>
      agentHandler(
        'Fork B',
        FORKED,
        () => specs.b,
        () => trees.b,
        () => notes.b,
      ),
    );
    const card = (k: 'a' | 'b', o: string, leaf: number) =>
      bytes(
        cardFor(`Fork ${k.toUpperCase()} Agent`, `review-fork-${k}`, [o], {
          log_origin: FORKED.origin,
          registration_event_id: eventId(regs[k]),
          registration_leaf_index: leaf,
        }),
      );
    specs = {
      a: { agent: agents.a, card: card('a', originA, 0), regLeaf: 0, cardLeaf: 1 },
      b: { agent: agents.b, card: card('b', originB, 2), regLeaf: 2, cardLeaf: 3 },
    };
    const prefix = [
      eventEntryBytes(regs.a),
      cardAnchorEntry(specs.a.card),
      eventEntryBytes(regs.b),
      cardAnchorEntry(specs.b.card),
    ];
    trees = {
      a: tree([...prefix, filler('a4'), filler('a5')]),
      b: tree([...prefix, filler('b4'), filler('b5')]),
    };
    notes = { a: sth(FORKED, trees.a, NOW - HOUR), b: sth(FORKED, trees.b, NOW - HOUR) };

    const a = await visit(ext, originA);
    expect(a.snap.status, a.snap.sentence).toBe('verified');
    const b = await visit(ext, originB);
    expect(b.snap.status).toBe('failed');
    expect(b.snap.sentence).toBe(
      'Failed: split view — the log is showing different histories to different people.',
    );
    const popup = await openPopup(ext, b.tabId);
    const c = await checkText(popup, 'proof.consistency');
    expect(c.status).toBe('fail');
    expect(c.text).toContain(toHex(trees.a.root()));
    expect(c.text).toContain(toHex(trees.b.root()));
    await shot(popup, 'split-view');
    const details = await openDetails(ext, b.tabId);
    await details.getByTestId('evidence').waitFor({ timeout: 10_000 });
    expect(await details.getByTestId('evidence-note-0').textContent()).toBe(notes.a);
    expect(await details.getByTestId('evidence-note-1').textContent()).toBe(notes.b);
    await shot(details, 'split-view-details');
    // Fork A's site, which matched the memory, now fails too: the log is marked.
    const again = await visit(ext, originA, a.page);
    expect(again.snap.status).toBe('failed');
    expect(again.snap.sentence).toMatch(/caught signing two contradicting tree heads/);
    // Another pinned log is not touched by the mark (the check runs afresh: the cache was dropped).
    const honest = await visit(ext, honestOrigin);
    expect(honest.snap.status, honest.snap.sentence).toBe('verified');
    await honest.page.close();
    await Promise.all([details.close(), popup.close(), a.page.close(), b.page.close()]);
  });

  it('a smaller tree than the remembered one: proven older → verified; unproven → warning; signed later → rollback', async () => {
    const agent = asAgentKey(testKey('review-rolling-agent'));
    const reg = registerEvent(agent, { timestamp: new Date(NOW - 48 * HOUR).toISOString(), sequence: 0 });
    let spec!: AgentSpec;
    let full!: MerkleTree;
    const prefixTree = (n: number) => new MerkleTree(Array.from({ length: n }, (_, i) => full.leafHash(i)));
    const heads = new Map<string, { t: () => MerkleTree; note: () => string }>();
    const origins: Record<'big' | 'old' | 'noProof' | 'later', string> = {
      big: '',
      old: '',
      noProof: '',
      later: '',
    };
    for (const k of Object.keys(origins) as Array<keyof typeof origins>) {
      origins[k] = await site(() =>
        agentHandler(
          `Rolling ${k}`,
          ROLLING,
          () => spec,
          () => heads.get(k)!.t(),
          () => heads.get(k)!.note(),
          k === 'noProof'
            ? () => null
            : (from, to) => (to <= Number(full.size) ? full.consistencyProof(from, to) : null),
        ),
      );
    }
    const card = bytes(
      cardFor('Rolling Agent', 'review-rolling-agent', Object.values(origins), {
        log_origin: ROLLING.origin,
        registration_event_id: eventId(reg),
        registration_leaf_index: 0,
      }),
    );
    spec = { agent, card, regLeaf: 0, cardLeaf: 1 };
    full = tree([
      eventEntryBytes(reg),
      cardAnchorEntry(card),
      ...Array.from({ length: 8 }, (_, i) => filler(`r${i + 2}`)),
    ]);
    const at = (n: number, ts: number) => {
      const t = prefixTree(n);
      const note = sth(ROLLING, t, ts);
      return { t: () => t, note: () => note };
    };
    heads.set('big', at(10, NOW - HOUR));
    heads.set('old', at(6, NOW - 3 * HOUR));
    heads.set('noProof', at(5, NOW - 4 * HOUR));
    heads.set('later', at(6, NOW - HOUR / 2));

    const big = await visit(ext, origins.big);
    expect(big.snap.status, big.snap.sentence).toBe('verified');
    const old = await visit(ext, origins.old);
    expect(old.snap.status, old.snap.sentence).toBe('verified');
    const noProof = await visit(ext, origins.noProof);
    expect(noProof.snap.status).toBe('warning');
    expect(noProof.snap.sentence).toBe(
      'Warning: the site shows an older tree head than one you saw before, and no proof links the two.',
    );
    let popup = await openPopup(ext, noProof.tabId);
    expect((await checkText(popup, 'proof.consistency')).text).toContain(
      'Expecteda consistency proof from 5 to 10',
    );
    // The reason is drawn whole in the popup, not only in its tooltip.
    const reason = popup.locator('[data-check-id="proof.consistency"] .lin-ext-reason .lin-data');
    expect(await reason.textContent()).toBe(await reason.getAttribute('title'));
    expect(await reason.textContent()).toMatch(/no consistency proof between them/);
    await shot(popup, 'older-unproven');
    await popup.close();
    const later = await visit(ext, origins.later);
    expect(later.snap.status).toBe('failed');
    expect(later.snap.sentence).toBe(
      'Failed: the log rolled back — it signed a smaller tree after a larger one.',
    );
    popup = await openPopup(ext, later.tabId);
    const c = await checkText(popup, 'proof.consistency');
    // Which tree, signed when, after which remembered one, from where.
    expect(c.text).toMatch(
      /shrank: it signed a tree of 6 at .*Z, after the tree of 10 remembered from http:\/\/127\.0\.0\.1:\d+ \(signed at .*Z\)Expectedany tree signed after .*Z has size ≥ 10/,
    );
    await shot(popup, 'rollback');
    await Promise.all([
      popup.close(),
      big.page.close(),
      old.page.close(),
      noProof.page.close(),
      later.page.close(),
    ]);
  });

  const page200 =
    (headers: Record<string, string | string[]>): Handler =>
    (req, res) => {
      if (req.url === '/')
        return send(res, 200, { 'content-type': 'text/html', ...headers }, '<h1>hostile</h1>');
      send(res, 404, { 'content-type': 'text/plain' }, 'not found');
    };
  const cp = (n: number) => checkpointHeader(sth(HONEST, tree([filler('x')]), NOW - n));

  it.each([
    [
      'a 200 KB Lineage-Checkpoint',
      { 'lineage-checkpoint': `:${'A'.repeat(200_000)}:` },
      'Lineage-Checkpoint: value is 200,002 characters; at most 8,192 are accepted',
    ],
    [
      'an inclusion proof of 10,000 entries',
      {
        'lineage-checkpoint': cp(1),
        'lineage-inclusion': `card=(${':AA==: '.repeat(10_000)});index=0;size=1`,
      },
      'Lineage-Inclusion: value is 70,022 characters; at most 8,192 are accepted',
    ],
    [
      'a Lineage-Inclusion dictionary of 10,000 members',
      {
        'lineage-checkpoint': cp(1),
        'lineage-inclusion': Array.from({ length: 10_000 }, (_, i) => `m${i}=1`).join(','),
      },
      'Lineage-Inclusion: value is 78,889 characters; at most 8,192 are accepted',
    ],
    // 10,000 Link lines (Chromium refuses more than 256 KB of headers), then two checkpoints.
    [
      '10,000 Link lines before two Lineage-Checkpoint lines',
      { link: Array.from({ length: 10_000 }, () => '<a>'), 'lineage-checkpoint': [cp(1), cp(2)] },
      /^Lineage-Checkpoint: not an RFC 9651 item/,
    ],
    [
      'malformed base64 in the checkpoint',
      { 'lineage-checkpoint': ':!!not*base64!!:' },
      /^Lineage-Checkpoint: not an RFC 9651 item .*base64/,
    ],
    [
      'malformed base64 in the audit path',
      { 'lineage-checkpoint': cp(1), 'lineage-inclusion': 'card=(:####:);index=0;size=1' },
      /^Lineage-Inclusion: not an RFC 9651 dictionary .*base64/,
    ],
    [
      'a 31-byte hash in the audit path',
      {
        'lineage-checkpoint': cp(1),
        'lineage-inclusion': `card=(:${toBase64(new Uint8Array(31))}:);index=0;size=1`,
      },
      'Lineage-Inclusion: hash 0 of "card" is 31 bytes; expected 32',
    ],
  ] as Array<[string, Record<string, string | string[]>, string | RegExp]>)(
    '%s → failed on proof.headers, saying why',
    async (_name, headers, reason) => {
      const origin = await site(() => page200(headers));
      const { tabId, snap, page } = await visit(ext, origin);
      expect(snap.status).toBe('failed');
      expect(snap.sentence).toBe('Failed: the site sent malformed or oversized Lineage proof headers.');
      const popup = await openPopup(ext, tabId);
      const row = popup.locator('[data-check-id="proof.headers"]');
      expect(await row.getAttribute('data-status')).toBe('fail');
      // The reason in full (the popup folds long ones; its title holds the whole text).
      const full = await row.locator('.lin-ext-reason .lin-data').getAttribute('title');
      if (typeof reason === 'string') expect(full).toBe(reason);
      else expect(full).toMatch(reason);
      await Promise.all([popup.close(), page.close()]);
    },
  );

  /** A site whose card endpoint is `card`; the page advertises Lineage with the honest log's head. */
  const cardSite =
    (card: Handler): Handler =>
    (req, res) => {
      if (req.url === '/')
        return send(
          res,
          200,
          { 'content-type': 'text/html', link: '</.well-known/agent-card.json>; rel="agent-card"' },
          '<h1>x</h1>',
        );
      if (req.url === '/.well-known/agent-card.json') return card(req, res);
      send(res, 404, { 'content-type': 'text/plain' }, 'not found');
    };
  const bigCard = `{"name":"${'x'.repeat(70_000)}"}`;

  it.each([
    [
      'a card URL redirecting to another origin',
      (o: string): Handler =>
        (_q, r) =>
          send(r, 302, { location: `${o.replace('127.0.0.1', 'localhost')}/.well-known/agent-card.json` }),
      /agent-card\.json answered with a redirect; redirects are not followed$/,
    ],
    [
      'a card that never answers',
      (): Handler => () => {},
      /^no answer from .*agent-card\.json within 5000 ms$/,
    ],
    [
      'a card whose body never ends',
      (): Handler => (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.write('{"name":"');
        const t = setInterval(() => r.write('x'), 200);
        r.on('close', () => clearInterval(t));
      },
      /agent-card\.json did not finish within 5000 ms$/,
    ],
    [
      'a 70 KB card (content-length)',
      (): Handler => (_q, r) => send(r, 200, { 'content-type': 'application/json' }, bigCard),
      /agent-card\.json declares 70,011 bytes; at most 65,536 are read$/,
    ],
    [
      'a 70 KB card (chunked, no length)',
      (): Handler => (_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.write(bigCard.slice(0, 40_000));
        r.end(bigCard.slice(40_000));
      },
      /agent-card\.json sent more than 65,536 bytes; reading stopped there$/,
    ],
  ] as Array<[string, (o: string) => Handler, RegExp]>)(
    '%s → card.fetch fails and says why',
    async (name, make, reason) => {
      const origin = await site((o) => cardSite(make(o)));
      const { tabId, snap, page } = await visit(ext, origin);
      expect(snap.status).toBe('failed');
      expect(snap.sentence).toBe('Failed: the agent card could not be fetched within the limits.');
      const popup = await openPopup(ext, tabId);
      const c = await checkText(popup, 'card.fetch');
      expect(c.status).toBe('fail');
      expect(c.text.replace(/^.*The site serves an agent card/, '')).toMatch(reason);
      await shot(popup, `card-${name.replace(/[^a-z0-9]+/gi, '-')}`);
      await Promise.all([popup.close(), page.close()]);
    },
  );

  it('every fetch just under its 5 s limit, three in a row → the whole check times out at 12 s and says so', async () => {
    const slow =
      (status: number, body: string): Handler =>
      (_q, r) => {
        setTimeout(() => send(r, status, { 'content-type': 'application/json' }, body), 4_500);
      };
    const origin = await site(() => (req, res) => {
      if (req.url === '/')
        return send(
          res,
          200,
          { 'content-type': 'text/html', link: '</.well-known/agent-card.json>; rel="agent-card"' },
          '<h1>x</h1>',
        );
      if (req.url === '/.well-known/agent-card.json') return slow(404, '')(req, res);
      if (req.url === '/.well-known/agent.json') return slow(200, '{"name":"slow"}')(req, res);
      if (req.url === '/.well-known/lineage/agent-history.json') return slow(404, '')(req, res);
      send(res, 404, {}, '');
    });
    const t0 = Date.now();
    const { tabId, snap, page } = await visit(ext, origin, undefined, 30_000);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(snap).toMatchObject({ status: 'timeout', badge: '?' });
    expect(snap.sentence).toBe(
      'Timed out: the check did not finish within 12 s (the site answered too slowly). Retry to check again.',
    );
    // The abandoned check ends later (its last fetch answers at ~13.5 s): the popup still shows
    // the timeout, with no result under it and the history saying "timeout", not another verdict.
    await new Promise((r) => setTimeout(r, 4_000));
    const popup = await openPopup(ext, tabId);
    await shot(popup, 'timeout');
    expect(await popup.locator('.lin-ext-verdict').getAttribute('data-status')).toBe('timeout');
    expect(await popup.locator('[data-check-id]').count()).toBe(0);
    const rows = popup.getByTestId('history').locator('tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('timeout');
    await Promise.all([popup.close(), page.close()]);
  });
});
