import { describe, expect, it } from 'vitest';
import { noteVerifierKey } from '../note/vkey.js';
import { checkTrustStore, parseTrustStore } from './parse.js';

const key = 'ab'.repeat(32);
/** A real verifier key (its key ID is its key's) for 32 bytes of `fill`. */
const vkey = (name: string, fill: number) =>
  noteVerifierKey(name, 'ed25519', new Uint8Array(32).fill(fill)).vkey;
const good = {
  version: 1,
  logs: [{ origin: 'log.example/a', vkey: vkey('log.example/a', 1) }],
  witnesses: { vkeys: [vkey('w1', 2), vkey('w2', 3), vkey('w3', 4)], threshold: 2 },
  proof_servers: [{ id: 'proofs.example', public_key: key }],
  approvers: [
    { id: 'lin:human:ao', name: 'AO', public_key: key, roles: ['authorizing_official', '3pao_assessor'] },
  ],
  card_signers: [{ kid: 'k', alg: 'ES256', public_key: `04${'11'.repeat(64)}` }],
  policy: {
    root_roles: ['agency_ao'],
    linear: true,
    actions: { 'scan.run': { actor_kinds: ['agent'], actors: ['lin:agent:x'] } },
    requires: [
      { action: 'ssp.package', after_approval_by: ['security_officer'], approval_covers: ['scan.run'] },
      { approval_role: 'agency_ao', after_approval_by: ['3pao_assessor'] },
    ],
    must_include: [
      { approval_role: '3pao_assessor' },
      { action: 'capsule.package' },
      { approval_role: 'agency_ao', covers_chain: true },
    ],
  },
};

describe('trust store', () => {
  it('parses every section', () => {
    const t = parseTrustStore(JSON.stringify(good));
    expect(t.witnesses.threshold).toBe(2);
    expect(t.approvers[0]!.roles).toEqual(['authorizing_official', '3pao_assessor']);
    expect(t.policy).toEqual(good.policy);
  });

  it('a policy action named "__proto__" is a rule of its own; "constructor" is no rule', () => {
    const t = parseTrustStore('{"version":1,"policy":{"actions":{"__proto__":{"actors":["lin:agent:x"]}}}}');
    const actions = t.policy.actions!;
    expect(Object.hasOwn(actions, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(actions, '__proto__')?.value).toEqual({ actors: ['lin:agent:x'] });
    expect(Object.hasOwn(actions, 'constructor')).toBe(false);
    expect(Object.hasOwn(actions, 'actors')).toBe(false);
  });

  it('defaults: nothing trusted, no witnesses', () => {
    expect(parseTrustStore('{"version":1}')).toMatchObject({
      logs: [],
      approvers: [],
      witnesses: { vkeys: [], threshold: 0 },
    });
  });

  it.each([
    [{ ...good, version: 2 }, '/version'],
    [{ ...good, extra: 1 }, '/extra'],
    [{ ...good, witnesses: { vkeys: [vkey('w1', 2)], threshold: 2 } }, '/witnesses/threshold'],
    [{ ...good, approvers: [{ ...good.approvers[0], roles: ['king'] }] }, '/approvers/0/roles'],
    [{ ...good, approvers: [good.approvers[0], good.approvers[0]] }, '/approvers/1/id'],
    [{ ...good, proof_servers: [{ id: 'p', public_key: 'AB'.repeat(32) }] }, '/proof_servers/0/public_key'],
    [
      { ...good, card_signers: [{ kid: 'k', alg: 'ES256', public_key: `02${'11'.repeat(64)}` }] },
      '/card_signers/0/public_key',
    ],
    [{ ...good, card_signers: [{ kid: 'k', alg: 'RS256', public_key: key }] }, '/card_signers/0/alg'],
    [{ ...good, policy: { root_roles: ['ceo'] } }, '/policy/root_roles/0'],
    [
      {
        ...good,
        policy: { requires: [{ action: 'a', after_approval_by: ['agency_ao'], approval_covers: [] }] },
      },
      '/policy/requires/0/approval_covers',
    ],
    [
      {
        ...good,
        policy: { requires: [{ action: 'a', after_approval_by: ['agency_ao'], approval_covers: [1] }] },
      },
      '/policy/requires/0/approval_covers/0',
    ],
    [{ ...good, policy: { must_include: [{}] } }, '/policy/must_include/0'],
    [
      { ...good, policy: { must_include: [{ action: 'a', approval_role: 'agency_ao' }] } },
      '/policy/must_include/0',
    ],
    [
      { ...good, policy: { must_include: [{ approval_role: 'ceo' }] } },
      '/policy/must_include/0/approval_role',
    ],
    [
      { ...good, policy: { must_include: [{ action: 'a', after_approval_by: [] }] } },
      '/policy/must_include/0/after_approval_by',
    ],
    [{ ...good, policy: { must_include: { approval_role: 'agency_ao' } } }, '/policy/must_include'],
    [
      { ...good, policy: { must_include: [{ approval_role: 'agency_ao', covers_chain: 'yes' }] } },
      '/policy/must_include/0/covers_chain',
    ],
  ])('rejects %j at %s', (store, path) => {
    expect(() => parseTrustStore(JSON.stringify(store))).toThrow(
      expect.objectContaining({ code: 'trust.store', path }),
    );
  });

  it('rejects two approvers with one id', () => {
    const other = { ...good.approvers[0], name: 'Other', public_key: 'cd'.repeat(32) };
    const twice = { ...good, approvers: [good.approvers[0], other] };
    expect(() => parseTrustStore(JSON.stringify(twice))).toThrow(
      expect.objectContaining({ code: 'trust.store', path: '/approvers/1/id' }),
    );
  });

  it('rejects duplicate keys before anything else', () => {
    expect(() => parseTrustStore('{"version":1,"version":1}')).toThrow(/duplicate/i);
  });
});

describe('trust.store outcome', () => {
  it('passes with a summary, fails with the field', () => {
    expect(checkTrustStore(JSON.stringify(good)).outcome).toMatchObject({
      status: 'pass',
      found: expect.stringMatching(
        /^1 log key, 2-of-3 witnesses, \d+ proof servers?, \d+ approvers?, \d+ card signers?$/,
      ),
    });
    const bad = checkTrustStore(JSON.stringify({ ...good, logs: [{ origin: 'x' }] }));
    expect(bad.trust).toBeUndefined();
    expect(bad.outcome).toMatchObject({
      id: 'trust.store',
      status: 'fail',
      subject: { field: '/logs/0/vkey' },
      reason: 'expected a non-empty string, found nothing (field absent)',
      expected: 'a non-empty string',
      found: 'nothing (field absent)',
    });
  });
});
