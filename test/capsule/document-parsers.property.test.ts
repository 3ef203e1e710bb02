import { readFileSync } from 'node:fs';
import { buildFedrampSample, createSarApproval } from '@lineage/producer';
import {
  CARD_PAYLOAD_FORMS,
  type CapsuleVerification,
  canonicalize,
  cardPayloadValue,
  type JsonValue,
  LineageError,
  parseAttestation,
  parseBundleTlogEntries,
  parseEventText,
  parseManifest,
  parseOpening,
  parseReceipt,
  parseSarApproval,
  parseStrictJson,
  parseTrustedRoot,
  parseTrustStore,
  readEventText,
  verifyAgentCard,
  verifyAttestation,
  verifyBundleTlog,
  verifyCapsule,
  verifyEventSignature,
  verifySarApproval,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { vectorPath } from '../support/vectors.js';

/**
 * Property tests of every parser of a capsule's documents (events, receipts, attestations,
 * openings, agent cards, the manifest, SAR approvals, trust files, Sigstore bundles and trusted
 * roots) on the sample's real signed documents, mutated at the JSON level (a node replaced by a
 * hostile value, removed, or given a member named like Object.prototype's) and at the text level.
 * Parsers throw only LineageError; verifiers return reports and never throw; a mutation that
 * changes a signed document never verifies. The zip-level mutations are mutation.property.test.ts.
 */
const verifiedAt = '2026-11-22T00:00:00Z';
const dec = new TextDecoder();
const enc = new TextEncoder();
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
let cap: CapsuleVerification;
let approvalText: string;

beforeAll(async () => {
  sample = await buildFedrampSample();
  cap = await verifyCapsule(zipCapsuleSource(sample.zip), sample.trust, { verifiedAt, capsuleName: 's.zip' });
  approvalText = JSON.stringify(
    createSarApproval({
      capsule: cap,
      decision: 'approve',
      comment: 'assessed',
      approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
      signingKey: sample.keys.humans['3pao']!.secretKey,
      signedAt: verifiedAt,
    }),
  );
});

const file = (p: string) => dec.decode(sample.files.get(p)!);
const lines = (p: string) => file(p).trimEnd().split('\n');

/** Values that have broken parsers before: wrong types, prototype names, huge and odd strings. */
const HOSTILE: JsonValue[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  1e308,
  '',
  'constructor',
  '__proto__',
  'toString',
  'x'.repeat(100_000),
  '\u0000',
  '\ufeff',
  '\u202e',
  { x: '' },
  '2026-11-20T14:00:00Z',
  'ff'.repeat(32),
  [],
  [[[[[[[[[[]]]]]]]]]],
  {},
  // Parsed, not written as a literal: a literal's __proto__ would set the prototype.
  parseStrictJson('{"constructor":{},"toString":{"x":""},"__proto__":{"polluted":""}}'),
];

type Path = (string | number)[];
function paths(v: JsonValue, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => void paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** Copy of `v` with the node at `path` replaced (or removed, or given an extra member). */
function mutate(
  v: JsonValue,
  path: Path,
  op: 'replace' | 'remove' | 'add',
  value: JsonValue,
  name: string,
): JsonValue {
  const copy = structuredClone(v);
  const set = (o: Record<string, JsonValue>, k: string, x: JsonValue) =>
    Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  if (path.length === 0) {
    if (op === 'add' && copy !== null && typeof copy === 'object' && !Array.isArray(copy))
      set(copy, name, value);
    return op === 'replace' ? value : copy;
  }
  let parent = copy as Record<string | number, JsonValue>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, JsonValue>;
  const last = path.at(-1)!;
  const node = parent[last]!;
  if (op === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (op === 'add' && node !== null && typeof node === 'object' && !Array.isArray(node)) {
    set(node as Record<string, JsonValue>, name, value);
  } else set(parent as Record<string, JsonValue>, String(last), value);
  return copy;
}

const jsonMutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'remove', 'add') as fc.Arbitrary<'replace' | 'remove' | 'add'>,
  value: fc.oneof(fc.constantFrom(...HOSTILE), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonValue>),
  name: fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'extra', ''),
});

const textMutation = fc.record({
  kind: fc.constantFrom('flip', 'truncate', 'insert', 'nest'),
  at: fc.nat(),
  x: fc.integer({ min: 1, max: 127 }),
  snippet: fc.constantFrom('\ud800', '\ufeff', '\u0000', ',"a":1', '"', '\\u0000', '1e999', '['.repeat(2000)),
});

function mutateText(t: string, m: { kind: string; at: number; x: number; snippet: string }): string {
  const i = m.at % t.length;
  if (m.kind === 'flip') return t.slice(0, i) + String.fromCharCode(t.charCodeAt(i) ^ m.x) + t.slice(i + 1);
  if (m.kind === 'truncate') return t.slice(0, i);
  if (m.kind === 'nest') return `${'['.repeat(100_000)}${t}`;
  return t.slice(0, i) + m.snippet + t.slice(i);
}

