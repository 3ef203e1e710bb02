import {
  type AgentCardVerification,
  buildKeyHistories,
  deriveAgentId,
  emptyTrustStore,
  isObject,
  type JsonObject,
  type TrustStore,
  toBase64Url,
  utf8Encode,
  verifyAgentCard,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { addIdentityBlock, baseAgentCard, signAgentCard } from './card.js';
import { agentEvent, registerEvent, revokeEvent, rotateEvent, signEvent } from './event.js';
import { asAgentKey, p256TestKey, testKey } from './keys.js';
import { at, eventId, T0, testbed } from './testbed.js';

const agent = asAgentKey(testKey('card-test-agent'));
const other = asAgentKey(testKey('card-test-other'));
const base = baseAgentCard('Inventory Agent', [
  {
    id: 'inventory',
    name: 'Asset inventory',
    description: 'Builds the FedRAMP integrated inventory',
    tags: ['fedramp', 'cm-8'],
  },
]);
const status = (r: AgentCardVerification, id: string) =>
  r.checks.filter((c) => c.id === id).map((c) => c.status);
const identityParams = (card: JsonObject) => {
  const caps = card.capabilities as JsonObject;
  const ext = (caps.extensions as JsonObject[]).find(
    (x) => isObject(x) && x.uri === 'https://lineage.dev/ext/identity/v1',
  )!;
  return ext.params as JsonObject;
};

describe('enhanced agent cards made by the producer', () => {
  it('a card with an identity block and an EdDSA signature by the agent key verifies fully', async () => {
    const card = signAgentCard(addIdentityBlock(base, agent), {
      alg: 'EdDSA',
      kid: agent.agentId,
      key: agent,
    });
    const r = await verifyAgentCard(JSON.stringify(card, null, 2), emptyTrustStore());
    expect(r.shape).toBe('a2a-v1.0');
    for (const id of [
      'card.parse',
      'card.shape',
      'card.identity_block',
      'card.agent_id',
      'card.identity_proof',
      'card.capability_digest',
      'card.a2a_signature',
    ]) {
      expect(status(r, id), id).toEqual(['pass']);
    }
    expect(status(r, 'card.key_current')).toEqual(['not_checked']);
    expect(r.identity?.agent_id).toBe(agent.agentId);
    expect(r.signatures[0]!.form).toBe('sdk');
    expect(r.signatures[0]!.keySource).toContain('identity block');
  });

  it('forged: identity block claims another agent id → card.agent_id fails, card signature not trusted', async () => {
    // The forger signs a correct proof with its own key but claims the victim's id.
    const forged = addIdentityBlock(base, { ...other, agentId: agent.agentId });
    const signed = signAgentCard(forged, { alg: 'EdDSA', kid: agent.agentId, key: other });
    const r = await verifyAgentCard(JSON.stringify(signed), emptyTrustStore());
    const c = r.checks.find((x) => x.id === 'card.agent_id')!;
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(deriveAgentId(other.publicKey));
    expect(c.found).toBe(agent.agentId);
    expect(status(r, 'card.a2a_signature')).toEqual(['not_checked']);
  });

  it('bad identity proof: a proof made for another card name fails', async () => {
    const card = addIdentityBlock(base, agent);
    card.name = 'Renamed Agent';
    const r = await verifyAgentCard(JSON.stringify(card), emptyTrustStore());
    expect(status(r, 'card.identity_proof')).toEqual(['fail']);
    expect(status(r, 'card.agent_id')).toEqual(['pass']);
  });

  it('altered skills: adding a skill after the proof fails the capability digest with both digests shown', async () => {
    const card = addIdentityBlock(base, agent);
    (card.skills as JsonObject[]).push({ id: 'exfil', name: 'Exfiltrate', description: 'x', tags: ['x'] });
    const r = await verifyAgentCard(JSON.stringify(card), emptyTrustStore());
    const c = r.checks.find((x) => x.id === 'card.capability_digest')!;
    expect(c.status).toBe('fail');
    expect(c.expected).toBe(identityParams(card).capability_digest);
    expect(c.found).toMatch(/^[0-9a-f]{64}$/);
    expect(c.found).not.toBe(c.expected);
  });

  it('omitted capability flag also changes the digest', async () => {
    const card = addIdentityBlock(base, agent);
    delete (card.capabilities as JsonObject).streaming;
    const r = await verifyAgentCard(JSON.stringify(card), emptyTrustStore());
    expect(status(r, 'card.capability_digest')).toEqual(['fail']);
  });

  it('ES256 signature by a trusted card signer verifies; tampering after signing fails with payload digests', async () => {
    const p = p256TestKey('card-signer');
    const trust: TrustStore = {
      ...emptyTrustStore(),
      card_signers: [{ kid: 'csp-2026', alg: 'ES256', public_key: p.publicKeyHex }],
    };
    const card = signAgentCard(addIdentityBlock(base, agent), { alg: 'ES256', kid: 'csp-2026', key: p });
    const ok = await verifyAgentCard(JSON.stringify(card), trust);
    expect(status(ok, 'card.a2a_signature')).toEqual(['pass']);
    expect(ok.signatures[0]!.keySource).toContain('trust store');
    // Without the key in the trust store: present, not verified — never "invalid".
    const untrusted = await verifyAgentCard(JSON.stringify(card), emptyTrustStore());
    expect(status(untrusted, 'card.a2a_signature')).toEqual(['not_checked']);
    const tampered = { ...card, description: 'now does something else' };
    const bad = await verifyAgentCard(JSON.stringify(tampered), trust);
    const c = bad.checks.find((x) => x.id === 'card.a2a_signature')!;
    expect(c.status).toBe('fail');
    expect(c.found).toMatch(/sdk=[0-9a-f]{16}…, spec=[0-9a-f]{16}…, as-is=/);
  });

  it('empty values: a card signed over the spec-text form verifies and says which form matched', async () => {
    const withEmpty = { ...addIdentityBlock(base, agent), documentationUrl: '' };
    const p = p256TestKey('card-signer');
    const trust: TrustStore = {
      ...emptyTrustStore(),
      card_signers: [{ kid: 'k', alg: 'ES256', public_key: p.publicKeyHex }],
    };
    const spec = signAgentCard(withEmpty, { alg: 'ES256', kid: 'k', key: p }, 'as-is');
    const r = await verifyAgentCard(JSON.stringify(spec), trust);
    expect(r.signatures[0]!.form).toBe('as-is');
    expect(r.checks.find((x) => x.id === 'card.a2a_signature')!.found).toContain('as-is form');
    // The forms differ for this card, and the diagnostic says so when nothing matches.
    const wrongKey = p256TestKey('someone-else');
    const forged = signAgentCard(withEmpty, { alg: 'ES256', kid: 'k', key: wrongKey });
    const f = (await verifyAgentCard(JSON.stringify(forged), trust)).checks.find(
      (x) => x.id === 'card.a2a_signature',
    )!;
    expect(f.status).toBe('fail');
    expect(f.reason).toContain('forms differ on empty values');
  });

  it('an EdDSA signature whose kid is the agent id does not verify with the identity key when the identity block is broken', async () => {
    const card = addIdentityBlock(base, agent);
    (card.skills as JsonObject[]).pop();
    const signed = signAgentCard(card, { alg: 'EdDSA', kid: agent.agentId, key: agent });
    const r = await verifyAgentCard(JSON.stringify(signed), emptyTrustStore());
    expect(status(r, 'card.capability_digest')).toEqual(['fail']);
    expect(status(r, 'card.a2a_signature')).toEqual(['not_checked']);
  });

  it('a top-level identity key is not an identity block', async () => {
    const r = await verifyAgentCard(
      JSON.stringify({ ...base, identity: { agent_id: agent.agentId } }),
      emptyTrustStore(),
    );
    expect(r.checks.find((x) => x.id === 'card.identity_block')!.reason).toContain(
      'top-level "identity" key is ignored',
    );
    expect(r.classification.warnings.join()).toContain('identity');
  });

  it('card.key_current: with the key history, the current key passes and a rotated-out or revoked key fails', async () => {
    const k2 = testKey('card-test-agent:2');
    const reg = registerEvent(agent, { timestamp: at(0), sequence: 0 });
    const rot = rotateEvent(agent, agent, k2, { timestamp: at(1), sequence: 1 });
    const { histories } = await buildKeyHistories([reg, rot]);
    const stale = await verifyAgentCard(JSON.stringify(addIdentityBlock(base, agent)), emptyTrustStore(), {
      keyHistories: histories,
    });
    expect(stale.checks.find((c) => c.id === 'card.key_current')).toMatchObject({
      status: 'fail',
      expected: k2.publicKeyHex,
    });
    const rotated = addIdentityBlock(base, asAgentKey(k2, agent), { genesis: agent });
    const fresh = await verifyAgentCard(JSON.stringify(rotated), emptyTrustStore(), {
      keyHistories: histories,
    });
    expect(fresh.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['card.a2a_signature']);
    // The rotated card without the history: its key cannot be confirmed.
    const unknown = await verifyAgentCard(JSON.stringify(rotated), emptyTrustStore());
    expect(unknown.checks.find((c) => c.id === 'card.key_current')!.reason).toContain('rotated key');
    const rev = revokeEvent(agent.agentId, k2, 'retired', { timestamp: at(2), sequence: 2 });
    const { histories: h2 } = await buildKeyHistories([reg, rot, rev]);
    const revoked = await verifyAgentCard(JSON.stringify(rotated), emptyTrustStore(), { keyHistories: h2 });
    expect(revoked.checks.find((c) => c.id === 'card.key_current')!.reason).toContain(
      'revoked or superseded',
    );
  });

  it('a JWS with a critical header this verifier does not implement is not verified', async () => {
    const card = addIdentityBlock(base, agent);
    const header = toBase64Url(
      utf8Encode(JSON.stringify({ alg: 'EdDSA', kid: agent.agentId, typ: 'JOSE', crit: ['exp'], exp: 1 })),
    );
    const withSig = {
      ...card,
      signatures: [{ protected: header, signature: toBase64Url(new Uint8Array(64)) }],
    };
    const r = await verifyAgentCard(JSON.stringify(withSig), emptyTrustStore());
    expect(r.checks.find((c) => c.id === 'card.a2a_signature')).toMatchObject({
      status: 'not_checked',
      reason: expect.stringContaining('critical'),
    });
  });

  it('a JWS with an algorithm this verifier does not support is not verified; a wrong-length signature fails', async () => {
    const card = addIdentityBlock(base, agent);
    const jws = (alg: string, sigBytes: number) => ({
      ...card,
      signatures: [
        {
          protected: toBase64Url(utf8Encode(JSON.stringify({ alg, kid: agent.agentId, typ: 'JOSE' }))),
          signature: toBase64Url(new Uint8Array(sigBytes)),
        },
      ],
    });
    const rs256 = await verifyAgentCard(JSON.stringify(jws('RS256', 256)), emptyTrustStore());
    expect(rs256.checks.find((c) => c.id === 'card.a2a_signature')).toMatchObject({
      status: 'not_checked',
      subject: { field: '/signatures/0' },
      reason: 'unsupported alg "RS256" (supported: EdDSA, ES256)',
    });
    const short = await verifyAgentCard(JSON.stringify(jws('EdDSA', 63)), emptyTrustStore());
    expect(short.checks.find((c) => c.id === 'card.a2a_signature')).toMatchObject({
      status: 'fail',
      reason: 'an EdDSA signature is 64 bytes, found 63',
      expected: 'a 64-byte EdDSA signature',
      found: '63 bytes',
    });
  });

  it('card.identity_block: malformed params and two identity blocks fail with the field; card.shape fails on missing fields', async () => {
    const card = addIdentityBlock(base, agent);
    const params = identityParams(card);
    params.public_key = 'XYZ';
    const r = await verifyAgentCard(JSON.stringify(card), emptyTrustStore());
    expect(r.checks.find((c) => c.id === 'card.identity_block')).toMatchObject({
      status: 'fail',
      subject: { field: '/capabilities/extensions/0/params/public_key' },
    });
    expect(status(r, 'card.agent_id')).toEqual(['not_checked']);
    const good = addIdentityBlock(base, agent);
    const exts = (good.capabilities as JsonObject).extensions as JsonObject[];
    exts.push(structuredClone(exts[0]!));
    const two = await verifyAgentCard(JSON.stringify(good), emptyTrustStore());
    expect(two.checks.find((c) => c.id === 'card.identity_block')).toMatchObject({
      status: 'fail',
      reason: '2 identity extensions; exactly one is allowed',
    });
    expect(status(two, 'card.agent_id')).toEqual(['not_checked']);
    const { skills: _s, ...noSkills } = addIdentityBlock(base, agent);
    const shape = await verifyAgentCard(JSON.stringify(noSkills), emptyTrustStore());
    expect(shape.checks.find((c) => c.id === 'card.shape')).toMatchObject({
      status: 'fail',
      reason: 'skills is required but absent',
    });
  });

  it('empty values: each of the sdk, spec and as-is payload forms is recognised and named', async () => {
    const p = p256TestKey('card-signer');
    const trust: TrustStore = {
      ...emptyTrustStore(),
      card_signers: [{ kid: 'k', alg: 'ES256', public_key: p.publicKeyHex }],
    };
    // description "" is REQUIRED (kept by the spec form); documentationUrl "" is not (dropped by both).
    const card = { ...addIdentityBlock(base, agent), description: '', documentationUrl: '' };
    for (const form of ['sdk', 'spec', 'as-is'] as const) {
      const signed = signAgentCard(card, { alg: 'ES256', kid: 'k', key: p }, form);
      const r = await verifyAgentCard(JSON.stringify(signed), trust);
      expect(r.signatures[0]!.form, form).toBe(form);
    }
  });

  it('card.lineage: a malformed registration, another event, or an inclusion proof for another leaf fails', async () => {
    const tb = testbed('lineage.example/card-lineage-log');
    const reg = registerEvent(tb.inventory, { timestamp: at(1), sequence: 0 });
    const regScan = registerEvent(tb.scanner, { timestamp: at(1), sequence: 0 });
    const [cited, citedScan] = tb.log.cite([reg, regScan], T0 + 600_000);
    const inclusion = cited!.inclusion as unknown as JsonObject;
    // The inventory agent's card, its lineage pointing at an event of the log.
    const cardPointingAt = (id: string, leafIndex: number) =>
      signAgentCard(
        addIdentityBlock(base, tb.inventory, {
          lineage: {
            log_origin: tb.log.origin,
            registration_event_id: id,
            registration_leaf_index: leafIndex,
          },
        }),
        { alg: 'EdDSA', kid: tb.inventory.agentId, key: tb.inventory },
      );
    const card = cardPointingAt(eventId(reg), inclusion.leaf_index as number);
    const lineage = async (event: unknown, inc: JsonObject) =>
      (
        await verifyAgentCard(JSON.stringify(card), tb.trust(), {
          registration: { event: event as JsonObject, inclusion: inc },
        })
      ).checks.find((c) => c.id === 'card.lineage');
    expect(await lineage(reg, inclusion)).toMatchObject({ status: 'pass' });
    expect(await lineage({ ...reg, sequence: -1 }, inclusion)).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^registration event malformed: /),
    });
    expect(await lineage(regScan, inclusion)).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining(`the supplied event has id ${eventId(regScan)}, not ${eventId(reg)}`),
    });
    // The scanner's proof, relabelled as the card's leaf: the pointer matches, the proof does not.
    const otherProof = {
      ...(citedScan!.inclusion as unknown as JsonObject),
      leaf_index: inclusion.leaf_index!,
    };
    expect(await lineage(reg, otherProof)).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/^merkle\.inclusion\.root_mismatch: /),
    });
    // The registration re-signed by another key: the same event id, not the registered key's signature.
    expect(await lineage(signEvent(reg, testKey('card-lineage mallory')), inclusion)).toMatchObject({
      status: 'fail',
      reason: expect.stringContaining('the registration is not validly signed by the registered key'),
    });
    // A card pointing at one of its agent's ordinary events: logged, but no registration.
    const work = agentEvent(tb.inventory, { action: 'inventory.generate', timestamp: at(2), sequence: 1 });
    const [citedWork] = tb.log.cite([work], T0 + 600_000);
    const workInclusion = citedWork!.inclusion as unknown as JsonObject;
    const pointsAtWork = cardPointingAt(eventId(work), workInclusion.leaf_index as number);
    const r = await verifyAgentCard(JSON.stringify(pointsAtWork), tb.trust(), {
      registration: { event: work as unknown as JsonObject, inclusion: workInclusion },
    });
    expect(r.checks.find((c) => c.id === 'card.lineage')).toMatchObject({
      status: 'fail',
      reason: 'the event does not register this agent with its genesis key',
    });
    expect(await lineage(reg, { ...inclusion, log_origin: 'lineage.example/elsewhere' })).toMatchObject({
      status: 'fail',
      reason: 'the inclusion proof is for another log or leaf than the card points to',
    });
  });
});
