/**
 * Puts every failure on the node it is about. The verifier reports checks per
 * subject; a failed check naming an event (a dangling predecessor, a bad
 * timestamp order) must show on that event's node even when the event's own
 * signature and inclusion are fine.
 */
import type { CheckOutcome } from '@lineage/verifier-core';
import type { CapsuleVerification, LineageGraph } from './contract.js';

export function checksAbout(v: CapsuleVerification, id: string): CheckOutcome[] {
  return v.report.checks.filter((c) => c.subject.id === id);
}

export function graphWithCheckStatus(v: CapsuleVerification): LineageGraph {
  const failed = new Set(v.report.checks.filter((c) => c.status === 'fail').map((c) => c.subject.id));
  const failedEvents = new Set(
    v.events.filter((e) => e.status === 'fail' || e.failedChecks.length > 0).map((e) => e.id),
  );
  return {
    nodes: v.lineage.nodes.map((n) =>
      failed.has(n.id) || failedEvents.has(n.id) ? { ...n, status: 'fail' } : n,
    ),
    edges: v.lineage.edges.map((e) =>
      e.receiptId && failed.has(e.receiptId) ? { ...e, status: 'fail' } : e,
    ),
  };
}
