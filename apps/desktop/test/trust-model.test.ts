import { ed25519Spki, keyFingerprintHex, noteVerifierKey, parseVkey } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import {
  addTrustEntry,
  emptyTrustStore,
  parseTrustStore,
  removeTrustEntry,
  serializeTrustStore,
  viewTrustStore,
} from '../src/shared/trust-model.js';
import { ed25519Pair, vkeyFor } from './support/keys.js';

describe('trust store editing', () => {
  it('starts empty: nothing is trusted by default', () => {
    const v = viewTrustStore(emptyTrustStore());
    expect(v.entries).toEqual([]);
    expect(v.usable).toBe(false);
  });

  it('imports a log vkey, with the origin taken from the key name', () => {
    const vk = vkeyFor('log.example/fedramp');
    const s = addTrustEntry(emptyTrustStore(), { kind: 'log', text: `${vk}\n` });
    expect(s.logs).toEqual([{ origin: 'log.example/fedramp', vkey: vk }]);
    const e = viewTrustStore(s).entries[0]!;
    expect(e).toMatchObject({ id: 'log:log.example/fedramp', kind: 'log', algorithm: 'ed25519' });
    const raw = parseVkey(vk).publicKey;
    expect(e.fingerprint).toBe(
      keyFingerprintHex({ algorithm: 'ed25519', publicKey: raw, spki: ed25519Spki(raw) }),
    );
    expect(e.fingerprintGroups.join('')).toBe(e.fingerprint);
    expect(e.fingerprintGroups).toHaveLength(16);
    expect(viewTrustStore(s).usable).toBe(true);
  });

  it('imports proof servers from hex or PEM and approvers with roles', () => {
    const ps = ed25519Pair();
    const ap = ed25519Pair();
    let s = addTrustEntry(emptyTrustStore(), { kind: 'proof-server', name: 'proofs.example', text: ps.pem });
    s = addTrustEntry(s, {
      kind: 'approver',
      name: 'lin:human:ao.jane',
      label: 'Jane Doe',
      text: ap.pubHex,
      roles: ['authorizing_official'],
    });
    expect(s.proof_servers).toEqual([{ id: 'proofs.example', public_key: ps.pubHex }]);
    expect(s.approvers).toEqual([
      { id: 'lin:human:ao.jane', name: 'Jane Doe', public_key: ap.pubHex, roles: ['authorizing_official'] },
    ]);
  });

  it('imports an approver public-key file exported by another desktop', () => {
    const ap = ed25519Pair();
    const file = JSON.stringify({
      type: 'lineage-approver-public-key',
      version: 1,
      id: 'lin:human:isso.kim',
      name: 'Kim',
      roles: ['security_officer'],
      public_key: ap.pubHex,
      fingerprint: '',
    });
    const s = addTrustEntry(emptyTrustStore(), { kind: 'approver', text: file });
    expect(s.approvers[0]).toMatchObject({
      id: 'lin:human:isso.kim',
      roles: ['security_officer'],
      public_key: ap.pubHex,
    });
  });

  it.each([
    [{ kind: 'log' as const, text: 'not a vkey' }, /expected <name>\+<key ID>\+<base64 key>/],
    [{ kind: 'proof-server' as const, text: 'ab'.repeat(32) }, /proof-server id is required/],
    [{ kind: 'proof-server' as const, name: 'p', text: 'ab'.repeat(31) }, /./],
    [{ kind: 'approver' as const, name: 'lin:human:x', text: 'ab'.repeat(32) }, /at least one role/],
    [{ kind: 'approver' as const, text: '{"type":"something-else"}' }, /not a Lineage approver public key/],
  ])('rejects an unusable key file %#', (req, msg) => {
    expect(() => addTrustEntry(emptyTrustStore(), req)).toThrow(msg);
  });

  it('rejects a key ID that does not match the key (tampered vkey)', () => {
    const vk = vkeyFor('log.example');
    const parts = vk.split('+');
    const tampered = `${parts[0]}+00000000+${parts.slice(2).join('+')}`;
    expect(() => addTrustEntry(emptyTrustStore(), { kind: 'log', text: tampered })).toThrow(/key ID/);
  });

  it('removes entries and round-trips the whole store through its JSON form', () => {
    const ap = ed25519Pair();
    let s = addTrustEntry(emptyTrustStore(), { kind: 'log', text: vkeyFor('a.example') });
    s = addTrustEntry(s, { kind: 'witness', text: vkeyFor('w1.example') });
    s = addTrustEntry(s, { kind: 'approver', name: 'lin:human:a', text: ap.pem, roles: ['agency_ao'] });
    const text = serializeTrustStore(s);
    expect(parseTrustStore(text)).toEqual(s);
    expect(s.witnesses.threshold).toBe(1);
    const removed = removeTrustEntry(s, 'approver:lin:human:a');
    expect(removed.approvers).toEqual([]);
    expect(viewTrustStore(removed).entries.map((e) => e.kind)).toEqual(['log', 'witness']);
  });

  it.each([
    ['{"version":2}', /at \/version/],
    ['[]', /at \/: expected an object/],
    ['{"version":1,"logs":{}}', /at \/logs/],
    ['{"version":1,"logs":[{"origin":"x","vkey":"bad"}]}', /./],
    ['not json', /not JSON/],
    ['{"version":1,"version":1}', /not JSON: .*duplicate/i],
    // The core's strict reader, as the CLI's: a misspelled or malformed policy rule is refused at
    // import, never dropped (the policy would then be verified without it).
    [
      '{"version":1,"policy":{"must_inculde":[{"approval_role":"agency_ao"}]}}',
      /at \/policy\/must_inculde: unknown field "must_inculde"/,
    ],
    ['{"version":1,"policy":{"requires":[{"action":"scan.run"}]}}', /at \/policy\/requires\/0/],
  ])('rejects a bad trust-store file %s', (text, msg) => {
    expect(() => parseTrustStore(text)).toThrow(msg);
  });
});

