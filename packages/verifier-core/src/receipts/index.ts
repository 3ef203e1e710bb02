// Handoff receipts signed by sender and receiver (spec §4.4).

export { parseReceipt, receiptHash, receiverPart, senderPart } from './parse.js';
export type * from './types.js';
export {
  checkReceipts,
  RECEIPT_MAX_SKEW_MS,
  type ReceiptClockPolicy,
  type ReceiptsReport,
  type ReceiptVerificationOptions,
  verifyReceipts,
} from './verify.js';
