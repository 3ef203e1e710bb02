import { outcome, short } from '../events/outcome.js';
import type { CheckSubject } from '../report/model.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { TrustStore } from '../trust/types.js';
import { type Node, predsOf, subject, TITLES } from './node.js';
import type { ChainWalk } from './structure.js';
import { findTaskBindingFailures, type TaskBindingFailure, taskAncestry } from './task-binding.js';

// Root approvals (spec §4.3): every root the walk reached must be an authentic approval by a
// required role, for this task.

/**
 * What can be judged of the roots before the signatures are known: every rule but
 * authenticity, and the task binding of the roots that pass them (the costly walk), so
 * that only authenticity is left for after the workers finish.
 */
export interface RootJudgement {
  walk: ChainWalk;
  /** Roots in input order, each with the first rule it breaks other than authenticity. */
  roots: { node: Node; why: string | undefined; approver: TrustStore['approvers'][number] | undefined }[];
  /** Task-binding failures assuming every root without a `why` proves authentic. */
  binding: TaskBindingFailure<Node>[];
}

export function judgeRoots(walk: ChainWalk, nodes: Node[], trust: TrustStore): RootJudgement {
  const { required } = walk;
  const roots = [...walk.roots]
    .sort((a, b) => a.index - b.index)
    .map((r) => {
      const e = r.event;
      const approver = e.actor_kind === 'human' ? trust.approvers.find((a) => a.id === e.actor) : undefined;
      let why: string | undefined;
      if (e.action !== 'approval.grant' || !e.approval)
        why = `the root is a ${e.actor_kind} ${e.action} event, not a human approval`;
      else if (e.approval.decision !== 'approve')
        why = `the root approval's decision is "${e.approval.decision}"`;
      else if (!required.includes(e.approval.role))
        why = `the root approval is by role ${e.approval.role}; required: ${required.join(' or ')}`;
      else if (!approver?.roles.includes(e.approval.role))
        why = `the approver does not hold role ${e.approval.role} in the trust store`;
      return { node: r, why, approver };
    });
  const candidates = roots.filter((r) => r.why === undefined).map((r) => r.node);
  return { walk, roots, binding: findTaskBindingFailures(nodes, walk.seen, candidates, predsOf) };
}

/** Each root the walk reached must be an authentic approval by a required role, for this task. */
export function rootApprovals(judged: RootJudgement, nodes: Node[], sink: OutcomeSink): void {
  const { required } = judged.walk;
  const approvedRoots: Node[] = [];
  for (const { node: r, why: rule, approver } of judged.roots) {
    const e = r.event;
    const s: CheckSubject = { ...subject(r), kind: 'chain' };
    const why =
      rule ??
      (r.authentic ? undefined : 'the root approval is not authentic (its signature or key did not verify)');
    sink.push(
      why
        ? outcome('chain.root_approval_role', 'fail', s, TITLES.root, {
            reason: why,
            expected: `approval.grant by ${required.join(' or ')}`,
            found: `${e.action}${e.approval ? ` by ${e.approval.role}` : ''} (${e.actor})`,
          })
        : outcome('chain.root_approval_role', 'pass', s, TITLES.root, {
            found: `${e.approval!.role} ${approver!.name} at ${e.timestamp}`,
          }),
    );
    if (!why) approvedRoots.push(r);
  }
  const candidates = judged.roots.filter((r) => r.why === undefined).length;
  const failures =
    approvedRoots.length === candidates
      ? judged.binding
      : findTaskBindingFailures(nodes, judged.walk.seen, approvedRoots, predsOf);
  // An approval authorizes its own task only: an event reaching an approval given for
  // another task fails here too (roots that already failed are not judged twice).
  for (const f of failures) {
    const task = f.node.event.context.task_id;
    sink.push(
      outcome(
        'chain.root_approval_role',
        'fail',
        { ...subject(f.node), kind: 'chain', field: '/context/task_id' },
        TITLES.root,
        {
          reason: `event ${short(f.node.id)} of task "${task}" walks back to root approval ${short(f.root.id)} of task "${f.root.event.context.task_id}", which approves task "${f.scope}" and the tasks under it, not this one`,
          expected: `task "${f.scope}" or a task under it (parent_task_id)`,
          found: `task ${taskAncestry(task, nodes)}`,
        },
      ),
    );
  }
}
