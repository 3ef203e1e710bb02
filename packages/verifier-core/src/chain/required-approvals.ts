import { outcome, short } from '../events/outcome.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { ApprovalRequirement, ApproverRole, TrustStore, WorkflowPolicy } from '../trust/types.js';
import { field, type Node, predsOf, subject } from './node.js';

// Human approvals between steps (spec §4.3, chain.required_approval): the events a policy rule
// selects must build on, transitively, an authentic approval by one of its roles. Run after the
// signature results, since only an authentic approval counts.

const TITLE = 'the human approval the policy requires comes before the event';
const NOT_REQUIRED = 'not a required role';

/** Does `rule` select this event? */
function selects(rule: ApprovalRequirement, n: Node): boolean {
  const e = n.event;
  return rule.action !== undefined
    ? e.action === rule.action
    : e.action === 'approval.grant' && e.approval?.role === rule.approval_role;
}

/**
 * Why an approval does not open the gate of `roles`, or undefined when it does; null for an event
 * that is no approval at all.
 */
function whyNot(n: Node, roles: readonly ApproverRole[], trust: TrustStore): string | undefined | null {
  const a = n.event.approval;
  if (n.event.action !== 'approval.grant' || !a) return null;
  if (!roles.includes(a.role)) return NOT_REQUIRED;
  if (a.decision === 'reject') return 'rejected';
  if (!n.authentic) return 'not authentic';
  if (!trust.approvers.find((x) => x.id === n.event.actor)?.roles.includes(a.role))
    return 'its approver is not pinned with that role';
  return undefined;
}

/**
 * Walks each node's ancestors once (memoized over the graph, iterative, cycle-safe): `own` says
 * what a node contributes, `merge` folds a predecessor's result into a node's.
 */
function overAncestors<T>(
  start: Node,
  memo: Map<Node, T>,
  own: (n: Node) => T,
  merge: (into: T, from: T) => T,
  empty: () => T,
): T {
  const stack: { n: Node; i: number; acc: T }[] = [{ n: start, i: 0, acc: empty() }];
  const onStack = new Set<Node>([start]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const preds = predsOf(top.n);
    if (top.i < preds.length) {
      const p = preds[top.i++]!;
      const known = memo.get(p);
      if (known !== undefined) top.acc = merge(top.acc, merge(own(p), known));
      else if (!onStack.has(p)) {
        onStack.add(p);
        stack.push({ n: p, i: 0, acc: empty() });
      }
      continue;
    }
    stack.pop();
    onStack.delete(top.n);
    memo.set(top.n, top.acc);
    const parent = stack[stack.length - 1];
    if (parent) parent.acc = merge(parent.acc, merge(own(top.n), top.acc));
  }
  return memo.get(start)!;
}

/** How many uncovered events a node keeps for its failure message (any one makes it fail). */
const NAMED = 4;

/**
 * For `approval_covers`: per node, the events with a covered action among its ancestors that no
 * approval opening the gate builds on — the work the approval should have come after. Linear in
 * the graph: one walk back from every opening approval, then one memoized walk over ancestors
 * whose sets are capped at NAMED, so a hostile graph cannot make them quadratic.
 */
function uncoveredWork(
  nodes: readonly Node[],
  actions: readonly string[],
  opens: (n: Node) => Node | null,
): (n: Node) => Node[] {
  const covered = new Set<Node>();
  const stack = nodes.filter((n) => opens(n) !== null);
  while (stack.length > 0) {
    for (const p of predsOf(stack.pop()!)) {
      if (covered.has(p)) continue;
      covered.add(p);
      stack.push(p);
    }
  }
  const memo = new Map<Node, Node[]>();
  const own = (n: Node): Node[] => (actions.includes(n.event.action) && !covered.has(n) ? [n] : []);
  const merge = (a: Node[], b: Node[]): Node[] => {
    if (b.length === 0 || a.length >= NAMED) return a;
    const out = [...a];
    for (const x of b) if (out.length < NAMED && !out.includes(x)) out.push(x);
    return out;
  };
  return (n) => overAncestors<Node[]>(n, memo, own, merge, () => []);
}

export function requiredApprovals(
  nodes: readonly Node[],
  trust: TrustStore,
  policy: WorkflowPolicy,
  sink: OutcomeSink,
): void {
  // A failure is about the gated event's predecessors: that is where the missing approval belongs.
  const failed = (n: Node, detail: { reason: string; expected: string; found: string }) =>
    sink.push(
      outcome(
        'chain.required_approval',
        'fail',
        field({ ...subject(n), kind: 'chain' }, '/predecessors'),
        TITLE,
        detail,
      ),
    );
  for (const rule of policy.requires ?? []) {
    const roles = rule.after_approval_by;
    // Per node: an approval among its ancestors that opens the gate, if any.
    const gate = new Map<Node, Node | null>();
    const opens = (n: Node): Node | null => (whyNot(n, roles, trust) === undefined ? n : null);
    // Per node, for failures only: the approvals among its ancestors and why each did not count.
    const seen = new Map<Node, Set<string>>();
    const label = (n: Node): Set<string> => {
      const why = whyNot(n, roles, trust);
      if (why === null) return new Set();
      // Another role needs no note (expected names the roles); one of them that did not count does.
      const note = why && why !== NOT_REQUIRED ? ` (${why})` : '';
      return new Set([`${n.event.approval!.role}${note}`]);
    };
    const uncoveredOf = rule.approval_covers ? uncoveredWork(nodes, rule.approval_covers, opens) : () => [];
    for (const n of nodes) {
      if (!selects(rule, n)) continue;
      const what = rule.action ?? `${rule.approval_role} approval`;
      const approval = overAncestors<Node | null>(
        n,
        gate,
        opens,
        (a, b) => a ?? b,
        () => null,
      );
      const uncovered = approval && rule.approval_covers ? uncoveredOf(n) : undefined;
      if (approval && uncovered && uncovered.length > 0) {
        const r = uncovered[0]!;
        const more = uncovered.length > 1 ? ` (and ${uncovered.length - 1} more such events)` : '';
        failed(n, {
          reason: `${what} by ${n.event.actor} builds on ${r.event.action} event ${short(r.id)}${more}, which no authentic approval by ${roles.join(' or ')} builds on: the approval it builds on came before that work`,
          expected: `an authentic approve or conditional approval by ${roles.join(' or ')}, pinned with that role, that builds on ${r.event.action} event ${r.id}`,
          found: `${approval.event.approval!.role} approval ${short(approval.id)} at ${approval.event.timestamp}, which does not build on it`,
        });
        continue;
      }
      if (approval) {
        sink.push(
          outcome('chain.required_approval', 'pass', subject(n), TITLE, {
            found: `${what} after ${approval.event.approval!.role} approval ${short(approval.id)} at ${approval.event.timestamp}`,
          }),
        );
        continue;
      }
      const found = [
        ...overAncestors<Set<string>>(
          n,
          seen,
          label,
          (a, b) => (b.size === 0 ? a : new Set([...a, ...b])),
          () => new Set(),
        ),
      ].sort();
      failed(n, {
        reason: `${what} by ${n.event.actor} does not build on an authentic approval by ${roles.join(' or ')}: the policy requires one before it`,
        expected: `an authentic approve or conditional approval by ${roles.join(' or ')}, pinned with that role, among the events it builds on`,
        found:
          found.length === 0
            ? 'no approval among the events it builds on'
            : `only ${found.join(', ')} among the events it builds on`,
      });
    }
  }
}
