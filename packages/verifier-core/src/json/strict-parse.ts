import { firstInvalidUtf8, utf8DecodeStrict } from '../encoding/bytes.js';
import { formatCount, LineageError } from '../result.js';

/** A JSON value as the strict parser returns it: no undefined, no NaN, no prototypes other than Object/Array. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface StrictJsonLimits {
  /** Maximum nesting of arrays and objects (the top-level value is depth 1). Default 64, at most 1,000. */
  maxDepth?: number;
  /** Maximum length of one decoded string or key, in UTF-16 code units. Default 8 Mi. */
  maxStringLength?: number;
  /** Maximum size of the whole document in UTF-8 bytes. Default 64 MiB. */
  maxBytes?: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<Required<StrictJsonLimits>> = Object.freeze({
  maxDepth: 64,
  maxStringLength: 8 * 1024 * 1024,
  maxBytes: 64 * 1024 * 1024,
});

/** Recursion is bounded by maxDepth, so cap it well below any engine's stack limit. */
const MAX_DEPTH_CEILING = 1000;

/**
 * A strict-parse failure: `code` is one of the `json.*` codes below, `path` the
 * JSON pointer of the value being read, `offset` the UTF-8 byte offset in the input.
 *
 * Codes: json.syntax, json.bom, json.trailing-data, json.duplicate-key,
 * json.lone-surrogate, json.invalid-escape, json.control-char, json.number-range,
 * json.depth, json.string-length, json.size, json.limits, json.utf8.
 */
/** What each rule of the strict parser asks for: a refusal says it as its expected value. */
const EXPECTED: Readonly<Record<string, string>> = {
  'json.bom': 'JSON text without a byte order mark (RFC 8259 §8.1)',
  'json.duplicate-key': 'each member name at most once in an object',
  'json.control-char': 'control characters in strings escaped',
  'json.lone-surrogate': 'surrogates in pairs (well-formed UTF-16)',
  'json.invalid-escape': 'a JSON escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t, or \\u and four hex digits',
  'json.number-range': 'a number an IEEE-754 double holds',
  'json.trailing-data': 'nothing after the JSON value but white space',
};

export class StrictJsonError extends LineageError {
  readonly offset: number;
  /**
   * `expected`, when the message does not say it ("expected ',' or '}', found 'x'" does): every
   * refusal carries an expected and a found value, as every failed outcome does (spec §4.9).
   */
  constructor(code: string, message: string, pointer: string, offset: number, expected?: string) {
    const at = ` at byte ${formatCount(offset)}`;
    const said = /^(?:.* \()?expected (.+), found (.+?)\)?$/.exec(message);
    super(
      code,
      `${message}${at}`,
      pointer,
      said && expected === undefined
        ? { expected: said[1]!, found: `${said[2]}${at}` }
        : { expected: expected ?? EXPECTED[code] ?? 'JSON text (RFC 8259)', found: `${message}${at}` },
    );
    this.name = 'StrictJsonError';
    this.offset = offset;
  }
}

