import type { LineageEvent } from '../events/types.js';

/**
 * Root-approval task binding (spec §4.3): a human approval authorizes one task, not every
 * chain that cites it. Without this rule an event could walk back to any genuine approval in
 * the log — one given for another system's engagement — and still verify.
 */

export interface BindingNode {
  index: number;
  id: string;
  event: LineageEvent;
}

export interface TaskBindingFailure<N extends BindingNode> {
  /** The event whose task the root approval does not cover. */
  node: N;
  /** The root approval its walk reaches. */
  root: N;
  /** The task the root approval authorizes (see `approvedTask`). */
  scope: string;
}

/**
 * The task a root approval authorizes: its `parent_task_id` when it has one (an approval
 * recorded as a step of an engagement approves that engagement — the FedRAMP sample's AO
 * approval is task `fedramp-ato/0` under `fedramp-ato`), else its own `task_id`.
 */
export function approvedTask(e: LineageEvent): string {
  return e.context.parent_task_id ?? e.context.task_id;
}

/** Child tasks recorded by the supplied events: parent task id → the task ids given under it. */
function childTasks(nodes: readonly BindingNode[]): Map<string, Set<string>> {
  const kids = new Map<string, Set<string>>();
  // Events of one task come in runs: a pair just recorded is skipped without lookups.
  let lastTask: string | undefined;
  let lastParent: string | undefined;
  for (let i = 0; i < nodes.length; i++) {
    const { task_id, parent_task_id } = nodes[i]!.event.context;
    if (parent_task_id === undefined || (task_id === lastTask && parent_task_id === lastParent)) continue;
    lastTask = task_id;
    lastParent = parent_task_id;
    const set = kids.get(parent_task_id);
    if (set) set.add(task_id);
    else kids.set(parent_task_id, new Set([task_id]));
  }
  return kids;
}

/** The task and every task under it, following recorded parent links downwards (cycle-safe). */
function tasksUnder(scope: string, kids: ReadonlyMap<string, ReadonlySet<string>>): Set<string> {
  const out = new Set<string>([scope]);
  const todo = [scope];
  while (todo.length > 0) {
    for (const k of kids.get(todo.pop()!) ?? []) {
      if (!out.has(k)) {
        out.add(k);
        todo.push(k);
      }
    }
  }
  return out;
}

/**
 * Every walked event that builds (directly or transitively) on one of `roots` must carry a
 * task equal to or under the root's approved task, as recorded by the supplied events'
 * `parent_task_id` links. One failure per event (the first root, in input order, that does
 * not cover it), sorted by input position. `predecessorsOf` gives a node's predecessors among
 * `nodes`. Cost: one pass over the walked graph per distinct approved task among `roots`.
 */
export function findTaskBindingFailures<N extends BindingNode>(
  nodes: readonly N[],
  walked: ReadonlySet<N>,
  roots: readonly N[],
  predecessorsOf: (n: N) => readonly N[],
): TaskBindingFailure<N>[] {
  if (roots.length === 0) return [];
  // Indexed by input position (a chain has 100k+ events: arrays, not maps keyed by node).
  let size = 0;
  // Indexed loops and forEach: one-shot passes over every event (see summarize on for…of).
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.index >= size) size = nodes[i]!.index + 1;
  walked.forEach((n) => {
    if (n.index >= size) size = n.index + 1;
  });
  const isWalked = new Uint8Array(size);
  walked.forEach((n) => {
    isWalked[n.index] = 1;
  });
  const builtOn: (N[] | undefined)[] = new Array(size);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (isWalked[n.index] !== 1) continue;
    for (const p of predecessorsOf(n)) {
      if (isWalked[p.index] !== 1) continue;
      const list = builtOn[p.index];
      if (list) list.push(n);
      else builtOn[p.index] = [n];
    }
  }
  const kids = childTasks(nodes);
  const byScope = new Map<string, N[]>();
  for (const r of [...roots].sort((a, b) => a.index - b.index)) {
    const scope = approvedTask(r.event);
    const list = byScope.get(scope);
    if (list) list.push(r);
    else byScope.set(scope, [r]);
  }
  const failed: (TaskBindingFailure<N> | undefined)[] = new Array(size);
  // Marked with the scope's walk number: under one scope an event reached from an earlier root
  // was judged with its whole subtree (the first root wins), so the next root skips it, and a
  // chain with as many roots as events costs one pass per scope, not one per root.
  const reached = new Uint32Array(size);
  let walk = 0;
  for (const [scope, scopeRoots] of byScope) {
    const allowed = tasksUnder(scope, kids);
    walk++;
    for (const root of scopeRoots) {
      if (reached[root.index] === walk) continue;
      reached[root.index] = walk;
      const todo: N[] = [root];
      while (todo.length > 0) {
        const n = todo.pop()!;
        if (failed[n.index] === undefined && !allowed.has(n.event.context.task_id))
          failed[n.index] = { node: n, root, scope };
        for (const k of builtOn[n.index] ?? []) {
          if (reached[k.index] !== walk) {
            reached[k.index] = walk;
            todo.push(k);
          }
        }
      }
    }
  }
  // In input order.
  return failed.filter((f): f is TaskBindingFailure<N> => f !== undefined);
}

/** "t ← parent ← grandparent" as recorded by the supplied events, for messages (bounded). */
export function taskAncestry(task: string, nodes: readonly BindingNode[]): string {
  const parents = new Map<string, string>();
  for (const n of nodes) {
    const { task_id, parent_task_id } = n.event.context;
    if (parent_task_id !== undefined && !parents.has(task_id)) parents.set(task_id, parent_task_id);
  }
  const chain = [task];
  let cur = parents.get(task);
  while (cur !== undefined && !chain.includes(cur) && chain.length < 8) {
    chain.push(cur);
    cur = parents.get(cur);
  }
  return chain.map((t) => `"${t}"`).join(' under ');
}
