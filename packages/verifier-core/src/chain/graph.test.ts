import { describe, expect, it } from 'vitest';
import { findCycles } from './graph.js';

const graph = (edges: Record<string, string[]>) => (id: string) => edges[id] ?? [];

describe('findCycles', () => {
  it('finds none in a DAG with shared ancestors', () => {
    const g = { d: ['b', 'c'], b: ['a'], c: ['a'], a: [] };
    expect(findCycles(Object.keys(g), graph(g))).toEqual([]);
  });

  it('finds a self-loop, a two-cycle and a longer cycle, each as a closed path', () => {
    expect(findCycles(['a'], graph({ a: ['a'] }))).toEqual([['a', 'a']]);
    expect(findCycles(['a', 'b'], graph({ a: ['b'], b: ['a'] }))).toEqual([['a', 'b', 'a']]);
    const c = findCycles(['x', 'a', 'b', 'c'], graph({ x: ['a'], a: ['b'], b: ['c'], c: ['a'] }));
    expect(c).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('walks a 200,000-event line without recursion limits', () => {
    const n = 200_000;
    const ids = Array.from({ length: n }, (_, i) => `e${i}`);
    expect(findCycles(ids, (id) => (id === 'e0' ? [] : [`e${Number(id.slice(1)) - 1}`]))).toEqual([]);
    expect(findCycles(ids, (id) => [`e${(Number(id.slice(1)) + n - 1) % n}`])).toHaveLength(1);
  });
});
