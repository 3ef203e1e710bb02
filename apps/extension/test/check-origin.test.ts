import { cosignCheckpoint, noteSigner, testKey } from '@lineage/producer';
import { parseTrustStore, toHex } from '@lineage/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOrigin } from '../src/background/check-origin.js';
import { coreApi } from '../src/background/core-adapter.js';
import { fetchBounded } from '../src/background/fetch-bounded.js';
import type { HeaderList } from '../src/background/headers.js';
import { MemoryStore } from '../src/storage/memory.js';
import type { OriginCheck } from '../src/storage/types.js';
import { type RunningSite, serveWorld } from './fixture/server.js';
import {
  checkpointHeader,
  FIXTURE_NOW,
  type FixtureWorld,
  type SiteName,
  trustStoreJson,
  WITNESSES,
} from './fixture/sites.js';

const trust = parseTrustStore(trustStoreJson());
let running = new Map<SiteName, RunningSite>();
/** The fixture built for the servers' real origins (each card names its site's origin). */
let world: FixtureWorld;

beforeAll(async () => {
  ({ world, sites: running } = await serveWorld());
});
afterAll(async () => {
  await Promise.all([...running.values()].map((s) => s.close()));
});

/** What the browser would see: the document's response headers, lowercased as webRequest gives them. */
async function visit(name: SiteName, store: MemoryStore, t = trust): Promise<OriginCheck> {
  const site = running.get(name)!;
  let headers: HeaderList;
  if (name === 'hostileHeader') {
    // Node's fetch refuses > 16 KB of headers before we could see them; Chromium passes them on.
    headers = Object.entries(world.SITES[name]('/', 1).headers).map(([n, value]) => ({ name: n, value }));
  } else {
    const res = await fetch(`${site.origin}/`);
    await res.arrayBuffer();
    headers = [...res.headers].map(([n, value]) => ({ name: n, value }));
  }
  return checkOrigin({
    origin: site.origin,
    headers,
    trust: t,
    store,
    core: coreApi,
    fetch: fetchBounded,
    now: Date.now(),
  });
}

const statusOf = (r: OriginCheck, id: string) => r.checks.filter((c) => c.id === id).map((c) => c.status);

