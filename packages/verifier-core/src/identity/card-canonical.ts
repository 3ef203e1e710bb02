import { isObject, type JsonObject } from '../events/fields.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { V1_REQUIRED } from './card-shape.js';

/**
 * Card signature payload forms (spec §4.1.4). The A2A spec text keeps REQUIRED
 * fields even when empty; the SDKs drop every empty value. We try each and say
 * which matched.
 */
export type CardPayloadForm = 'sdk' | 'spec' | 'as-is';
export const CARD_PAYLOAD_FORMS: readonly CardPayloadForm[] = ['sdk', 'spec', 'as-is'];

// REQUIRED v1.0 fields by parent path ("" = card, "[]" marks array elements). A Map, not an
// object literal: the path is built from the card's own member names, and a member named
// "toString" or "constructor" must not find Object.prototype's function here.
const REQUIRED_BY_PATH: ReadonlyMap<string, readonly string[]> = new Map([
  ['', V1_REQUIRED],
  ['supportedInterfaces[]', ['url', 'protocolBinding', 'protocolVersion']],
  ['skills[]', ['id', 'name', 'description', 'tags']],
  ['provider', ['url', 'organization']],
]);

function isEmpty(v: JsonValue): boolean {
  return v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

function strip(v: JsonValue, path: string, keepRequired: boolean): JsonValue | undefined {
  if (Array.isArray(v)) {
    const out: JsonValue[] = [];
    for (const x of v) {
      const s = strip(x, `${path}[]`, keepRequired);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
  if (isObject(v)) {
    const out: JsonObject = {};
    const required = keepRequired ? (REQUIRED_BY_PATH.get(path) ?? []) : [];
    for (const [k, x] of Object.entries(v)) {
      const s = strip(x, path ? `${path}.${k}` : k, keepRequired);
      if (s === undefined) continue;
      if (isEmpty(s) && !required.includes(k)) continue;
      // A member named "__proto__" (the strict parser keeps it as one) must stay a member: an
      // assignment would set the copy's prototype, and JCS would then refuse the payload.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: s, enumerable: true, writable: true, configurable: true });
      else out[k] = s;
    }
    return out;
  }
  return v;
}

/** The card without `signatures`, in the given form. */
export function cardPayloadValue(card: JsonObject, form: CardPayloadForm): JsonObject {
  const { signatures: _omit, ...rest } = card;
  if (form === 'as-is') return rest;
  return strip(rest, '', form === 'spec') as JsonObject;
}

export function cardPayloadBytes(card: JsonObject, form: CardPayloadForm): Uint8Array {
  return canonicalBytes(cardPayloadValue(card, form));
}
