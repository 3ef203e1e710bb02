import { describe, expect, it } from 'vitest';
import type { LineageEvent } from '../events/types.js';
import { OutcomeSink } from '../trust/sink.js';
import type { Node } from './node.js';
import { chainStructure } from './structure.js';

/**
 * A predecessor cycle needs an event whose id (a SHA-256 of its content, predecessors included)
 * is cited by an event it cites: a hash fixed point no signed capsule can contain. The check
 * still exists, as defence in depth; nodes with synthetic ids are the only way to reach it.
 */
function node(index: number, id: string, predecessors: string[]): Node {
  const event = {
    type: 'lineage.event',
    version: 1,
    actor: `lin:agent:${String(index).repeat(64)}`,
    actor_kind: 'agent',
    action: 'scan.run',
    timestamp: `2026-11-20T14:0${index}:00Z`,
    sequence: 0,
    predecessors,
    payload_hash: null,
    context: { task_id: 't' },
    commitments: [],
    signature: { alg: 'Ed25519', public_key: '11'.repeat(32), value: '22'.repeat(64) },
  } as unknown as LineageEvent;
  return {
    index,
    event,
    id,
    leaf: id,
    t: Date.parse(event.timestamp),
    authentic: true,
    included: true,
    signature: 0,
  };
}

describe('chainStructure: chain.cycle', () => {
  it('reports a cycle of predecessor pointers with the path it takes, expected and found', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const nodes = [node(1, a, [b]), node(2, b, [a])];
    const sink = new OutcomeSink();
    chainStructure(nodes, new Map(nodes.map((n) => [n.id, n])), {}, undefined, sink);
    const cycle = sink.outcomes.filter((o) => o.id === 'chain.cycle');
    expect(cycle).toEqual([
      expect.objectContaining({
        status: 'fail',
        subject: expect.objectContaining({ kind: 'chain', field: '/predecessors' }),
        reason: 'following predecessors returns to the same event after 2 steps',
        expected: 'predecessor pointers that end at a root',
        found: expect.stringMatching(
          /^(aaaaaaaaaaaa… → bbbbbbbbbbbb… → aaaaaaaaaaaa…|bbbbbbbbbbbb… → aaaaaaaaaaaa… → bbbbbbbbbbbb…)$/,
        ),
      }),
    ]);
  });

  it('passes a chain without one', () => {
    const a = 'a'.repeat(64);
    const nodes = [node(1, a, []), node(2, 'b'.repeat(64), [a])];
    const sink = new OutcomeSink();
    chainStructure(nodes, new Map(nodes.map((n) => [n.id, n])), {}, undefined, sink);
    expect(sink.outcomes.filter((o) => o.id === 'chain.cycle').map((o) => o.status)).toEqual(['pass']);
  });
});

describe('chainStructure: chain.predecessor_dangling', () => {
  it('names the first 8 missing predecessors and counts the rest (one event may cite 100k)', () => {
    const missing = Array.from({ length: 100_000 }, (_, i) => i.toString(16).padStart(64, '0'));
    const nodes = [node(1, 'a'.repeat(64), missing)];
    const sink = new OutcomeSink();
    chainStructure(nodes, new Map(nodes.map((n) => [n.id, n])), {}, undefined, sink);
    const dangling = sink.outcomes.filter((o) => o.id === 'chain.predecessor_dangling');
    expect(dangling).toEqual([
      expect.objectContaining({
        status: 'fail',
        reason: '100,000 of 100,000 predecessors are not among the 1 supplied event',
        found: `${missing.slice(0, 8).join(', ')}, … (100,000 in all)`,
      }),
    ]);
  });
});
