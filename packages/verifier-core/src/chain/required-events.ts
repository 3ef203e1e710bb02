import { outcome, short } from '../events/outcome.js';
import type { CheckSubject } from '../report/model.js';
import { formatCount } from '../result.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { PresenceRequirement, TrustStore, WorkflowPolicy } from '../trust/types.js';
import { field, type Node, predsOf, subject } from './node.js';

// Events a complete workflow cannot lack (spec §4.3, chain.required_event). The `requires` rules
// only gate events that are there: without this, a package whose SAR and ATO decision were signed
// by the CSP's own staff in their own roles verified, since no rule selects those approvals and
// none asks that a 3PAO's or the agency's exist. Run after the signature results: only an
// authentic event counts.

const TITLE = 'the chain holds every event the policy requires';

/** What a rule asks for, in words: "an approval by agency_ao", "a scan.run event". */
function wanted(rule: PresenceRequirement): string {
  return rule.action !== undefined ? `a ${rule.action} event` : `an approval by ${rule.approval_role}`;
}

/** Why `n` does not meet the rule, or undefined when it does; null when the rule does not select it. */
function whyNot(rule: PresenceRequirement, n: Node, trust: TrustStore): string | undefined | null {
  const e = n.event;
  if (rule.action !== undefined) {
    if (e.action !== rule.action) return null;
  } else if (e.action !== 'approval.grant' || e.approval?.role !== rule.approval_role) return null;
  if (!n.authentic) return 'not authentic';
  // The role an approval claims counts only when the trust store gives its approver that role.
  if (
    rule.approval_role !== undefined &&
    !trust.approvers.find((a) => a.id === e.actor)?.roles.includes(rule.approval_role)
  )
    return 'its approver is not pinned with that role';
  return undefined;
}

/** How many uncovered events a `covers_chain` failure names (it counts the rest). */
const NAMED = 3;

/** Workflow events: identity lifecycle events are not workflow steps (spec §4.3). */
const isWork = (n: Node): boolean => n.event.lifecycle === undefined;

/** Every event `from` reaches by following predecessors, `from` included: one walk, linear. */
function builtOn(from: readonly Node[], self: boolean): Set<Node> {
  const seen = new Set<Node>(self ? from : []);
  const stack = [...from];
  while (stack.length > 0)
    for (const p of predsOf(stack.pop()!))
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
  return seen;
}

/**
 * `covers_chain`: the rule is met only by an event that builds on every other workflow event.
 * Without it a package verified whose ATO decision and SAR were given before a second, worse scan
 * was added beside them, or whose decision belonged to another engagement carried in the same
 * capsule: nothing asked that the decision cover the work the package shows. Only a workflow
 * event no other workflow event builds on can cover all of them, so one walk finds the candidate
 * and one more checks it (a hostile capsule with thousands of candidates stays linear).
 */
function coverage(
  k: number,
  rule: PresenceRequirement,
  candidates: readonly Node[],
  nodes: readonly Node[],
  sink: OutcomeSink,
): void {
  const work = nodes.filter(isWork);
  const below = builtOn(
    work.flatMap((n) => predsOf(n)),
    true,
  );
  const pick = candidates.find((n) => !below.has(n)) ?? candidates[0]!;
  const seen = builtOn([pick], true);
  const missed = work.filter((n) => !seen.has(n));
  const s = field({ ...subject(pick), kind: 'chain' }, '/predecessors');
  if (missed.length === 0) {
    sink.push(
      outcome('chain.required_event', 'pass', s, TITLE, {
        found: `${wanted(rule)}: ${short(pick.id)} by ${pick.event.actor} at ${pick.event.timestamp}, building on all ${formatCount(work.length - 1)} other workflow events`,
      }),
    );
    return;
  }
  const named = missed
    .slice(0, NAMED)
    .map((n) => `${n.event.action} ${short(n.id)} by ${n.event.actor} at ${n.event.timestamp}`);
  if (missed.length > NAMED) named.push(`${formatCount(missed.length - NAMED)} more`);
  sink.push(
    outcome('chain.required_event', 'fail', s, TITLE, {
      reason: `the trust file's policy (must_include[${k}], covers_chain) requires ${wanted(rule)} that builds on every workflow event of the chain; ${short(pick.id)} by ${pick.event.actor} at ${pick.event.timestamp} does not build on ${formatCount(missed.length)} of them: that work was added after the decision, or beside it (another engagement), and the decision does not cover it`,
      expected: `${wanted(rule)} that builds on every other workflow event of the chain (identity lifecycle events apart)`,
      found: `${short(pick.id)}, which does not build on ${named.join('; ')}`,
    }),
  );
}

export function requiredEvents(
  nodes: readonly Node[],
  trust: TrustStore,
  policy: WorkflowPolicy,
  sink: OutcomeSink,
): void {
  const rules = policy.must_include ?? [];
  for (let k = 0; k < rules.length; k++) {
    const rule = rules[k]!;
    const s: CheckSubject = { kind: 'chain', id: 'call chain', field: `/policy/must_include/${k}` };
    // Events the rule selects that do not count, named in the failure (the first few: a hostile
    // capsule may hold thousands).
    const near: string[] = [];
    let nearCount = 0;
    let met: Node | undefined;
    // With covers_chain every event meeting the rule is a candidate to cover the chain.
    const candidates: Node[] = [];
    for (const n of nodes) {
      const why = whyNot(rule, n, trust);
      if (why === undefined) {
        met ??= n;
        candidates.push(n);
        if (!rule.covers_chain) break;
        continue;
      }
      if (why !== null && nearCount++ < 3) near.push(`${short(n.id)} by ${n.event.actor} (${why})`);
    }
    if (nearCount > near.length) near.push(`${formatCount(nearCount - near.length)} more`);
    if (met && rule.covers_chain) {
      coverage(k, rule, candidates, nodes, sink);
      continue;
    }
    if (met) {
      sink.push(
        outcome('chain.required_event', 'pass', s, TITLE, {
          found: `${wanted(rule)}: ${short(met.id)} by ${met.event.actor} at ${met.event.timestamp}`,
        }),
      );
      continue;
    }
    // The approvals that are there say what happened instead (another role signed the step).
    const approvals =
      rule.approval_role === undefined
        ? []
        : [
            ...new Set(
              nodes
                .filter((n) => n.event.action === 'approval.grant' && n.event.approval)
                .map((n) => n.event.approval!.role),
            ),
          ].sort();
    sink.push(
      outcome('chain.required_event', 'fail', s, TITLE, {
        reason: `the trust file's policy (must_include[${k}]) requires ${wanted(rule)} in the chain, and it has none that counts: the workflow is incomplete, or the step was signed by someone else`,
        expected: `${wanted(rule)}, authentic${rule.approval_role !== undefined ? ', by an approver pinned with that role' : ''}`,
        found:
          near.length > 0
            ? near.join('; ')
            : approvals.length > 0
              ? `none; the approvals present are by ${approvals.join(', ')}`
              : 'none',
      }),
    );
  }
}
