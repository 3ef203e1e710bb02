import {
  addIdentityBlock,
  asAgentKey,
  baseAgentCard,
  type CardSigner,
  signAgentCard,
  testKey,
} from '@lineage/producer';
import { type JsonObject, verifyAgentCard } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { testbed } from '../../packages/producer/src/identity/testbed.js';

/**
 * Red team, agent cards: can an attacker pick the A2A payload form (sdk / spec / as-is) so that a
 * field they altered drops out of what the signature covers, or borrow another agent's identity?
 */
const trust = testbed('redteam.example/cards').trust();
const mallory = asAgentKey(testKey('redteam:card:mallory'));
const victim = asAgentKey(testKey('redteam:card:victim'));
const skills = [{ id: 'scan', name: 'Scan', description: 'Runs scans', tags: ['ra-5'] }];

function card(agent = mallory, form: 'sdk' | 'spec' | 'as-is' = 'sdk'): JsonObject {
  const c = addIdentityBlock(baseAgentCard('Scanner', skills), agent);
  const signer: CardSigner = { alg: 'EdDSA', kid: agent.agentId, key: agent };
  return signAgentCard(c, signer, form);
}

async function verify(c: JsonObject) {
  const v = await verifyAgentCard(JSON.stringify(c), trust);
  const status = (id: string) => v.checks.filter((x) => x.id === id).map((x) => x.status);
  return { v, status };
}

describe('red team: A2A card payload forms', () => {
  it('the honest card verifies in each form it was signed in, naming the form', async () => {
    for (const form of ['sdk', 'spec', 'as-is'] as const) {
      const { v, status } = await verify(card(mallory, form));
      expect(status('card.a2a_signature')).toEqual(['pass']);
      expect(status('card.identity_proof')).toEqual(['pass']);
      expect(v.signatures[0]!.form).toBeDefined();
    }
  });

  it('adding only empty values keeps the SDK-form signature valid (not an alteration of meaning)', async () => {
    const c = card();
    c.iconUrl = '';
    c.documentationUrl = '';
    const { v, status } = await verify(c);
    expect(status('card.a2a_signature')).toEqual(['pass']);
    expect(v.signatures[0]!.form).toBe('sdk');
  });

  it('an empty value with meaning (skill inputModes: []) is caught by the capability digest, and the key is then not used', async () => {
    const c = card();
    (c.skills as JsonObject[])[0]!.inputModes = [];
    const { status } = await verify(c);
    expect(status('card.capability_digest')).toEqual(['fail']);
    // Identity not established → the identity key is not offered to the A2A signature at all.
    expect(status('card.a2a_signature')).toEqual(['not_checked']);
  });

  it('blanking a signed non-empty value (description → "") fails in every form', async () => {
    for (const form of ['sdk', 'spec', 'as-is'] as const) {
      const c = card(mallory, form);
      c.description = '';
      const { v, status } = await verify(c);
      expect(status('card.a2a_signature')).toEqual(['fail']);
      expect(v.checks.find((x) => x.id === 'card.a2a_signature')!.reason).toMatch(/in any canonical form/);
    }
  });

  it('deleting a REQUIRED field that was signed empty in spec form does not verify as spec, and breaks the shape', async () => {
    const c = addIdentityBlock({ ...baseAgentCard('Scanner', skills), description: '' }, mallory);
    const signed = signAgentCard(c, { alg: 'EdDSA', kid: mallory.agentId, key: mallory }, 'spec');
    delete signed.description;
    const { status } = await verify(signed);
    expect(status('card.a2a_signature')).toEqual(['fail']);
    expect(status('card.shape')).toEqual(['fail']);
  });
});

describe('red team: borrowed identities on cards', () => {
  it("mallory's card claiming the victim's agent id fails card.agent_id, and her signature is not verified as the victim", async () => {
    const c = card();
    const ext = (c.capabilities as { extensions: { params: { agent_id: string } }[] }).extensions.at(-1)!;
    ext.params.agent_id = victim.agentId;
    const { status } = await verify(c);
    expect(status('card.agent_id')).toEqual(['fail']);
    expect(status('card.identity_proof')).toEqual(['fail']);
    expect(status('card.a2a_signature')).not.toContain('pass');
  });

  it("the victim's identity block pasted into mallory's card fails the capability digest or the proof", async () => {
    const theirs = card(victim);
    const mine = addIdentityBlock(
      baseAgentCard('Scanner', [...skills, { id: 'exfil', name: 'Exfil', description: 'x', tags: ['x'] }]),
      mallory,
    );
    const exts = (mine.capabilities as { extensions: unknown[] }).extensions;
    exts[exts.length - 1] = (theirs.capabilities as { extensions: unknown[] }).extensions.at(-1);
    const signed = signAgentCard(mine, { alg: 'EdDSA', kid: victim.agentId, key: mallory });
    const { status } = await verify(signed);
    expect(status('card.capability_digest')).toEqual(['fail']);
    expect(status('card.a2a_signature')).not.toContain('pass');
  });

  it('a signature whose kid names another agent is not checked against the identity key', async () => {
    const c = addIdentityBlock(baseAgentCard('Scanner', skills), mallory);
    const signed = signAgentCard(c, { alg: 'EdDSA', kid: victim.agentId, key: mallory });
    const { status, v } = await verify(signed);
    expect(status('card.a2a_signature')).toEqual(['not_checked']);
    expect(v.checks.find((x) => x.id === 'card.a2a_signature')!.reason).toMatch(/no trusted key for kid/);
  });
});
