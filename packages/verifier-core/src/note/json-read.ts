import { fromBase64 } from '../encoding/base64.js';
import { parseUint64 } from '../encoding/decimal.js';
import type { JsonValue } from '../json/index.js';
import { LineageError } from '../result.js';

/**
 * Typed field access on strictly parsed JSON, with errors that name the JSON
 * pointer and what was found. Shared by the RFC 6962 STH and Sigstore readers.
 */
export type JsonObject = { [key: string]: JsonValue };

function kind(v: JsonValue | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

export function asObject(v: JsonValue | undefined, path: string, code: string): JsonObject {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) {
    throw new LineageError(code, `expected an object, found ${kind(v)}`, path || '/');
  }
  return v;
}

export function asArray(v: JsonValue | undefined, path: string, code: string): JsonValue[] {
  if (!Array.isArray(v)) throw new LineageError(code, `expected an array, found ${kind(v)}`, path);
  return v;
}

export function getString(o: JsonObject, key: string, path: string, code: string): string {
  const v = o[key];
  if (typeof v !== 'string')
    throw new LineageError(code, `expected a string, found ${kind(v)}`, `${path}/${key}`);
  return v;
}

export function getOptionalString(
  o: JsonObject,
  key: string,
  path: string,
  code: string,
): string | undefined {
  return o[key] === undefined ? undefined : getString(o, key, path, code);
}

export function getBase64(
  o: JsonObject,
  key: string,
  path: string,
  code: string,
  length?: number,
): Uint8Array {
  const s = getString(o, key, path, code);
  try {
    return fromBase64(s, length, `${path}/${key}`);
  } catch (e) {
    throw new LineageError(code, (e as LineageError).message);
  }
}

/** A uint64 written as a JSON string of decimal digits (protobuf JSON mapping). */
export function getUint64String(o: JsonObject, key: string, path: string, code: string): bigint {
  const s = getString(o, key, path, code);
  try {
    return parseUint64(s, `${path}/${key}`);
  } catch (e) {
    throw new LineageError(code, (e as LineageError).message);
  }
}

/** A non-negative integer written as a JSON number; must be exact (at most 2^53-1). */
export function getSafeUint(o: JsonObject, key: string, path: string, code: string): number {
  const v = o[key];
  if (typeof v !== 'number')
    throw new LineageError(code, `expected a number, found ${kind(v)}`, `${path}/${key}`);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new LineageError(
      code,
      `${v} is not a non-negative integer below 2^53 (larger JSON numbers lose precision)`,
      `${path}/${key}`,
    );
  }
  return v;
}
