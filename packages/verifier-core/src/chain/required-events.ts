import { outcome, short } from '../events/outcome.js';
import type { CheckSubject } from '../report/model.js';
import { formatCount } from '../result.js';
import type { OutcomeSink } from '../trust/sink.js';
import type { PresenceRequirement, TrustStore, WorkflowPolicy } from '../trust/types.js';
import type { Node } from './node.js';

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
    for (const n of nodes) {
      const why = whyNot(rule, n, trust);
      if (why === undefined) {
        met = n;
        break;
      }
      if (why !== null && nearCount++ < 3) near.push(`${short(n.id)} by ${n.event.actor} (${why})`);
    }
    if (nearCount > near.length) near.push(`${formatCount(nearCount - near.length)} more`);
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
