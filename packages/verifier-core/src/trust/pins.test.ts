import { describe, expect, it } from 'vitest';
import { toHex } from '../encoding/hex.js';
import { computeNoteKeyId, type NoteKeyType, noteVerifierKey } from '../note/vkey.js';
import { checkTrustStore, parseTrustStore } from './parse.js';

/** A real verifier key: 32 bytes of `fill` (or `bytes`), its key ID recomputed. */
const vk = (name: string, fill: number, type: NoteKeyType = 'ed25519') =>
  noteVerifierKey(name, type, new Uint8Array(32).fill(fill)).vkey;
const LOG = vk('log.example/a', 1);
const store = (o: Record<string, unknown>) => JSON.stringify({ version: 1, ...o });
/** LOG with the first digit of its key ID changed: well-formed, but not this key's ID. */
const WRONG_ID = LOG.replace(/\+([0-9a-f])/, (_m, d: string) => `+${d === '0' ? '1' : '0'}`);

function refusal(text: string): { path?: string; message: string; expected?: string; found?: string } {
  try {
    parseTrustStore(text);
  } catch (e) {
    const le = e as { code: string; path?: string; message: string; expected?: string; found?: string };
    expect(le.code).toBe('trust.store');
    return le;
  }
  throw new Error('the trust store was accepted');
}