/** A parse either returns or throws a LineageError with a code; anything else fails the property. */
function onlyLineageError(f: () => unknown, what: string): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof LineageError && e.code) return false;
    throw new Error(`${what}: non-structured error ${e instanceof Error ? e.stack : String(e)}`);
  }
}

/** Every JSON document of the sample with the parser that reads it. */
function documents(): { name: string; text: string; parse: (text: string) => unknown }[] {
  const out: { name: string; text: string; parse: (text: string) => unknown }[] = [];
  lines('events.jsonl').forEach((text, i) => {
    out.push({ name: `events.jsonl:${i + 1}`, text, parse: parseEventText });
  });
  lines('receipts.jsonl').forEach((text, i) => {
    out.push({ name: `receipts.jsonl:${i + 1}`, text, parse: (t) => parseReceipt(parseStrictJson(t)) });
  });
  out.push({
    name: 'attestations/000.json',
    text: file('attestations/000.json'),
    parse: (t) => parseAttestation(parseStrictJson(t)),
  });
  out.push({
    name: 'openings.json',
    text: file('openings.json'),
    parse: (t) => {
      const v = parseStrictJson(t);
      if (!Array.isArray(v)) throw new LineageError('opening.schema', 'not an array');
      return v.map((o, i) => parseOpening(o, `/${i}`));
    },
  });
  out.push({
    name: 'manifest.json',
    text: file('manifest.json'),
    parse: (t) => parseManifest(enc.encode(t)),
  });
  out.push({ name: 'trust.json', text: sample.trustText, parse: parseTrustStore });
  out.push({ name: 'SAR approval', text: approvalText, parse: parseSarApproval });
  for (const dir of ['rekor2-happy-path', 'happy-path-v0.3']) {
    out.push({
      name: `${dir} bundle`,
      text: readFileSync(vectorPath('sigstore', dir, 'bundle.sigstore.json'), 'utf8'),
      parse: parseBundleTlogEntries,
    });
  }
  out.push({
    name: 'trusted root',
    text: readFileSync(vectorPath('sigstore', 'rekor2-happy-path', 'trusted_root.json'), 'utf8'),
    parse: parseTrustedRoot,
  });
  return out;
}

