import serialize from 'canonicalize';
import { sha256Hex } from '../crypto/current.js';
import { utf8Encode } from '../encoding/bytes.js';
import {
  canonicalize,
  type JsonValue,
  type ParsedJsonText,
  parseStrictJsonText,
  type StrictJsonLimits,
} from '../json/index.js';
import { textLeafHashHex } from '../merkle/hash.js';
import { isLineageError } from '../result.js';
import { parseEvent } from './parse.js';
import type { SignatureQueue } from './signature-queue.js';
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
  /** leafHash(JCS(signed event)), hex. */
  leaf: string;
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
  const unsigned = parsed.canonicalWithout('signature');
  return unsigned === undefined ? undefined : fromCanonical(unsigned, parsed.canonicalText!);
}

function fromCanonical(unsigned: string, signed: string): PreparedEvent {
  const signingInput = utf8Encode(PREFIX + unsigned);
  return {
    id: sha256Hex(signingInput.subarray(PREFIX_LENGTH)),
    signingInput,
    leaf: textLeafHashHex(signed),
  };
}

/** Parses an event's JSON text strictly, noting where its signature is for `prepareEventText`. */
export function parseEventJsonText(text: string, limits?: StrictJsonLimits): ParsedJsonText {
  return parseStrictJsonText(text, { member: 'signature', ...(limits ? { limits } : {}) });
}

/**
 * An event line read in one pass — strict JSON, the event schema, the canonical hashes — so a
 * reader streaming a capsule's events keeps only the parsed event, never the generic JSON tree,
 * and can queue its signature for the worker pool at once. A private field brands it: only
 * `readEventText` makes one, so the event, its hashes and its queued signature agree.
 */
export class ReadEvent {
  #signingInput: Uint8Array | undefined;
  #queue: SignatureQueue | undefined;
  #slot = -1;
  private constructor(
    readonly event: LineageEvent,
    /** SHA-256(JCS(unsigned event)), hex. */
    readonly id: string,
    /** leafHash(JCS(signed event)), hex. */
    readonly leaf: string,
    signingInput: Uint8Array,
    queue: SignatureQueue | undefined,
  ) {
    this.#signingInput = signingInput;
    if (queue) {
      this.#queue = queue;
      this.#slot = queue.add(event.signature, signingInput);
      this.#signingInput = undefined; // the queue has it now
    }
  }

  static is(v: unknown): v is ReadEvent {
    return typeof v === 'object' && v !== null && #slot in v;
  }

  /** @see readEventText */
  static fromText(text: string, options: ReadEventOptions = {}): ReadEvent | JsonValue {
    const parsed = parseEventJsonText(text, options.limits);
    try {
      const event = parseEvent(parsed.value);
      const p = prepareEventText(parsed) ?? prepareEvent(event, { parsed: true });
      return new ReadEvent(event, p.id, p.leaf, p.signingInput, options.signatures);
    } catch (e) {
      if (isLineageError(e)) return parsed.value;
      throw e;
    }
  }

  /** The event's slot on `queue`: the one it was queued on when read, else queued now. */
  queueSignature(queue: SignatureQueue): number {
    if (this.#queue === queue) return this.#slot;
    const input = this.#signingInput ?? prepareEvent(this.event, { parsed: true }).signingInput;
    return queue.add(this.event.signature, input);
  }
}

export interface ReadEventOptions {
  limits?: StrictJsonLimits;
  /** Queue the signature here as the event is read (verified while reading goes on). */
  signatures?: SignatureQueue;
}

/**
 * Reads one event's JSON text: throws a StrictJsonError when it is not strict JSON; returns
 * the plain JSON value when it is JSON but not a valid event (the verifier then reports the
 * schema failure in its place), else a ReadEvent.
 */
export function readEventText(text: string, options?: ReadEventOptions): ReadEvent | JsonValue {
  return ReadEvent.fromText(text, options);
}
