import type { CryptoBackend } from '../crypto/backend.js';
import { outcome, short } from '../events/outcome.js';
import { SIGNING_CONTEXTS, signingInput, verifySignatureObject } from '../events/signing.js';
import { CLOCK_ALLOWANCE_MS, parseTimestamp } from '../events/time.js';
import type { SignatureObject } from '../events/types.js';
import { type KeyHistories, keyBelongsToAgent, keyStatusAt } from '../identity/key-history.js';
import type { JsonValue } from '../json/index.js';
import { type CheckOutcome, type CheckSubject, type Verdict, verdictOf } from '../report/model.js';
import { errorOutcomeDetail, expectedFoundOf, isLineageError } from '../result.js';
import { OutcomeSink } from '../trust/sink.js';
import { parseReceipt, receiptHash, receiverPart, senderPart } from './parse.js';
import type { HandoffReceipt } from './types.js';

/** How far received_at may precede sent_at by default: the clock skew between two agents (spec §4.4). */
export const RECEIPT_MAX_SKEW_MS = 5_000;

/** Clock policy for receipts (spec §4.4). */
export interface ReceiptClockPolicy {
  /** How far received_at may precede sent_at (clock skew between the two agents). Default 5 s. */
  maxSkewMs?: number;
  /** How far received_at may follow sent_at. Default 24 h. */
  maxDelayMs?: number;
}

export interface ReceiptVerificationOptions extends ReceiptClockPolicy {
  backend?: CryptoBackend;
  /** Key histories from the log, so rotated keys verify and revoked keys fail. */
  keyHistories?: KeyHistories;
  /** Where each receipt is, by position ("receipts.jsonl:3"): its outcomes' `subject.where`. */
  locations?: readonly string[];
  /**
   * The verification time (RFC 3339): a receipt sent or received more than `CLOCK_ALLOWANCE_MS`
   * after it is from the future and fails receipt.clock_skew. Without it, times are not bounded.
   */
  verifiedAt?: string;
}

export interface ReceiptsReport {
  verdict: Verdict;
  checks: CheckOutcome[];
  receipts: Array<{ index: number; handoffId: string; hash: string; channel: string; sequence: number }>;
}

const T = {
  schema: 'receipt is well-formed',
  sender: "sender's signature verifies under the sender's key",
  receiver: "receiver's countersignature verifies under the receiver's key",
  payload: 'the receiver acknowledged the payload hash the sender signed',
  link: 'the receipt links to the previous receipt on its channel',
  sequence: 'channel sequence numbers continue 0, 1, 2, …',
  replay: 'no handoff id or channel sequence is used twice',
  clock: 'receipt times are monotonic and within the clock policy',
};

async function partySignature(
  id: 'receipt.sender_signature' | 'receipt.receiver_signature',
  s: CheckSubject,
  agent: string,
  sig: SignatureObject,
  message: Uint8Array,
  at: string,
  opts: ReceiptVerificationOptions,
): Promise<CheckOutcome> {
  const title = id === 'receipt.sender_signature' ? T.sender : T.receiver;
  const f = id === 'receipt.sender_signature' ? '/sender_signature' : '/receiver_signature';
  if (!keyBelongsToAgent(opts.keyHistories, agent, sig.public_key)) {
    return outcome(id, 'fail', { ...s, field: `${f}/public_key` }, title, {
      reason: `the signing key is not a key of ${agent}: impersonation`,
      expected: `a key of ${short(agent)}`,
      found: sig.public_key,
    });
  }
  if (!(await verifySignatureObject(sig, message, opts.backend))) {
    return outcome(id, 'fail', { ...s, field: `${f}/value` }, title, {
      reason: 'signature does not verify: the receipt was altered after signing',
      expected: `an Ed25519 signature by ${short(sig.public_key)} over the receipt`,
      found: `signature ${short(sig.value)}, which does not verify`,
    });
  }
  // Receipts are not logged: a key that was later revoked cannot be shown to have signed before.
  const st = keyStatusAt(opts.keyHistories, agent, sig.public_key, parseTimestamp(at), at, 'unlogged');
  if (st.status === 'invalid')
    return outcome(id, 'fail', { ...s, field: `${f}/public_key` }, title, {
      reason: st.detail,
      expected: st.expected,
      found: st.found,
    });
  // As for events: a signature is only as good as what shows its key was the agent's then.
  if (st.status === 'unknown')
    return outcome(id, 'not_checked', { ...s, field: `${f}/public_key` }, title, {
      reason: st.detail,
      ...expectedFoundOf(st),
    });
  return outcome(id, 'pass', { ...s, field: f }, title, { found: st.detail });
}

