// A log caught signing two contradicting tree heads stays caught: both signed notes are kept as
// evidence and every later check of that log fails until the user clears the mark (spec §6.6.1).
import { makeLineageSth, noteSigner, testKey } from '@lineage/producer';
import { parseTrustStore, toBase64 } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { checkOrigin } from '../src/background/check-origin.js';
import { coreApi } from '../src/background/core-adapter.js';
import type { FetchBounded } from '../src/background/fetch-bounded.js';
import { LIMITS } from '../src/background/limits.js';
import { parseRequest } from '../src/shared/messages.js';
import { MemoryStore } from '../src/storage/memory.js';
import type { OriginCheck } from '../src/storage/types.js';
import {
  CHECKPOINTS,
  checkpointAt,
  checkpointHeader,
  FIXTURE_NOW,
  LOG_ORIGIN,
  TREES,
  trustStoreJson,
} from './fixture/sites.js';
import { cardFetch, setup } from './support/controller-harness.js';

const trust = parseTrustStore(trustStoreJson());
const TS = 1_795_000_000_000;
const nothing: FetchBounded = async (url) => ({
  url,
  status: 404,
  bytes: new Uint8Array(0),
  contentType: null,
});
/** A check of `origin` whose page sends this checkpoint (and a consistency proof, when given). */
function run(
  store: MemoryStore,
  note: string,
  origin = 'https://honest.example',
  proof?: { from: number; to: number; hashes: Uint8Array[] },
): Promise<OriginCheck> {
  const headers: Array<{ name: string; value: string }> = [
    { name: 'lineage-checkpoint', value: checkpointHeader(note) },
  ];
  if (proof) {
    const list = proof.hashes.map((x) => `:${toBase64(x)}:`).join(' ');
    headers.push({
      name: 'lineage-consistency',
      value: `from=${proof.from}, to=${proof.to}, proof=(${list})`,
    });
  }
  return checkOrigin({ origin, headers, trust, store, core: coreApi, fetch: nothing, now: FIXTURE_NOW });
}
const consistency = (r: OriginCheck) => r.checks.find((c) => c.id === 'proof.consistency');
/** The fixture log's tree of `size` leaves of TREES.v2 (an honest prefix), signed at `ts`. */
const v2At = (size: number, ts: number) =>
  makeLineageSth(
    { logId: LOG_ORIGIN, treeSize: size, rootHash: TREES.v2.root(size), timestampMs: ts },
    noteSigner(LOG_ORIGIN, testKey('extension-fixture-log')),
  );
const proofV2 = (from: number, to: number) => ({ from, to, hashes: TREES.v2.consistencyProof(from, to) });

