import { sha256 } from '../crypto/current.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { isObject, type JsonObject } from '../events/fields.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { IDENTITY_EXTENSION_URI } from './types.js';

/**
 * Capability digest (spec §4.1.2): SHA-256 over the domain string and the JCS of
 * the card's capabilities, skills and modes, with the identity extension itself
 * removed (it contains the digest).
 */
const DOMAIN = utf8Encode('lineage/capability-digest/v1');

export function capabilityDocument(card: JsonObject): JsonObject {
  const d: JsonObject = {};
  for (const k of ['capabilities', 'skills', 'defaultInputModes', 'defaultOutputModes']) {
    const v = card[k];
    if (v !== undefined) d[k] = v;
  }
  if (isObject(d.capabilities) && Array.isArray(d.capabilities.extensions)) {
    const caps: JsonObject = { ...d.capabilities };
    const rest = (d.capabilities.extensions as JsonValue[]).filter(
      (x) => !(isObject(x) && x.uri === IDENTITY_EXTENSION_URI),
    );
    if (rest.length > 0) caps.extensions = rest;
    else delete caps.extensions;
    d.capabilities = caps;
  }
  return d;
}

export function capabilityDigest(card: JsonObject): string {
  return toHex(sha256(concatBytes(DOMAIN, new Uint8Array([0]), canonicalBytes(capabilityDocument(card)))));
}
