import { isObject, type JsonObject } from '../events/fields.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import { isLineageError } from '../result.js';
import type { CardShape } from './types.js';

/**
 * Which A2A agent-card shape a document is (spec §4.1.3), what it lacks for that
 * shape (errors) and what a careful verifier should point out (warnings).
 */
export interface CardClassification {
  shape: CardShape;
  /** `protocolVersion` as declared (v0.3/legacy) or the versions of `supportedInterfaces` (v1.0). */
  protocolVersions: string[];
  errors: string[];
  warnings: string[];
  /** The parsed card, when the text was a JSON object. */
  card?: JsonObject;
}

/** v1.0 top-level fields (a2a.proto AgentCard). Anything else is not covered by SDK-made signatures. */
export const V1_FIELDS = [
  'name',
  'description',
  'supportedInterfaces',
  'provider',
  'version',
  'documentationUrl',
  'capabilities',
  'securitySchemes',
  'securityRequirements',
  'defaultInputModes',
  'defaultOutputModes',
  'skills',
  'signatures',
  'iconUrl',
];
/** REQUIRED top-level fields of an A2A v1.0 card (a2a.proto field_behavior = REQUIRED). */
export const V1_REQUIRED: readonly string[] = [
  'name',
  'description',
  'supportedInterfaces',
  'version',
  'capabilities',
  'defaultInputModes',
  'defaultOutputModes',
  'skills',
];
const V03_REQUIRED = [
  'capabilities',
  'defaultInputModes',
  'defaultOutputModes',
  'description',
  'name',
  'protocolVersion',
  'skills',
  'url',
  'version',
];
// RFC 6838 type/subtype, loosely: "text" alone is not a media type.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/;

function nonEmptyString(v: JsonValue | undefined): boolean {
  return typeof v === 'string' && v.length > 0;
}

function requireFields(obj: JsonObject, names: readonly string[], where: string, errors: string[]): void {
  for (const n of names) {
    const v = obj[n];
    if (v === undefined) errors.push(`${where}${n} is required but absent`);
    else if (Array.isArray(v) && v.length === 0)
      errors.push(`${where}${n} is required and must have at least one element`);
    else if (typeof v === 'string' && v.length === 0 && n !== 'description')
      errors.push(`${where}${n} is required but empty`);
  }
}

function checkSkills(card: JsonObject, errors: string[]): void {
  const skills = card.skills;
  if (!Array.isArray(skills)) {
    if (skills !== undefined) errors.push('skills must be an array');
    return;
  }
  skills.forEach((s, i) => {
    if (!isObject(s)) {
      errors.push(`skills[${i}] must be an object`);
      return;
    }
    requireFields(s, ['id', 'name', 'description', 'tags'], `skills[${i}].`, errors);
  });
}

function collectUrls(v: JsonValue | undefined, path: string, out: Array<[string, string]>): void {
  if (typeof v === 'string') {
    if (/^https?:\/\//i.test(v)) out.push([path, v]);
  } else if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) collectUrls(x, `${path}[${i}]`, out);
  } else if (isObject(v))
    for (const [k, x] of Object.entries(v)) collectUrls(x, path ? `${path}.${k}` : k, out);
}

function modeWarnings(card: JsonObject, warnings: string[]): void {
  const bad = new Set<string>();
  const scan = (v: JsonValue | undefined) => {
    if (Array.isArray(v)) for (const m of v) if (typeof m === 'string' && !MEDIA_TYPE.test(m)) bad.add(m);
  };
  scan(card.defaultInputModes);
  scan(card.defaultOutputModes);
  if (Array.isArray(card.skills))
    for (const s of card.skills) {
      if (isObject(s)) {
        scan(s.inputModes);
        scan(s.outputModes);
      }
    }
  for (const m of bad)
    warnings.push(
      `mode ${JSON.stringify(m)} is not a media type (A2A defines modes as media types, e.g. "text/plain")`,
    );
}