describe('a detected split view is kept as evidence (spec §6.6.1)', () => {
  it('both signed notes are stored, and the site whose head matches the memory fails afterwards', async () => {
    const store = new MemoryStore();
    expect(consistency(await run(store, CHECKPOINTS.v2))).toBeUndefined(); // remembered
    const forked = await run(store, CHECKPOINTS.fork, 'https://fork.example');
    expect(consistency(forked)?.status).toBe('fail');
    const e = store.equivocations.get(LOG_ORIGIN)!;
    expect(e.kind).toBe('split');
    expect(e.notes.map((n) => [n.note, n.origin])).toEqual([
      [CHECKPOINTS.v2, 'https://honest.example'],
      [CHECKPOINTS.fork, 'https://fork.example'],
    ]);
    expect(forked.equivocation).toEqual(e);

    // The honest-looking site: its head is the remembered one, yet the log is caught.
    const again = await run(store, CHECKPOINTS.v2);
    const c = consistency(again)!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(
      /^log fixture\.lineage\.test\/log is marked as equivocating since 2026-11-19T11:06:40\.000Z: it signed two different trees of size 13\. Both signed tree heads are on the Details page; the mark is cleared in Options$/,
    );
    expect(again.status).toBe('failed');
    expect(again.sentence).toBe(
      'Failed: this log was caught signing two contradicting tree heads; the evidence is kept (see Details).',
    );
    expect(again.equivocation).toEqual(e);
    // Any other tree head of the log too, and the memory is left as it was.
    const before = structuredClone(store.treeHeads.get(LOG_ORIGIN));
    expect(consistency(await run(store, v2At(13, TS + 60_000), 'https://b.example'))?.status).toBe('fail');
    expect(store.treeHeads.get(LOG_ORIGIN)).toEqual(before);
  });

  it('a rollback (a smaller tree signed after a larger one) marks the log too', async () => {
    const store = new MemoryStore();
    await run(store, checkpointAt(TREES.v1, TS + 60_000));
    const r = await run(store, CHECKPOINTS.v2, 'https://b.example', proofV2(8, 13));
    expect(consistency(r)?.found).toBe('a smaller tree signed after the larger one');
    const e = store.equivocations.get(LOG_ORIGIN)!;
    expect(e.kind).toBe('rollback');
    const again = consistency(await run(store, checkpointAt(TREES.v1, TS + 60_000)))!;
    expect(again.status).toBe('fail');
    expect(again.reason).toMatch(/: it signed a tree of 8 after a larger one\./);
  });

  it('a consistency proof that fails does not mark the log: the site chose the proof', async () => {
    const store = new MemoryStore();
    await run(store, CHECKPOINTS.v1);
    const garbage = { from: 8, to: 13, hashes: TREES.fork.consistencyProof(8, 13).reverse() };
    expect(consistency(await run(store, CHECKPOINTS.v2, 'https://evil.example', garbage))?.status).toBe(
      'fail',
    );
    expect(store.equivocations.size).toBe(0);
    expect(consistency(await run(store, CHECKPOINTS.v2, 'https://b.example', proofV2(8, 13)))?.status).toBe(
      'pass',
    );
  });

  it('a checkpoint not signed by the pinned key can never mark the log', async () => {
    const store = new MemoryStore();
    await run(store, CHECKPOINTS.v2);
    const impostor = makeLineageSth(
      { logId: LOG_ORIGIN, treeSize: 13, rootHash: TREES.fork.root(), timestampMs: TS },
      noteSigner(LOG_ORIGIN, testKey('not-the-log')),
    );
    const r = await run(store, impostor, 'https://evil.example');
    expect(r.checks.find((c) => c.id === 'proof.checkpoint')?.status).toBe('fail');
    expect(store.equivocations.size).toBe(0);
    expect((await run(store, CHECKPOINTS.v2)).status).not.toBe('failed');
  });

  it('stored evidence is re-verified: an edited record frames no log', async () => {
    const store = new MemoryStore();
    await run(store, CHECKPOINTS.v2);
    await run(store, CHECKPOINTS.fork, 'https://fork.example');
    const e = store.equivocations.get(LOG_ORIGIN)!;
    for (const edited of [
      // The same honest note twice: no contradiction.
      { ...e, notes: [e.notes[0], e.notes[0]] },
      // A note whose signature no longer holds.
      { ...e, notes: [e.notes[0], { ...e.notes[1], note: e.notes[1].note.replace('13\n', '12\n') }] },
      { ...e, notes: 'two notes' },
      { ...e, kind: 'rollback' },
    ]) {
      store.equivocations.set(LOG_ORIGIN, edited as unknown as typeof e);
      const r = await run(store, CHECKPOINTS.v2);
      expect(consistency(r)?.status, JSON.stringify(edited).slice(0, 80)).toBe('pass');
    }
  });

  it('is bounded: one record per log, the first evidence is kept, later contradictions add nothing', async () => {
    const store = new MemoryStore();
    await run(store, CHECKPOINTS.v2);
    await run(store, CHECKPOINTS.fork, 'https://fork.example');
    const first = structuredClone(store.equivocations.get(LOG_ORIGIN));
    const other = checkpointAt(TREES.fork, TS + 1);
    for (let i = 0; i < 5; i++) await run(store, other, `https://fork${i}.example`);
    expect(store.equivocations.size).toBe(1);
    expect(store.equivocations.get(LOG_ORIGIN)).toEqual(first);
  });

  it('lasts until the user clears it; clearing does not forget the tree heads', async () => {
    const { c, store } = await setup(cardFetch().fetch);
    const tab = (id: number, origin: string, note: string) =>
      c.onDocumentHeaders(id, `${origin}/`, [{ name: 'lineage-checkpoint', value: checkpointHeader(note) }]);
    await tab(1, 'https://honest.example', CHECKPOINTS.v2);
    await tab(2, 'https://fork.example', CHECKPOINTS.fork);
    const listed = await c.handle({ type: 'listEquivocations' });
    expect(listed).toMatchObject({
      ok: true,
      equivocations: [{ log: LOG_ORIGIN, kind: 'split', holds: true }],
    });
    await tab(3, 'https://honest.example', CHECKPOINTS.v2);
    expect((await c.view(3)).result?.checks.find((x) => x.id === 'proof.consistency')?.status).toBe('fail');
    // Only a well-formed request from our pages reaches the handler.
    expect(parseRequest({ type: 'clearEquivocation', log: 5 })).toBeNull();
    expect(parseRequest({ type: 'clearEquivocation', log: LOG_ORIGIN })).toEqual({
      type: 'clearEquivocation',
      log: LOG_ORIGIN,
    });
    expect(await c.handle({ type: 'clearEquivocation', log: LOG_ORIGIN })).toEqual({ ok: true });
    expect(store.equivocations.size).toBe(0);
    // A cached result of the marked log is not reused after clearing.
    await tab(4, 'https://honest.example', CHECKPOINTS.v2);
    expect((await c.view(4)).result?.checks.find((x) => x.id === 'proof.consistency')?.status).toBe('pass');
    expect(store.treeHeads.get(LOG_ORIGIN)?.size).toBe('13');
  });
});

