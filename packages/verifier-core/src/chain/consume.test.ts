import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getCryptoBackend } from '../crypto/current.js';
import { ReadEvent, readEventText } from '../events/prepared.js';
import { SignatureQueue } from '../events/signature-queue.js';
import { canonicalize, type JsonValue } from '../json/index.js';
import type { TrustStore } from '../trust/types.js';
import type { CitedEvent } from './types.js';
import { verifyCallChain } from './verify.js';

// A committed chapter-4 vector: real keys, signatures and inclusion proofs.
const vector = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../docs/vectors/identity/chain-valid.json'), 'utf8'),
) as { input: { trust: TrustStore; events: CitedEvent[] } };
const fresh = (): CitedEvent[] => vector.input.events.map((c) => ({ ...c }));

describe('consumeEvents: the engine releases each cited value once parsed', () => {
  it('reports exactly what it reports without the option, and leaves no event value behind', async () => {
    const kept = fresh();
    const plain = await verifyCallChain({ events: kept, trust: vector.input.trust });
    const consumed = fresh();
    const r = await verifyCallChain({ events: consumed, trust: vector.input.trust, consumeEvents: true });
    expect(plain.verdict).toBe('verified');
    expect(r.checks).toEqual(plain.checks);
    expect(r.events.map((e) => e.eventId)).toEqual(plain.events.map((e) => e.eventId));
    expect(consumed.every((c) => c.event === null)).toBe(true);
    expect(kept.every((c) => c.event !== null)).toBe(true);
    // The summaries carry the parsed events, equal to what was supplied.
    expect(r.events.map((e) => e.event as unknown as JsonValue)).toEqual(kept.map((c) => c.event));
  });

  it('still fails what it must: a forged signature is caught with the option on', async () => {
    const consumed = fresh();
    const e = consumed[2]!.event as { signature: { value: string } };
    consumed[2] = { ...consumed[2]!, event: { ...e, signature: { ...e.signature, value: '00'.repeat(64) } } };
    const r = await verifyCallChain({ events: consumed, trust: vector.input.trust, consumeEvents: true });
    expect(r.verdict).toBe('failed');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toContain('event.signature');
  });

  it('takes events already read from their text (readEventText) and reports the same', async () => {
    const plain = await verifyCallChain({ events: fresh(), trust: vector.input.trust });
    for (const text of [canonicalize, (v: JsonValue) => JSON.stringify(v, null, 2)]) {
      const read = fresh().map((c) => ({ ...c, event: null, read: readEventText(text(c.event)) }));
      expect(read.every((c) => ReadEvent.is(c.read))).toBe(true);
      const r = await verifyCallChain({ events: read as CitedEvent[], trust: vector.input.trust });
      expect(r.checks).toEqual(plain.checks);
    }
    // Signatures queued while reading, on the queue then handed to the engine (or another one).
    for (const shared of [true, false]) {
      const queue = new SignatureQueue(getCryptoBackend());
      const read = fresh().map((c) => ({
        ...c,
        event: null,
        read: readEventText(canonicalize(c.event), { signatures: queue }),
      }));
      const r = await verifyCallChain({
        events: read as CitedEvent[],
        trust: vector.input.trust,
        ...(shared ? { signatures: queue } : {}),
      });
      expect(r.checks).toEqual(plain.checks);
    }
  });

  it('ignores a forged `read` (not made by readEventText): an altered event is still caught', async () => {
    const good = fresh();
    const forged = good.map((c) => ({ ...c }));
    // The event says sequence 99 but the forged `read` carries the genuine event's hashes.
    const genuine = readEventText(canonicalize(good[2]!.event));
    const altered = { ...(good[2]!.event as Record<string, JsonValue>), sequence: 99 };
    forged[2] = { ...good[2]!, event: altered, read: { ...(genuine as object) } as never };
    const r = await verifyCallChain({ events: forged, trust: vector.input.trust });
    expect(r.verdict).toBe('failed');
    expect(r.checks.filter((c) => c.status === 'fail').map((c) => c.id)).toContain('event.signature');
  });

  it('a forged signature on an event read ahead and queued while reading is still caught', async () => {
    const queue = new SignatureQueue(getCryptoBackend());
    const read = fresh().map((c, i) => {
      const e = c.event as { signature: { value: string } };
      const v = i === 2 ? { ...e, signature: { ...e.signature, value: '11'.repeat(64) } } : e;
      return { ...c, event: null, read: readEventText(canonicalize(v as JsonValue), { signatures: queue }) };
    });
    const r = await verifyCallChain({
      events: read as CitedEvent[],
      trust: vector.input.trust,
      signatures: queue,
    });
    expect(r.verdict).toBe('failed');
    const failed = r.checks.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.id)).toContain('event.signature');
    expect(failed.find((c) => c.id === 'event.signature')!.subject.id).toBe(r.events[2]!.eventId);
  });
});
