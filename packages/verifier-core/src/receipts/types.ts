/** Handoff receipt wire format (docs/spec/04-identity-and-lineage.md §4.4). */
import type { SignatureObject } from '../events/types.js';

export interface Acknowledgement {
  received_at: string;
  payload_hash: string;
  decision: 'accepted' | 'quarantined';
  reason?: string;
}

export interface SenderPart {
  type: 'lineage.handoff_receipt';
  version: 1;
  handoff_id: string;
  parent_task_id: string;
  sender: string;
  receiver: string;
  payload_hash: string;
  channel_sequence: number;
  sent_at: string;
  prev_receipt_hash: string | null;
}

export interface HandoffReceipt extends SenderPart {
  sender_signature: SignatureObject;
  acknowledgement: Acknowledgement;
  receiver_signature: SignatureObject;
}
