// The UI's pure logic: audit-path sides, check grouping and filtering, hidden-character display, layout.
import {
  bytesEqual,
  type CheckOutcome,
  leafHash,
  MerkleTree,
  nodeHash,
  utf8Encode,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { filterChecks, groupChecks } from './check-list.js';
import { revealHidden, revealOneLine, truncateEnd, truncateMiddle } from './data-text.js';
import { layoutLineage, lineageWindow, MAX_DRAWN_EDGES, MAX_DRAWN_NODES } from './lineage-layout.js';
import { auditPathSides } from './proof-view.js';

describe('audit path sides', () => {
  it('recomputes the root for every leaf of trees of size 1..40 using the sides shown', () => {
    for (let size = 1; size <= 40; size++) {
      const tree = new MerkleTree();
      for (let i = 0; i < size; i++) tree.append(leafHash(utf8Encode(`leaf ${i}`)));
      for (let index = 0; index < size; index++) {
        const path = tree.inclusionProof(index, size);
        const sides = auditPathSides(index, size, path.length);
        let h = tree.leafHash(index);
        path.forEach((sib, i) => {
          h = sides[i] === 'left' ? nodeHash(sib, h) : nodeHash(h, sib);
        });
        expect(bytesEqual(h, tree.root(size)), `size ${size} index ${index}`).toBe(true);
      }
    }
  });
  it('a wrong side gives a different root (the display is not decorative)', () => {
    const tree = new MerkleTree();
    for (let i = 0; i < 7; i++) tree.append(leafHash(utf8Encode(`x${i}`)));
    const path = tree.inclusionProof(5, 7);
    const sides = auditPathSides(5, 7, path.length).map((s) => (s === 'left' ? 'right' : 'left'));
    let h = tree.leafHash(5);
    path.forEach((sib, i) => {
      h = sides[i] === 'left' ? nodeHash(sib, h) : nodeHash(h, sib);
    });
    expect(bytesEqual(h, tree.root())).toBe(false);
  });
});

const chk = (id: string, status: CheckOutcome['status'], step?: string, subjectId = 'e1'): CheckOutcome => ({
  id,
  status,
  subject: { kind: 'event', id: subjectId, ...(step ? { step } : {}) },
  title: `${id} holds`,
});

describe('check grouping and filters', () => {
  const checks = [
    chk('event.schema', 'pass', 'A1'),
    chk('event.signature', 'pass', 'A2'),
    chk('event.signature', 'fail', 'A2', 'e7'),
    chk('event.inclusion', 'not_checked', 'A3'),
    chk('capsule.container', 'pass'),
  ];
  it('puts steps with failures first, then not-checked, then the rest in workflow order; failures first inside', () => {
    const g = groupChecks(checks);
    expect(g.map((x) => x.step)).toEqual(['A2', 'A3', 'A1', 'Capsule-wide checks']);
    expect(g[0]!.checks.map((c) => c.status)).toEqual(['fail', 'pass']);
    expect(g[0]!.counts).toEqual({ pass: 1, fail: 1, not_checked: 0 });
    // A failed capsule-wide check leads: it is often the cause of the step failures.
    const rooted = groupChecks([...checks, chk('attestation.sth_signature', 'fail')]);
    expect(rooted.map((x) => x.step)).toEqual(['Capsule-wide checks', 'A2', 'A3', 'A1']);
  });
  it('filters by status and by text in id, subject, field, reason', () => {
    const off = { pass: false, fail: true, not_checked: true };
    expect(filterChecks(checks, { statuses: off, text: '' }).map((c) => c.status)).toEqual([
      'fail',
      'not_checked',
    ]);
    expect(
      filterChecks(checks, { statuses: { pass: true, fail: true, not_checked: true }, text: 'E7' }),
    ).toHaveLength(1);
  });
});

describe('capsule strings as data', () => {
  it('makes bidi, zero-width and control characters visible', () => {
    expect(revealHidden('ok\u202Eevil\u200B\u0007')).toBe('ok⟨U+202E⟩evil⟨U+200B⟩⟨U+0007⟩');
    expect(revealHidden('tab\tand\nnewline stay')).toBe('tab\tand\nnewline stay');
    expect(revealHidden('✓ Verified')).toBe('✓ Verified');
  });
  it('shows a line break or tab inside a one-line value (ids, names, graph labels) as a mark', () => {
    expect(revealOneLine('Scan\n✓ Passed\tx\u202E')).toBe('Scan⟨U+000A⟩✓ Passed⟨U+0009⟩x⟨U+202E⟩');
  });
  it('elides the middle of long values', () => {
    expect(truncateMiddle('abcdefghij', 5)).toBe('ab…ij');
    expect(truncateEnd('Raj Patel (Compliance Officer)', 12)).toBe('Raj Patel (…');
    expect(truncateEnd('abc', 5)).toBe('abc');
    expect(truncateMiddle('abc', 5)).toBe('abc');
  });
});

describe('lineage layout', () => {
  it('places every node, routes every edge, and reports edges to missing events', () => {
    const nodes = ['a', 'b', 'c'].map((id) => ({
      id,
      kind: 'agent' as const,
      label: id,
      step: '1',
      status: 'pass' as const,
    }));
    const edges = [
      { from: 'a', to: 'b', kind: 'predecessor' as const, status: 'pass' as const },
      { from: 'b', to: 'c', kind: 'handoff' as const, status: 'fail' as const },
      { from: 'c', to: 'ghost', kind: 'predecessor' as const, status: 'fail' as const },
    ];
    const l = layoutLineage(nodes, edges);
    expect(l.nodes).toHaveLength(3);
    expect(l.edges).toHaveLength(2);
    expect(l.dangling).toEqual([edges[2]]);
    const y = Object.fromEntries(l.nodes.map((n) => [n.id, n.y]));
    expect(y.a!).toBeLessThan(y.b!);
    expect(y.b!).toBeLessThan(y.c!);
    expect(l.edges.every((e) => e.points.length >= 2)).toBe(true);
  });
});

describe('lineage layout under many edges', () => {
  const node = (id: string) => ({
    id,
    kind: 'agent' as const,
    label: id,
    step: '1',
    status: 'pass' as const,
  });

  it('merges 40k parallel handoffs between two events into one drawn edge with their count and worst status', () => {
    // Laid out one by one, 40k edges between two events took dagre 5 minutes on the renderer's thread.
    const handoffs = Array.from({ length: 40_000 }, (_, i) => ({
      from: 'a',
      to: 'b',
      kind: 'handoff' as const,
      status: i === 31_337 ? ('fail' as const) : ('pass' as const),
      receiptId: `h${i}`,
    }));
    const l = layoutLineage(
      [node('a'), node('b')],
      [{ from: 'a', to: 'b', kind: 'predecessor', status: 'pass' }, ...handoffs],
    );
    expect(l.edges.map((e) => [e.kind, e.count, e.status, e.receiptId])).toEqual([
      ['predecessor', 1, 'pass', undefined],
      ['handoff', 40_000, 'fail', 'h0'],
    ]);
    expect(l.undrawn).toBe(0);
  });

  it('draws every predecessor edge and at most MAX_DRAWN_EDGES in all, counting the handoffs left out', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `n${i}`);
    const chain = ids
      .slice(1)
      .map((id, i) => ({ from: ids[i]!, to: id, kind: 'predecessor' as const, status: 'pass' as const }));
    // Every ordered pair: 3,540 distinct handoff edges.
    const handoffs = ids.flatMap((a) =>
      ids
        .filter((b) => b !== a)
        .map((b) => ({ from: a, to: b, kind: 'handoff' as const, status: 'pass' as const })),
    );
    const l = layoutLineage(ids.map(node), [...handoffs, ...chain], 1_000);
    expect(l.edges).toHaveLength(1_000);
    expect(l.edges.filter((e) => e.kind === 'predecessor')).toHaveLength(59);
    expect(l.undrawn).toBe(3_540 - (1_000 - 59));
  });
});

