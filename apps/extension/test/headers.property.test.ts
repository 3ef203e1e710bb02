import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeaderError, type HeaderList, parseProofHeaders } from '../src/background/headers.js';
import { CHECKPOINTS, checkpointHeader, inclusionHeader, TREES } from './fixture/sites.js';

/**
 * Mutations of valid RFC 9651 proof headers (the fixture site's real checkpoint and proofs):
 * parseProofHeaders returns or throws a HeaderError with a code and the header's name, never
 * another error; a header it accepts after a mutation still obeys the limits (64 hashes of 32
 * bytes, safe non-negative integers, a UTF-8 checkpoint of at most 6,000 bytes). The arbitrary
 * strings case is in headers.test.ts.
 */
const b64 = (n: number, len = 32) => `:${Buffer.from(new Uint8Array(len).fill(n)).toString('base64')}:`;
const valid: Record<string, string> = {
  'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v1),
  'lineage-inclusion': `${inclusionHeader(3, 8, TREES.v1.inclusionProof(3, 8))}, body=(${b64(7)});index=6;size=8`,
  'lineage-consistency': `from=8, to=13, proof=(${b64(1)} ${b64(2)})`,
  'content-digest': `sha-256=${b64(9)}`,
};
const names = Object.keys(valid);

const snippet = fc.constantFrom(
  ':',
  '(',
  ')',
  ';',
  ',',
  '=',
  '"',
  '*',
  '?1',
  '?0',
  '@1',
  '%"',
  ' ',
  '\t',
  '-',
  '.5',
  '999999999999999',
  '9999999999999999',
  '-1',
  'index=',
  'size=',
  'card=',
  'body=',
  '\ud800',
  '\0',
  '\u00e9',
  `(${Array.from({ length: 65 }, (_, i) => b64(i)).join(' ')})`,
  `:${'A'.repeat(8_000)}:`,
);

function apply(text: string, m: { kind: string; at: number; x: number; s: string }): string {
  const i = m.at % (text.length || 1);
  if (m.kind === 'flip')
    return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ m.x) + text.slice(i + 1);
  if (m.kind === 'truncate') return text.slice(0, i);
  if (m.kind === 'duplicate') return `${text}, ${text}`;
  return text.slice(0, i) + m.s + text.slice(i);
}

describe('proof headers: mutations of valid headers (fast-check)', () => {
  it('only ever parse within the limits or throw a HeaderError naming the header', () => {
    expect(
      parseProofHeaders(Object.entries(valid).map(([name, value]) => ({ name, value }))).checkpoint,
    ).toBe(CHECKPOINTS.v1);
    const mutation = fc.record({
      kind: fc.constantFrom('flip', 'truncate', 'insert', 'duplicate'),
      at: fc.nat(),
      x: fc.integer({ min: 1, max: 127 }),
      s: snippet,
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (name, ms, split) => {
          const value = ms.reduce(apply, valid[name]!);
          const list: HeaderList = Object.entries({ ...valid, [name]: value }).flatMap(([n, v]) =>
            // A field sent on two lines is combined with ", " (RFC 9110 §5.3).
            split && n === name
              ? [
                  { name: n, value: v.slice(0, v.length >> 1) },
                  { name: n, value: v.slice(v.length >> 1) },
                ]
              : [{ name: n, value: v }],
          );
          let r: ReturnType<typeof parseProofHeaders>;
          try {
            r = parseProofHeaders(list);
          } catch (e) {
            if (!(e instanceof HeaderError))
              throw new Error(`non-HeaderError for ${name}=${value.slice(0, 200)}: ${e}`);
            expect(e.code).toMatch(/^headers\./);
            expect(e.header).toMatch(/^Lineage-/);
            return;
          }
          for (const p of [r.card, r.body]) {
            if (!p) continue;
            expect(Number.isSafeInteger(p.index) && p.index >= 0).toBe(true);
            expect(Number.isSafeInteger(p.treeSize) && p.treeSize >= 0).toBe(true);
            expect(p.proof.length).toBeLessThanOrEqual(64);
            for (const h of p.proof) expect(h.length).toBe(32);
          }
          if (r.consistency) for (const h of r.consistency.proof) expect(h.length).toBe(32);
          if (r.checkpoint !== null)
            expect(new TextEncoder().encode(r.checkpoint).length).toBeLessThanOrEqual(6_000);
          if (r.bodySha256) expect(r.bodySha256.length).toBe(32);
        },
      ),
      { numRuns: 3000, seed: 9651 },
    );
  });
});
