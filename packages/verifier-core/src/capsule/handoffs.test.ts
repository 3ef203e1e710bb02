import { describe, expect, it } from 'vitest';
import type { LineageEvent } from '../events/types.js';
import type { HandoffReceipt } from '../receipts/types.js';
import { placeHandoffs } from './handoffs.js';

const T0 = Date.parse('2026-11-02T14:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const A = 'lin:agent:aa';
const B = 'lin:agent:bb';
const P = 'ab'.repeat(32);

// Only the fields placement reads; the rest of an event is checked elsewhere.
function ev(
  actor: string,
  s: number,
  payload: string | null = null,
  action = 'work',
): { event: LineageEvent } {
  return { event: { actor, timestamp: at(s), payload_hash: payload, action } as LineageEvent };
}
function receipt(sentS: number, payload = P, sender = A, receiver = B): HandoffReceipt {
  return {
    handoff_id: `h-${sentS}`,
    sender,
    receiver,
    payload_hash: payload,
    sent_at: at(sentS),
  } as HandoffReceipt;
}
const place = (events: Record<string, { event: LineageEvent }>, rs: HandoffReceipt[]) =>
  placeHandoffs(
    new Map(Object.entries(events)),
    rs.map((receipt, i) => ({ receipt, where: `receipts.jsonl:${i + 1}` })),
    new Map(rs.map((r) => [r.handoff_id, 'pass' as const])),
    5_000,
  );

describe('placeHandoffs', () => {
  it('draws a handoff from the event that produced the payload, not the sender’s latest event', () => {
    const out = place({ made: ev(A, 10, P), later: ev(A, 20), recv: ev(B, 30), early: ev(B, 5) }, [
      receipt(25),
    ]);
    expect(out.handoffs).toEqual([{ from: 'made', to: 'recv', status: 'pass', receiptId: 'h-25' }]);
    expect(out.checks.map((c) => [c.status, c.found])).toEqual([
      ['pass', `the payload of work event made…, signed at ${at(10)}; sent at ${at(25)}`],
    ]);
  });

  it('a receipt sent before the first event carrying its payload fails at /sent_at; within the skew it passes', () => {
    const events = { before: ev(A, 50), made: ev(A, 100, P, 'scan.run'), recv: ev(B, 200) };
    const early = place(events, [receipt(94)]);
    expect(early.checks[0]).toMatchObject({
      id: 'capsule.receipt_payload',
      status: 'fail',
      subject: { kind: 'receipt', id: 'h-94', field: '/sent_at', where: 'receipts.jsonl:1' },
      expected: `sent_at no earlier than ${at(100)} (the first event carrying payload ${P})`,
      found: `sent_at ${at(94)}`,
    });
    expect(early.handoffs[0]?.status).toBe('fail');
    expect(place(events, [receipt(95)]).checks[0]!.status).toBe('pass');
  });

  it('a payload no event carries passes, saying so; the edge falls back to the sender’s last event before sending', () => {
    const out = place({ a1: ev(A, 10), a2: ev(A, 30), b1: ev(B, 20), b2: ev(B, 40) }, [
      receipt(20, 'cd'.repeat(32)),
    ]);
    expect(out.checks[0]).toMatchObject({
      status: 'pass',
      found: 'no event of the capsule carries this payload: nothing to order it against',
    });
    // The receiver's first event at or after sent_at (b1 is at exactly sent_at).
    expect(out.handoffs[0]).toMatchObject({ from: 'a1', to: 'b1' });
  });

  it('no edge when the receiver acts no more after the receipt', () => {
    expect(place({ a: ev(A, 10, P), b: ev(B, 5) }, [receipt(20)]).handoffs).toEqual([]);
  });

  it('many receipts over many events are placed one binary search each (20k × 20k finishes)', () => {
    const events: Record<string, { event: LineageEvent }> = {};
    for (let i = 0; i < 20_000; i++) {
      events[`a${i}`] = ev(A, i, i % 2 === 0 ? P : null);
      events[`b${i}`] = ev(B, i + 0.5);
    }
    const rs = Array.from({ length: 20_000 }, (_, i) => ({ ...receipt(i), handoff_id: `h${i}` }));
    const out = place(events, rs);
    expect(out.handoffs).toHaveLength(20_000);
    expect(out.handoffs[3]).toMatchObject({ from: 'a2', to: 'b3' });
  });
});