describe('capsule document parsers on hostile input (fast-check)', () => {
  it('the harness is sound: every unmutated document parses', () => {
    for (const d of documents()) expect(onlyLineageError(() => d.parse(d.text), d.name)).toBe(true);
  });

  it('JSON-level mutations of every document are parsed or refused with a LineageError, never crash', () => {
    const docs = documents();
    fc.assert(
      fc.property(fc.nat(), jsonMutation, (which, m) => {
        const d = docs[which % docs.length]!;
        const value = parseStrictJson(d.text);
        const all = paths(value);
        const mutated = mutate(value, all[m.pick % all.length]!, m.op, m.value, m.name);
        onlyLineageError(() => d.parse(JSON.stringify(mutated)), d.name);
      }),
      { numRuns: 1500, seed: 2026 },
    );
  });

  it('text-level mutations of every document (flips, truncation, 100k-deep nesting, lone surrogates) never crash', () => {
    const docs = documents();
    fc.assert(
      fc.property(fc.nat(), textMutation, (which, m) => {
        const d = docs[which % docs.length]!;
        onlyLineageError(() => d.parse(mutateText(d.text, m)), d.name);
      }),
      { numRuns: 800, seed: 99 },
    );
  });

  it('a mutated signed event never verifies under its signature', async () => {
    const events = lines('events.jsonl');
    await fc.assert(
      fc.asyncProperty(fc.nat(), jsonMutation, async (which, m) => {
        const text = events[which % events.length]!;
        const value = parseStrictJson(text);
        const all = paths(value).filter((p) => p[0] !== 'signature');
        const mutated = JSON.stringify(mutate(value, all[m.pick % all.length]!, m.op, m.value, m.name));
        let event: ReturnType<typeof parseEventText>;
        try {
          event = parseEventText(mutated);
        } catch (e) {
          expect(e).toBeInstanceOf(LineageError);
          return;
        }
        if (canonicalize(parseStrictJson(mutated)) === canonicalize(value)) return;
        expect(await verifyEventSignature(event)).toBe(false);
        const read = readEventText(mutated);
        expect(read).toBeDefined();
      }),
      { numRuns: 300, seed: 4 },
    );
  });

  it('a mutated agent card never throws, and its A2A signature verifies only over the signed payload', async () => {
    const cards = [...sample.files.keys()].filter((p) => p.startsWith('cards/'));
    const payloads = (v: JsonValue) =>
      CARD_PAYLOAD_FORMS.map((f) => canonicalize(cardPayloadValue(v as Record<string, JsonValue>, f)));
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.oneof(jsonMutation, textMutation), async (which, m) => {
        const text = file(cards[which % cards.length]!);
        const value = parseStrictJson(text);
        let mutated: string;
        if ('pick' in m) {
          const all = paths(value).filter((p) => p[0] !== 'signatures');
          mutated = JSON.stringify(mutate(value, all[m.pick % all.length]!, m.op, m.value, m.name));
        } else mutated = mutateText(text, m);
        let r: Awaited<ReturnType<typeof verifyAgentCard>>;
        try {
          r = await verifyAgentCard(mutated, sample.trust);
        } catch (e) {
          throw new Error(
            `verifyAgentCard threw on ${mutated.slice(0, 300)}: ${e instanceof Error ? e.stack : e}`,
          );
        }
        if (r.checks.some((c) => c.id === 'card.a2a_signature' && c.status === 'pass')) {
          // Passing means one payload form of the mutant is the same form of the original (an
          // empty value the SDK form drops is not signed content).
          const before = payloads(value);
          const after = payloads(parseStrictJson(mutated));
          expect(after.some((p, i) => p === before[i])).toBe(true);
        }
      }),
      { numRuns: 400, seed: 1312 },
    );
  });

  it('every object of a card given a member named like an Object.prototype property, with each hostile value, never throws', async () => {
    // Exhaustive, not sampled: a card member "toString": {"x": ""} made the payload forms throw.
    const value = parseStrictJson(file([...sample.files.keys()].find((p) => p.startsWith('cards/'))!));
    const objects = paths(value).filter((p) => {
      let n: JsonValue = value;
      for (const k of p) n = (n as Record<string | number, JsonValue>)[k]!;
      return n !== null && typeof n === 'object' && !Array.isArray(n);
    });
    for (const at of objects)
      for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'])
        for (const v of HOSTILE) {
          const text = JSON.stringify(mutate(value, at, 'add', v, name));
          const r = await verifyAgentCard(text, sample.trust).catch((e: unknown) => {
            throw new Error(`verifyAgentCard threw with ${name} at /${at.join('/')}: ${e}`);
          });
          // A signature that passes is over the same payload in some form (an empty value is unsigned).
          if (r.checks.some((c) => c.id === 'card.a2a_signature' && c.status === 'pass'))
            expect(
              CARD_PAYLOAD_FORMS.some(
                (f) =>
                  canonicalize(cardPayloadValue(parseStrictJson(text) as Record<string, JsonValue>, f)) ===
                  canonicalize(cardPayloadValue(value as Record<string, JsonValue>, f)),
              ),
            ).toBe(true);
        }
  });

  it('mutated attestations, SAR approvals and Sigstore bundles give reports, never exceptions, and never verify changed', async () => {
    const attestation = file('attestations/000.json');
    const bundleText = readFileSync(
      vectorPath('sigstore', 'rekor2-happy-path', 'bundle.sigstore.json'),
      'utf8',
    );
    const root = parseTrustedRoot(
      readFileSync(vectorPath('sigstore', 'rekor2-happy-path', 'trusted_root.json'), 'utf8'),
    );
    expect((await verifyBundleTlog(bundleText, root)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('attestation', 'approval', 'bundle'),
        jsonMutation,
        async (kind, m) => {
          const text = kind === 'attestation' ? attestation : kind === 'approval' ? approvalText : bundleText;
          const value = parseStrictJson(text);
          const all = paths(value);
          const mutatedValue = mutate(value, all[m.pick % all.length]!, m.op, m.value, m.name);
          const mutated = JSON.stringify(mutatedValue);
          const same = canonicalize(mutatedValue) === canonicalize(value);
          try {
            if (kind === 'attestation') {
              const r = await verifyAttestation(parseStrictJson(mutated), sample.trust, { verifiedAt });
              if (!same) expect(r.checks.every((c) => c.status === 'pass')).toBe(false);
            } else if (kind === 'approval') {
              const r = await verifySarApproval(mutated, sample.trust, { verifiedAt, capsule: cap });
              if (!same) expect(r.report.verdict).not.toBe('verified');
            } else {
              // Sigstore bundles carry unsigned members (the verifier reads only the tlog entries).
              await verifyBundleTlog(mutated, root);
            }
          } catch (e) {
            if (e instanceof Error && e.name === 'AssertionError') throw e;
            throw new Error(
              `${kind} verifier threw on a mutation ${JSON.stringify(m).slice(0, 200)}: ${e instanceof Error ? e.stack : e}`,
            );
          }
        },
      ),
      { numRuns: 300, seed: 77 },
    );
  });
});