describe('lineage window', () => {
  const chain = (n: number) => {
    const nodes = Array.from({ length: n }, (_, i) => ({
      id: `e${i}`,
      kind: 'agent' as const,
      label: `A${i % 5}`,
      step: 'A2',
      status: i === 1234 ? ('fail' as const) : ('pass' as const),
    }));
    const edges = nodes
      .slice(1)
      .map((x, i) => ({ from: `e${i}`, to: x.id, kind: 'predecessor' as const, status: 'pass' as const }));
    return { nodes, edges };
  };

  it('draws a small lineage whole, with the very same arrays (so its layout is kept)', () => {
    const { nodes, edges } = chain(40);
    const w = lineageWindow(nodes, edges, 'e3');
    expect(w.nodes).toBe(nodes);
    expect(w.edges).toBe(edges);
    expect(w.total).toBe(40);
  });

  it('draws a 5,000-event chain as the window around the focus, which dagre lays out whole', () => {
    const { nodes, edges } = chain(5000);
    // Whole, dagre would lay out at most MAX_DRAWN_EDGES of its links (all of them overflowed its stack).
    expect(layoutLineage(nodes, edges).undrawn).toBe(4_999 - MAX_DRAWN_EDGES);
    const w = lineageWindow(nodes, edges, 'e1234');
    expect(w.total).toBe(5000);
    expect(w.nodes).toHaveLength(MAX_DRAWN_NODES);
    const ids = w.nodes.map((n) => Number(n.id.slice(1)));
    // Breadth-first along the chain: the focus and its neighbours on both sides, in order.
    expect(ids[0]).toBe(1234 - MAX_DRAWN_NODES / 2);
    expect(ids.at(-1)).toBe(1234 + MAX_DRAWN_NODES / 2 - 1);
    expect(ids).toContain(1234);
    // Only edges inside the window: none is mistaken for a dangling predecessor.
    expect(w.edges).toHaveLength(MAX_DRAWN_NODES - 1);
    const l = layoutLineage(w.nodes, w.edges);
    expect(l.dangling).toEqual([]);
    expect(l.nodes).toHaveLength(MAX_DRAWN_NODES);
  });

  it('keeps a genuinely dangling edge of an event in the window, and starts at the first event without a focus', () => {
    const { nodes, edges } = chain(600);
    const ghost = { from: 'ghost', to: 'e2', kind: 'predecessor' as const, status: 'fail' as const };
    const w = lineageWindow(nodes, [...edges, ghost], undefined);
    expect(w.nodes[0]!.id).toBe('e0');
    expect(w.edges).toContainEqual(ghost);
    expect(layoutLineage(w.nodes, w.edges).dangling).toEqual([ghost]);
  });
});