describe('checkOrigin against the fixture sites (real cards, real log, real checkpoints)', () => {
  it('good agent: identity, signature, checkpoint and card inclusion all hold → verified', async () => {
    const r = await visit('good', new MemoryStore());
    expect(
      r.status,
      JSON.stringify(
        r.checks.filter((c) => c.status !== 'pass'),
        null,
        1,
      ),
    ).toBe('verified');
    expect(statusOf(r, 'proof.inclusion.card')).toEqual(['pass']);
    expect(statusOf(r, 'card.identity_proof')).toEqual(['pass']);
    expect(statusOf(r, 'card.a2a_signature')).toEqual(['pass']);
    expect(r.card?.name).toBe('Inventory Agent');
    expect(r.card?.skills).toEqual(['Asset inventory', 'Vulnerability scan summary']);
    expect(r.proof?.treeSize).toBe('8');
    expect(r.proof?.card?.auditPath).toHaveLength(3);
    expect(r.sentence).toMatch(/^Verified/);
    // The key history is really checked: the card's key is current and its registration proven.
    expect(statusOf(r, 'proof.key_history')).toEqual(['pass']);
    expect(statusOf(r, 'card.key_current')).toEqual(['pass']);
    expect(statusOf(r, 'card.lineage')).toEqual(['pass']);
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  it('key history not published → warning (the key could have been revoked), never verified', async () => {
    const r = await visit('noHistory', new MemoryStore());
    expect(r.status).toBe('warning');
    expect(statusOf(r, 'proof.key_history')).toEqual(['not_checked']);
    expect(statusOf(r, 'card.key_current')).toEqual(['not_checked']);
    expect(statusOf(r, 'card.lineage')).toEqual(['not_checked']);
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(r.sentence).toBe('Warning: key history not published, so the card’s key could have been revoked.');
  });

  it('card signed by a key the history shows revoked → failed on card.key_current', async () => {
    const r = await visit('revokedKey', new MemoryStore());
    expect(r.status).toBe('failed');
    // Everything else holds: the history is genuine and the card is the one in the log.
    expect(statusOf(r, 'proof.key_history')).toEqual(['pass']);
    expect(statusOf(r, 'proof.inclusion.card')).toEqual(['pass']);
    expect(statusOf(r, 'card.identity_proof')).toEqual(['pass']);
    const k = r.checks.find((c) => c.id === 'card.key_current')!;
    expect(k.status).toBe('fail');
    expect(k.reason).toBe('the agent is revoked or superseded');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toEqual(['card.key_current']);
    expect(r.sentence).toBe('Failed: the card names a key the agent has revoked or rotated out.');
  });

  it('a key-history event with a bad inclusion proof → failed, and the key is not taken as current', async () => {
    const r = await visit('badHistoryProof', new MemoryStore());
    expect(r.status).toBe('failed');
    const h = r.checks.find((c) => c.id === 'proof.key_history')!;
    expect(h.status).toBe('fail');
    expect(h.reason).toMatch(/^event 0 \([0-9a-f]{12}…\): merkle\.inclusion\.root_mismatch/);
    expect(statusOf(r, 'card.key_current')).toEqual(['not_checked']);
    expect(r.sentence).toMatch(/key history does not verify/);
  });

  it('forged card (skill rewritten after signing) → failed on the capability digest and signature', async () => {
    const r = await visit('forged', new MemoryStore());
    expect(r.status).toBe('failed');
    expect(statusOf(r, 'card.capability_digest')).toEqual(['fail']);
    // The anchor is of the bytes served, so the log proof itself holds: the card is what is wrong.
    expect(statusOf(r, 'proof.inclusion.card')).toEqual(['pass']);
  });

  it('bad identity proof → failed on card.identity_proof', async () => {
    const r = await visit('badIdentity', new MemoryStore());
    expect(r.status).toBe('failed');
    expect(statusOf(r, 'card.identity_proof')).toEqual(['fail']);
    expect(r.sentence).toBe('Failed: the card’s identity proof does not verify.');
  });

  it('wrong inclusion proof (one bit flipped) → failed with the root mismatch', async () => {
    const r = await visit('wrongInclusion', new MemoryStore());
    expect(r.status).toBe('failed');
    const inc = r.checks.find((c) => c.id === 'proof.inclusion.card')!;
    expect(inc.status).toBe('fail');
    // The root the checkpoint signed, and the one the flipped proof leads to.
    expect(inc.expected).toMatch(/^root [0-9a-f]{64}$/);
    expect(inc.found).toMatch(/^root [0-9a-f]{64}, recomputed from the leaf and its proof$/);
    expect(inc.found!.slice(5, 69)).not.toBe(inc.expected!.slice(5));
  });

  it('checkpoint from a log that is not pinned → warning, never verified', async () => {
    const r = await visit('unknownLog', new MemoryStore());
    expect(r.status).toBe('warning');
    expect(statusOf(r, 'proof.checkpoint')).toEqual(['not_checked']);
    expect(r.sentence).toMatch(/log you have not pinned/);
    // The card's name imitates a verdict; our sentence never contains site text.
    expect(r.card?.name).toBe('✓ Verified by Lineage');
    expect(r.sentence).not.toContain('✓');
  });

  it('with nothing pinned at all, even the good agent is only a warning', async () => {
    const r = await visit(
      'good',
      new MemoryStore(),
      parseTrustStore(
        '{"version":1,"logs":[],"witnesses":{"vkeys":[],"threshold":0},"proof_servers":[],"approvers":[],"card_signers":[],"policy":{}}',
      ),
    );
    expect(r.status).toBe('warning');
  });

  it('split view: a grown tree proven consistent passes, then a same-size fork fails', async () => {
    const store = new MemoryStore();
    const first = await visit('good', store); // remembers v1 (size 8)
    expect(first.status).toBe('verified');
    const grown = await visit('splitView', store); // v2 (13) + consistency proof from the well-known endpoint
    expect(grown.status, JSON.stringify(grown.checks.filter((c) => c.status !== 'pass'))).toBe('verified');
    expect(statusOf(grown, 'proof.consistency')).toEqual(['pass']);
    expect(grown.proof?.previous?.size).toBe('8');
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
    const forked = await visit('splitView', store); // same size 13, different root
    expect(forked.status).toBe('failed');
    const c = forked.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/split view.*two different trees of size 13/);
    // Both heads with when the log signed each, where and when the remembered one was seen.
    const o = running.get('splitView')!.origin;
    const esc = o.replace(/[.]/g, '\\.');
    expect(c.expected).toMatch(
      new RegExp(
        `^root [0-9a-f]{64} \\(signed 2026-11-18T11:06:40\\.000Z, seen from ${esc} on 20\\d\\d-.*Z\\)$`,
      ),
    );
    expect(c.found).toBe(
      `root ${toHex(world.TREES.fork.root())} (signed 2026-11-18T11:06:40.000Z, served by ${o})`,
    );
    expect(forked.sentence).toMatch(/split view/);
  });

  it('an honest site still serving an older checkpoint is not framed by a newer one seen first', async () => {
    const store = new MemoryStore();
    // First sighting: the log's newest checkpoint, size 13 (v2, what the split-view site serves on
    // its first visit; any site can replay it).
    await checkOrigin({
      origin: running.get('splitView')!.origin,
      headers: Object.entries(world.SITES.splitView('/', 1).headers).map(([name, value]) => ({
        name,
        value,
      })),
      trust,
      store,
      core: coreApi,
      fetch: fetchBounded,
      now: Date.now(),
    });
    expect(store.treeHeads.get('fixture.lineage.test/log')?.size).toBe('13');
    const r = await visit('good', store); // size 8: its endpoint proves 8 → 13
    expect(r.checks.find((c) => c.id === 'proof.consistency')?.status).toBe('pass');
    expect(r.status).toBe('verified');
  });

  it('stored tree heads are untrusted: an edited record is discarded, not believed', async () => {
    const store = new MemoryStore();
    await visit('good', store);
    const rec = store.treeHeads.get('fixture.lineage.test/log')!;
    // Someone with disk access lowers the remembered root to frame the site as a split view.
    store.treeHeads.set(rec.log, { ...rec, rootHex: '00'.repeat(32) });
    const r = await visit('good', store);
    expect(r.status).toBe('warning');
    const c = r.checks.find((x) => x.id === 'proof.consistency')!;
    expect(c.status).toBe('not_checked');
    expect(c.reason).toMatch(/failed re-verification/);
    expect(store.treeHeads.get(rec.log)?.rootHex).toBe(rec.rootHex);
  });

  it('hostile oversized headers → failed with a precise limit message, no crash', async () => {
    const r = await visit('hostileHeader', new MemoryStore());
    expect(r.status).toBe('failed');
    const c = r.checks.find((x) => x.id === 'proof.headers')!;
    expect(c.reason).toMatch(/40,002 characters; at most 8,192/);
    expect(r.sentence).toMatch(/malformed or oversized/);
  });

  it('witness policy k-of-n: 1 of 2 required; none cosigned → failed; one cosigned → verified', async () => {
    const t = parseTrustStore(trustStoreJson());
    const { one: w1, two: w2 } = WITNESSES;
    t.witnesses = { vkeys: [w1.vkey, w2.vkey], threshold: 1 };
    const origin = running.get('good')!.origin;
    const headers = (note: string): HeaderList =>
      Object.entries({
        ...world.SITES.good('/', 1).headers,
        'lineage-checkpoint': checkpointHeader(note),
      }).map(([name, value]) => ({ name, value }));
    const run = (note: string) =>
      checkOrigin({
        origin,
        headers: headers(note),
        trust: t,
        store: new MemoryStore(),
        core: coreApi,
        fetch: fetchBounded,
        now: FIXTURE_NOW,
      });
    const bare = await run(world.CHECKPOINTS.v1);
    expect(bare.status).toBe('failed');
    expect(bare.checks.find((c) => c.id === 'proof.checkpoint')).toMatchObject({
      reason: expect.stringMatching(/^checkpoint\.witness-quorum: /),
      expected: 'cosignatures by 1 of the 2 configured witnesses',
      found: '0 counted cosignatures',
    });
    const cosigned = await run(cosignCheckpoint(world.CHECKPOINTS.v1, w2, 1_795_000_000n));
    expect(cosigned.status, JSON.stringify(cosigned.checks.filter((c) => c.status !== 'pass'))).toBe(
      'verified',
    );
    expect(cosigned.checks.find((c) => c.id === 'proof.witnesses')?.status).toBe('pass');
    // A cosignature dated more than ten minutes after this computer's time does not count.
    const future = await run(
      cosignCheckpoint(world.CHECKPOINTS.v1, w2, BigInt(Math.floor(FIXTURE_NOW / 1000) + 11 * 60)),
    );
    expect(future.status).toBe('failed');
    expect(future.checks.find((c) => c.id === 'proof.checkpoint')).toMatchObject({
      reason: expect.stringMatching(/^checkpoint\.witness-quorum: /),
      found: '0 counted cosignatures',
    });
    // A cosignature by a key that is not pinned does not count.
    const stranger = await run(
      cosignCheckpoint(
        world.CHECKPOINTS.v1,
        noteSigner('witness-two.example', testKey('not-a-witness'), 'cosignature-v1'),
        1_795_000_000n,
      ),
    );
    expect(stranger.status).toBe('failed');
  });
});
