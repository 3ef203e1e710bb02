import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TESSERA_VKEY, vectorPath } from '../../../../test/support/vectors.js';
import { toBase64 } from '../encoding/base64.js';
import { utf8Encode } from '../encoding/bytes.js';
import { leafHash, MerkleTree } from '../merkle/index.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof.js';
import { parseVkey } from './vkey.js';

interface ProofCase {
  id: string;
  text: string;
  expectContainerParse:
    | { result: 'valid'; index: string; extraB64: string | null; hashesB64: string[]; checkpointText: string }
    | { result: 'invalid'; reason: string };
}
const cases: ProofCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'tlog-proof-vectors.json'), 'utf8'),
).cases;

const REASON_CODES: Record<string, string> = {
  'missing header': 'tlog-proof.header',
  'extra not base64': 'tlog-proof.extra',
  'missing index': 'tlog-proof.missing-index',
  'bad index': 'tlog-proof.index',
  'hash not base64': 'tlog-proof.hash-encoding',
  'hash length': 'tlog-proof.hash-length',
};

describe('c2sp tlog-proof container vectors', () => {
  it('covers every case in the file', () => expect(cases.length).toBeGreaterThanOrEqual(11));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const e = c.expectContainerParse;
    if (e.result === 'invalid') {
      expect(() => parseTlogProof(c.text)).toThrow(expect.objectContaining({ code: REASON_CODES[e.reason] }));
      return;
    }
    const p = parseTlogProof(c.text);
    expect(p.index).toBe(BigInt(e.index));
    expect(p.extra === undefined ? null : toBase64(p.extra)).toBe(e.extraB64);
    expect(p.proof.map(toBase64)).toEqual(e.hashesB64);
    expect(p.checkpointText).toBe(e.checkpointText);
    // Our encoder reproduces the exact text.
    expect(formatTlogProof(p)).toBe(c.text);
  });

  it('the C2SP spec example parses but does not verify end to end (elided signatures)', async () => {
    const c = cases.find((x) => x.id === 'c2sp-spec-example')!;
    const key = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const r = await verifyTlogProof(c.text, new Uint8Array(32), { logKeys: [key] });
    expect(r).toMatchObject({ ok: false, code: 'note.malformed' });
  });

  it('rejects more than 64 proof hashes and a missing checkpoint', () => {
    const h = `${toBase64(new Uint8Array(32))}\n`;
    expect(() => parseTlogProof(`c2sp.org/tlog-proof@v1\nindex 0\n${h.repeat(65)}\ncp\n`)).toThrow(
      expect.objectContaining({ code: 'tlog-proof.hash-count' }),
    );
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 0\n')).toThrow(
      expect.objectContaining({ code: 'tlog-proof.checkpoint' }),
    );
    expect(() => parseTlogProof('c2sp.org/tlog-proof@v1\nindex 007\n\ncp\n')).toThrow(
      expect.objectContaining({ code: 'tlog-proof.index' }),
    );
  });
});

/** Entries of the tessera log: uint16 BE length ‖ bytes, 15 of them. */
function tesseraEntries(): Uint8Array[] {
  const bundle = new Uint8Array(readFileSync(join(vectorPath('tessera-log'), 'tile/entries/000.p/15')));
  const out: Uint8Array[] = [];
  for (let off = 0; off < bundle.length; ) {
    const len = (bundle[off]! << 8) | bundle[off + 1]!;
    out.push(bundle.slice(off + 2, off + 2 + len));
    off += 2 + len;
  }
  return out;
}

describe('tlog-proof end to end on the real tessera log', () => {
  const key = parseVkey(TESSERA_VKEY);
  const entries = tesseraEntries();
  const tree = new MerkleTree(entries.map((e) => leafHash(e)));
  const checkpoint = (n: number) => readFileSync(join(vectorPath('tessera-log'), `checkpoint.${n}`), 'utf8');

  it('has the 15 entries the README lists', () => {
    expect(entries.map((e) => new TextDecoder().decode(e)).join(' ')).toBe(
      'one two three four five six seven eit nain ten ileven twelf threeten fourten fivten',
    );
  });

  it('every (index, size) proof built from the entries verifies against the signed checkpoint', async () => {
    let n = 0;
    for (let size = 1; size <= 15; size++) {
      for (let index = 0; index < size; index++) {
        const text = formatTlogProof({
          index: BigInt(index),
          extra: utf8Encode(`entry ${index}`),
          proof: tree.inclusionProof(index, size),
          checkpointText: checkpoint(size),
        });
        const r = await verifyTlogProof(text, leafHash(entries[index]!), { logKeys: [key] });
        if (!r.ok) throw new Error(`${index}/${size}: ${r.message}`);
        expect(r.proof.index).toBe(BigInt(index));
        n++;
      }
    }
    expect(n).toBe(120);
  });

  it('rejects a wrong leaf, a wrong index, a truncated or extended proof, and an index beyond the tree', async () => {
    const proof = tree.inclusionProof(5, 13);
    const mk = (index: number, p: Uint8Array[], size = 13) =>
      formatTlogProof({ index: BigInt(index), proof: p, checkpointText: checkpoint(size) });
    const leaf5 = leafHash(entries[5]!);
    const bad = [
      await verifyTlogProof(mk(5, proof), leafHash(entries[6]!), { logKeys: [key] }),
      await verifyTlogProof(mk(4, proof), leaf5, { logKeys: [key] }),
      await verifyTlogProof(mk(5, proof.slice(0, -1)), leaf5, { logKeys: [key] }),
      await verifyTlogProof(mk(5, [...proof, proof[0]!]), leaf5, { logKeys: [key] }),
      await verifyTlogProof(mk(5, proof, 12), leaf5, { logKeys: [key] }),
      await verifyTlogProof(mk(13, proof), leaf5, { logKeys: [key] }),
    ];
    for (const r of bad) expect(r.ok).toBe(false);
    expect(bad[5]).toMatchObject({ code: 'tlog-proof.index-range' });
    expect(bad[0]).toMatchObject({ code: 'merkle.inclusion.root_mismatch' });
  });

  it('rejects a proof whose checkpoint is not signed by the configured log', async () => {
    const other = parseVkey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    const text = formatTlogProof({
      index: 0n,
      proof: tree.inclusionProof(0, 1),
      checkpointText: checkpoint(1),
    });
    const r = await verifyTlogProof(text, leafHash(entries[0]!), { logKeys: [other] });
    expect(r).toMatchObject({ ok: false, code: 'checkpoint.log-signature' });
  });
});
