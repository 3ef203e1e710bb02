/**
 * What the renderer is sent of a verification. The main process keeps the whole result (exports
 * and approvals use it); the page gets it whole unless it is too large to cross IPC. Measured on
 * the bench's synthetic capsules: the largest the capsule limits allow (380k events) verifies to
 * 2.66M checks, 1,078 MiB once serialized for IPC, and Electron's IPC serializer fails past
 * 512 MiB (electron/electron#53961), so its report could never reach the screen. Past the limits
 * the page gets every check that did not pass and every failed event first, then the first of
 * the rest, and `shown` says how many of how many.
 */
import type { CheckOutcome } from '@lineage/verifier-core';
import type { CapsuleVerification, ReportView } from '../../shared/contract.js';

export interface ReportViewLimits {
  /** Checks sent at most, by their estimated size (checkBytes): a failed one is ~2.7x a passed one. */
  checkBytes: number;
  /** Events sent at most, with their lineage nodes (~1.5 KiB serialized per event). */
  events: number;
}

/**
 * 200 MiB of checks and ~145 MiB of events: a 100k-event capsule (700k checks) is sent whole, and
 * the 380k-event one, verified or failing every event, stays well under 512 MiB.
 */
export const REPORT_VIEW_LIMITS: ReportViewLimits = { checkBytes: 200 * 2 ** 20, events: 100_000 };

/** About what a check costs serialized for IPC: its text and ~48 bytes of structure. */
export function checkBytes(c: CheckOutcome): number {
  let n = 48;
  for (const s of [c.id, c.title, c.reason, c.expected, c.found]) n += s?.length ?? 0;
  for (const s of [c.subject.kind, c.subject.id, c.subject.field, c.subject.where, c.subject.step])
    n += s?.length ?? 0;
  return n;
}

/** Failures (and not-checked) first, then the rest, each in their original order, within `budget`. */
function firstOf<T>(
  items: readonly T[],
  budget: number,
  cost: (x: T) => number,
  urgent: (x: T) => boolean,
): T[] {
  const out: T[] = [];
  let left = budget;
  for (const pass of [true, false]) {
    for (const x of items) {
      if (urgent(x) !== pass) continue;
      left -= cost(x);
      if (left < 0) return out;
      out.push(x);
    }
  }
  return out;
}

export function reportView(
  v: CapsuleVerification,
  limits: ReportViewLimits = REPORT_VIEW_LIMITS,
): ReportView {
  const totalChecks = v.report.checks.length;
  const totalEvents = v.events.length;
  let bytes = 0;
  for (const c of v.report.checks) bytes += checkBytes(c);
  if (bytes <= limits.checkBytes && totalEvents <= limits.events) return v;
  const checks = firstOf(v.report.checks, limits.checkBytes, checkBytes, (c) => c.status !== 'pass');
  const failedSubjects = new Set(checks.filter((c) => c.status === 'fail').map((c) => c.subject.id));
  const events = firstOf(
    v.events,
    limits.events,
    () => 1,
    (e) => e.status === 'fail' || e.failedChecks.length > 0 || failedSubjects.has(e.id),
  );
  const kept = new Set(events.map((e) => e.id));
  return {
    ...v,
    report: { ...v.report, checks },
    events,
    lineage: {
      nodes: v.lineage.nodes.filter((n) => kept.has(n.id)),
      edges: v.lineage.edges.filter((e) => kept.has(e.from) && kept.has(e.to)),
    },
    shown: { checks: checks.length, totalChecks, events: events.length, totalEvents },
  };
}