function commonWarnings(card: JsonObject, warnings: string[]): void {
  const urls: Array<[string, string]> = [];
  collectUrls(card, '', urls);
  for (const [path, url] of urls) {
    if (/^http:\/\//i.test(url))
      warnings.push(`${path} uses plain http (${url}); A2A requires HTTPS in production`);
  }
  modeWarnings(card, warnings);
}

function checkSignaturesShape(card: JsonObject, errors: string[]): void {
  const sigs = card.signatures;
  if (sigs === undefined) return;
  if (!Array.isArray(sigs)) {
    errors.push('signatures must be an array');
    return;
  }
  sigs.forEach((s, i) => {
    if (!isObject(s)) {
      errors.push(`signatures[${i}] must be an object`);
      return;
    }
    if (!nonEmptyString(s.protected)) errors.push(`signatures[${i}].protected is required`);
    if (!nonEmptyString(s.signature)) errors.push(`signatures[${i}].signature is required`);
  });
}

export function classifyCardObject(card: JsonObject): CardClassification {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (card.supportedInterfaces !== undefined) {
    requireFields(card, V1_REQUIRED, '', errors);
    const versions: string[] = [];
    if (Array.isArray(card.supportedInterfaces)) {
      card.supportedInterfaces.forEach((iface, i) => {
        if (!isObject(iface)) {
          errors.push(`supportedInterfaces[${i}] must be an object`);
          return;
        }
        requireFields(
          iface,
          ['url', 'protocolBinding', 'protocolVersion'],
          `supportedInterfaces[${i}].`,
          errors,
        );
        if (typeof iface.protocolVersion === 'string') versions.push(iface.protocolVersion);
      });
    } else errors.push('supportedInterfaces must be an array');
    if (card.provider !== undefined) {
      if (isObject(card.provider)) requireFields(card.provider, ['url', 'organization'], 'provider.', errors);
      else errors.push('provider must be an object');
    }
    checkSkills(card, errors);
    checkSignaturesShape(card, errors);
    const unknown = Object.keys(card).filter((k) => !V1_FIELDS.includes(k));
    if (unknown.length > 0) {
      warnings.push(
        `top-level fields not in the A2A v1.0 schema: ${unknown.join(', ')} — SDK-made card signatures do not cover them`,
      );
    }
    if (isObject(card.capabilities) && card.capabilities.extendedAgentCard === false) {
      warnings.push(
        'capabilities.extendedAgentCard is explicitly false (the default); SDK canonicalization keeps it',
      );
    }
    commonWarnings(card, warnings);
    return { shape: 'a2a-v1.0', protocolVersions: [...new Set(versions)], errors, warnings, card };
  }
  if (card.protocolVersion !== undefined) {
    requireFields(card, V03_REQUIRED, '', errors);
    checkSkills(card, errors);
    checkSignaturesShape(card, errors);
    const pv = String(card.protocolVersion);
    if (!pv.startsWith('0.3')) {
      warnings.push(
        `protocolVersion is "${pv}" but the card has the v0.3 shape (the A2A v0.3.0 spec sample says "0.2.9")`,
      );
    }
    warnings.push(
      'not a v1.0 card (no supportedInterfaces); read as v0.3: url/preferredTransport translate to supportedInterfaces[0] with protocolVersion "0.3"',
    );
    commonWarnings(card, warnings);
    return { shape: 'a2a-v0.3', protocolVersions: [pv], errors, warnings, card };
  }
  if (card.url !== undefined && card.name !== undefined) {
    requireFields(card, ['name', 'description', 'url', 'version', 'capabilities', 'skills'], '', errors);
    checkSkills(card, errors);
    warnings.push('legacy card (A2A ≤0.2.4 agent.json): no protocolVersion and no supportedInterfaces');
    commonWarnings(card, warnings);
    return { shape: 'a2a-legacy', protocolVersions: [], errors, warnings, card };
  }
  errors.push('not an A2A agent card: no supportedInterfaces, protocolVersion or url');
  return { shape: 'unknown', protocolVersions: [], errors, warnings, card };
}

/** Classifies card JSON text; never throws. */
export function classifyAgentCard(text: string): CardClassification {
  let value: JsonValue;
  try {
    value = parseStrictJson(text);
  } catch (e) {
    const msg = isLineageError(e) ? e.message : String(e);
    return { shape: 'unknown', protocolVersions: [], errors: [`not strict JSON: ${msg}`], warnings: [] };
  }
  if (!isObject(value))
    return { shape: 'unknown', protocolVersions: [], errors: ['a card is a JSON object'], warnings: [] };
  return classifyCardObject(value);
}
