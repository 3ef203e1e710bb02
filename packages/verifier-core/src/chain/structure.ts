import { outcome, short } from '../events/outcome.js';
import type { CheckSubject } from '../report/model.js';
import { formatCount, formatCountOf, formatSome } from '../result.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { ApproverRole, WorkflowPolicy } from '../trust/types.js';
import { findCycles } from './graph.js';
import { NO_NODES, type Node, predsOf, subject, TITLES } from './node.js';

// The chain's structure (spec §4.3): predecessors, cycles, linearity, per-actor sequences and
// time order, and the walk back to the roots. None of it depends on signatures. Passes over every
// event are indexed (see summarize on for…of).

export function chainStructure(
  nodes: Node[],
  byId: Map<string, Node>,
  policy: WorkflowPolicy,
  targets: readonly string[] | undefined,
  sink: OutcomeSink,
): ChainWalk | undefined {
  resolvePredecessors(nodes, byId, sink);
  const cycles = findCycles(nodes, predsOf);
  for (const c of cycles) {
    sink.push(
      outcome('chain.cycle', 'fail', { kind: 'chain', id: c[0]!.id, field: '/predecessors' }, TITLES.cycle, {
        reason: `following predecessors returns to the same event after ${formatCountOf(c.length - 1, 'step')}`,
        expected: 'predecessor pointers that end at a root',
        found: c.map((n) => short(n.id)).join(' → '),
      }),
    );
  }
  if (cycles.length === 0) sink.push(outcome('chain.cycle', 'pass', CHAIN_SUBJECT, TITLES.cycle));

  const workflow = nodes.filter((n) => !n.event.lifecycle);
  // Workflow events some workflow event builds on, each with those that do (in input order).
  const children = new Map<Node, Node[]>();
  for (let i = 0; i < workflow.length; i++) {
    const n = workflow[i]!;
    const preds = predsOf(n);
    for (let j = 0; j < preds.length; j++) {
      const p = preds[j]!;
      const kids = children.get(p);
      if (kids) kids.push(n);
      else children.set(p, [n]);
    }
  }
  if (policy.linear) checkLinear(workflow, children, sink);
  checkSequencesAndTimeOrder(nodes, sink);
  // Root approvals: walk back from the targets (default: the workflow events nothing builds on).
  const targetNodes = targets
    ? targets.map((t) => byId.get(t)).filter((n): n is Node => n !== undefined)
    : workflow.filter((n) => !children.has(n));
  return walkToRoots(targetNodes, targets ?? [], byId, policy, sink);
}

const CHAIN_SUBJECT: CheckSubject = Object.freeze({ kind: 'chain', id: 'call chain' });

/** Resolves each node's predecessors to nodes once (every rule follows these); the missing are dangling. */
function resolvePredecessors(
  nodes: readonly Node[],
  byId: ReadonlyMap<string, Node>,
  sink: OutcomeSink,
): void {
  let dangling = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const ids = n.event.predecessors;
    let missing: string[] | undefined;
    let found = 0;
    // Exact-size arrays (pushing from empty reserves 17 slots; there are 100k+ nodes).
    const preds: Node[] = ids.length === 0 ? NO_NODES : new Array<Node>(ids.length);
    for (let j = 0; j < ids.length; j++) {
      const p = ids[j]!;
      const pn = byId.get(p);
      if (pn) preds[found++] = pn;
      else {
        missing ??= [];
        missing.push(p);
      }
    }
    n.preds = missing === undefined ? preds : preds.slice(0, found);
    if (missing !== undefined) {
      dangling++;
      sink.push(
        outcome(
          'chain.predecessor_dangling',
          'fail',
          { ...subject(n), kind: 'chain', field: '/predecessors' },
          TITLES.dangling,
          {
            reason: `${formatCount(missing.length)} of ${formatCountOf(ids.length, 'predecessor')} ${missing.length === 1 ? 'is' : 'are'} not among the ${formatCountOf(nodes.length, 'supplied event')}`,
            expected: `predecessors among the ${formatCountOf(nodes.length, 'supplied event')}`,
            // A few ids: one event may cite 100k missing predecessors (a 6 MB message whole).
            found: formatSome(missing, 8, String),
          },
        ),
      );
    }
  }
  if (dangling === 0)
    sink.push(outcome('chain.predecessor_dangling', 'pass', CHAIN_SUBJECT, TITLES.dangling));
}

/** Forks, when the policy demands a linear workflow: merges and branches both fail. */
function checkLinear(
  workflow: readonly Node[],
  children: ReadonlyMap<Node, Node[]>,
  sink: OutcomeSink,
): void {
  let forks = 0;
  for (const n of workflow) {
    if (n.event.predecessors.length > 1) {
      forks++;
      sink.push(
        outcome('chain.fork', 'fail', { ...subject(n), kind: 'chain', field: '/predecessors' }, TITLES.fork, {
          reason: `event merges ${n.event.predecessors.length} branches; the policy requires a linear workflow`,
          expected: 'at most 1 predecessor',
          found: `${n.event.predecessors.length}`,
        }),
      );
    }
    const kids = children.get(n) ?? [];
    if (kids.length > 1) {
      forks++;
      sink.push(
        outcome('chain.fork', 'fail', { ...subject(n), kind: 'chain' }, TITLES.fork, {
          reason: `${kids.length} events build on this one; the policy requires a linear workflow`,
          found: kids.map((k) => short(k.id)).join(', '),
        }),
      );
    }
  }
  if (forks === 0) sink.push(outcome('chain.fork', 'pass', CHAIN_SUBJECT, TITLES.fork));
}