describe('the rollback rule compares with a bounded set of remembered heads', () => {
  it('10 signed at T1, 13 at T3: a tree of 8 signed at T2 is a rollback', async () => {
    const store = new MemoryStore();
    await run(store, v2At(10, TS + 1_000));
    expect(
      consistency(await run(store, v2At(13, TS + 3_000), 'https://b.example', proofV2(10, 13)))?.status,
    ).toBe('pass');
    const r = await run(store, v2At(8, TS + 2_000), 'https://c.example', proofV2(8, 13));
    const c = consistency(r)!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(
      /shrank: it signed a tree of 8 at 2026-11-18T11:06:42\.000Z, after the tree of 10 remembered from https:\/\/honest\.example \(signed at 2026-11-18T11:06:41\.000Z\)/,
    );
    expect(r.sentence).toBe('Failed: the log rolled back — it signed a smaller tree after a larger one.');
  });

  it('an older tree proven consistent is remembered too, and a same-size fork of it is a split view', async () => {
    const store = new MemoryStore();
    await run(store, v2At(13, TS + 3_000));
    expect(
      consistency(await run(store, v2At(10, TS + 1_000), 'https://b.example', proofV2(10, 13)))?.status,
    ).toBe('pass');
    // A tree of 11 signed before the 10 it extends.
    const r = await run(store, v2At(11, TS + 500), 'https://c.example', proofV2(11, 13));
    expect(consistency(r)?.found).toBe('a smaller tree signed after the larger one');
  });

  it(`keeps at most ${LIMITS.treeHeadsPerLog} heads per log, the largest`, async () => {
    const store = new MemoryStore();
    for (let n = 2; n <= 13; n++) {
      const r = await run(store, v2At(n, TS + n), 'https://a.example', n > 2 ? proofV2(n - 1, n) : undefined);
      if (n > 2) expect(consistency(r)?.status, `size ${n}`).toBe('pass');
    }
    const rec = store.treeHeads.get(LOG_ORIGIN)!;
    expect(rec.size).toBe('13');
    expect(rec.earlier?.map((x) => x.size)).toEqual(['6', '7', '8', '9', '10', '11', '12']);
  });

  it('below the window, the largest head still decides: a fork of a forgotten size is never accepted, only not marked', async () => {
    // Heads of 2…13 signed at TS + 10·n: 2…5 are forgotten, 13 (the largest ever) is always kept.
    const store = new MemoryStore();
    for (let n = 2; n <= 13; n++)
      await run(store, v2At(n, TS + 10 * n), 'https://a.example', n > 2 ? proofV2(n - 1, n) : undefined);
    const forkOf3 = makeLineageSth(
      // Another root for size 3 (any 32 bytes that are not the honest prefix's root).
      { logId: LOG_ORIGIN, treeSize: 3, rootHash: TREES.fork.root(13), timestampMs: TS + 30 },
      noteSigner(LOG_ORIGIN, testKey('extension-fixture-log')),
    );
    // With the honest 3's proof to 13 (the only one that exists): fails; without one: a warning.
    expect(consistency(await run(store, forkOf3, 'https://b.example', proofV2(3, 13)))?.status).toBe('fail');
    expect(consistency(await run(store, forkOf3, 'https://b.example'))?.status).toBe('not_checked');
    // Not marked: the two notes that would prove it (the forgotten 3 and this one) are not both kept.
    expect(store.equivocations.size).toBe(0);
    // A smaller tree signed after a remembered larger one is a rollback, however far below it is.
    const late3 = await run(store, v2At(3, TS + 65), 'https://c.example', proofV2(3, 13));
    expect(consistency(late3)?.found).toBe('a smaller tree signed after the larger one');
  });

  it('below the window, a rollback against forgotten heads only is not seen (spec §6.6, the documented limit)', async () => {
    const store = new MemoryStore();
    for (let n = 2; n <= 13; n++)
      await run(store, v2At(n, TS + 10 * n), 'https://a.example', n > 2 ? proofV2(n - 1, n) : undefined);
    // The honest 3, signed after the forgotten 4 (TS + 40) and before every remembered head (6 at TS + 60).
    const r = await run(store, v2At(3, TS + 45), 'https://b.example', proofV2(3, 13));
    expect(consistency(r)?.status).toBe('pass');
  });
});
