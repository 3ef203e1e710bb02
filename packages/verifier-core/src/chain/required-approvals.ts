import { outcome, short } from '../events/outcome.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { ApprovalRequirement, TrustStore, WorkflowPolicy } from '../trust/types.js';
import { field, type Node, predsOf, subject } from './node.js';

// Human approvals between steps (spec §4.3, chain.required_approval): the events a policy rule
// selects must build on, transitively, an authentic approval by one of its roles. Run after the
// signature results, since only an authentic approval counts.

const TITLE = 'the human approval the policy requires comes before the event';

/** Does `rule` select this event? */
function selects(rule: ApprovalRequirement, n: Node): boolean {
  const e = n.event;
  return rule.action !== undefined
    ? e.action === rule.action
    : e.action === 'approval.grant' && e.approval?.role === rule.approval_role;
}

export function requiredApprovals(
  nodes: readonly Node[],
  trust: TrustStore,
  policy: WorkflowPolicy,
  sink: OutcomeSink,
): void {
  for (const rule of policy.requires ?? []) {
    const roles = rule.after_approval_by;
    const qualifies = (n: Node): boolean => {
      const a = n.event.approval;
      if (!n.authentic || n.event.action !== 'approval.grant' || !a || a.decision === 'reject') return false;
      if (!roles.includes(a.role)) return false;
      return trust.approvers.find((x) => x.id === n.event.actor)?.roles.includes(a.role) ?? false;
    };
    // The nearest qualifying approval among each node's ancestors, memoized (undefined while a
    // node is on the stack: a cycle, reported by chain.cycle, finds nothing through itself).
    const found = new Map<Node, Node | null | undefined>();
    const before = (start: Node): Node | null => {
      const stack: { n: Node; i: number }[] = [{ n: start, i: 0 }];
      found.set(start, undefined);
      let result: Node | null = null;
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const preds = predsOf(top.n);
        if (top.i < preds.length) {
          const p = preds[top.i++]!;
          if (qualifies(p)) {
            result = p;
          } else if (!found.has(p)) {
            found.set(p, undefined);
            stack.push({ n: p, i: 0 });
            continue;
          } else result = found.get(p) ?? null;
          if (result !== null) {
            // Every node on the stack reaches this approval.
            for (const s of stack) found.set(s.n, result);
            return result;
          }
          continue;
        }
        stack.pop();
        if (found.get(top.n) === undefined) found.set(top.n, null);
      }
      return found.get(start) ?? null;
    };
    for (const n of nodes) {
      if (!selects(rule, n)) continue;
      const what = rule.action ?? `${rule.approval_role} approval`;
      const approval = before(n);
      if (approval) {
        sink.push(
          outcome('chain.required_approval', 'pass', subject(n), TITLE, {
            found: `${what} after ${approval.event.approval!.role} approval ${short(approval.id)} at ${approval.event.timestamp}`,
          }),
        );
        continue;
      }
      const seen = approvalsBefore(n);
      sink.push(
        outcome(
          'chain.required_approval',
          'fail',
          field({ ...subject(n), kind: 'chain' }, '/predecessors'),
          TITLE,
          {
            reason: `${what} by ${n.event.actor} does not build on an authentic approval by ${roles.join(' or ')}: the policy requires one before it`,
            expected: `an authentic approve or conditional approval by ${roles.join(' or ')} among the events it builds on`,
            found:
              seen.length === 0
                ? 'no approval among the events it builds on'
                : `only ${seen.join(', ')} among the events it builds on`,
          },
        ),
      );
    }
  }
}

/** What approvals an event builds on (for a failure's "found"): role, and why one did not count. */
function approvalsBefore(start: Node): string[] {
  const out = new Set<string>();
  const seen = new Set<Node>([start]);
  const stack = [...predsOf(start)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const a = n.event.approval;
    if (n.event.action === 'approval.grant' && a)
      out.add(`${a.role}${a.decision === 'reject' ? ' (rejected)' : n.authentic ? '' : ' (not authentic)'}`);
    stack.push(...predsOf(n));
  }
  return [...out].sort();
}