export function jsonPointerToken(key: string | number): string {
  return `/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

// Character codes, named for readability of the scanner below.
const C_Tab = 0x09;
const C_Lf = 0x0a;
const C_Cr = 0x0d;
const C_Space = 0x20;
const C_Quote = 0x22;
const C_Plus = 0x2b;
const C_Comma = 0x2c;
const C_Minus = 0x2d;
const C_Dot = 0x2e;
const C_Zero = 0x30;
const C_Nine = 0x39;
const C_Colon = 0x3a;
const C_UpperE = 0x45;
const C_LBracket = 0x5b;
const C_Backslash = 0x5c;
const C_RBracket = 0x5d;
const C_LowerE = 0x65;
const C_LBrace = 0x7b;
const C_RBrace = 0x7d;

const SIMPLE_ESCAPES: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function describe(c: number): string {
  if (Number.isNaN(c)) return 'end of input';
  if (c > 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** UTF-8 length of a JS string without allocating; lone surrogates count as 3 (as TextEncoder writes U+FFFD). */
function utf8Length(s: string, end = s.length): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHighSurrogate(c) && i + 1 < end && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

class Parser {
  private i = 0;
  /**
   * Stays true while the text read so far is exactly RFC 8785 output: no whitespace, members
   * in UTF-16 order, the serializer's escapes only, numbers as ECMAScript prints them. Kept
   * conservatively (some canonical `\u` escapes clear it too): false only costs a re-serialization.
   */
  canonical = true;
  /** The canonical text is followed by exactly one "\n" (how a file ends). */
  finalNewline = false;
  /** Where the top-level member named `member` starts and ends in the text ([start, end)). */
  memberStart = -1;
  memberEnd = -1;
  /** Member names and indices from the root to the value being read; a pointer is built only on error. */
  private readonly path: (string | number)[] = [];
  /** The text decoded by the last call to escape(). */
  private escaped = '';
  private readonly maxDepth: number;
  private readonly maxStringLength: number;

  constructor(
    private readonly s: string,
    limits: Required<StrictJsonLimits>,
    private readonly member?: string,
  ) {
    this.maxDepth = limits.maxDepth;
    this.maxStringLength = limits.maxStringLength;
  }

  private fail(code: string, message: string, at = this.i, expected?: string): never {
    const pointer = this.path.map(jsonPointerToken).join('');
    throw new StrictJsonError(
      code,
      message,
      pointer,
      utf8Length(this.s, Math.min(at, this.s.length)),
      expected,
    );
  }

  parseDocument(): JsonValue {
    if (this.s.charCodeAt(0) === 0xfeff) {
      this.fail('json.bom', 'byte order mark before the JSON text (RFC 8259 §8.1 forbids it)', 0);
    }
    this.ws();
    const v = this.value(1);
    // A file's one final newline does not make its text non-canonical (ParsedJsonText drops it).
    const end = this.i;
    const canonical = this.canonical;
    this.ws();
    if (canonical && this.i === end + 1 && this.s.charCodeAt(end) === C_Lf) {
      this.canonical = true;
      this.finalNewline = true;
    }
    if (this.i < this.s.length) {
      this.fail(
        'json.trailing-data',
        `unexpected ${describe(this.s.charCodeAt(this.i))} after the JSON value`,
      );
    }
    return v;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === C_Space || c === C_Lf || c === C_Cr || c === C_Tab) i++;
      else break;
    }
    if (i !== this.i) this.canonical = false;
    this.i = i;
  }

  private value(depth: number): JsonValue {
    const c = this.s.charCodeAt(this.i);
    switch (c) {
      case C_LBrace:
        return this.object(depth);
      case C_LBracket:
        return this.array(depth);
      case C_Quote:
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === C_Minus || isDigit(c)) return this.number();
        return this.fail('json.syntax', `expected a value, found ${describe(c)}`);
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (!this.s.startsWith(word, this.i)) this.fail('json.syntax', `invalid literal (expected "${word}")`);
    this.i += word.length;
    return v;
  }

  private enter(depth: number): void {
    if (depth > this.maxDepth)
      this.fail(
        'json.depth',
        `nesting deeper than ${this.maxDepth} levels`,
        this.i,
        `at most ${this.maxDepth} levels of nesting`,
      );
  }

  private object(depth: number): JsonValue {
    this.enter(depth);
    this.i++; // {
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s.charCodeAt(this.i) === C_RBrace) {
      this.i++;
      return out;
    }
    let previous: string | undefined;
    for (;;) {
      if (this.s.charCodeAt(this.i) !== C_Quote) {
        this.fail('json.syntax', `expected a member name, found ${describe(this.s.charCodeAt(this.i))}`);
      }
      const keyStart = this.i;
      const key = this.string();
      // JCS orders members by UTF-16 code units, which is what `<` compares.
      if (previous !== undefined && !(previous < key)) this.canonical = false;
      previous = key;
      this.path.push(key);
      // Compare decoded names: "a" and "\u0061" are the same member.
      if (Object.hasOwn(out, key)) {
        this.fail('json.duplicate-key', `duplicate member name ${JSON.stringify(key)}`, keyStart);
      }
      this.ws();
      if (this.s.charCodeAt(this.i) !== C_Colon) {
        this.fail('json.syntax', `expected ':', found ${describe(this.s.charCodeAt(this.i))}`);
      }
      this.i++;
      this.ws();
      const v = this.value(depth + 1);
      // "__proto__" must become an own property, never the prototype.
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
      if (depth === 1 && key === this.member) {
        this.memberStart = keyStart;
        this.memberEnd = this.i;
      }
      this.path.pop();
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === C_Comma) {
        this.i++;
        this.ws();
      } else if (c === C_RBrace) {
        this.i++;
        return out;
      } else {
        this.fail('json.syntax', `expected ',' or '}', found ${describe(c)}`);
      }
    }
  }

  private array(depth: number): JsonValue {
    this.enter(depth);
    this.i++; // [
    const out: JsonValue[] = [];
    this.ws();
    if (this.s.charCodeAt(this.i) === C_RBracket) {
      this.i++;
      return out;
    }
    const slot = this.path.push(0) - 1;
    for (;;) {
      this.path[slot] = out.length;
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === C_Comma) {
        this.i++;
        this.ws();
      } else if (c === C_RBracket) {
        this.i++;
        this.path.pop();
        return out;
      } else {
        this.path.pop();
        this.fail('json.syntax', `expected ',' or ']', found ${describe(c)}`);
      }
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let out = '';
    let runStart = i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === C_Quote) {
        out += s.slice(runStart, i);
        this.i = i + 1;
        if (out.length > this.maxStringLength) {
          this.fail(
            'json.string-length',
            `string longer than ${formatCount(this.maxStringLength)} characters`,
            start,
            `strings of at most ${formatCount(this.maxStringLength)} characters`,
          );
        }
        return out;
      }
      if (Number.isNaN(c)) this.fail('json.syntax', 'unterminated string', start);
      if (c < 0x20)
        this.fail('json.control-char', `unescaped control character ${describe(c)} in a string`, i);
      if (c === C_Backslash) {
        out += s.slice(runStart, i);
        i = this.escape(i);
        out += this.escaped;
        runStart = i;
      } else if (isHighSurrogate(c)) {
        if (!isLowSurrogate(s.charCodeAt(i + 1))) {
          this.fail('json.lone-surrogate', `unpaired surrogate ${describe(c)} in a string`, i);
        }
        i += 2;
      } else if (isLowSurrogate(c)) {
        this.fail('json.lone-surrogate', `unpaired surrogate ${describe(c)} in a string`, i);
      } else {
        i++;
      }
    }
  }

  /** Decodes the escape at `at` (a backslash) into this.escaped; returns the index after it. */
  private escape(at: number): number {
    const s = this.s;
    const e = s.charCodeAt(at + 1);
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      // RFC 8785 writes these as two-character escapes, except "/" which it leaves bare.
      if (e === 0x2f) this.canonical = false;
      this.escaped = simple;
      return at + 2;
    }
    this.canonical = false;
    if (e !== 0x75) this.fail('json.invalid-escape', `invalid escape ${describe(e)} after a backslash`, at);
    const u = this.hex4(at);
    if (isLowSurrogate(u)) {
      this.fail('json.lone-surrogate', `escaped low surrogate ${describe(u)} without a high surrogate`, at);
    }
    if (!isHighSurrogate(u)) {
      this.escaped = String.fromCharCode(u);
      return at + 6;
    }
    // An escaped high surrogate must be followed by an escaped low surrogate.
    const lo = s.charCodeAt(at + 6) === C_Backslash && s.charCodeAt(at + 7) === 0x75 ? this.hex4(at + 6) : -1;
    if (!isLowSurrogate(lo)) {
      this.fail(
        'json.lone-surrogate',
        `escaped high surrogate ${describe(u)} is not followed by a low one`,
        at,
      );
    }
    this.escaped = String.fromCharCode(u, lo);
    return at + 12;
  }

  private hex4(at: number): number {
    let v = 0;
    for (let k = 2; k < 6; k++) {
      const c = this.s.charCodeAt(at + k);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else return this.fail('json.invalid-escape', '\\u escape needs four hex digits', at);
      v = (v << 4) | d;
    }
    return v;
  }

  private number(): number {
    const s = this.s;
    const start = this.i;
    let i = start;
    let nonZeroDigit = false;
    if (s.charCodeAt(i) === C_Minus) i++;
    const first = s.charCodeAt(i);
    if (first === C_Zero) {
      i++;
      if (isDigit(s.charCodeAt(i))) this.fail('json.syntax', 'number has a leading zero', start);
    } else if (first > C_Zero && first <= C_Nine) {
      nonZeroDigit = true;
      while (isDigit(s.charCodeAt(i))) i++;
    } else {
      this.fail('json.syntax', `expected a digit, found ${describe(first)}`, i);
    }
    if (s.charCodeAt(i) === C_Dot) {
      i++;
      if (!isDigit(s.charCodeAt(i))) this.fail('json.syntax', 'expected a digit after the decimal point', i);
      while (isDigit(s.charCodeAt(i))) {
        if (s.charCodeAt(i) !== C_Zero) nonZeroDigit = true;
        i++;
      }
    }
    const e = s.charCodeAt(i);
    if (e === C_LowerE || e === C_UpperE) {
      i++;
      const sign = s.charCodeAt(i);
      if (sign === C_Plus || sign === C_Minus) i++;
      if (!isDigit(s.charCodeAt(i))) this.fail('json.syntax', 'expected a digit in the exponent', i);
      while (isDigit(s.charCodeAt(i))) i++;
    }
    this.i = i;
    const text = s.slice(start, i);
    const v = Number(text);
    // I-JSON (RFC 7493 §2.2): the value must be an IEEE-754 double. Overflow to
    // ±Infinity and underflow of a non-zero literal to 0 both change the number.
    if (!Number.isFinite(v))
      this.fail('json.number-range', `number ${clip(text)} overflows an IEEE-754 double`, start);
    if (v === 0 && nonZeroDigit) {
      this.fail('json.number-range', `number ${clip(text)} underflows an IEEE-754 double to 0`, start);
    }
    // RFC 8785 §3.2.2.3 prints numbers as ECMAScript's Number::toString does.
    if (this.canonical && String(v) !== text) this.canonical = false;
    return v;
  }
}

function isDigit(c: number): boolean {
  return c >= C_Zero && c <= C_Nine;
}

function clip(s: string): string {
  return s.length > 32 ? `${s.slice(0, 32)}…` : s;
}

function resolveLimits(limits: StrictJsonLimits | undefined): Required<StrictJsonLimits> {
  // The defaults are valid; most calls (one per capsule line) pass none.
  if (limits === undefined || limits === DEFAULT_JSON_LIMITS) return DEFAULT_JSON_LIMITS;
  // A limit given as undefined means the default (a spread would copy the undefined).
  const l = { ...DEFAULT_JSON_LIMITS };
  for (const [k, v] of Object.entries(limits)) if (v !== undefined) (l as Record<string, number>)[k] = v;
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new LineageError('json.limits', `limit ${k} must be a positive integer`);
  }
  if (l.maxDepth > MAX_DEPTH_CEILING) {
    throw new LineageError(
      'json.limits',
      `maxDepth ${l.maxDepth} exceeds the ceiling of ${MAX_DEPTH_CEILING}`,
    );
  }
  return l;
}

/**
 * Parses `text` as I-JSON (RFC 7493), strictly: RFC 8259 grammar only, no BOM,
 * no duplicate member names (compared after unescaping), no lone surrogates
 * (raw or escaped), no invalid escapes, no unescaped control characters, no
 * numbers that overflow (or underflow from non-zero) an IEEE-754 double, nothing
 * after the value, and within `limits`. Signed documents must be read with this
 * parser only: two parsers that disagree about a document are a signature bypass.
 */
export function parseStrictJson(text: string, limits?: StrictJsonLimits): JsonValue {
  return checkedParser(text, limits).parseDocument();
}

function checkedParser(text: string, limits: StrictJsonLimits | undefined, member?: string): Parser {
  const l = resolveLimits(limits);
  if (typeof text !== 'string') throw new StrictJsonError('json.syntax', 'input is not a string', '', 0);
  // UTF-8 never has fewer bytes than UTF-16 code units, so the exact count is only needed near the limit.
  if (text.length > l.maxBytes || (text.length * 3 > l.maxBytes && utf8Length(text) > l.maxBytes)) {
    throw new StrictJsonError(
      'json.size',
      `document is larger than ${formatCount(l.maxBytes)} bytes`,
      '',
      Math.min(utf8Length(text, Math.min(text.length, l.maxBytes)), l.maxBytes),
      `a document of at most ${formatCount(l.maxBytes)} bytes`,
    );
  }
  return new Parser(text, l, member);
}

/**
 * A document parsed by `parseStrictJsonText`: its value and, when the text already is that
 * value's RFC 8785 serialization, the text itself. Only this module constructs one (a private
 * field brands it), so a value and a text that disagree cannot be handed in from outside.
 */
export class ParsedJsonText {
  readonly #member: { name: string; start: number; end: number } | undefined;
  private constructor(
    readonly value: JsonValue,
    /** The text (without a final newline), when it is exactly JCS(value) of an object; else undefined. */
    readonly canonicalText: string | undefined,
    member: { name: string; start: number; end: number } | undefined,
  ) {
    this.#member = member;
  }

  static of(text: string, options: { limits?: StrictJsonLimits; member?: string } = {}): ParsedJsonText {
    const p = checkedParser(text, options.limits, options.member);
    const value = p.parseDocument();
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!p.canonical || !isObject) return new ParsedJsonText(value, undefined, undefined);
    const name = options.member;
    return new ParsedJsonText(
      value,
      p.finalNewline ? text.slice(0, -1) : text,
      name === undefined ? undefined : { name, start: p.memberStart, end: p.memberEnd },
    );
  }

  static isParsed(v: unknown): v is ParsedJsonText {
    return typeof v === 'object' && v !== null && #member in v;
  }

  /**
   * JCS of the top-level object without member `name`, cut from the canonical text: the
   * others keep their order, and the comma between two members goes with the one removed.
   * Undefined unless the text is canonical and `name` was the member named when parsing
   * (`options.member`; only that one's place is known).
   */
  canonicalWithout(name: string): string | undefined {
    const text = this.canonicalText;
    const m = this.#member;
    if (text === undefined || m === undefined || m.name !== name) return undefined;
    if (m.start < 0) return text;
    // Not the first member: drop the comma before it; the first: the comma after it (if any).
    if (text.charCodeAt(m.start - 1) === C_Comma) return text.slice(0, m.start - 1) + text.slice(m.end);
    const after = text.charCodeAt(m.end) === C_Comma ? m.end + 1 : m.end;
    return text.slice(0, m.start) + text.slice(after);
  }
}

/**
 * Parses like `parseStrictJson` and also notes whether the text is already canonical (RFC
 * 8785), so the hashes of a canonical document can be taken over its text without
 * re-serializing it. `member`: a top-level member `canonicalWithout` can cut out
 * (a signed document's `signature`).
 */
export function parseStrictJsonText(
  text: string,
  options: { limits?: StrictJsonLimits; member?: string } = {},
): ParsedJsonText {
  return ParsedJsonText.of(text, options);
}

/** Decodes `bytes` as strict UTF-8 (no replacement characters) and parses them with `parseStrictJson`. */
export function parseStrictJsonBytes(bytes: Uint8Array, limits?: StrictJsonLimits): JsonValue {
  const l = resolveLimits(limits);
  return parseStrictJson(strictJsonText(bytes, l), l);
}

/** `parseStrictJsonText` over UTF-8 bytes, with `parseStrictJsonBytes`'s checks. */
export function parseStrictJsonBytesText(
  bytes: Uint8Array,
  options: { limits?: StrictJsonLimits; member?: string } = {},
): ParsedJsonText {
  const l = resolveLimits(options.limits);
  return parseStrictJsonText(strictJsonText(bytes, l), { ...options, limits: l });
}

/** The text of a JSON document's bytes: within the size limit, no BOM, strict UTF-8. */
function strictJsonText(bytes: Uint8Array, l: Required<StrictJsonLimits>): string {
  if (bytes.length > l.maxBytes) {
    throw new StrictJsonError(
      'json.size',
      `document is larger than ${formatCount(l.maxBytes)} bytes`,
      '',
      l.maxBytes,
    );
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new StrictJsonError(
      'json.bom',
      'byte order mark before the JSON text (RFC 8259 §8.1 forbids it)',
      '',
      0,
    );
  }
  try {
    return utf8DecodeStrict(bytes);
  } catch {
    // The decoder only says "invalid"; the scan finds where (only on this path).
    throw new StrictJsonError('json.utf8', 'invalid UTF-8', '', Math.max(0, firstInvalidUtf8(bytes)));
  }
}
