import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../crypto/current.js';
import { ecdsaDerToRaw } from '../crypto/ecdsa-der.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { bytesEqual, concatBytes, utf8Encode } from '../encoding/bytes.js';
import { ed25519Spki, parsePem, parsePublicKey, parseSpki } from '../keys/spki.js';
import { LineageError } from '../result.js';
import { verifyCheckpoint } from './checkpoint.js';
import { parseCheckpointBody } from './checkpoint-body.js';
import { parseLineageSthTimestamp, verifyLineageSth } from './lineage-sth.js';
import { parseRfc6962Sth, verifyRfc6962Sth } from './rfc6962-sth.js';
import { encodeDigitallySigned, parseDigitallySigned, treeHeadSignatureInput } from './rfc6962-tls.js';
import { parseSignedNote } from './signed-note.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from './tlog-proof.js';
import { noteVerifierKey, parseVkey } from './vkey.js';

/**
 * Property tests of every parser of tree heads and signed notes on hostile text: real signed
 * inputs (a Lineage STH, a tlog-proof, an RFC 6962 STH, all signed here with Ed25519) mutated, and
 * arbitrary text. Parsers throw only LineageError; verifiers return { ok: false } and never throw;
 * a mutation that changes the signed text never verifies. Inputs are size-capped (no timing asserts).
 */
const LOG = 'lineage.example/fuzz-log';
const seed = new Uint8Array(32).fill(7);
const pub = ed25519.getPublicKey(seed);
const logKey = noteVerifierKey(LOG, 'ed25519', pub);
const root = sha256(utf8Encode('fuzz root'));
const body = `${LOG}\n18\n${toBase64(root)}\ntimestamp 1793682001000\n`;
const sigLine = (text: string) =>
  `\u2014 ${LOG} ${toBase64(concatBytes(logKey.keyId, ed25519.sign(utf8Encode(text), seed)))}\n`;
const sth = `${body}\n${sigLine(body)}`;
const leaf = sha256(utf8Encode('leaf'));
const sibling = sha256(utf8Encode('sibling'));

/** Runs `f`; a throw must be a LineageError with a code. */
function onlyLineageError(f: () => unknown, input: unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LineageError) || typeof e.code !== 'string' || e.code === '')
      throw new Error(`non-structured error for ${JSON.stringify(input)?.slice(0, 300)}: ${e}`);
  }
}

/** Awaits a verifier: it must resolve (never reject) to a result with ok, and a code when not ok. */
async function neverThrows<T extends { ok: boolean; code?: string }>(
  p: Promise<T>,
  input: unknown,
): Promise<T> {
  let r: T;
  try {
    r = await p;
  } catch (e) {
    throw new Error(`verifier threw for ${JSON.stringify(input)?.slice(0, 300)}: ${e}`);
  }
  if (!r.ok) expect(typeof r.code).toBe('string');
  return r;
}

