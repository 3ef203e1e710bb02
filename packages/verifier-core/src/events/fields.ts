import type { JsonValue } from '../json/index.js';
import { LineageError } from '../result.js';
import { parseTimestamp } from './time.js';

/**
 * Typed field access for closed wire objects. Every accessor throws a LineageError
 * whose path is the JSON pointer of the offending field, so a schema failure says
 * exactly which field was wrong and what was found.
 */
export type JsonObject = { [key: string]: JsonValue };

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How a found value is named in messages ("the string …", "number 3", "nothing (field absent)"). */
export function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing (field absent)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 50 ? `${v.slice(0, 50)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

const HEX_LOWER = /^[0-9a-f]*$/;

/**
 * A free-form identifier (task id, handoff id): 1 to 256 characters (spec §4.2.1). Ids are quoted
 * in failure messages and name report subjects, so a megabyte id would make a megabyte reason.
 */
export const ID_TEXT = /^[\s\S]{1,256}$/;
export const ID_TEXT_WHAT = 'an id of 1 to 256 characters';

/** Whether a list names one value twice. Short lists (an event's predecessors) need no Set. */
export function hasDuplicate(values: readonly string[]): boolean {
  if (values.length > 8) return new Set(values).size !== values.length;
  for (let i = 1; i < values.length; i++) if (values.indexOf(values[i]!) < i) return true;
  return false;
}

export class Fields {
  constructor(
    readonly obj: JsonObject,
    readonly path: string,
    readonly code: string,
  ) {}

  static of(v: JsonValue | undefined, path: string, code: string): Fields {
    if (!isObject(v)) {
      const values = { expected: 'an object', found: describe(v) };
      throw new LineageError(code, `expected ${values.expected}, found ${values.found}`, path || '/', values);
    }
    return new Fields(v, path, code);
  }

  private at(name: string): string {
    return `${this.path}/${name}`;
  }

  private err(name: string, expected: string, found: JsonValue | undefined): never {
    const values = { expected, found: describe(found) };
    throw new LineageError(this.code, `expected ${expected}, found ${values.found}`, this.at(name), values);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.obj, name);
  }

  /** Rejects fields outside `allowed`: wire objects are closed (spec §4). */
  closed(allowed: readonly string[]): this {
    // for…in, not Object.keys: no array per object (100k+ events, each several objects). The
    // strict parser's objects have only own, enumerable members.
    for (const k in this.obj) {
      if (!allowed.includes(k)) {
        throw new LineageError(
          this.code,
          `unknown field "${k}" (allowed: ${allowed.join(', ')})`,
          this.at(k),
          {
            expected: `only the fields ${allowed.join(', ')}`,
            found: `"${k}"`,
          },
        );
      }
    }
    return this;
  }

  raw(name: string): JsonValue | undefined {
    return this.obj[name];
  }

  str(name: string, pattern?: RegExp, what = 'a non-empty string'): string {
    const v = this.obj[name];
    if (typeof v !== 'string' || v.length === 0 || (pattern && !pattern.test(v))) this.err(name, what, v);
    return v;
  }

  /** A string that may be empty (a comment, a free-text title). */
  text(name: string): string {
    const v = this.obj[name];
    if (typeof v !== 'string') this.err(name, 'a string', v);
    return v;
  }

  optStr(name: string, pattern?: RegExp, what?: string): string | undefined {
    return this.has(name) ? this.str(name, pattern, what) : undefined;
  }

  literal<T extends string | number>(name: string, values: readonly T[]): T {
    const v = this.obj[name];
    if (!values.includes(v as T))
      this.err(name, `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`, v);
    return v as T;
  }

  /** Lowercase hex of exactly `bytes` bytes. */
  hex(name: string, bytes: number): string {
    const v = this.obj[name];
    if (typeof v !== 'string' || v.length !== bytes * 2 || !HEX_LOWER.test(v)) {
      this.err(name, `${bytes * 2} lowercase hex characters (${bytes} bytes)`, v);
    }
    return v;
  }

  hexOrNull(name: string, bytes: number): string | null {
    return this.obj[name] === null ? null : this.hex(name, bytes);
  }

  uint(name: string): number {
    const v = this.obj[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      this.err(name, 'a non-negative integer', v);
    return v;
  }

  time(name: string): string {
    const v = this.str(name, undefined, 'an RFC 3339 UTC timestamp');
    parseTimestamp(v, this.at(name));
    return v;
  }

  obj_(name: string): Fields {
    return Fields.of(this.obj[name], this.at(name), this.code);
  }

  array(name: string): { value: JsonValue; path: string }[] {
    const v = this.obj[name];
    if (!Array.isArray(v)) this.err(name, 'an array', v);
    return v.map((value, i) => ({ value, path: `${this.at(name)}/${i}` }));
  }

  strArray(name: string, pattern?: RegExp, what = 'a non-empty string'): string[] {
    const v = this.obj[name];
    if (!Array.isArray(v)) this.err(name, 'an array', v);
    // Checked element by element (paths are built only for the error), then copied at its exact
    // size: an array grown by push from empty reserves 17 slots, and events keep theirs.
    for (let i = 0; i < v.length; i++) {
      const value = v[i];
      if (typeof value !== 'string' || value.length === 0 || (pattern && !pattern.test(value))) {
        const values = { expected: what, found: describe(value) };
        throw new LineageError(
          this.code,
          `expected ${what}, found ${values.found}`,
          `${this.at(name)}/${i}`,
          values,
        );
      }
    }
    const out = v.slice() as string[];
    return out;
  }

  hexArray(name: string, bytes: number): string[] {
    return this.strArray(name, hexPattern(bytes), `${bytes * 2} lowercase hex characters`);
  }
}

const HEX_PATTERNS = new Map<number, RegExp>();
function hexPattern(bytes: number): RegExp {
  let re = HEX_PATTERNS.get(bytes);
  if (re === undefined) {
    re = new RegExp(`^[0-9a-f]{${bytes * 2}}$`);
    HEX_PATTERNS.set(bytes, re);
  }
  return re;
}

export const HEX32 = /^[0-9a-f]{64}$/;