describe('trust store pins: every key parses, nothing is pinned twice or two ways (spec §4.8)', () => {
  it('a log vkey whose key ID is not its key’s names the field, the right ID and the one found', () => {
    expect(WRONG_ID).not.toBe(LOG);
    const e = refusal(store({ logs: [{ origin: 'log.example/a', vkey: WRONG_ID }] }));
    expect(e.path).toBe('/logs/0/vkey');
    expect(e.message).toMatch(/^\/logs\/0\/vkey: key ID [0-9a-f]{8} does not match the key/);
    expect(e.expected).toBe(`key ID ${LOG.split('+')[1]}`);
    expect(e.found).toBe(`key ID ${WRONG_ID.split('+')[1]}`);
  });

  it.each([
    ['garbage', 'hello'],
    ['a made-up key (one type byte, no key)', 'log.example/a+01234567+AQ=='],
    ['an unknown type byte', 'log.example/a+01234567+CQEBAQ=='],
  ])('a log vkey that is %s', (_what, vkey) => {
    const e = refusal(store({ logs: [{ origin: 'log.example/a', vkey }] }));
    expect(e).toMatchObject({ path: '/logs/0/vkey', found: JSON.stringify(vkey) });
    expect(e.expected).toMatch(/^a C2SP verifier key/);
  });

  it('a witness vkey that does not parse', () => {
    const e = refusal(store({ witnesses: { vkeys: [vk('w1', 2), 'w+00000000+AAAA'], threshold: 1 } }));
    expect(e.path).toBe('/witnesses/vkeys/1');
  });

  it('the same log key pinned twice for one origin, under any name', () => {
    const log = { origin: 'log.example/a', vkey: LOG };
    expect(refusal(store({ logs: [log, log] })).message).toMatch(
      /^\/logs\/1: the same log key is pinned twice \(also \/logs\/0\)/,
    );
    const renamed = { origin: 'log.example/a', vkey: vk('other-name', 1) };
    expect(refusal(store({ logs: [log, renamed] })).path).toBe('/logs/1');
  });

  it('one origin under two keys (a rotation) and one key for two origins are kept', () => {
    const t = parseTrustStore(
      store({
        logs: [
          { origin: 'log.example/a', vkey: LOG },
          { origin: 'log.example/a', vkey: vk('log.example/a', 9) },
          { origin: 'log.example/a - 2', vkey: LOG },
        ],
      }),
    );
    expect(t.logs).toHaveLength(3);
  });

  it('the same witness twice: it would count once, so a threshold of 2 could never be met', () => {
    const w = vk('w1', 2);
    const e = refusal(store({ witnesses: { vkeys: [w, w], threshold: 2 } }));
    expect(e.message).toMatch(/^\/witnesses\/vkeys\/1: the same witness key as \/witnesses\/vkeys\/0/);
    expect(e).toMatchObject({ expected: 'each witness key once' });
  });

  it('one witness key under another name and type (0x01 and 0x04) is still one witness', () => {
    const e = refusal(
      store({ witnesses: { vkeys: [vk('w1', 2), vk('w1-cosigner', 2, 'cosignature-v1')], threshold: 2 } }),
    );
    expect(e.path).toBe('/witnesses/vkeys/1');
  });

  it('a witness whose key is a pinned log’s (it never counts for that log)', () => {
    const e = refusal(
      store({
        logs: [{ origin: 'log.example/a', vkey: LOG }],
        witnesses: { vkeys: [vk('w1', 2), vk('log-as-witness', 1, 'cosignature-v1')], threshold: 2 },
      }),
    );
    expect(e).toMatchObject({ path: '/witnesses/vkeys/1', found: 'the key of /logs/0/vkey' });
  });

  it('two different keys with one name and key ID (a signature line could not say which signed)', () => {
    // A 32-bit key ID collision under one name: found by the birthday bound in ~2^16 keys. The key
    // bytes need not be a curve point to make a vkey, which is all a trust file holds.
    const seen = new Map<string, Uint8Array>();
    let pair: [Uint8Array, Uint8Array] | undefined;
    for (let i = 0; !pair; i++) {
      const key = new Uint8Array(32);
      new DataView(key.buffer).setUint32(0, i);
      const id = toHex(computeNoteKeyId('w', 0x01, key));
      const other = seen.get(id);
      if (other) pair = [other, key];
      else seen.set(id, key);
    }
    const [a, b] = pair.map((k) => noteVerifierKey('w', 'ed25519', k).vkey) as [string, string];
    expect(a.split('+')[1]).toBe(b.split('+')[1]);
    const e = refusal(store({ logs: [{ origin: 'w', vkey: a }], witnesses: { vkeys: [b], threshold: 1 } }));
    expect(e).toMatchObject({ path: '/witnesses/vkeys/0', found: `/logs/0/vkey ${a}` });
    expect(e.message).toMatch(/a different key with the name and key ID of \/logs\/0\/vkey/);
  });

  it('two proof servers with one id', () => {
    const p = (k: string) => ({ id: 'proofs.example', public_key: k.repeat(32) });
    expect(refusal(store({ proof_servers: [p('aa'), p('bb')] }))).toMatchObject({
      path: '/proof_servers/1/id',
      expected: 'each proof server id once',
      found: '"proofs.example" again',
    });
  });

  it('two approvers with one id, and one approver key under two ids', () => {
    const a = (id: string, k: string) => ({
      id,
      name: id,
      public_key: k.repeat(32),
      roles: ['authorizing_official'],
    });
    expect(refusal(store({ approvers: [a('lin:human:ao', 'aa'), a('lin:human:ao', 'bb')] })).path).toBe(
      '/approvers/1/id',
    );
    const e = refusal(store({ approvers: [a('lin:human:ao', 'aa'), a('lin:human:co', 'aa')] }));
    expect(e.path).toBe('/approvers/1/public_key');
    expect(e.message).toMatch(/pinned twice \(also \/approvers\/0\/public_key\)/);
  });

  it('two card signers with one kid (which key a signature names would be ambiguous)', () => {
    const signer = (b: string) => ({ kid: 'k1', alg: 'EdDSA', public_key: b.repeat(32) });
    expect(refusal(store({ card_signers: [signer('00'), signer('11')] })).message).toMatch(
      /^\/card_signers\/1\/kid: the card signer kid "k1" is pinned twice \(also \/card_signers\/0\/kid\)/,
    );
  });

  it('the trust.store outcome fails naming the field, expected and found', () => {
    const { trust, outcome } = checkTrustStore(
      store({ logs: [{ origin: 'log.example/a', vkey: WRONG_ID }] }),
    );
    expect(trust).toBeUndefined();
    expect(outcome).toMatchObject({
      status: 'fail',
      subject: { field: '/logs/0/vkey' },
      expected: expect.stringMatching(/^key ID /),
      found: expect.stringMatching(/^key ID /),
    });
  });

  it('a store whose every pin is distinct and well-formed parses', () => {
    const t = parseTrustStore(
      store({
        logs: [{ origin: 'log.example/a', vkey: LOG }],
        witnesses: { vkeys: [vk('w1', 2), vk('w2', 3, 'cosignature-v1')], threshold: 2 },
        proof_servers: [
          { id: 'p1', public_key: 'aa'.repeat(32) },
          { id: 'p2', public_key: 'aa'.repeat(32) },
        ],
        card_signers: [
          { kid: 'k1', alg: 'EdDSA', public_key: 'aa'.repeat(32) },
          { kid: 'k2', alg: 'EdDSA', public_key: 'bb'.repeat(32) },
        ],
      }),
    );
    expect(t.witnesses.vkeys).toHaveLength(2);
  });
});
