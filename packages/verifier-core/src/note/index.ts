// Signed notes, checkpoints, tlog-proof containers, RFC 6962 STHs and the Lineage STH.

export * from './checkpoint.js';
export * from './checkpoint-body.js';
export * from './lineage-sth.js';
export * from './rfc6962-sth.js';
export {
  type DigitallySigned,
  encodeDigitallySigned,
  parseDigitallySigned,
  TLS_HASH_INTRINSIC,
  TLS_HASH_SHA256,
  TLS_SIG_ECDSA,
  TLS_SIG_ED25519,
  treeHeadSignatureInput,
} from './rfc6962-tls.js';
export { cosignatureV1Message } from './signature-types.js';
export * from './signed-note.js';
export * from './tlog-proof.js';
export * from './vkey.js';
