import { sha256 } from '../crypto/current.js';
import { toHex } from '../encoding/hex.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { leafHash } from '../merkle/hash.js';
import { without } from './signing.js';
import type { LineageEvent, UnsignedEvent } from './types.js';

/**
 * What is hashed and logged (spec §4.2.2): the id is over the unsigned event so it
 * exists before signing; the log leaf is over the whole signed event so the log
 * proves the signature too.
 */
export function unsignedEvent(event: LineageEvent | UnsignedEvent): UnsignedEvent {
  return without(event, 'signature') as unknown as UnsignedEvent;
}

export function eventId(event: LineageEvent | UnsignedEvent): string {
  return toHex(sha256(canonicalBytes(unsignedEvent(event) as unknown as JsonValue)));
}

/** The log entry: JCS of the signed event. */
export function eventEntryBytes(event: LineageEvent): Uint8Array {
  return canonicalBytes(event as unknown as JsonValue);
}

export function eventLeafHash(event: LineageEvent): Uint8Array {
  return leafHash(eventEntryBytes(event));
}
