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
function childTasks(nodes: Iterable<BindingNode>): Map<string, Set<string>> {
  const kids = new Map<string, Set<string>>();
  for (const n of nodes) {
    const { task_id, parent_task_id } = n.event.context;
    if (parent_task_id === undefined) continue;
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
  const kids = childTasks(nodes);
  const builtOn = new Map<N, N[]>();
  for (const n of nodes) {
    if (!walked.has(n)) continue;
    for (const p of predecessorsOf(n)) {
      if (!walked.has(p)) continue;
      const list = builtOn.get(p);
      if (list) list.push(n);
      else builtOn.set(p, [n]);
    }
  }
  const byScope = new Map<string, N[]>();
  for (const r of [...roots].sort((a, b) => a.index - b.index)) {
    const scope = approvedTask(r.event);
    const list = byScope.get(scope);
    if (list) list.push(r);
    else byScope.set(scope, [r]);
  }
  const failed = new Map<N, TaskBindingFailure<N>>();
  for (const [scope, scopeRoots] of byScope) {
    const allowed = tasksUnder(scope, kids);
    for (const root of scopeRoots) {
      const reached = new Set<N>([root]);
      const todo: N[] = [root];
      while (todo.length > 0) {
        const n = todo.pop()!;
        if (!failed.has(n) && !allowed.has(n.event.context.task_id)) failed.set(n, { node: n, root, scope });
        for (const k of builtOn.get(n) ?? []) {
          if (!reached.has(k)) {
            reached.add(k);
            todo.push(k);
          }
        }
      }
    }
  }
  return [...failed.values()].sort((a, b) => a.node.index - b.node.index);
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
