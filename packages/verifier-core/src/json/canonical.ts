import serialize from 'canonicalize';
import { utf8Encode } from '../encoding/bytes.js';
import { LineageError } from '../result.js';
import { type JsonValue, jsonPointerToken, parseStrictJson, type StrictJsonLimits } from './strict-parse.js';

/** Deep enough for any document we sign; bounded so a cyclic-looking deep value cannot exhaust the stack. */
const MAX_VALUE_DEPTH = 1000;

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * Checks that `value` is plain JSON before it is serialized: the serializer
 * (like JSON.stringify) would otherwise turn undefined into a dropped member,
 * a Date into a string via toJSON, NaN into an error far from its cause. Every
 * rejection names the JSON pointer of the offending value; `path` is built into
 * a pointer only then.
 */
class PlainJsonCheck {
  private readonly path: (string | number)[] = [];
  private readonly stack = new Set<object>();

  private reject(code: string, message: string): never {
    const pointer = this.path.map(jsonPointerToken).join('');
    throw new LineageError(code, message, pointer);
  }

  check(value: unknown): void {
    switch (typeof value) {
      case 'string':
        if (hasLoneSurrogate(value))
          this.reject('json.lone-surrogate', 'string contains an unpaired surrogate');
        return;
      case 'number':
        if (!Number.isFinite(value))
          this.reject('json.number-range', `${value} cannot be represented in JSON (RFC 8785 §3.2.2.3)`);
        return;
      case 'boolean':
        return;
      case 'object':
        if (value === null) return;
        break;
      default:
        // undefined, function, bigint, symbol
        this.reject('json.not-json', `a ${typeof value} is not a JSON value`);
    }
    if (this.path.length >= MAX_VALUE_DEPTH)
      this.reject('json.depth', `nesting deeper than ${MAX_VALUE_DEPTH} levels`);
    if (this.stack.has(value)) this.reject('json.not-json', 'circular reference');
    const isArray = Array.isArray(value);
    const proto = Object.getPrototypeOf(value);
    if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      this.reject('json.not-json', `a ${name} is not a plain JSON ${isArray ? 'array' : 'object'}`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0)
      this.reject('json.not-json', 'object has symbol keys');
    this.stack.add(value);
    const slot = this.path.push(0) - 1;
    if (isArray) {
      const arr = value as unknown[];
      for (let i = 0; i < arr.length; i++) {
        this.path[slot] = i;
        if (!(i in arr)) this.reject('json.not-json', `array hole at index ${i}`);
        this.check(arr[i]);
      }
    } else {
      for (const key of Object.keys(value)) {
        this.path[slot] = key;
        if (hasLoneSurrogate(key))
          this.reject('json.lone-surrogate', 'member name contains an unpaired surrogate');
        this.check((value as Record<string, unknown>)[key]);
      }
    }
    this.path.pop();
    this.stack.delete(value);
  }
}

/**
 * RFC 8785 (JCS) serialization of a value we built or parsed. Throws a
 * LineageError (code `json.*`, path = JSON pointer) for anything that is not
 * plain JSON: NaN/±Infinity, undefined, functions, bigint, Dates and other class
 * instances, array holes, cycles, lone surrogates.
 */
export function canonicalize(value: JsonValue): string {
  new PlainJsonCheck().check(value);
  // The value is now plain JSON, where the package is exactly RFC 8785:
  // UTF-16 key order, ECMAScript number serialization, minimal escaping.
  const out = serialize(value);
  if (out === undefined) throw new LineageError('json.not-json', 'value has no JSON serialization', '');
  return out;
}

/** The canonical form as the UTF-8 bytes that are hashed and signed. */
export function canonicalBytes(value: JsonValue): Uint8Array {
  return utf8Encode(canonicalize(value));
}

/** Strict I-JSON parse (duplicate keys, lone surrogates, overflow rejected) then RFC 8785 serialization. */
export function canonicalJson(text: string, limits?: StrictJsonLimits): string {
  return canonicalize(parseStrictJson(text, limits));
}
