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
import { revealHidden, truncateMiddle } from './data-text.js';
import { layoutLineage } from './lineage-layout.js';
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
  it('elides the middle of long values', () => {
    expect(truncateMiddle('abcdefghij', 5)).toBe('ab…ij');
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
