import {
  buildKeyHistories,
  type HandoffReceipt,
  type JsonValue,
  type ReceiptVerificationOptions,
  receiptHash,
  sha256,
  toHex,
  utf8Encode,
  verifyReceipts,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { registerEvent, revokeEvent } from './event.js';
import { type Ed25519Key, testKey } from './keys.js';
import { acknowledgeHandoff, HandoffChannel, sendHandoff } from './receipt.js';
import { at, testbed } from './testbed.js';

const tb = testbed();
const h = (s: string) => toHex(sha256(utf8Encode(s)));
const A = { agentId: tb.inventory.agentId, key: tb.inventory };
const B = { agentId: tb.scanner.agentId, key: tb.scanner };

function channel(n = 3): HandoffReceipt[] {
  const ch = new HandoffChannel(A, B);
  return Array.from({ length: n }, (_, i) =>
    ch.transfer({
      handoffId: `h-${i}`,
      parentTaskId: 'task-1',
      payloadHash: h(`payload ${i}`),
      sentAt: at(i),
      receivedAt: at(i + 0.01),
    }),
  );
}
// Both agents registered: their key histories are what each signing key is judged against.
const registered = (
  await buildKeyHistories([
    registerEvent(tb.inventory, { timestamp: at(-1), sequence: 0 }),
    registerEvent(tb.scanner, { timestamp: at(-1), sequence: 0 }),
  ])
).histories;
const run = (rs: HandoffReceipt[], opts: ReceiptVerificationOptions = {}) =>
  verifyReceipts(rs as unknown as JsonValue[], { keyHistories: registered, ...opts });

/** A channel's first receipt from A to B, sent with `senderKey`, linking to `prev`. */
function firstReceipt(id: string, prev: string | null, senderKey: Ed25519Key = A.key): HandoffReceipt {
  const sent = sendHandoff(
    {
      handoff_id: id,
      parent_task_id: 't',
      sender: A.agentId,
      receiver: B.agentId,
      payload_hash: h('p'),
      channel_sequence: 0,
      sent_at: at(0),
      prev_receipt_hash: prev,
    },
    senderKey,
  );
  return acknowledgeHandoff(
    sent,
    { received_at: at(0.1), payload_hash: h('p'), decision: 'accepted' },
    B.key,
  );
}
const failed = (r: Awaited<ReturnType<typeof run>>, id: string) =>
  r.checks.filter((c) => c.id === id && c.status === 'fail');

describe('handoff receipts', () => {
  it('a channel of three receipts verifies: both signatures, links, sequence, clock', async () => {
    const r = await run(channel());
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.verdict).toBe('verified');
    expect(r.checks.filter((c) => c.id === 'receipt.hash_link')).toHaveLength(3);
    expect(r.receipts[1]!.hash).toBe(receiptHash(channel()[1]!));
  });

  it('receipt.sender_signature: altering what was sent breaks the sender signature (and the receiver countersignature)', async () => {
    const rs = channel();
    rs[1] = { ...rs[1]!, payload_hash: h('other payload') };
    const r = await run(rs);
    expect(failed(r, 'receipt.sender_signature').map((c) => c.subject.id)).toEqual(['h-1']);
    expect(failed(r, 'receipt.receiver_signature').map((c) => c.subject.id)).toEqual(['h-1']);
  });

  it('receipt.sender_signature: a sender key that is not the sender agent is impersonation', async () => {
    const r = await run([firstReceipt('x', null, testKey('mallory'))]);
    expect(failed(r, 'receipt.sender_signature')[0]!.reason).toContain('impersonation');
  });

  it('receipt.receiver_signature: a changed acknowledgement breaks only the countersignature', async () => {
    const rs = channel(1);
    rs[0] = { ...rs[0]!, acknowledgement: { ...rs[0]!.acknowledgement, decision: 'quarantined' } };
    const r = await run(rs);
    expect(failed(r, 'receipt.receiver_signature')).toHaveLength(1);
    expect(failed(r, 'receipt.sender_signature')).toHaveLength(0);
  });

  it('receipt.payload_match: accepting a different payload fails; quarantining it passes as correctly quarantined', async () => {
    const ch = new HandoffChannel(A, B);
    const bad = ch.transfer({
      handoffId: 'h-0',
      parentTaskId: 't',
      payloadHash: h('sent'),
      receivedPayloadHash: h('received'),
      sentAt: at(0),
      receivedAt: at(0.1),
    });
    const r = await run([bad]);
    expect(failed(r, 'receipt.payload_match')[0]).toMatchObject({
      expected: h('sent'),
      found: h('received'),
    });
    const ch2 = new HandoffChannel(A, B);
    const q = ch2.transfer({
      handoffId: 'h-0',
      parentTaskId: 't',
      payloadHash: h('sent'),
      receivedPayloadHash: h('received'),
      decision: 'quarantined',
      reason: 'hash mismatch',
      sentAt: at(0),
      receivedAt: at(0.1),
    });
    const r2 = await run([q]);
    expect(r2.verdict).toBe('verified');
    expect(r2.checks.find((c) => c.id === 'receipt.payload_match')!.found).toContain('correctly quarantined');
  });

  it('receipt.replay: the same receipt twice, and two receipts with one channel sequence', async () => {
    const rs = channel(2);
    const r = await run([rs[0]!, rs[1]!, rs[1]!, rs[1]!]);
    // Each copy is named at its own place, against the first use — a third copy is not hidden behind
    // the second, and the channel-sequence repeats point at the same first use.
    const byField = (f: string) =>
      failed(r, 'receipt.replay')
        .filter((c) => c.subject.field === f)
        .map((c) => [c.subject.where, c.found]);
    expect(failed(r, 'receipt.replay')[0]!.reason).toContain('h-1 appears more than once');
    expect(byField('/handoff_id')).toEqual([
      [undefined, 'h-1 again, first used at receipt 1'],
      [undefined, 'h-1 again, first used at receipt 1'],
    ]);
    expect(byField('/channel_sequence')).toEqual([
      [undefined, 'sequence 1 again (handoff h-1), first used by handoff h-1 at receipt 1'],
      [undefined, 'sequence 1 again (handoff h-1), first used by handoff h-1 at receipt 1'],
    ]);
    const located = await run([rs[0]!, rs[1]!, rs[1]!, rs[1]!], {
      locations: ['receipts.jsonl:1', 'receipts.jsonl:2', 'receipts.jsonl:3', 'receipts.jsonl:4'],
    });
    expect(
      failed(located, 'receipt.replay').map((c) => [c.subject.where, c.subject.field, c.found?.slice(-19)]),
    ).toEqual([
      ['receipts.jsonl:3', '/handoff_id', 'at receipts.jsonl:2'],
      ['receipts.jsonl:4', '/handoff_id', 'at receipts.jsonl:2'],
      ['receipts.jsonl:3', '/channel_sequence', 'at receipts.jsonl:2'],
      ['receipts.jsonl:4', '/channel_sequence', 'at receipts.jsonl:2'],
    ]);
    const ch = new HandoffChannel(A, B);
    const a = ch.transfer({
      handoffId: 'a',
      parentTaskId: 't',
      payloadHash: h('1'),
      sentAt: at(0),
      receivedAt: at(0.1),
    });
    const ch2 = new HandoffChannel(A, B);
    const b = ch2.transfer({
      handoffId: 'b',
      parentTaskId: 't',
      payloadHash: h('2'),
      sentAt: at(1),
      receivedAt: at(1.1),
    });
    const r2 = await run([a, b]);
    const twice = failed(r2, 'receipt.replay')[0]!;
    expect(twice.reason).toMatch(
      /^channel sequence 0 of lin:agent:[0-9a-f]{12}… → lin:agent:[0-9a-f]{12}… is used by more than one receipt$/,
    );
    expect(twice.expected).toBe('each channel sequence number used by one receipt');
    expect(twice.found).toMatch(/^sequence 0 again \(handoff b\), first used by handoff a at /);
  });

  it('receipt.sequence and receipt.hash_link: a dropped receipt leaves a gap; a wrong link is named', async () => {
    const rs = channel(3);
    const r = await run([rs[0]!, rs[2]!]);
    expect(failed(r, 'receipt.sequence')[0]).toMatchObject({ expected: '1', found: '2' });
    expect(failed(r, 'receipt.hash_link')[0]!.expected).toBe(receiptHash(rs[0]!));
    // A receipt that starts mid-channel cannot be linked: not checked, not passed.
    const r2 = await run([rs[2]!]);
    expect(r2.checks.find((c) => c.id === 'receipt.hash_link')!.status).toBe('not_checked');
    expect(r2.verdict).toBe('incomplete');
  });

  it("receipt.hash_link: a channel's first receipt that links to an earlier one fails (a history cut off)", async () => {
    const prev = h('a receipt before the channel began');
    const r = await run([firstReceipt('first', prev)]);
    // Both parties signed it: only the link is wrong.
    expect(failed(r, 'receipt.sender_signature')).toEqual([]);
    expect(failed(r, 'receipt.hash_link')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: 'first', field: '/prev_receipt_hash' }),
        reason: 'the first receipt of a channel links to nothing',
        expected: 'null',
        found: prev,
      }),
    ]);
  });

  it('receipt.clock_skew: received before sent beyond the skew, too late, or sent times running backwards', async () => {
    const ch = new HandoffChannel(A, B);
    const early = ch.transfer({
      handoffId: 'e',
      parentTaskId: 't',
      payloadHash: h('1'),
      sentAt: at(1),
      receivedAt: at(0.5),
    });
    const r = await run([early]);
    expect(failed(r, 'receipt.clock_skew')[0]!.reason).toContain(
      'received 30 s before it was sent (allowed skew 5 s)',
    );
    const r2 = await run([early], { maxSkewMs: 60_000 });
    expect(failed(r2, 'receipt.clock_skew')).toEqual([]);
    const ch2 = new HandoffChannel(A, B);
    const late = ch2.transfer({
      handoffId: 'l',
      parentTaskId: 't',
      payloadHash: h('1'),
      sentAt: at(0),
      receivedAt: at(60 * 25),
    });
    expect(failed(await run([late]), 'receipt.clock_skew')).toHaveLength(1);
    const ch3 = new HandoffChannel(A, B);
    const x = ch3.transfer({
      handoffId: 'x',
      parentTaskId: 't',
      payloadHash: h('1'),
      sentAt: at(5),
      receivedAt: at(5.1),
    });
    const y = ch3.transfer({
      handoffId: 'y',
      parentTaskId: 't',
      payloadHash: h('2'),
      sentAt: at(4),
      receivedAt: at(5.2),
    });
    expect(failed(await run([x, y]), 'receipt.clock_skew')[0]!.reason).toContain('sent before receipt 0');
  });

  it('receipt.clock_skew: a handoff sent or received more than ten minutes after the verification is from the future', async () => {
    const [r0] = channel(1);
    // Sent at(0), received at(0.01): verified 11 minutes before, the sending is in the future.
    const early = failed(await run([r0!], { verifiedAt: at(-11) }), 'receipt.clock_skew');
    expect(early).toHaveLength(1);
    expect(early[0]!.subject.field).toBe('/sent_at');
    expect(early[0]!.reason).toMatch(/^sent after this verification/);
    expect(early[0]!.expected).toBe(
      `at or before ${at(-11)} (the verification time, with 10 minutes for clock differences)`,
    );
    expect(early[0]!.found).toBe(at(0));
    // Sent within the allowance, received after it: the receipt is named at its acknowledgement.
    const late = failed(await run([r0!], { verifiedAt: at(-9.995) }), 'receipt.clock_skew');
    expect(late.map((c) => c.subject.field)).toEqual(['/acknowledgement/received_at']);
    expect(failed(await run([r0!], { verifiedAt: at(-9) }), 'receipt.clock_skew')).toEqual([]);
    expect(failed(await run([r0!]), 'receipt.clock_skew')).toEqual([]);
  });

  it('receipt.schema: malformed receipts name the field', async () => {
    const rs = channel(1);
    const r = await verifyReceipts([{ ...rs[0]!, channel_sequence: -1 } as unknown as JsonValue]);
    const f = failed(r as never, 'receipt.schema')[0]!;
    expect(f.subject.field).toBe('/channel_sequence');
    // The field is in the subject; the reason, expected and found say what is wrong with it.
    expect(f).toMatchObject({
      reason: 'expected a non-negative integer, found number -1',
      expected: 'a non-negative integer',
      found: 'number -1',
    });
  });
  it('receipt.schema: receipts that are not an array (untyped JSON) fail, and nothing verifies', async () => {
    const r = await verifyReceipts({ receipts: channel(1) } as unknown as JsonValue[]);
    expect(r.verdict).toBe('failed');
    expect(r.checks).toEqual([
      expect.objectContaining({
        id: 'receipt.schema',
        status: 'fail',
        subject: { kind: 'receipt', id: 'receipts' },
        reason: 'receipts must be an array',
      }),
    ]);
    expect(r.receipts).toEqual([]);
  });
  it("a party with no key history is not_checked: nothing shows the key was the agent's then", async () => {
    const r = await verifyReceipts(channel(1) as unknown as JsonValue[]);
    expect(r.verdict).toBe('incomplete');
    const c = r.checks.filter((x) => x.status === 'not_checked').map((x) => [x.id, x.subject.field]);
    expect(c).toEqual([
      ['receipt.sender_signature', '/sender_signature/public_key'],
      ['receipt.receiver_signature', '/receiver_signature/public_key'],
    ]);
  });

  it("a handoff to oneself, or countersigned with the sender's key, is not a receipt", async () => {
    const self = new HandoffChannel(A, A).transfer({
      handoffId: 'h-self',
      parentTaskId: 'task-1',
      payloadHash: h('p'),
      sentAt: at(0),
      receivedAt: at(0.01),
    });
    const r = await run([self]);
    expect(r.checks[0]).toMatchObject({
      id: 'receipt.schema',
      status: 'fail',
      subject: { field: '/receiver' },
      expected: `an agent other than the sender ${A.agentId}`,
      found: A.agentId,
    });
    // Another agent id as receiver, but the sender's key on the countersignature.
    const twin = new HandoffChannel(A, { agentId: B.agentId, key: A.key }).transfer({
      handoffId: 'h-twin',
      parentTaskId: 'task-1',
      payloadHash: h('p'),
      sentAt: at(0),
      receivedAt: at(0.01),
    });
    const t = await run([twin]);
    expect(t.checks[0]).toMatchObject({
      id: 'receipt.schema',
      status: 'fail',
      subject: { field: '/receiver_signature/public_key' },
      found: A.key.publicKeyHex,
    });
  });

  it('a receipt signed with a key later revoked cannot be shown to predate the revocation: not_checked; after it, fail', async () => {
    const revoked = (
      await buildKeyHistories(
        [
          registerEvent(tb.inventory, { timestamp: at(-1), sequence: 0 }),
          registerEvent(tb.scanner, { timestamp: at(-1), sequence: 0 }),
          revokeEvent(
            tb.inventory.agentId,
            tb.inventory,
            'key leaked',
            { timestamp: at(10), sequence: 0 },
            tb.so,
          ),
        ],
        { trust: tb.trust() },
      )
    ).histories;
    const send = (minute: number) =>
      new HandoffChannel(A, B).transfer({
        handoffId: `h-${minute}`,
        parentTaskId: 'task-1',
        payloadHash: h('p'),
        sentAt: at(minute),
        receivedAt: at(minute + 0.01),
      });
    const before = await run([send(5)], { keyHistories: revoked });
    const sender = before.checks.find((c) => c.id === 'receipt.sender_signature')!;
    expect(sender.status).toBe('not_checked');
    expect(sender.reason).toMatch(
      /revoked at 2026-11-20T14:10:00.000Z; this is dated 2026-11-20T14:05:00.000Z, but it is not logged/,
    );
    const after = await run([send(20)], { keyHistories: revoked });
    expect(after.checks.find((c) => c.id === 'receipt.sender_signature')).toMatchObject({
      status: 'fail',
      reason:
        'key was revoked at 2026-11-20T14:10:00.000Z, before the signature dated 2026-11-20T14:20:00.000Z',
    });
  });
});
