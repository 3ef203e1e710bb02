import { sha256 } from '../crypto/current.js';
import { toHex } from '../encoding/hex.js';
import { Fields, ID_TEXT, ID_TEXT_WHAT } from '../events/fields.js';
import { AGENT_ID_PATTERN } from '../events/parse.js';
import { readSignatureObject, without } from '../events/signing.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { LineageError } from '../result.js';
import type { HandoffReceipt, SenderPart } from './types.js';

/** Handoff receipt parser and hashes (spec §4.4). Failures are LineageError code "receipt.schema". */
const CODE = 'receipt.schema';

export function parseReceipt(value: JsonValue, path = ''): HandoffReceipt {
  const f = Fields.of(value, path, CODE).closed([
    'type',
    'version',
    'handoff_id',
    'parent_task_id',
    'sender',
    'receiver',
    'payload_hash',
    'channel_sequence',
    'sent_at',
    'prev_receipt_hash',
    'sender_signature',
    'acknowledgement',
    'receiver_signature',
  ]);
  const agent = 'an agent id "lin:agent:<64 hex>"';
  const r: SenderPart = {
    type: f.literal('type', ['lineage.handoff_receipt'] as const),
    version: f.literal('version', [1] as const),
    handoff_id: f.str('handoff_id', ID_TEXT, ID_TEXT_WHAT),
    parent_task_id: f.str('parent_task_id', ID_TEXT, ID_TEXT_WHAT),
    sender: f.str('sender', AGENT_ID_PATTERN, agent),
    receiver: f.str('receiver', AGENT_ID_PATTERN, agent),
    payload_hash: f.hex('payload_hash', 32),
    channel_sequence: f.uint('channel_sequence'),
    sent_at: f.time('sent_at'),
    prev_receipt_hash: f.hexOrNull('prev_receipt_hash', 32),
  };
  const a = f.obj_('acknowledgement').closed(['received_at', 'payload_hash', 'decision', 'reason']);
  const ack: HandoffReceipt['acknowledgement'] = {
    received_at: a.time('received_at'),
    payload_hash: a.hex('payload_hash', 32),
    decision: a.literal('decision', ['accepted', 'quarantined'] as const),
  };
  const reason = a.optStr('reason');
  if (reason !== undefined) ack.reason = reason;
  // A handoff is between two parties: a receipt an agent countersigns for itself proves nothing.
  if (r.receiver === r.sender)
    throw new LineageError(CODE, 'a handoff to oneself: the receiver is the sender', `${path}/receiver`, {
      expected: `an agent other than the sender ${r.sender}`,
      found: r.receiver,
    });
  const sender_signature = readSignatureObject(f.obj_('sender_signature'));
  const receiver_signature = readSignatureObject(f.obj_('receiver_signature'));
  if (receiver_signature.public_key === sender_signature.public_key)
    throw new LineageError(
      CODE,
      "the receiver countersigned with the sender's key",
      `${path}/receiver_signature/public_key`,
      {
        expected: `a key other than the sender's ${sender_signature.public_key}`,
        found: receiver_signature.public_key,
      },
    );
  return { ...r, sender_signature, acknowledgement: ack, receiver_signature };
}

/** What the sender signs: the receipt without the signatures and the acknowledgement. */
export function senderPart(r: HandoffReceipt | SenderPart): SenderPart {
  return without(r, 'sender_signature', 'acknowledgement', 'receiver_signature') as unknown as SenderPart;
}

/** What the receiver signs: everything but its own signature (it countersigns the sender's). */
export function receiverPart(r: HandoffReceipt): Omit<HandoffReceipt, 'receiver_signature'> {
  return without(r, 'receiver_signature') as unknown as Omit<HandoffReceipt, 'receiver_signature'>;
}

/** receipt_hash = hex(SHA-256(JCS(full receipt))), carried by the next receipt on the channel. */
export function receiptHash(r: HandoffReceipt): string {
  return toHex(sha256(canonicalBytes(r as unknown as JsonValue)));
}
