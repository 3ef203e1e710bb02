/** The fields of one event: who, what, when, controls, artifact, hashes and signature — all as data. */
import { DataText } from './data-text.js';
import type { EventView } from './lineage-types.js';
import { MoreRows, useRowPages } from './more-rows.js';
import { StatusBadge } from './status.js';

export function EventDetails({ event }: { event: EventView }) {
  // An event may cite 40k predecessors (each an edge the verifier checks): drawn a page at a time.
  const preds = useRowPages(event.predecessors?.length ?? 0);
  return (
    <div className="lin-event" data-event={event.id}>
      <div className="lin-event-head">
        <span className={`lin-kind-tag lin-kind-${event.actor_kind}`}>
          {event.actor_kind === 'human' ? 'HUMAN' : 'AGENT'}
        </span>
        <StatusBadge status={event.status} />
      </div>
      <dl className="lin-kv">
        <dt>Event id</dt>
        <dd>
          <DataText value={event.id} wrap />
        </dd>
        <dt>Step</dt>
        <dd>
          <DataText value={event.stepTitle ? `${event.step} — ${event.stepTitle}` : event.step} />
        </dd>
        <dt>Actor</dt>
        <dd>
          {event.actorLabel && (
            <>
              <DataText value={event.actorLabel} />{' '}
            </>
          )}
          <DataText value={event.actor} wrap />
        </dd>
        <dt>Action</dt>
        <dd>
          <DataText value={event.action} wrap />
        </dd>
        <dt>Timestamp</dt>
        <dd>
          <DataText value={event.timestamp} />
        </dd>
        {event.approval && (
          <>
            <dt>Approval</dt>
            <dd>
              <DataText value={`${event.approval.decision} as ${event.approval.role}`} />
              {event.approval.statement && (
                <div>
                  <DataText value={event.approval.statement} wrap />
                </div>
              )}
            </dd>
          </>
        )}
        <dt>Controls</dt>
        <dd>
          {event.controls.length === 0 ? (
            <span className="lin-muted">none</span>
          ) : (
            event.controls.map((c) => (
              <span key={c} className="lin-chip">
                <DataText value={c} max={24} />
              </span>
            ))
          )}
        </dd>
        <dt>Artifact</dt>
        <dd>
          <DataText value={event.artifactPath} wrap />
        </dd>
        <dt>Payload hash</dt>
        <dd>
          <DataText value={event.payloadHash} wrap />
        </dd>
        <dt>Leaf hash</dt>
        <dd>
          <DataText value={event.leafHash} wrap />
        </dd>
        <dt>Signed by key</dt>
        <dd>
          <DataText value={event.signature?.publicKey} wrap />
        </dd>
        <dt>Signature</dt>
        <dd>
          <DataText value={event.signature?.value} wrap />
        </dd>
        {event.predecessors && (
          <>
            <dt>Predecessors</dt>
            <dd>
              {event.predecessors.length === 0 ? (
                <span className="lin-muted">none (root)</span>
              ) : (
                <>
                  {event.predecessors.slice(0, preds.shown).map((p, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: a hostile event may cite one predecessor twice
                    <div key={i}>
                      <DataText value={p} max={70} />
                    </div>
                  ))}
                  <MoreRows
                    shown={preds.shown}
                    total={event.predecessors.length}
                    onMore={preds.more}
                    noun="predecessors"
                  />
                </>
              )}
            </dd>
          </>
        )}
        {event.failedChecks && event.failedChecks.length > 0 && (
          <>
            <dt>Failed checks</dt>
            <dd>
              {event.failedChecks.map((c) => (
                <code key={c} className="lin-check-id lin-failed-id">
                  {c}
                </code>
              ))}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
