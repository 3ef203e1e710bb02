// Trust-store and other user-data files under concurrent changes: every change lands, none is lost
// to a read-modify-write race, and no temp file collides or is left behind.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, type FedrampSample } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { createFileExclusive, writeFileAtomic } from '../src/main/services/json-file.js';
import { RecentFiles } from '../src/main/services/recent-files.js';
import { TrustStoreService } from '../src/main/services/trust-store.js';
import { ed25519Pair } from './support/keys.js';

let sample: FedrampSample;
let trustText: string;
const dir = () => mkdtempSync(join(tmpdir(), 'lineage-trust-race-'));

beforeAll(async () => {
  sample = await buildFedrampSample({ dir: dir() });
  trustText = readFileSync(sample.paths!.trust, 'utf8');
});

describe('importing a trust store', () => {
  it('replaces a store that is broken on disk (the way back from a corrupt file)', async () => {
    for (const broken of ['{not json', '{"version":99}']) {
      const d = dir();
      writeFileSync(join(d, 'trust-store.json'), broken);
      const ts = new TrustStoreService(d);
      await expect(ts.view()).rejects.toThrow();
      const view = await ts.importStore(trustText);
      expect(view.entries.length).toBeGreaterThan(0);
      expect((await new TrustStoreService(d).view()).entries.length).toBe(view.entries.length);
    }
  });
});

describe('trust store changes made at once', () => {
  it('removing several entries concurrently removes exactly those entries', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const d = dir();
      const ts = new TrustStoreService(d);
      const before = await ts.importStore(trustText);
      const gone = before.entries.filter((e) => e.kind !== 'log').slice(0, 4);
      expect(gone.length).toBe(4);
      const results = await Promise.allSettled(gone.map((e) => ts.remove(e.id)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
      const after = await new TrustStoreService(d).view();
      expect(after.entries.map((e) => e.id).sort()).toEqual(
        before.entries
          .map((e) => e.id)
          .filter((id) => !gone.some((g) => g.id === id))
          .sort(),
      );
      // The last change to finish reports the store as it now is.
      const last = results.at(-1) as PromiseFulfilledResult<Awaited<ReturnType<typeof ts.remove>>>;
      expect(last.value.entries.length).toBe(after.entries.length);
    }
  });

  it('additions and removals from two service objects on the same file all land', async () => {
    const d = dir();
    const a = new TrustStoreService(d);
    const b = new TrustStoreService(d);
    const full = await a.importStore(trustText);
    const approvers = full.entries.filter((e) => e.kind === 'approver');
    const removed = approvers.slice(0, 2);
    // Each new approver with a key of its own: one key under two ids is refused (spec §4.8).
    const added = ['lin:human:new.one', 'lin:human:new.two', 'lin:human:new.three'];
    await Promise.all([
      ...removed.map((e, i) => (i % 2 ? a : b).remove(e.id)),
      ...added.map((id, i) =>
        (i % 2 ? b : a).import({
          kind: 'approver',
          name: id,
          text: ed25519Pair().pubHex,
          roles: ['agency_ao'],
        }),
      ),
    ]);
    const ids = (await a.view()).entries.map((e) => e.id).sort();
    expect(ids).toEqual(
      [
        ...full.entries.map((e) => e.id).filter((id) => !removed.some((r) => r.id === id)),
        ...added.map((id) => `approver:${id}`),
      ].sort(),
    );
    expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('user-data files', () => {
  it('concurrent atomic writes to one file never collide on a temp name and leave no temp file', async () => {
    const d = dir();
    const f = join(d, 'x.json');
    const texts = Array.from({ length: 40 }, (_, i) => `${JSON.stringify({ i, pad: 'x'.repeat(5000) })}\n`);
    await Promise.all(texts.map((t) => writeFileAtomic(f, t)));
    expect(texts).toContain(readFileSync(f, 'utf8'));
    expect(readdirSync(d)).toEqual(['x.json']);
  });

  it('an exclusive create never replaces an existing file', async () => {
    const d = dir();
    const f = join(d, 'key.json');
    const r = await Promise.all(['a', 'b', 'c', 'd'].map((t) => createFileExclusive(f, t)));
    expect(r.filter(Boolean)).toHaveLength(1);
    expect(['a', 'b', 'c', 'd'][r.indexOf(true)]).toBe(readFileSync(f, 'utf8'));
    expect(await createFileExclusive(f, 'e')).toBe(false);
    expect(readdirSync(d)).toEqual(['key.json']);
  });

  it('remembers every capsule opened at once', async () => {
    const recent = new RecentFiles(dir());
    await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        recent.add({ path: `/c/${i}.zip`, name: `${i}.zip`, size: i, openedAt: 't' }),
      ),
    );
    expect((await recent.list()).map((r) => r.path).sort()).toEqual([
      '/c/1.zip',
      '/c/2.zip',
      '/c/3.zip',
      '/c/4.zip',
      '/c/5.zip',
    ]);
  });
});
