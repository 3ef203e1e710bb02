import { describe, expect, it } from 'vitest';
import type { LineageEvent } from '../events/types.js';
import { approvedTask, findTaskBindingFailures, taskAncestry } from './task-binding.js';

// The graph logic alone (signatures, roles and the walk are the engine's; see test/redteam).
const ev = (task_id: string, parent_task_id: string | undefined, predecessors: string[]): LineageEvent =>
  ({
    predecessors,
    context:
      parent_task_id === undefined ? { task_id, controls: [] } : { task_id, parent_task_id, controls: [] },
  }) as unknown as LineageEvent;
const node = (index: number, id: string, event: LineageEvent) => ({ index, id, event });

describe('root task binding', () => {
  it('an approval approves its parent task when it has one, else its own task', () => {
    expect(approvedTask(ev('ato/0', 'ato', []))).toBe('ato');
    expect(approvedTask(ev('ato', undefined, []))).toBe('ato');
  });

  it('judges only events building on the root, through any recorded parent, cycle-safe', () => {
    const root = node(0, 'r', ev('ato/0', 'ato', []));
    const a = node(1, 'a', ev('ato/A', 'ato', ['r']));
    const b = node(2, 'b', ev('deep', 'ato/A', ['a'])); // deep ← ato/A ← ato
    const c = node(3, 'c', ev('x', 'y', ['b'])); // y ↔ x loop, never reaches ato
    const d = node(4, 'd', ev('y', 'x', ['c']));
    const other = node(5, 'o', ev('elsewhere', undefined, [])); // walked, but not built on r
    const nodes = [root, a, b, c, d, other];
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const preds = (n: (typeof nodes)[number]) => n.event.predecessors.map((p) => byId.get(p)!);
    const walked = new Set(nodes);
    const f = findTaskBindingFailures(nodes, walked, [root], preds);
    expect(f.map((x) => [x.node.id, x.root.id, x.scope])).toEqual([
      ['c', 'r', 'ato'],
      ['d', 'r', 'ato'],
    ]);
    expect(taskAncestry('deep', nodes)).toBe('"deep" under "ato/A" under "ato"');
    expect(taskAncestry('x', nodes)).toBe('"x" under "y"');
    // Events outside the walk are not judged; no approved roots, nothing to bind.
    expect(findTaskBindingFailures(nodes, new Set([root, a, b]), [root], preds)).toEqual([]);
    expect(findTaskBindingFailures(nodes, walked, [], preds)).toEqual([]);
  });

  it('stays linear when a hostile chain has as many roots as events: each event judged once, first root wins', () => {
    const n = 20_000;
    const roots = Array.from({ length: n }, (_, i) => node(i, `r${i}`, ev('ato/0', 'ato', [])));
    const chain: ReturnType<typeof node>[] = [];
    for (let i = 0; i < n; i++) {
      const preds = i === 0 ? roots.map((r) => r.id) : [chain[i - 1]!.id];
      chain.push(node(n + i, `e${i}`, ev('elsewhere', undefined, preds)));
    }
    const nodes = [...roots, ...chain];
    const byId = new Map(nodes.map((x) => [x.id, x]));
    const f = findTaskBindingFailures(nodes, new Set(nodes), roots, (x) =>
      x.event.predecessors.map((p) => byId.get(p)!),
    );
    expect(f).toHaveLength(n);
    expect(f.every((x) => x.root === roots[0])).toBe(true);
    expect(f.map((x) => x.node.index)).toEqual(chain.map((x) => x.index));
  });
});