/** Checks receipts, pushing every outcome to the sink (shared with the capsule verifier). */
export async function checkReceipts(
  values: readonly JsonValue[],
  sink: OutcomeSink,
  opts: ReceiptVerificationOptions = {},
): Promise<ReceiptsReport['receipts']> {
  const maxSkew = opts.maxSkewMs ?? RECEIPT_MAX_SKEW_MS;
  const maxDelay = opts.maxDelayMs ?? 86_400_000;
  const notAfter =
    opts.verifiedAt === undefined
      ? undefined
      : parseTimestamp(opts.verifiedAt, 'verifiedAt') + CLOCK_ALLOWANCE_MS;
  const parsed: Array<{ index: number; r: HandoffReceipt; hash: string; s: CheckSubject }> = [];
  if (!Array.isArray(values)) {
    sink.push(
      outcome('receipt.schema', 'fail', { kind: 'receipt', id: 'receipts' }, T.schema, {
        reason: 'receipts must be an array',
      }),
    );
    return [];
  }
  for (const [index, v] of values.entries()) {
    try {
      const r = parseReceipt(v);
      const s: CheckSubject = { kind: 'receipt', id: r.handoff_id };
      const where = opts.locations?.[index];
      if (where !== undefined) s.where = where;
      parsed.push({ index, r, hash: receiptHash(r), s });
      sink.push(outcome('receipt.schema', 'pass', s, T.schema));
    } catch (e) {
      if (!isLineageError(e)) throw e;
      sink.push(
        outcome(
          'receipt.schema',
          'fail',
          {
            kind: 'receipt',
            id: `receipt ${index}`,
            field: e.path ?? '/',
            ...(opts.locations?.[index] !== undefined ? { where: opts.locations[index] } : {}),
          },
          T.schema,
          errorOutcomeDetail(e),
        ),
      );
    }
  }
  for (const { r, s } of parsed) {
    sink.push(
      await partySignature(
        'receipt.sender_signature',
        s,
        r.sender,
        r.sender_signature,
        signingInput(SIGNING_CONTEXTS.handoffSender, senderPart(r)),
        r.sent_at,
        opts,
      ),
    );
    sink.push(
      await partySignature(
        'receipt.receiver_signature',
        s,
        r.receiver,
        r.receiver_signature,
        signingInput(SIGNING_CONTEXTS.handoffReceiver, receiverPart(r)),
        r.acknowledgement.received_at,
        opts,
      ),
    );
    const ack = r.acknowledgement;
    if (ack.payload_hash === r.payload_hash) {
      sink.push(
        outcome(
          'receipt.payload_match',
          'pass',
          { ...s, field: '/acknowledgement/payload_hash' },
          T.payload,
          { found: `${ack.decision}, hashes equal` },
        ),
      );
    } else if (ack.decision === 'quarantined') {
      sink.push(
        outcome(
          'receipt.payload_match',
          'pass',
          { ...s, field: '/acknowledgement/payload_hash' },
          T.payload,
          {
            found: `payload differed and the receiver correctly quarantined it${ack.reason ? ` (${ack.reason})` : ''}`,
          },
        ),
      );
    } else {
      sink.push(
        outcome(
          'receipt.payload_match',
          'fail',
          { ...s, field: '/acknowledgement/payload_hash' },
          T.payload,
          {
            reason: 'the receiver accepted a payload whose hash differs from the one the sender signed',
            expected: r.payload_hash,
            found: ack.payload_hash,
          },
        ),
      );
    }
    const sent = parseTimestamp(r.sent_at);
    const recv = parseTimestamp(ack.received_at);
    if (recv < sent - maxSkew || recv > sent + maxDelay) {
      sink.push(
        outcome('receipt.clock_skew', 'fail', { ...s, field: '/acknowledgement/received_at' }, T.clock, {
          reason:
            recv < sent
              ? `received ${(sent - recv) / 1000} s before it was sent (allowed skew ${maxSkew / 1000} s)`
              : `received ${(recv - sent) / 1000} s after it was sent (allowed ${maxDelay / 1000} s)`,
          expected: `within [sent_at − ${maxSkew / 1000} s, sent_at + ${maxDelay / 1000} s]`,
          found: `sent ${r.sent_at}, received ${ack.received_at}`,
        }),
      );
    }
    // Checked apart from the skew above: a handoff sent and received together in the future passes it.
    const late =
      notAfter === undefined
        ? undefined
        : sent > notAfter
          ? { what: 'sent', field: '/sent_at', at: r.sent_at }
          : recv > notAfter
            ? { what: 'received', field: '/acknowledgement/received_at', at: ack.received_at }
            : undefined;
    if (late)
      sink.push(
        outcome('receipt.clock_skew', 'fail', { ...s, field: late.field }, T.clock, {
          reason: `${late.what} after this verification: a handoff cannot be signed in the future — the agents' clocks or keys were misused, or this machine's clock is behind`,
          expected: `at or before ${opts.verifiedAt} (the verification time, with ${CLOCK_ALLOWANCE_MS / 60_000} minutes for clock differences)`,
          found: late.at,
        }),
      );
  }
  // Replays: a handoff id used twice anywhere — every repeat is a receipt of its own, reported at
  // its own line against the first use (a third copy must not hide behind the second).
  // Where a receipt is, for naming it beside another: its line, or its position in the list given.
  const placeOf = (p: (typeof parsed)[number]) => p.s.where ?? `receipt ${p.index}`;
  const firstUse = new Map<string, (typeof parsed)[number]>();
  let replays = 0;
  for (const p of parsed) {
    const { r, s } = p;
    const seen = firstUse.get(r.handoff_id);
    if (!seen) {
      firstUse.set(r.handoff_id, p);
      continue;
    }
    replays++;
    sink.push(
      outcome('receipt.replay', 'fail', { ...s, field: '/handoff_id' }, T.replay, {
        reason: `handoff id ${r.handoff_id} appears more than once`,
        expected: 'each handoff id used by one receipt',
        found: `${r.handoff_id} again, first used at ${placeOf(seen)}`,
      }),
    );
  }
  // Channels: sequence, hash links, replayed sequence numbers, monotonic sent_at.
  const channels = new Map<string, typeof parsed>();
  for (const p of parsed) {
    const k = `${p.r.sender}→${p.r.receiver}`;
    const list = channels.get(k);
    if (list) list.push(p);
    else channels.set(k, [p]);
  }
  let seqProblems = 0;
  let clockProblems = 0;
  for (const list of channels.values()) {
    const sorted = [...list].sort((a, b) => a.r.channel_sequence - b.r.channel_sequence || a.index - b.index);
    let firstOfSeq: (typeof sorted)[number] | undefined;
    for (const [i, p] of sorted.entries()) {
      const prev = sorted[i - 1];
      const seq = p.r.channel_sequence;
      if (prev && prev.r.channel_sequence === seq && firstOfSeq) {
        replays++;
        sink.push(
          outcome('receipt.replay', 'fail', { ...p.s, field: '/channel_sequence' }, T.replay, {
            reason: `channel sequence ${seq} of ${short(p.r.sender)} → ${short(p.r.receiver)} is used by more than one receipt`,
            expected: 'each channel sequence number used by one receipt',
            found: `sequence ${seq} again (handoff ${p.r.handoff_id}), first used by handoff ${firstOfSeq.r.handoff_id} at ${placeOf(firstOfSeq)}`,
          }),
        );
        continue;
      }
      firstOfSeq = p;
      const expectedSeq = prev ? prev.r.channel_sequence + 1 : 0;
      if (seq !== expectedSeq && (prev || p.r.prev_receipt_hash === null)) {
        seqProblems++;
        sink.push(
          outcome('receipt.sequence', 'fail', { ...p.s, field: '/channel_sequence' }, T.sequence, {
            reason: prev
              ? `channel jumps from ${prev.r.channel_sequence} to ${seq}`
              : 'the first receipt of a channel has sequence 0',
            expected: `${expectedSeq}`,
            found: `${seq}`,
          }),
        );
      }
      if (!prev) {
        if (seq === 0 && p.r.prev_receipt_hash !== null) {
          sink.push(
            outcome('receipt.hash_link', 'fail', { ...p.s, field: '/prev_receipt_hash' }, T.link, {
              reason: 'the first receipt of a channel links to nothing',
              expected: 'null',
              found: p.r.prev_receipt_hash,
            }),
          );
        } else if (seq > 0) {
          sink.push(
            outcome('receipt.hash_link', 'not_checked', { ...p.s, field: '/prev_receipt_hash' }, T.link, {
              reason: `receipt ${seq - 1} of this channel was not supplied`,
            }),
          );
        } else
          sink.push(
            outcome('receipt.hash_link', 'pass', { ...p.s, field: '/prev_receipt_hash' }, T.link, {
              found: 'first receipt of the channel',
            }),
          );
        continue;
      }
      if (p.r.prev_receipt_hash !== prev.hash) {
        sink.push(
          outcome('receipt.hash_link', 'fail', { ...p.s, field: '/prev_receipt_hash' }, T.link, {
            reason: `does not link to receipt ${prev.r.channel_sequence} (${prev.r.handoff_id}) of this channel`,
            expected: prev.hash,
            found: p.r.prev_receipt_hash ?? 'null',
          }),
        );
      } else sink.push(outcome('receipt.hash_link', 'pass', { ...p.s, field: '/prev_receipt_hash' }, T.link));
      if (parseTimestamp(p.r.sent_at) < parseTimestamp(prev.r.sent_at)) {
        clockProblems++;
        sink.push(
          outcome('receipt.clock_skew', 'fail', { ...p.s, field: '/sent_at' }, T.clock, {
            reason: `receipt ${seq} was sent before receipt ${prev.r.channel_sequence} of the same channel`,
            expected: `at or after ${prev.r.sent_at}`,
            found: p.r.sent_at,
          }),
        );
      }
    }
  }
  const failedClock = sink.outcomes.some((o) => o.id === 'receipt.clock_skew');
  if (parsed.length > 0) {
    if (replays === 0)
      sink.push(outcome('receipt.replay', 'pass', { kind: 'receipt', id: 'all receipts' }, T.replay));
    if (seqProblems === 0)
      sink.push(outcome('receipt.sequence', 'pass', { kind: 'receipt', id: 'all receipts' }, T.sequence));
    if (!failedClock && clockProblems === 0)
      sink.push(outcome('receipt.clock_skew', 'pass', { kind: 'receipt', id: 'all receipts' }, T.clock));
  }
  return parsed.map((p) => ({
    index: p.index,
    handoffId: p.r.handoff_id,
    hash: p.hash,
    channel: `${p.r.sender}→${p.r.receiver}`,
    sequence: p.r.channel_sequence,
  }));
}

/** Verifies handoff receipts (spec §4.4) and reports every check. */
export async function verifyReceipts(
  values: readonly JsonValue[],
  opts: ReceiptVerificationOptions = {},
): Promise<ReceiptsReport> {
  const sink = new OutcomeSink();
  const receipts = await checkReceipts(values, sink, opts);
  return { verdict: verdictOf(sink.outcomes), checks: sink.outcomes, receipts };
}
