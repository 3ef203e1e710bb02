import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../src/storage/memory.js';
import type { HistoryEntry, OriginCheck } from '../src/storage/types.js';

const entry = (origin: string, at: number): HistoryEntry => ({
  origin,
  at,
  status: 'verified',
  sentence: 's',
  log: null,
  treeSize: null,
});
const result = (origin: string, checkedAt: number): OriginCheck => ({
  origin,
  checkedAt,
  status: 'warning',
  sentence: 's',
  checks: [],
  card: null,
  cardUrl: null,
  cardText: null,
  checkpointText: null,
  proof: null,
});

describe('store bounds (a site cannot grow our storage without limit)', () => {
  it('keeps only the newest N history entries per origin, newest first', async () => {
    const s = new MemoryStore();
    for (let i = 0; i < 30; i++) await s.addHistory(entry('https://a.example', i), 20, 200);
    await s.addHistory(entry('https://b.example', 99), 20, 200);
    const a = await s.history('https://a.example', 100);
    expect(a).toHaveLength(20);
    expect(a[0]?.at).toBe(29);
    expect(a.at(-1)?.at).toBe(10);
    expect(await s.history('https://b.example', 100)).toHaveLength(1);
  });

  it('keeps the history of at most N sites: the site checked longest ago is forgotten first', async () => {
    const s = new MemoryStore();
    for (let i = 0; i < 300; i++) {
      await s.addHistory(entry(`https://${i}.example`, 2 * i), 20, 200);
      await s.addHistory(entry(`https://${i}.example`, 2 * i + 1), 20, 200);
    }
    // Site 0 checked again: it is now the most recent, and site 101 the oldest kept.
    await s.addHistory(entry('https://0.example', 1000), 20, 200);
    expect(new Set(s.entries.map((e) => e.origin)).size).toBe(200);
    expect(s.entries).toHaveLength(399);
    expect(await s.history('https://100.example', 100)).toHaveLength(0);
    expect(await s.history('https://101.example', 100)).toHaveLength(2);
    expect(await s.history('https://0.example', 100)).toHaveLength(1);
  });

  it('evicts the oldest cached results beyond the cap', async () => {
    const s = new MemoryStore();
    for (let i = 0; i < 5; i++) await s.putCached(result(`https://${i}.example`, i), 3);
    expect([...s.cache.keys()].sort()).toEqual([
      'https://2.example',
      'https://3.example',
      'https://4.example',
    ]);
  });
});
