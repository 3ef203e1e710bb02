import type { LineageEvent } from '../events/types.js';
import type { HandoffReceipt } from '../receipts/types.js';
import { type CheckOutcome, type CheckStatus, type CheckSubject, worseStatus } from '../report/model.js';

// Where a capsule's handoff receipts sit among its events (spec §5.5 step 7): the receipt's payload
// against the events that carry it (capsule.receipt_payload), and the handoff edges of the lineage
// graph. Receipts are not logged and name no event, so without this a receipt re-signed to hand
// over the scan results 50 minutes before the scan verified, drawn from the agent's registration.

export interface PlacedReceipt {
  receipt: HandoffReceipt;
  /** Where it is in the capsule ("receipts.jsonl:3"). */
  where: string;
}

export interface Handoff {
  from: string;
  to: string;
  status: CheckStatus;
  receiptId: string;
}

interface Timed {
  id: string;
  t: number;
  event: LineageEvent;
}

const TITLE = 'the receipt does not hand over a payload before the event that produced it';

/** Index of the last item with t ≤ at, or -1 (items sorted by t). */
function lastAtOrBefore(items: readonly Timed[], at: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid]!.t <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Sorted by time, each list once: a receipt is placed by binary search, never by a scan. */
function group(
  events: ReadonlyMap<string, { event: LineageEvent }>,
  key: (e: LineageEvent) => string | null,
) {
  const out = new Map<string, Timed[]>();
  events.forEach(({ event }, id) => {
    const k = key(event);
    if (k === null) return;
    const item = { id, t: Date.parse(event.timestamp), event };
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  });
  for (const list of out.values()) list.sort((a, b) => a.t - b.t);
  return out;
}

/**
 * One capsule.receipt_payload outcome per well-formed receipt, and the graph's handoff edges: from
 * the sender's event that carries the payload (else the sender's last event before sending) to the
 * receiver's first event after it. `allowanceMs` is the receipts' clock skew: the event may be
 * dated that much after the receipt was sent (another agent's clock, for a forwarded payload).
 */
export function placeHandoffs(
  events: ReadonlyMap<string, { event: LineageEvent }>,
  receipts: readonly PlacedReceipt[],
  status: ReadonlyMap<string, CheckStatus>,
  allowanceMs: number,
): { checks: CheckOutcome[]; handoffs: Handoff[] } {
  const checks: CheckOutcome[] = [];
  const handoffs: Handoff[] = [];
  if (receipts.length === 0) return { checks, handoffs };
  const byActor = group(events, (e) => e.actor);
  const byPayload = group(events, (e) => e.payload_hash);
  const bySenderPayload = group(events, (e) =>
    e.payload_hash === null ? null : `${e.actor}\n${e.payload_hash}`,
  );
  for (const { receipt: r, where } of receipts) {
    const sent = Date.parse(r.sent_at);
    const before = checks.length;
    const s: CheckSubject = { kind: 'receipt', id: r.handoff_id, field: '/payload_hash', where };
    const carriers = byPayload.get(r.payload_hash);
    const first = carriers?.[0];
    if (!first) {
      checks.push({
        id: 'capsule.receipt_payload',
        status: 'pass',
        subject: s,
        title: TITLE,
        found: 'no event of the capsule carries this payload: nothing to order it against',
      });
    } else if (first.t > sent + allowanceMs) {
      const label = `${first.event.action} event ${first.id.slice(0, 12)}… by ${first.event.actor}`;
      checks.push({
        id: 'capsule.receipt_payload',
        status: 'fail',
        subject: { ...s, field: '/sent_at' },
        title: TITLE,
        reason: `the receipt hands over the payload of ${label}, signed at ${first.event.timestamp}, but says it was sent at ${r.sent_at}: before that payload existed`,
        expected: `sent_at no earlier than ${first.event.timestamp} (the first event carrying payload ${r.payload_hash})`,
        found: `sent_at ${r.sent_at}`,
      });
    } else {
      checks.push({
        id: 'capsule.receipt_payload',
        status: 'pass',
        subject: s,
        title: TITLE,
        found: `the payload of ${first.event.action} event ${first.id.slice(0, 12)}…, signed at ${first.event.timestamp}; sent at ${r.sent_at}`,
      });
    }
    const own = bySenderPayload.get(`${r.sender}\n${r.payload_hash}`) ?? [];
    // The sender's last carrier sent by then; else its first, if within the skew (the check let it).
    const ownAt = lastAtOrBefore(own, sent);
    const carrier = ownAt >= 0 ? own[ownAt] : own[0] && own[0].t <= sent + allowanceMs ? own[0] : undefined;
    const senders = byActor.get(r.sender) ?? [];
    const from = carrier ?? senders[lastAtOrBefore(senders, sent)];
    const receivers = byActor.get(r.receiver) ?? [];
    const to = receivers[lastAtOrBefore(receivers, sent - 1) + 1];
    if (from && to)
      handoffs.push({
        from: from.id,
        to: to.id,
        status: worseStatus(status.get(r.handoff_id) ?? 'not_checked', checks[before]!.status),
        receiptId: r.handoff_id,
      });
  }
  return { checks, handoffs };
}