/** Per-actor sequences (all events an actor signed, lifecycle included) and time order along them and along predecessors. */
function checkSequencesAndTimeOrder(nodes: readonly Node[], sink: OutcomeSink): void {
  const byActor = new Map<string, Node[]>();
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const mine = byActor.get(n.event.actor);
    if (mine) mine.push(n);
    else byActor.set(n.event.actor, [n]);
  }
  let seqProblems = 0;
  let orderProblems = 0;
  for (const [actor, list] of byActor) {
    const sorted = inSequence(list);
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!;
      const cur = sorted[i]!;
      const d = cur.event.sequence - prev.event.sequence;
      if (d !== 1) {
        seqProblems++;
        sink.push(
          outcome(
            'chain.sequence',
            'fail',
            { ...subject(cur), kind: 'chain', field: '/sequence' },
            TITLES.sequence,
            {
              reason:
                d === 0
                  ? `${short(actor)} used sequence ${cur.event.sequence} twice (events ${short(prev.id)} and ${short(cur.id)}): replay or equivocation`
                  : `${short(actor)} jumps from sequence ${prev.event.sequence} to ${cur.event.sequence}: ${formatCountOf(d - 1, 'event')} missing`,
              expected: `${prev.event.sequence + 1}`,
              found: `${cur.event.sequence}`,
            },
          ),
        );
      }
      if (cur.t < prev.t) {
        orderProblems++;
        sink.push(
          outcome(
            'chain.timestamp_order',
            'fail',
            { ...subject(cur), kind: 'chain', field: '/timestamp' },
            TITLES.timeOrder,
            {
              reason: `${short(actor)}'s sequence ${cur.event.sequence} is timestamped before its sequence ${prev.event.sequence}: time runs backwards`,
              expected: `at or after ${prev.event.timestamp}`,
              found: cur.event.timestamp,
            },
          ),
        );
      }
    }
  }
  if (seqProblems === 0) sink.push(outcome('chain.sequence', 'pass', CHAIN_SUBJECT, TITLES.sequence));
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const preds = predsOf(n);
    for (let j = 0; j < preds.length; j++) {
      const pred = preds[j]!;
      if (n.t < pred.t) {
        orderProblems++;
        sink.push(
          outcome(
            'chain.timestamp_order',
            'fail',
            { ...subject(n), kind: 'chain', field: '/timestamp' },
            TITLES.timeOrder,
            {
              reason: `event is timestamped before its predecessor ${short(pred.id)}`,
              expected: `at or after ${pred.event.timestamp}`,
              found: n.event.timestamp,
            },
          ),
        );
      }
    }
  }
  if (orderProblems === 0)
    sink.push(outcome('chain.timestamp_order', 'pass', CHAIN_SUBJECT, TITLES.timeOrder));
}

/** Walks back from the target events to the roots; undefined when there is nothing to walk. */
function walkToRoots(
  targetNodes: readonly Node[],
  targets: readonly string[],
  byId: ReadonlyMap<string, Node>,
  policy: WorkflowPolicy,
  sink: OutcomeSink,
): ChainWalk | undefined {
  const missingTargets = targets.filter((t) => !byId.has(t));
  for (const t of missingTargets) {
    sink.push(
      outcome('chain.root_approval_role', 'fail', { kind: 'chain', id: t }, TITLES.root, {
        reason: 'the target event is not among the supplied events',
        expected: `event ${t} among the ${formatCountOf(byId.size, 'supplied event')}`,
        found: 'no such event',
      }),
    );
  }
  const roots = new Set<Node>();
  const seen = new Set<Node>();
  const todo = [...targetNodes];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.event.predecessors.length === 0) roots.add(n);
    for (const pn of predsOf(n)) todo.push(pn);
  }
  if (targetNodes.length === 0 && missingTargets.length === 0) {
    sink.push(
      outcome('chain.root_approval_role', 'not_checked', CHAIN_SUBJECT, TITLES.root, {
        reason: 'no workflow events to walk',
      }),
    );
    return undefined;
  }
  if (roots.size === 0 && missingTargets.length === 0) {
    sink.push(
      outcome('chain.root_approval_role', 'fail', CHAIN_SUBJECT, TITLES.root, {
        reason: 'no root reached: every walk ends at a dangling predecessor or a cycle',
        expected: 'predecessor chains that end at a human root approval',
        found: 'no root: every chain ends at a dangling predecessor or a cycle',
      }),
    );
  }
  return { roots, seen, required: policy.root_roles ?? ['authorizing_official'] };
}

/** An actor's events by sequence, then input position (already in order, as a producer writes them: no sort). */
function inSequence(list: Node[]): Node[] {
  const before = (a: Node, b: Node) => a.event.sequence - b.event.sequence || a.index - b.index;
  for (let i = 1; i < list.length; i++) if (before(list[i - 1]!, list[i]!) > 0) return [...list].sort(before);
  return list;
}

/** Where the predecessor walk from the targets ended: the roots it reached and what it passed. */
export interface ChainWalk {
  roots: Set<Node>;
  seen: Set<Node>;
  required: readonly ApproverRole[];
}
