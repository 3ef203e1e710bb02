import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/hex.js';
import { canonicalize, type JsonValue } from '../json/index.js';
import { eventId, eventLeafHash, unsignedEvent } from './hash.js';
import { parseEvent } from './parse.js';
import { parseEventJsonText, prepareEvent, prepareEventText, ReadEvent, readEventText } from './prepared.js';
import { SIGNING_CONTEXTS, signingInput } from './signing.js';
import { verifyEventSignature } from './verify.js';

// Every signed event in the committed chapter-4 vectors (real keys, real signatures).
const dir = join(import.meta.dirname, '../../../../docs/vectors/identity');
function collect(v: unknown, out: JsonValue[]): void {
  if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (o.type === 'lineage.event' && typeof o.signature === 'object') out.push(o as JsonValue);
    else for (const x of Object.values(o)) collect(x, out);
  }
}
const events: JsonValue[] = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith('.json')))
  collect(JSON.parse(readFileSync(join(dir, f), 'utf8')), events);

describe('prepareEvent: one canonicalization gives the id, signing input and leaf', () => {
  it('finds the vectors it checks against', () => {
    expect(events.length).toBeGreaterThan(50);
  });

  it('equals eventId, signingInput and eventLeafHash on every vector event', async () => {
    let checked = 0;
    for (const raw of events) {
      let e: ReturnType<typeof parseEvent>;
      try {
        e = parseEvent(raw);
      } catch {
        continue; // the schema-invalid vectors
      }
      const p = prepareEvent(e);
      expect(p.id).toBe(eventId(e));
      expect(toHex(p.signingInput)).toBe(toHex(signingInput(SIGNING_CONTEXTS.event, unsignedEvent(e))));
      expect(p.leaf).toBe(toHex(eventLeafHash(e)));
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    // The signing input is what the actor signed: a valid vector event verifies over it.
    expect(await verifyEventSignature(parseEvent(events[0]!))).toBe(true);
  });

  it('places the signature member by UTF-16 key order and keeps optional members', () => {
    const e = parseEvent(events.find((x) => (x as { approval?: unknown }).approval !== undefined)!);
    const p = prepareEvent(e);
    expect(p.id).toBe(eventId(e));
    expect(p.leaf).toBe(toHex(eventLeafHash(e)));
    // Any change to the event changes all three.
    const q = prepareEvent({ ...e, sequence: e.sequence + 1 });
    expect(q.id).not.toBe(p.id);
    expect(q.leaf).not.toBe(p.leaf);
    const r = prepareEvent({ ...e, signature: { ...e.signature, value: '00'.repeat(64) } });
    expect(r.id).toBe(p.id);
    expect(r.leaf).not.toBe(p.leaf);
  });

  it('rejects what canonicalization rejects (not plain JSON)', () => {
    const e = parseEvent(events[0]!);
    expect(() => prepareEvent({ ...e, sequence: Number.NaN })).toThrow(/cannot be represented/);
  });

  it('from canonical text (no re-serialization) equals prepareEvent on every vector event', () => {
    let checked = 0;
    for (const raw of events) {
      let e: ReturnType<typeof parseEvent>;
      try {
        e = parseEvent(raw);
      } catch {
        continue;
      }
      const slow = prepareEvent(e);
      const fast = prepareEventText(parseEventJsonText(canonicalize(raw)));
      expect(fast).toBeDefined();
      expect(fast!.id).toBe(slow.id);
      expect(toHex(fast!.signingInput)).toBe(toHex(slow.signingInput));
      expect(fast!.leaf).toBe(slow.leaf);
      // Text that is not canonical is left to prepareEvent.
      expect(prepareEventText(parseEventJsonText(JSON.stringify(raw, null, 1)))).toBeUndefined();
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('readEventText: an event read in one pass, a plain value for a schema failure, an error for bad JSON', () => {
    const raw = events.find((x) => {
      try {
        parseEvent(x);
        return true;
      } catch {
        return false;
      }
    })!;
    const r = readEventText(canonicalize(raw));
    expect(ReadEvent.is(r)).toBe(true);
    const read = r as ReadEvent;
    expect(read.event).toEqual(parseEvent(raw));
    expect(read.id).toBe(prepareEvent(parseEvent(raw)).id);
    // Not an event (unknown member): the value comes back for the verifier to report.
    const bad = readEventText(canonicalize({ ...(raw as object), extra: 1 }));
    expect(ReadEvent.is(bad)).toBe(false);
    expect((bad as { extra: number }).extra).toBe(1);
    expect(() => readEventText('{"type":"lineage.event","type":1}')).toThrow(/duplicate member name/);
    // A look-alike object is not a ReadEvent.
    expect(ReadEvent.is({ event: read.event, id: read.id, leaf: read.leaf })).toBe(false);
  });
});
