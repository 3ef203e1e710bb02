import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { nobleBackend } from '../crypto/backends/noble.js';
import { nodeBackend } from '../crypto/backends/node.js';
import { getCryptoBackend, setCryptoBackend } from '../crypto/current.js';
import { fromBase64, toBase64 } from '../encoding/base64.js';
import { utf8Encode } from '../encoding/bytes.js';
import { MAX_NOTE_SIGNATURES, openSignedNote, parseSignedNote, verifySignedNote } from './signed-note.js';
import { type NoteVerifierKey, parseVkey } from './vkey.js';

interface SigRef {
  name: string;
  keyIdHex: string;
}
interface NoteCase {
  id: string;
  verifierKeys: string[];
  noteBase64: string;
  expect:
    | { result: 'valid'; text: string; verifiedSigs: SigRef[]; unverifiedSigs: SigRef[] }
    | { result: 'invalid'; reason: string };
}

const cases: NoteCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'signed-note-vectors.json'), 'utf8'),
).cases;

/** The README's informal reasons, mapped to our stable codes. */
const REASON_CODES: Record<string, string> = {
  'malformed note': 'note.malformed',
  'no verifiable signatures': 'note.no-verified-signature',
  'invalid signature': 'note.bad-signature',
};

/**
 * Policy (docs/spec/03-checkpoints.md): the same vkey configured twice is
 * de-duplicated, so x/mod's "ambiguous key" case opens normally.
 */
const POLICY_OVERRIDES: Record<string, NoteCase['expect']> = {
  'xmod-ambiguous-verifier-list': {
    result: 'valid',
    text: "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n",
    verifiedSigs: [{ name: 'EnochRoot', keyIdHex: 'af0cfe78' }],
    unverifiedSigs: [],
  },
};

const original = getCryptoBackend();
afterAll(() => setCryptoBackend(original));

describe.each([
  ['node', nodeBackend],
  ['noble', nobleBackend],
])('c2sp signed-note vectors (%s backend)', (_name, backend) => {
  it('covers every case in the file', () => {
    expect(cases.length).toBeGreaterThanOrEqual(29);
  });
  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    setCryptoBackend(backend);
    const keys = c.verifierKeys.map((v) => parseVkey(v));
    const r = await openSignedNote(fromBase64(c.noteBase64), keys);
    const expected = POLICY_OVERRIDES[c.id] ?? c.expect;
    if (expected.result === 'valid') {
      if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
      expect(r.note.text).toBe(expected.text);
      expect(r.verified.map((v) => ({ name: v.key.name, keyIdHex: v.key.keyIdHex }))).toEqual(
        expected.verifiedSigs,
      );
      expect(r.unverified.map((u) => ({ name: u.name, keyIdHex: u.keyIdHex }))).toEqual(
        expected.unverifiedSigs,
      );
    } else {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe(REASON_CODES[expected.reason]);
      expect(r.message.length).toBeGreaterThan(10);
    }
  });
});

describe('signed-note policy details', () => {
  const peter = parseVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
  const byId = Object.fromEntries(cases.map((c) => [c.id, c]));
  const oneKnown = fromBase64(byId['xmod-one-known-one-unknown']!.noteBase64);

  it('rejects two DIFFERENT keys that share a name and key ID as ambiguous', async () => {
    // Such a collision needs ~2^32 work to build for real, so forge the second key's record.
    const impostor: NoteVerifierKey = {
      ...peter,
      publicKey: new Uint8Array(32).fill(7),
      vkey: `${peter.vkey}x`,
    };
    const r = await openSignedNote(oneKnown, [peter, impostor]);
    expect(r).toMatchObject({ ok: false, code: 'note.ambiguous-key' });
  });

  it('counts a key once even when its identical line repeats', async () => {
    const r = await openSignedNote(fromBase64(byId['xmod-duplicate-signature-lines']!.noteBase64), [peter]);
    expect(r.ok && r.verified.length).toBe(1);
  });

  it('accepts exactly 100 signature lines and rejects 101', async () => {
    const note = parseSignedNote(oneKnown);
    const line = `\u2014 ${note.signatures[0]!.name} ${note.signatures[0]!.base64}\n`;
    const make = (n: number) => `${note.text}\n${line.repeat(n)}`;
    expect(parseSignedNote(make(MAX_NOTE_SIGNATURES)).signatures).toHaveLength(100);
    expect(() => parseSignedNote(make(101))).toThrow(/101 signature lines/);
    const r = await openSignedNote(make(100), [peter]);
    expect(r.ok && r.verified.length).toBe(1);
  });

  it('rejects the note when a second, different line from a known key fails', async () => {
    const note = parseSignedNote(oneKnown);
    const good = note.signatures[0]!;
    const raw = fromBase64(good.base64);
    raw[10]! ^= 1;
    const text = `${note.text}\n\u2014 ${good.name} ${good.base64}\n\u2014 ${good.name} ${toBase64(raw)}\n`;
    const r = await openSignedNote(text, [peter]);
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
  });

  it('rejects a lone surrogate, CR, tab, unpadded or url-safe signatures, and an empty text split', () => {
    const note = parseSignedNote(oneKnown);
    const sig = note.signatures[0]!;
    const bad = [
      `${note.text}\ud800\n\n\u2014 ${sig.name} ${sig.base64}\n`,
      `${note.text.replace('\n', '\r\n')}\n\u2014 ${sig.name} ${sig.base64}\n`,
      `${note.text}\n\u2014 ${sig.name}\t${sig.base64}\n`,
      `${note.text}\n\u2014 ${sig.name} ${sig.base64.replace(/=+$/, '')}\n`,
      `${note.text}\n\u2014 ${sig.name} ${sig.base64.replace(/\+/g, '-').replace(/\//g, '_')}\n`,
      `${note.text}\n\u2014 ${sig.name}  ${sig.base64}\n`,
      `${note.text}\n- ${sig.name} ${sig.base64}\n`,
      `${note.text}\n\u2014 Peter+Neumann ${sig.base64}\n`,
      `${note.text}\n\u2014 ${sig.name} AAAA\n`,
    ];
    for (const b of bad) expect(() => parseSignedNote(b), JSON.stringify(b)).toThrow();
  });

  it('signs over the exact text bytes: a changed text fails verification with the known key', async () => {
    const note = parseSignedNote(oneKnown);
    const tampered = { ...note, textBytes: utf8Encode(note.text.replace('answer', 'Answer')) };
    const r = await verifySignedNote(tampered, [peter]);
    expect(r).toMatchObject({ ok: false, code: 'note.bad-signature' });
  });
});
