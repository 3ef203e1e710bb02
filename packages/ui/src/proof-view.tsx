/**
 * An event's proof: the audit path from its leaf to the root with each sibling
 * hash and the side it is hashed on (RFC 9162 §2.1.3.2), the STH the root
 * lands in, the log, the proof-server attestation, and which committed
 * attributes were disclosed. All hashes are capsule data.
 */
import { formatCount } from '@lineage/verifier-core';
import { DataText } from './data-text.js';
import type { EventView, SthView } from './lineage-types.js';
import { MoreRows, useRowPages } from './more-rows.js';
import { StatusBadge } from './status.js';

/** Which side each audit-path sibling sits on, following RFC 9162's verification loop. */
export function auditPathSides(index: number, treeSize: number, pathLength: number): ('left' | 'right')[] {
  const sides: ('left' | 'right')[] = [];
  let fn = index;
  let sn = treeSize - 1;
  for (let i = 0; i < pathLength; i++) {
    if (sn === 0) break;
    if (fn % 2 === 1 || fn === sn) {
      sides.push('left');
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sides.push('right');
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  while (sides.length < pathLength) sides.push('right');
  return sides;
}

export function ProofView({ event, sths }: { event: EventView; sths?: readonly SthView[] }) {
  const inc = event.inclusion;
  const sth =
    event.sth ??
    (inc ? sths?.find((s) => s.logId === inc.logId && String(s.size) === String(inc.treeSize)) : undefined);
  const sides = inc ? auditPathSides(inc.index, inc.treeSize, inc.auditPath.length) : [];
  // An event may commit to 40k attributes: the table is drawn a page at a time.
  const commitments = useRowPages(event.commitments.length);
  return (
    <div className="lin-proof">
      <h4>
        Inclusion in the log
        {inc?.proofKind === 'multiproof' && (
          <span className="lin-muted"> (proven in a batch multiproof)</span>
        )}
      </h4>
      {inc ? (
        <>
          <dl className="lin-kv">
            <dt>Log</dt>
            <dd>
              <DataText value={inc.logId} max={64} />
            </dd>
            <dt>Leaf index</dt>
            <dd className="lin-mono">
              {formatCount(inc.index)} of {formatCount(inc.treeSize)}
            </dd>
            <dt>Leaf hash</dt>
            <dd>
              <DataText value={event.leafHash} wrap />
            </dd>
          </dl>
          <ol className="lin-audit-path" aria-label="Audit path, leaf to root">
            <li className="lin-audit-leaf">
              <span className="lin-label">leaf</span> <DataText value={event.leafHash} max={70} />
            </li>
            {inc.auditPath.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: path order is the identity
              <li key={i}>
                <span className="lin-label">
                  level {i + 1} · sibling on the {sides[i]}
                </span>{' '}
                <DataText value={h} max={70} />
              </li>
            ))}
            <li className="lin-audit-root">
              <span className="lin-label">root</span> <DataText value={inc.root} max={70} />
            </li>
          </ol>
        </>
      ) : (
        <p className="lin-muted">No inclusion proof for this event in the capsule.</p>
      )}
      <h4>Signed tree head</h4>
      {sth ? (
        <dl className="lin-kv">
          <dt>Log</dt>
          <dd>
            <DataText value={sth.logId} max={64} />
          </dd>
          <dt>Tree size</dt>
          <dd className="lin-mono">{String(sth.size)}</dd>
          <dt>Root hash</dt>
          <dd>
            <DataText value={sth.rootHex} wrap />
          </dd>
          <dt>Timestamp</dt>
          <dd>
            <DataText value={sth.timestamp} />
          </dd>
          {sth.status && (
            <>
              <dt>Signature</dt>
              <dd>
                <StatusBadge status={sth.status} />
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p className="lin-muted">No signed tree head covers this event.</p>
      )}
      <h4>Proof-server attestation</h4>
      {event.attestation ? (
        <dl className="lin-kv">
          <dt>Proof server</dt>
          <dd>
            <DataText value={event.attestation.server} />
          </dd>
          <dt>Issued at</dt>
          <dd>
            <DataText value={event.attestation.issuedAt} />
          </dd>
          <dt>File</dt>
          <dd>
            <DataText value={event.attestation.file} wrap />
          </dd>
        </dl>
      ) : (
        <p className="lin-muted">No attestation covers this event.</p>
      )}
      <h4>Commitments</h4>
      {event.commitments.length === 0 ? (
        <p className="lin-muted">This event commits to no hidden attributes.</p>
      ) : (
        <table className="lin-table lin-commitments">
          <thead>
            <tr>
              <th>Attribute</th>
              <th>State</th>
              <th>Disclosed value</th>
            </tr>
          </thead>
          <tbody>
            {event.commitments.slice(0, commitments.shown).map((c) => (
              <tr key={c.name} data-disclosed={c.disclosed}>
                <td>
                  <DataText value={c.name} />
                </td>
                <td>
                  {c.disclosed
                    ? 'Disclosed (opening checked)'
                    : c.rejected
                      ? 'Opening supplied, not accepted (see commitment.opening)'
                      : 'Committed, not disclosed'}
                  {c.scheme && <span className="lin-muted"> · {c.scheme}</span>}
                </td>
                <td>
                  {c.disclosed ? (
                    <DataText value={c.value === undefined ? undefined : JSON.stringify(c.value)} wrap />
                  ) : (
                    <span className="lin-muted">hidden</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <MoreRows
        shown={commitments.shown}
        total={event.commitments.length}
        onMore={commitments.more}
        noun="commitments"
      />
    </div>
  );
}
