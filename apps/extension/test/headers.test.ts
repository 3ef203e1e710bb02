import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  advertisesLineage,
  HeaderError,
  type HeaderList,
  linkHasAgentCard,
  parseProofHeaders,
} from '../src/background/headers.js';
import { CHECKPOINTS, checkpointHeader, inclusionHeader, TREES } from './fixture/sites.js';

const h = (o: Record<string, string>): HeaderList =>
  Object.entries(o).map(([name, value]) => ({ name, value }));
const b64 = (n: number, len = 32) => `:${Buffer.from(new Uint8Array(len).fill(n)).toString('base64')}:`;

function headerError(f: () => unknown): HeaderError {
  try {
    f();
  } catch (e) {
    if (e instanceof HeaderError) return e;
    throw e;
  }
  throw new Error('expected a HeaderError');
}

describe('proof headers (RFC 9651 structured fields)', () => {
  it('parses a checkpoint, a card and a body inclusion proof, a consistency proof and Content-Digest', () => {
    const proof = TREES.v1.inclusionProof(3, 8);
    const r = parseProofHeaders(
      h({
        'lineage-checkpoint': checkpointHeader(CHECKPOINTS.v1),
        'lineage-inclusion': `${inclusionHeader(3, 8, proof)}, body=(${b64(7)});index=6;size=8`,
        'lineage-consistency': `from=8, to=13, proof=(${b64(1)} ${b64(2)})`,
        'content-digest': `sha-256=${b64(9)}, sha-512=${b64(1, 64)}`,
      }),
    );
    expect(r.checkpoint).toBe(CHECKPOINTS.v1);
    expect(r.card?.index).toBe(3);
    expect(r.card?.treeSize).toBe(8);
    expect(r.card?.proof).toEqual(proof);
    expect(r.body?.index).toBe(6);
    expect(r.consistency).toMatchObject({ from: 8, to: 13 });
    expect(r.consistency?.proof).toHaveLength(2);
    expect(r.bodySha256?.[0]).toBe(9);
  });

  it('absent headers are null, not errors', () => {
    expect(parseProofHeaders(h({ 'content-type': 'text/html' }))).toEqual({
      checkpoint: null,
      card: null,
      body: null,
      consistency: null,
      bodySha256: null,
    });
  });

  it('rejects an oversized header before parsing it, with the numbers', () => {
    const e = headerError(() => parseProofHeaders(h({ 'lineage-checkpoint': `:${'A'.repeat(9000)}:` })));
    expect(e.code).toBe('headers.too_large');
    expect(e.message).toBe('Lineage-Checkpoint: value is 9,002 characters; at most 8,192 are accepted');
  });

  it('rejects a checkpoint over 6,000 decoded bytes', () => {
    const e = headerError(() => parseProofHeaders(h({ 'lineage-checkpoint': b64(65, 6100) })));
    expect(e.message).toMatch(/checkpoint is 6,100 bytes; at most 6,000/);
  });

  it('two Lineage-Checkpoint field lines are ambiguous and rejected', () => {
    const one = checkpointHeader(CHECKPOINTS.v1);
    const e = headerError(() =>
      parseProofHeaders([
        { name: 'lineage-checkpoint', value: one },
        { name: 'lineage-checkpoint', value: one },
      ]),
    );
    expect(e.code).toBe('headers.syntax');
  });

  it('rejects a checkpoint that is a string, not a byte sequence', () => {
    expect(headerError(() => parseProofHeaders(h({ 'lineage-checkpoint': '"hello"' }))).code).toBe(
      'headers.type',
    );
  });

  it('rejects hashes that are not 32 bytes, and too many of them', () => {
    const short = headerError(() =>
      parseProofHeaders(h({ 'lineage-inclusion': `card=(${b64(1)} ${b64(1, 31)});index=1;size=2` })),
    );
    expect(short.message).toBe('Lineage-Inclusion: hash 1 of "card" is 31 bytes; expected 32');
    const many = headerError(() =>
      parseProofHeaders(
        h({ 'lineage-inclusion': `card=(${Array(65).fill(b64(1)).join(' ')});index=1;size=2` }),
      ),
    );
    expect(many.message).toMatch(/has 65 hashes; at most 64/);
  });

  it('rejects missing or negative index/size parameters', () => {
    expect(
      headerError(() => parseProofHeaders(h({ 'lineage-inclusion': `card=(${b64(1)});size=2` }))).message,
    ).toMatch(/parameter index/);
    expect(
      headerError(() => parseProofHeaders(h({ 'lineage-inclusion': `card=(${b64(1)});index=-1;size=2` })))
        .code,
    ).toBe('headers.param');
    expect(
      headerError(() => parseProofHeaders(h({ 'lineage-inclusion': `card=(${b64(1)});index=1.5;size=2` })))
        .code,
    ).toBe('headers.param');
  });

  it('rejects a checkpoint that is not UTF-8', () => {
    const bad = `:${Buffer.from([0xff, 0xfe, 0x0a]).toString('base64')}:`;
    expect(headerError(() => parseProofHeaders(h({ 'lineage-checkpoint': bad }))).code).toBe('headers.utf8');
  });

  it('ignores a Content-Digest without sha-256 rather than trusting another algorithm', () => {
    expect(parseProofHeaders(h({ 'content-digest': `sha-512=${b64(1, 64)}` })).bodySha256).toBeNull();
    expect(parseProofHeaders(h({ 'content-digest': 'garbage(((' })).bodySha256).toBeNull();
  });

  it('never throws anything but HeaderError on arbitrary header values (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.record({
          'lineage-checkpoint': fc.oneof(fc.string({ maxLength: 300 }), fc.constant(':AAAA:')),
          'lineage-inclusion': fc.string({ maxLength: 300 }),
          'lineage-consistency': fc.string({ maxLength: 300 }),
          'content-digest': fc.string({ maxLength: 100 }),
        }),
        (rec) => {
          try {
            parseProofHeaders(h(rec));
          } catch (e) {
            if (!(e instanceof HeaderError)) throw e;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('which responses advertise Lineage', () => {
  it('a Link with rel="agent-card" (quoted, unquoted, among other rels)', () => {
    expect(linkHasAgentCard('</.well-known/agent-card.json>; rel="agent-card"')).toBe(true);
    expect(linkHasAgentCard('</a>; rel=preload, </.well-known/agent-card.json>; rel=agent-card')).toBe(true);
    expect(linkHasAgentCard('</x>; rel="alternate agent-card"')).toBe(true);
    expect(linkHasAgentCard('</x>; rel="agent-cards"')).toBe(false);
    expect(linkHasAgentCard('</agent-card>; rel="preload"')).toBe(false);
    expect(linkHasAgentCard(`</x>; rel="agent-card"${' '.repeat(17_000)}`)).toBe(false);
  });

  it('a proof header advertises; an unrelated response does not', () => {
    expect(advertisesLineage(h({ 'lineage-checkpoint': ':AAAA:' }))).toBe(true);
    expect(advertisesLineage(h({ 'lineage-inclusion': 'x' }))).toBe(true);
    expect(advertisesLineage(h({ 'content-type': 'text/html', link: '</s.css>; rel=stylesheet' }))).toBe(
      false,
    );
  });
});
