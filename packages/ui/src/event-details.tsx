/** The fields of one event: who, what, when, controls, artifact, hashes and signature — all as data. */
import { DataText } from './data-text.js';
import type { EventView } from './lineage-types.js';
import { StatusBadge } from './status.js';

export function EventDetails({ event }: { event: EventView }) {
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
          <DataText value={event.step} />
        </dd>
        <dt>Actor</dt>
        <dd>
          <DataText value={event.actor} wrap />
        </dd>
        <dt>Action</dt>
        <dd>
          <DataText value={event.action} />
        </dd>
        <dt>Timestamp</dt>
        <dd>
          <DataText value={event.timestamp} />
        </dd>
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
        <dt>Signature</dt>
        <dd>
          <DataText value={event.signature} wrap />
        </dd>
      </dl>
    </div>
  );
}
