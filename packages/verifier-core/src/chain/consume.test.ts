import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../json/index.js';
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
});