describe('pins the core refuses are refused here too, naming the field, expected and found (spec §4.8)', () => {
  const store = (o: Record<string, unknown>) => JSON.stringify({ version: 1, ...o });

  it('a whole file: the same witness key under two names', () => {
    const w = parseVkey(vkeyFor('w1.example'));
    const renamed = noteVerifierKey('w1-again.example', 'cosignature-v1', w.publicKey).vkey;
    expect(() => parseTrustStore(store({ witnesses: { vkeys: [w.vkey, renamed], threshold: 2 } }))).toThrow(
      /^trust store is not valid at \/witnesses\/vkeys\/1: the same witness key as \/witnesses\/vkeys\/0.*\(expected each witness key once, found the key of \/witnesses\/vkeys\/0 again\)$/,
    );
  });

  it('a whole file: a log vkey whose key ID is not its key’s gives both key IDs', () => {
    const vk = vkeyFor('log.example');
    // name+id+base64, and base64 may itself hold '+': split at the first two only.
    const [, name, id, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.*)$/.exec(vk) as unknown as [
      string,
      string,
      string,
      string,
    ];
    const wrong = `${name}+${id[0] === '0' ? '1' : '0'}${id.slice(1)}+${b64}`;
    expect(() => parseTrustStore(store({ logs: [{ origin: 'log.example', vkey: wrong }] }))).toThrow(
      new RegExp(
        `^trust store is not valid at /logs/0/vkey: key ID .*\\(expected key ID ${id}, found key ID `,
      ),
    );
  });

  it('adding a key that would make such a store is refused, and the store is unchanged', () => {
    const ap = ed25519Pair();
    const w = parseVkey(vkeyFor('w1.example'));
    let s = addTrustEntry(emptyTrustStore(), { kind: 'witness', text: w.vkey });
    s = addTrustEntry(s, { kind: 'approver', name: 'lin:human:a', text: ap.pem, roles: ['agency_ao'] });
    const before = structuredClone(s);
    const renamed = noteVerifierKey('w1-again.example', 'cosignature-v1', w.publicKey).vkey;
    expect(() => addTrustEntry(s, { kind: 'witness', text: renamed })).toThrow(
      /^this key cannot be added: the trust store would not be valid at \/witnesses\/vkeys\/1: the same witness key/,
    );
    // One person's key under a second approver id would let one signature stand for two approvers.
    expect(() =>
      addTrustEntry(s, {
        kind: 'approver',
        name: 'lin:human:b',
        text: ap.pem,
        roles: ['authorizing_official'],
      }),
    ).toThrow(/at \/approvers\/1\/public_key: the approver key "[0-9a-f]{64}" is pinned twice/);
    // A log's key as a witness never counts for that log.
    const log = addTrustEntry(emptyTrustStore(), { kind: 'log', text: vkeyFor('log.example') });
    const asWitness = noteVerifierKey(
      'log-witness',
      'cosignature-v1',
      parseVkey(log.logs[0]!.vkey).publicKey,
    );
    expect(() => addTrustEntry(log, { kind: 'witness', text: asWitness.vkey })).toThrow(
      /at \/witnesses\/vkeys\/0: the key of the log pinned at \/logs\/0/,
    );
    expect(s).toEqual(before);
  });
});
