import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CapsuleStore,
  MAX_CAPSULE_BYTES_IN_MEMORY,
  MAX_CAPSULE_FILE_BYTES,
  OpenRefused,
} from '../src/main/services/capsule-store.js';
import { MAX_RECENT, RecentFiles } from '../src/main/services/recent-files.js';

const now = () => new Date('2026-11-22T04:00:00Z');

describe('opening capsules and recent files', () => {
  const d = mkdtempSync(join(tmpdir(), 'lineage-open-'));
  const cap = join(d, 'acme.zip');
  writeFileSync(cap, new Uint8Array([0x50, 0x4b, 5, 6]));

  it('opens a file by path and remembers it', async () => {
    const recent = new RecentFiles(join(d, 'user'));
    const store = new CapsuleStore(recent, now);
    const o = await store.openPath(cap);
    expect(o).toMatchObject({ name: 'acme.zip', size: 4, path: cap });
    expect(store.get(o.capsuleId).path).toBe(cap);
    expect(await recent.list()).toEqual([
      { path: cap, name: 'acme.zip', size: 4, openedAt: '2026-11-22T04:00:00.000Z' },
    ]);
  });

  it('refuses relative paths, directories and missing files', async () => {
    const store = new CapsuleStore(new RecentFiles(join(d, 'user2')), now);
    await expect(store.openPath('acme.zip')).rejects.toThrow(/absolute/);
    mkdirSync(join(d, 'dir'), { recursive: true });
    await expect(store.openPath(join(d, 'dir'))).rejects.toThrow(/not a regular file/);
    await expect(store.openPath(join(d, 'nope.zip'))).rejects.toThrow(/does not exist/);
    expect(() => store.get('unknown')).toThrow(/no open capsule/);
  });

  it('keeps at most ten recent files, most recent first, without duplicates', async () => {
    const recent = new RecentFiles(join(d, 'user3'));
    for (let i = 0; i < 12; i++)
      await recent.add({ path: `/c/${i}.zip`, name: `${i}.zip`, size: i, openedAt: 't' });
    await recent.add({ path: '/c/5.zip', name: '5.zip', size: 5, openedAt: 't2' });
    const list = await recent.list();
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]!.path).toBe('/c/5.zip');
    expect(list.filter((r) => r.path === '/c/5.zip')).toHaveLength(1);
  });

  it('survives a corrupt recent-files list', async () => {
    const u = join(d, 'user4');
    mkdirSync(u, { recursive: true });
    writeFileSync(join(u, 'recent-files.json'), '{not json');
    expect(await new RecentFiles(u).list()).toEqual([]);
  });

  it('opens a capsule file larger than memory would allow (read positionally), up to the core limit', async () => {
    const store = new CapsuleStore(new RecentFiles(join(d, 'user6')), now);
    // Sparse files: no disk is used.
    const big = join(d, 'big.zip');
    writeFileSync(big, '');
    truncateSync(big, MAX_CAPSULE_BYTES_IN_MEMORY + 1);
    expect((await store.openPath(big)).size).toBe(MAX_CAPSULE_BYTES_IN_MEMORY + 1);
    const huge = join(d, 'huge.zip');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_CAPSULE_FILE_BYTES + 1);
    await expect(store.openPath(huge)).rejects.toThrow(
      `cannot open ${huge}: 8,589,934,593 bytes exceeds the 8,589,934,592-byte capsule limit`,
    );
    // Dropped bytes travel whole: held to the in-memory limit (not allocated here).
    expect(() =>
      store.openBytes('big.zip', { byteLength: MAX_CAPSULE_BYTES_IN_MEMORY + 1 } as Uint8Array),
    ).toThrow(/limit for a dropped capsule; open it from disk instead/);
  });

  it('opens a recent file only by an exact entry of the list, and refuses any other path', async () => {
    const recent = new RecentFiles(join(d, 'user7'));
    const store = new CapsuleStore(recent, now);
    await store.openPath(cap);
    expect((await store.openRecent(cap)).path).toBe(cap);
    for (const p of ['/etc/shadow', '/etc/passwd', `${cap}/`, join(d, 'other.zip'), `${d}/./acme.zip`]) {
      const e = await store.openRecent(p).catch((x: unknown) => x);
      expect(e, p).toBeInstanceOf(OpenRefused);
      expect((e as OpenRefused).code).toBe('open.refused');
      expect((e as Error).message).toBe(
        `refused to open ${p}: it is not in the recent files list; open it with "Open capsule…"`,
      );
    }
    // Nothing refused was probed or remembered.
    expect((await recent.list()).map((r) => r.path)).toEqual([cap]);
  });

  it('opens a dropped file from disk only when it is a capsule file', async () => {
    const recent = new RecentFiles(join(d, 'user8'));
    const store = new CapsuleStore(recent, now);
    expect((await store.openDropped(cap)).name).toBe('acme.zip');
    const e = await store.openDropped('/etc/shadow').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenRefused);
    expect((e as Error).message).toMatch(
      /^refused to open \/etc\/shadow: a dropped capsule is a \.zip or \.capsule file/,
    );
    expect((await recent.list()).map((r) => r.path)).toEqual([cap]);
  });

  it('opens dropped bytes without a path', () => {
    const store = new CapsuleStore(new RecentFiles(join(d, 'user5')), now);
    const o = store.openBytes('../../evil.zip', new Uint8Array(3));
    expect(o.name).toBe('evil.zip');
    expect(o.path).toBeUndefined();
  });
});
