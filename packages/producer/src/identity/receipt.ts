import {
  type Acknowledgement,
  type HandoffReceipt,
  receiptHash,
  receiverPart,
  type SenderPart,
  SIGNING_CONTEXTS,
  type SignatureObject,
} from '@lineage/verifier-core';
import { type Ed25519Key, signObject } from './keys.js';

/**
 * Handoff receipts (spec §4.4): the sender signs what it sent; the receiver
 * countersigns what it received (covering the sender's signature).
 */
export interface SentHandoff extends SenderPart {
  sender_signature: SignatureObject;
}

export function sendHandoff(part: Omit<SenderPart, 'type' | 'version'>, senderKey: Ed25519Key): SentHandoff {
  const unsigned: SenderPart = { type: 'lineage.handoff_receipt', version: 1, ...part };
  return { ...unsigned, sender_signature: signObject(SIGNING_CONTEXTS.handoffSender, unsigned, senderKey) };
}

export function acknowledgeHandoff(
  sent: SentHandoff,
  ack: Acknowledgement,
  receiverKey: Ed25519Key,
): HandoffReceipt {
  const withAck = { ...sent, acknowledgement: ack } as HandoffReceipt;
  return {
    ...withAck,
    receiver_signature: signObject(SIGNING_CONTEXTS.handoffReceiver, receiverPart(withAck), receiverKey),
  };
}

/** A channel that numbers and links receipts for one sender → receiver pair. */
export class HandoffChannel {
  #sequence = 0;
  #prev: string | null = null;
  constructor(
    readonly sender: { agentId: string; key: Ed25519Key },
    readonly receiver: { agentId: string; key: Ed25519Key },
  ) {}

  transfer(o: {
    handoffId: string;
    parentTaskId: string;
    payloadHash: string;
    sentAt: string;
    receivedAt: string;
    receivedPayloadHash?: string;
    decision?: 'accepted' | 'quarantined';
    reason?: string;
  }): HandoffReceipt {
    const sent = sendHandoff(
      {
        handoff_id: o.handoffId,
        parent_task_id: o.parentTaskId,
        sender: this.sender.agentId,
        receiver: this.receiver.agentId,
        payload_hash: o.payloadHash,
        channel_sequence: this.#sequence,
        sent_at: o.sentAt,
        prev_receipt_hash: this.#prev,
      },
      this.sender.key,
    );
    const ack: Acknowledgement = {
      received_at: o.receivedAt,
      payload_hash: o.receivedPayloadHash ?? o.payloadHash,
      decision: o.decision ?? 'accepted',
    };
    if (o.reason) ack.reason = o.reason;
    const r = acknowledgeHandoff(sent, ack, this.receiver.key);
    this.#sequence++;
    this.#prev = receiptHash(r);
    return r;
  }
}
