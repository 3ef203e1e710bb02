// Signed events (spec §4.2): wire format, canonical bytes, ids, leaves, signatures.

export { Fields, isObject, type JsonObject } from './fields.js';
export { eventEntryBytes, eventId, eventLeafHash, unsignedEvent } from './hash.js';
/** How messages shorten ids: 12 hex digits, an actor id keeping its prefix. */
export { short as shortId } from './outcome.js';
export {
  ACTION_PATTERN,
  AGENT_ID_PATTERN,
  CONTROL_PATTERN,
  parseEvent,
  parseEventText,
  parseUnsignedEvent,
} from './parse.js';
export {
  type PreparedEvent,
  parseEventJsonText,
  prepareEvent,
  prepareEventText,
  ReadEvent,
  type ReadEventOptions,
  readEventText,
} from './prepared.js';
export { SignatureQueue } from './signature-queue.js';
export {
  SIGNING_CONTEXTS,
  type SigningContext,
  signingInput,
  verifySignatureObject,
  without,
} from './signing.js';
export { CLOCK_ALLOWANCE_MS, formatTimestamp, parseTimestamp } from './time.js';
export type * from './types.js';
export { verifyEventSignature, verifyEventSignatures } from './verify.js';
