import { type CheckOutcome, type CheckStatus, type CheckSubject, worseStatus } from '../report/model.js';
import type { EngineOutput } from './engine.js';
import type { CapsuleManifest } from './manifest.js';
import type { EventDetail, LineageGraph, SthSummary } from './types.js';

// The report's per-event details and its lineage graph, from the outcomes and the engine's events.

export function assembleDetails(
  checks: CheckOutcome[],
  manifest: CapsuleManifest | undefined,
  engine: EngineOutput | undefined,
  artifactOf: Map<string, string>,
): { lineage: () => LineageGraph; events: EventDetail[]; sths: SthSummary[] } {
  if (!manifest || !engine) return { lineage: () => ({ nodes: [], edges: [] }), events: [], sths: [] };
  // One pass over the outcomes folds each event's worst status and failed ids: a capsule of
  // 100k events has ~700k outcomes, so no per-event lists of outcomes are kept.
  // Events whose checks all passed share one record; a failing or unchecked one gets its own.
  const allPassed: { status: CheckStatus; failed: string[] } = Object.freeze({
    status: 'pass',
    failed: Object.freeze([]) as unknown as string[],
  });
  const byEvent = new Map<string, { status: CheckStatus; failed: string[] }>();
  // An event's outcomes share one subject object and come in a row: a passing outcome whose
  // subject was just seen changes nothing.
  let seen: CheckSubject | undefined;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    // Chain checks about one event (dangling predecessor, sequence, policy) name it by id too.
    if (c.status === 'pass' && c.subject === seen) continue;
    const id = c.subject.id;
    if (!engine.events.has(id)) continue;
    seen = c.subject;
    let own = byEvent.get(id);
    if (c.status === 'pass') {
      if (own === undefined) byEvent.set(id, allPassed);
      continue;
    }
    if (own === undefined || own === allPassed) {
      own = { status: 'pass', failed: [] };
      byEvent.set(id, own);
    }
    if (c.status === 'fail') {
      own.status = 'fail';
      own.failed.push(c.id);
    } else if (c.status === 'not_checked' && own.status === 'pass') own.status = 'not_checked';
  }
  const stepOf = new Map<string, { id: string; title: string }>();
  for (const s of manifest.workflow.steps) for (const id of s.events) stepOf.set(id, s);
  const events: EventDetail[] = [];
  engine.events.forEach((info, id) => {
    const own = byEvent.get(id);
    const e = info.event;
    const step = stepOf.get(id);
    // An event no check spoke about was not checked.
    const status = own === undefined ? 'not_checked' : own.status;
    // Optional members are assigned, not spread: this runs once per event (100k+).
    const d: EventDetail = {
      id,
      step: step?.id ?? '',
      stepTitle: step?.title ?? '',
      actor: e.actor,
      actorLabel: engine.actorLabel(e.actor),
      actor_kind: e.actor_kind,
      action: e.action,
      timestamp: e.timestamp,
      sequence: e.sequence,
      controls: e.context.controls,
      payloadHash: e.payload_hash,
      signature: { publicKey: e.signature.public_key, value: e.signature.value },
      leafHash: info.leafHash,
      commitments:
        e.commitments.length === 0
          ? []
          : e.commitments.map((c) => {
              const opened = engine.openings.get(`${id}/${c.name}`);
              return {
                name: c.name,
                scheme: c.scheme,
                disclosed: opened !== undefined,
                ...(opened !== undefined ? { value: opened } : {}),
                ...(opened === undefined && engine.rejectedOpenings.has(`${id}/${c.name}`)
                  ? { rejected: true as const }
                  : {}),
              };
            }),
      predecessors: e.predecessors,
      status,
      failedChecks: own === undefined || own === allPassed ? [] : own.failed,
    };
    const artifact = artifactOf.get(id);
    if (artifact !== undefined) d.artifactPath = artifact;
    if (info.inclusion) d.inclusion = info.inclusion;
    if (info.sth) d.sth = info.sth;
    if (info.attestation) d.attestation = info.attestation;
    if (e.approval) d.approval = { ...e.approval };
    events.push(d);
  });
  const handoffs = engine.handoffs;
  return { lineage: () => lineageGraph(events, handoffs), events, sths: engine.sths };
}

/** "2a · Raj Patel (Compliance Officer)"; an agent already named for its step ("A2 Evidence Harvester") is not prefixed twice. */
function nodeLabel(step: string, actorLabel: string): string {
  if (!step || actorLabel === step || actorLabel.startsWith(`${step} `)) return actorLabel || step;
  return `${step} · ${actorLabel}`;
}

/** The lineage graph: one node per event, predecessor edges, then handoff edges. */
function lineageGraph(events: readonly EventDetail[], handoffs: EngineOutput['handoffs']): LineageGraph {
  const statusOf = new Map<string, CheckStatus>();
  for (const e of events) statusOf.set(e.id, e.status);
  const lineage: LineageGraph = {
    nodes: events.map((e) => ({
      id: e.id,
      kind: e.actor_kind,
      label: nodeLabel(e.step, e.actorLabel),
      actor: e.actor,
      action: e.action,
      step: e.step,
      status: e.status,
    })),
    edges: [],
  };
  for (const e of events) {
    for (const p of e.predecessors) {
      lineage.edges.push({
        from: p,
        to: e.id,
        kind: 'predecessor',
        status: worseStatus(statusOf.get(p) ?? 'fail', e.status),
      });
    }
  }
  for (const h of handoffs) lineage.edges.push({ ...h, kind: 'handoff' });
  return lineage;
}
