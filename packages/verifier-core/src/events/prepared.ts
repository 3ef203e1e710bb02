import serialize from 'canonicalize';
import { sha256 } from '../crypto/current.js';
import { utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import {
  canonicalize,
  type JsonValue,
  type ParsedJsonText,
  parseStrictJsonText,
  type StrictJsonLimits,
} from '../json/index.js';
import { leafHash } from '../merkle/hash.js';
import { SIGNING_CONTEXTS } from './signing.js';
import type { LineageEvent } from './types.js';

/**
 * Everything the verifier derives from an event's canonical form, computed from ONE
 * canonicalization instead of three (id, signing input and leaf each used to re-serialize it).
 * Equal by construction to `eventId`, `signingInput(SIGNING_CONTEXTS.event, …)` and
 * `eventLeafHash` (spec §4.2.2); the tests hold them equal on every vector.
 */
export interface PreparedEvent {
  /** SHA-256(JCS(unsigned event)), hex. */
  id: string;
  /** ASCII("lineage/event/v1") ‖ 0x0A ‖ JCS(unsigned event): the bytes the actor signed. */
  signingInput: Uint8Array;
  /** leafHash(JCS(signed event)). */
  leafHash: Uint8Array;
}

const PREFIX = `${SIGNING_CONTEXTS.event}\n`;
const PREFIX_LENGTH = utf8Encode(PREFIX).length;

/**
 * RFC 8785 serializes an object as its members sorted by key (UTF-16 code units, which
 * is what Array.prototype.sort compares), each `JSON(key):JCS(value)`, joined by commas.
 * So the unsigned and signed forms share every member but `signature`: serialize each
 * member once and join the two lists.
 */
export function prepareEvent(event: LineageEvent, options: { parsed?: boolean } = {}): PreparedEvent {
  const record = event as unknown as Record<string, JsonValue>;
  const keys = Object.keys(record).sort();
  const members: string[] = [];
  let signatureMember: string | undefined;
  let signatureAt = 0;
  // `parsed`: the event is parseEvent's output, which builds every object and array afresh from
  // validated fields (strings, safe integers, null), so json's plain-JSON pre-check cannot find
  // anything; the RFC 8785 serializer still rejects lone surrogates and non-finite numbers itself.
  const jcs = options.parsed ? (v: JsonValue) => serialize(v) ?? canonicalize(v) : canonicalize;
  for (const k of keys) {
    const member = `${JSON.stringify(k)}:${jcs(record[k]!)}`;
    if (k === 'signature') {
      signatureMember = member;
      signatureAt = members.length;
    } else members.push(member);
  }
  const unsigned = `{${members.join(',')}}`;
  if (signatureMember !== undefined) members.splice(signatureAt, 0, signatureMember);
  return fromCanonical(unsigned, `{${members.join(',')}}`);
}

/**
 * The same from an event's text when that text already is its canonical form (as a
 * conforming producer writes it): the signed form is the text and the unsigned form the
 * text without its `signature` member, so nothing is re-serialized. Undefined when the
 * text is not canonical; the caller then uses `prepareEvent` on the parsed event. The text
 * must have been parsed with `member: 'signature'` (see `parseEventJsonText`).
 */
export function prepareEventText(parsed: ParsedJsonText): PreparedEvent | undefined {
  const unsigned = parsed.canonicalWithoutMember();
  return unsigned === undefined ? undefined : fromCanonical(unsigned, parsed.canonicalText!);
}

function fromCanonical(unsigned: string, signed: string): PreparedEvent {
  const signingInput = utf8Encode(PREFIX + unsigned);
  return {
    id: toHex(sha256(signingInput.subarray(PREFIX_LENGTH))),
    signingInput,
    leafHash: leafHash(utf8Encode(signed)),
  };
}

/** Parses an event's JSON text strictly, noting where its signature is for `prepareEventText`. */
export function parseEventJsonText(text: string, limits?: StrictJsonLimits): ParsedJsonText {
  return parseStrictJsonText(text, { member: 'signature', ...(limits ? { limits } : {}) });
}