const noteChar = fc.oneof(
  fc.constantFrom(
    '\n',
    '\n\n',
    ' ',
    '+',
    '=',
    '/',
    '\u2014 ',
    '\u2014',
    '0',
    '1',
    '9',
    'A',
    'a',
    'timestamp ',
  ),
  fc.constantFrom('\r', '\t', '\0', '\ufeff', '\ud800', '\udc00', '\u00a0', '\u2028', 'é'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
);

const textMutation = fc.record({
  kind: fc.constantFrom('flip', 'truncate', 'duplicate', 'insert', 'delete', 'swap-lines'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 60 }),
  snippet: fc.array(noteChar, { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
});

function mutateText(text: string, m: { kind: string; at: number; len: number; snippet: string }): string {
  const i = m.at % text.length;
  switch (m.kind) {
    case 'flip':
      return (
        text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (m.len % 127 || 1)) + text.slice(i + 1)
      );
    case 'truncate':
      return text.slice(0, i);
    case 'duplicate':
      return text.slice(0, i + m.len) + text.slice(i);
    case 'delete':
      return text.slice(0, i) + text.slice(i + m.len);
    case 'swap-lines': {
      const lines = text.split('\n');
      const a = m.at % lines.length;
      const b = m.len % lines.length;
      [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      return lines.join('\n');
    }
    default:
      return text.slice(0, i) + m.snippet + text.slice(i);
  }
}

function mutateBytes(bytes: Uint8Array, pos: number, x: number): Uint8Array {
  const out = bytes.slice();
  const i = pos % out.length;
  out[i] = out[i]! ^ x;
  return out;
}

describe('signed notes, checkpoints and tree heads on hostile input (fast-check)', () => {
  it('the harness is sound: the unmutated inputs verify', async () => {
    expect((await verifyLineageSth(sth, { logId: LOG, logKeys: [logKey] })).ok).toBe(true);
  });

  it('a mutated Lineage STH never throws, and verifies only if the signed text is unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(textMutation, async (m) => {
        const t = mutateText(sth, m);
        const r = await neverThrows(verifyLineageSth(t, { logId: LOG, logKeys: [logKey] }), t);
        if (r.ok) expect(r.note.text).toBe(body);
        const c = await neverThrows(verifyCheckpoint(t, { logKeys: [logKey] }), t);
        if (c.ok) expect(c.note.text).toBe(body);
        onlyLineageError(() => parseSignedNote(t), t);
        onlyLineageError(() => parseCheckpointBody(t), t);
      }),
      { numRuns: 1500, seed: 6962 },
    );
  });

  it('a Lineage STH with flipped bytes never throws, and never verifies when the signed part changed', async () => {
    const bytes = utf8Encode(sth);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
        const b = mutateBytes(bytes, pos, x);
        const r = await neverThrows(verifyLineageSth(b, { logId: LOG, logKeys: [logKey] }), [...b]);
        if (r.ok) expect(bytesEqual(r.note.textBytes, utf8Encode(body))).toBe(true);
        onlyLineageError(() => parseSignedNote(b), [...b]);
      }),
      { numRuns: 800, seed: 1 },
    );
  });

  it('arbitrary text is only ever parsed or refused with a LineageError by every note-shaped parser', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(noteChar, { maxLength: 60 }), async (chars) => {
        const t = chars.join('');
        onlyLineageError(() => parseSignedNote(t), t);
        onlyLineageError(() => parseCheckpointBody(t), t);
        onlyLineageError(() => parseVkey(t), t);
        onlyLineageError(() => parseTlogProof(t), t);
        onlyLineageError(() => parseLineageSthTimestamp(t.split('\n')), t);
        onlyLineageError(() => parsePem(t), t);
        onlyLineageError(() => parsePublicKey(t), t);
        onlyLineageError(() => parseRfc6962Sth(t), t);
        await neverThrows(verifyCheckpoint(t, { logKeys: [logKey] }), t);
      }),
      { numRuns: 2000, seed: 4242 },
    );
  });

  it('a mutated vkey is parsed (to a key whose ID matches) or refused with a LineageError', () => {
    fc.assert(
      fc.property(textMutation, (m) => {
        const v = mutateText(logKey.vkey, m);
        try {
          const k = parseVkey(v);
          expect(k.vkey).toBe(v);
        } catch (e) {
          if (!(e instanceof LineageError)) throw new Error(`non-structured error for ${v}: ${e}`);
        }
      }),
      { numRuns: 1500, seed: 3 },
    );
  });

  it('a mutated tlog-proof never throws, and verifies only with the original proof and checkpoint', async () => {
    // Tree of two leaves [leaf, sibling]: the proof for index 0 is [sibling].
    const treeRoot = sha256(concatBytes(Uint8Array.of(1), leaf, sibling));
    const cpBody = `${LOG}\n2\n${toBase64(treeRoot)}\n`;
    const cp = `${cpBody}\n${sigLine(cpBody)}`;
    const proof = formatTlogProof({ index: 0n, proof: [sibling], checkpointText: cp });
    expect((await verifyTlogProof(proof, leaf, { logKeys: [logKey] })).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(textMutation, async (m) => {
        const t = mutateText(proof, m);
        onlyLineageError(() => parseTlogProof(t), t);
        const r = await neverThrows(verifyTlogProof(t, leaf, { logKeys: [logKey] }), t);
        if (r.ok) {
          expect(r.proof.index).toBe(0n);
          expect(r.note.text).toBe(cpBody);
        }
      }),
      { numRuns: 1500, seed: 9162 },
    );
  });

  it('a mutated RFC 6962 STH (JSON text and signature struct) never throws and never verifies changed', async () => {
    const ts = 1793682001000;
    const sig = ed25519.sign(treeHeadSignatureInput(BigInt(ts), 18n, root), seed);
    const doc = {
      tree_size: 18,
      timestamp: ts,
      sha256_root_hash: toBase64(root),
      tree_head_signature: toBase64(
        encodeDigitallySigned({ hashAlgorithm: 8, signatureAlgorithm: 7, signature: sig }),
      ),
    };
    const text = JSON.stringify(doc);
    const key = parseSpki(ed25519Spki(pub));
    expect((await verifyRfc6962Sth(text, key)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(textMutation, async (m) => {
        const t = mutateText(text, m);
        const r = await neverThrows(verifyRfc6962Sth(t, key), t);
        if (r.ok) {
          expect(r.sth.treeSize).toBe(18);
          expect(r.sth.timestamp).toBe(ts);
          expect(bytesEqual(r.sth.rootHash, root)).toBe(true);
        }
      }),
      { numRuns: 1500, seed: 5246 },
    );
    const ds = fromBase64(doc.tree_head_signature);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
        const b = mutateBytes(ds, pos, x);
        onlyLineageError(() => parseDigitallySigned(b), [...b]);
        const r = await neverThrows(verifyRfc6962Sth({ ...doc, tree_head_signature: toBase64(b) }, key), [
          ...b,
        ]);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300, seed: 8 },
    );
  });

  it('mutated or arbitrary DER keys and ECDSA signatures are parsed or refused, never crash', () => {
    const spki = ed25519Spki(pub);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([p, x]) => mutateBytes(spki, p, x)),
          fc
            .tuple(fc.nat(), fc.nat({ max: 8 }))
            .map(([p, n]) => concatBytes(spki.subarray(0, p % spki.length), new Uint8Array(n))),
          fc.uint8Array({ maxLength: 80 }),
          // Long-form lengths and deep nesting of SEQUENCEs.
          fc
            .nat({ max: 2000 })
            .map((n) =>
              concatBytes(
                ...Array.from({ length: n }, () => Uint8Array.of(0x30, 0x84, 0xff, 0xff, 0xff, 0xff)),
              ),
            ),
        ),
        (der) => {
          onlyLineageError(() => parseSpki(der), [...der]);
          onlyLineageError(() => parsePublicKey(der), [...der]);
          onlyLineageError(
            () => parsePublicKey(`-----BEGIN PUBLIC KEY-----\n${toBase64(der)}\n-----END PUBLIC KEY-----\n`),
            [...der],
          );
          const raw = ecdsaDerToRaw(der);
          if (raw !== null) expect(raw.length).toBe(64);
        },
      ),
      { numRuns: 2000, seed: 5480 },
    );
  });

  it.each([
    ['a size line of 1M digits', `${LOG}\n${'9'.repeat(1_000_000)}\n${toBase64(root)}\n`],
    ['a root line of 1M characters', `${LOG}\n1\n${'A'.repeat(1_000_000)}\n`],
    ['200k extension lines', `${LOG}\n1\n${toBase64(root)}\n${'x\n'.repeat(200_000)}`],
    ['an origin of 1M characters', `${'o'.repeat(1_000_000)}\n1\n${toBase64(root)}\n`],
  ])('a checkpoint body with %s is refused with a LineageError', (_name, text) => {
    const note = `${text}\n${sigLine(text)}`;
    onlyLineageError(() => parseCheckpointBody(text), 'huge');
    return neverThrows(verifyLineageSth(note, { logId: LOG, logKeys: [logKey] }), 'huge').then((r) =>
      expect(r.ok).toBe(false),
    );
  });

  it.each([
    ['100k signature lines', `${body}\n${sigLine(body).repeat(100_000)}`],
    ['a signature line of 1M base64 characters', `${body}\n\u2014 ${LOG} ${'AAAA'.repeat(250_000)}\n`],
    ['100k blank lines', `${body}${'\n'.repeat(100_000)}${sigLine(body)}`],
    ['a lone surrogate in the text', `${LOG}\ud800\n18\n${toBase64(root)}\n\n${sigLine(body)}`],
    ['a NUL and a BOM', `\ufeff${body}\0\n${sigLine(body)}`],
  ])('a note with %s never throws and never verifies', async (_name, note) => {
    const r = await neverThrows(verifyLineageSth(note, { logId: LOG, logKeys: [logKey] }), 'huge');
    // 100k copies of the one valid line are refused by the line limit; the others break the text.
    expect(r.ok).toBe(false);
  });

  it('a tlog-proof with 1M proof lines stops at the hash-count limit', () => {
    const t = `c2sp.org/tlog-proof@v1\nindex 0\n${`${toBase64(sibling)}\n`.repeat(1_000_000)}\n${sth}`;
    expect(() => parseTlogProof(t)).toThrow(expect.objectContaining({ code: 'tlog-proof.hash-count' }));
  });
});
