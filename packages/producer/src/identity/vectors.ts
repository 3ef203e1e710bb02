import {
  buildKeyHistories,
  type CallChainInput,
  type CheckOutcome,
  type CitedEvent,
  eventId,
  eventLeafHash,
  type JsonObject,
  type JsonValue,
  type KeyHistories,
  type LineageEvent,
  parseEvent,
  parseTrustStore,
  sha256,
  type TrustStore,
  toHex,
  utf8Encode,
  type Verdict,
  type VerifyAgentCardOptions,
  verdictOf,
  verifyAgentCard,
  verifyAttestation,
  verifyBeforeAct,
  verifyCallChain,
  verifyReceipts,
} from '@lineage/verifier-core';
import { signAttestation } from './attestation.js';
import { addIdentityBlock, baseAgentCard, signAgentCard } from './card.js';
import { commitPedersen, commitSalted, openingFor } from './commitment.js';
import { agentEvent, humanApproval, registerEvent, revokeEvent, rotateEvent, signEvent } from './event.js';
import { p256TestKey, testKey } from './keys.js';
import { HandoffChannel } from './receipt.js';
import { at, T0, type Testbed, testbed } from './testbed.js';

/**
 * Spec test vectors for chapter 4 (docs/vectors/identity/), generated with the
 * project's own producer and re-verified by vectors.test.ts. Each rule has a valid
 * vector and at least one invalid variant; `expected` is written by hand here (the
 * claim), `outcomes` is what our verifier reports (for bit-exact comparison).
 */
export type VectorKind = 'card' | 'chain' | 'receipts' | 'attestation';

export interface VectorInput {
  trust: JsonValue;
  card?: JsonValue;
  events?: CitedEvent[];
  attestations?: JsonValue[];
  receipts?: JsonValue[];
  openings?: JsonValue[];
  expect_leaves?: string[];
  /** kind card: the registration event the card's lineage pointers name, with its inclusion proof. */
  registration?: { event: JsonValue; inclusion: JsonValue };
}

export interface IdentityVector {
  name: string;
  rule: string;
  description: string;
  kind: VectorKind;
  input: VectorInput;
  expected: {
    verdict: Verdict;
    failing_checks: string[];
    first_non_pass: { id: string; status: string } | null;
  };
  outcomes?: Array<{ id: string; status: string; subject: string; field?: string }>;
}

const ORIGIN = 'lineage.example/spec-vectors';
const j = (v: unknown) => v as JsonValue;
const payload = (s: string) => toHex(sha256(utf8Encode(s)));
const STH_AT = T0 + 10 * 60_000;

function trustJson(tb: Testbed, over: Partial<TrustStore> = {}): JsonValue {
  return j(tb.trust(over));
}

/** The reference workflow: AO root approval → inventory agent → scanner agent → compliance officer. */
function workflow(tb: Testbed) {
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve', statement: 'Prepare the annual assessment package' },
    { timestamp: at(0), sequence: 0, context: { task_id: 'assess-2026', controls: ['CA-6'] } },
  );
  const regInv = registerEvent(tb.inventory, {
    timestamp: at(1),
    sequence: 0,
    context: { task_id: 'assess-2026' },
  });
  const regScan = registerEvent(tb.scanner, {
    timestamp: at(1),
    sequence: 0,
    context: { task_id: 'assess-2026' },
  });
  const inv = agentEvent(tb.inventory, {
    action: 'inventory.generate',
    timestamp: at(2),
    sequence: 1,
    predecessors: [eventId(root)],
    payloadHash: payload('integrated-inventory.xlsx'),
    context: {
      task_id: 'assess-2026',
      parent_task_id: 'assess',
      controls: ['CM-8'],
      config_hash: payload('inventory-config-v3'),
    },
  });
  const scan = agentEvent(tb.scanner, {
    action: 'scan.run',
    timestamp: at(3),
    sequence: 1,
    predecessors: [eventId(inv)],
    payloadHash: payload('scan-results.xml'),
    context: { task_id: 'assess-2026', controls: ['RA-5'] },
  });
  const signoff = humanApproval(
    tb.co,
    { role: 'compliance_officer', decision: 'approve' },
    {
      timestamp: at(4),
      sequence: 0,
      predecessors: [eventId(scan)],
      context: { task_id: 'assess-2026', controls: ['AU-10'] },
    },
  );
  return { root, regInv, regScan, inv, scan, signoff };
}

type Expect = IdentityVector['expected'];
const ok: Expect = { verdict: 'verified', failing_checks: [], first_non_pass: null };
const fails = (first: string, ...others: string[]): Expect => ({
  verdict: 'failed',
  failing_checks: [...new Set([first, ...others])].sort(),
  first_non_pass: { id: first, status: 'fail' },
});
const failsAfter = (first: { id: string; status: string }, ...failing: string[]): Expect => ({
  verdict: 'failed',
  failing_checks: [...new Set(failing)].sort(),
  first_non_pass: first,
});
const incomplete = (first: string): Expect => ({
  verdict: 'incomplete',
  failing_checks: [],
  first_non_pass: { id: first, status: 'not_checked' },
});

function chain(
  name: string,
  rule: string,
  description: string,
  build: (tb: Testbed) => {
    events: LineageEvent[];
    cite?: CitedEvent[];
    trust?: Partial<TrustStore>;
    sthAt?: number;
    extra?: Partial<VectorInput>;
  },
  expected: Expect,
): IdentityVector {
  const tb = testbed(ORIGIN);
  const b = build(tb);
  const events = b.cite ?? tb.log.cite(b.events, b.sthAt ?? STH_AT);
  return {
    name,
    rule,
    description,
    kind: 'chain',
    input: { trust: trustJson(tb, b.trust), events, ...b.extra },
    expected,
  };
}

function cardVectors(): IdentityVector[] {
  const tb = testbed(ORIGIN);
  const base = baseAgentCard('Inventory Agent', [
    {
      id: 'inventory',
      name: 'Integrated inventory',
      description: 'Builds the FedRAMP integrated inventory workbook',
      tags: ['fedramp', 'CM-8'],
    },
  ]);
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve' },
    { timestamp: at(0), sequence: 0, context: { task_id: 'assess-2026' } },
  );
  const reg = registerEvent(tb.inventory, {
    timestamp: at(1),
    sequence: 0,
    context: { task_id: 'assess-2026' },
  });
  const regScan = registerEvent(tb.scanner, {
    timestamp: at(1),
    sequence: 0,
    context: { task_id: 'assess-2026' },
  });
  const logged = tb.log.cite([root, reg, regScan], STH_AT);
  const registration = { event: j(reg), inclusion: logged[1]!.inclusion! };
  const withId = addIdentityBlock(base, tb.inventory, {
    lineage: { log_origin: ORIGIN, registration_event_id: eventId(reg), registration_leaf_index: 1 },
  });
  const signed = signAgentCard(withId, { alg: 'EdDSA', kid: tb.inventory.agentId, key: tb.inventory });
  const p = p256TestKey('csp-card-signer');
  const es = signAgentCard(withId, { alg: 'ES256', kid: 'csp-2026', key: p });
  const esTrust = trustJson(tb, {
    card_signers: [{ kid: 'csp-2026', alg: 'ES256', public_key: p.publicKeyHex }],
  });
  const forged = signAgentCard(addIdentityBlock(base, { ...tb.scanner, agentId: tb.inventory.agentId }), {
    alg: 'EdDSA',
    kid: tb.inventory.agentId,
    key: tb.scanner,
  });
  const renamed = { ...withId, name: 'Inventory Agent (renamed)' };
  const moreSkills = {
    ...withId,
    skills: [
      ...(withId.skills as JsonValue[]),
      { id: 'exfiltrate', name: 'Exfiltrate', description: 'Sends data out', tags: ['x'] },
    ],
  };
  const tampered = { ...signed, description: 'Edited after signing' };
  const card = (
    name: string,
    rule: string,
    description: string,
    c: JsonObject,
    expected: Expect,
    trust = trustJson(tb),
    extra: Partial<VectorInput> = {},
  ): IdentityVector => ({
    name,
    rule,
    description,
    kind: 'card',
    input: { trust, card: c, ...extra },
    expected,
  });
  // Without lifecycle events in the input, card.key_current is not_checked: cards verify as "incomplete" at best.
  const cardOk = incomplete('card.key_current');
  return [
    card(
      'card-verified-lineage',
      'card.lineage',
      'EdDSA-signed card with its registration event and key history: every card check passes',
      signed,
      ok,
      trustJson(tb),
      { events: [logged[1]!], registration },
    ),
    card(
      'card-invalid-lineage',
      'card.lineage',
      "The card's lineage pointer is followed to the scanner's registration instead",
      signed,
      failsAfter({ id: 'card.lineage', status: 'fail' }, 'card.lineage'),
      trustJson(tb),
      { events: [logged[1]!], registration: { event: j(regScan), inclusion: logged[2]!.inclusion! } },
    ),
    card(
      'card-valid-eddsa',
      'card.*',
      'Enhanced card: identity block + EdDSA JWS by the agent key (kid = agent id), SDK payload form',
      signed,
      cardOk,
    ),
    card(
      'card-valid-es256',
      'card.a2a_signature',
      'ES256 JWS by a card signer pinned in the trust store',
      es,
      cardOk,
      esTrust,
    ),
    card(
      'card-untrusted-es256',
      'card.a2a_signature',
      'Same ES256 card, signer not in the trust store: present, not verified',
      es,
      cardOk,
    ),
    card(
      'card-invalid-agent-id',
      'card.agent_id',
      "Identity block claims the inventory agent's id with the scanner's key",
      forged,
      fails('card.agent_id'),
    ),
    card(
      'card-invalid-identity-proof',
      'card.identity_proof',
      'Card renamed after the identity proof was made',
      renamed,
      fails('card.identity_proof'),
    ),
    card(
      'card-invalid-capability-digest',
      'card.capability_digest',
      'A skill added after the identity proof was made',
      moreSkills,
      fails('card.capability_digest'),
    ),
    card(
      'card-invalid-a2a-signature',
      'card.a2a_signature',
      'Description edited after the EdDSA JWS was made',
      tampered,
      failsAfter({ id: 'card.key_current', status: 'not_checked' }, 'card.a2a_signature'),
    ),
  ];
}

function chainVectors(): IdentityVector[] {
  const all = (tb: Testbed) => Object.values(workflow(tb));
  return [
    chain(
      'chain-valid',
      'chain.*',
      'AO approval → inventory → scanner → compliance officer, with registrations, direct inclusion proofs',
      (tb) => ({ events: all(tb) }),
      ok,
    ),
    chain(
      'chain-invalid-event-signature',
      'event.signature',
      'Final approval altered after signing (its leaf was logged unaltered)',
      (tb) => {
        const w = workflow(tb);
        const cite = tb.log.cite(Object.values(w), STH_AT);
        cite[5] = {
          ...cite[5]!,
          event: j({ ...w.signoff, context: { ...w.signoff.context, controls: ['AU-10', 'CA-7'] } }),
        };
        return { events: [], cite };
      },
      fails('event.signature', 'event.inclusion', 'event.sth_time'),
    ),
    chain(
      'chain-invalid-actor-known',
      'event.actor_known',
      "Scanner event signed with the inventory agent's key",
      (tb) => {
        const w = workflow(tb);
        return { events: [w.root, w.regInv, w.regScan, w.inv, signEvent(w.scan, tb.inventory), w.signoff] };
      },
      fails('event.actor_known', 'event.actor_key_valid_at_time'),
    ),
    chain(
      'chain-invalid-key-revoked',
      'event.actor_key_valid_at_time',
      'Inventory key revoked by the security officer 30 s before the inventory event',
      (tb) => {
        const w = workflow(tb);
        const rev = revokeEvent(
          tb.inventory.agentId,
          tb.inventory,
          'key compromised',
          { timestamp: at(1.5), sequence: 0 },
          tb.so,
        );
        return { events: [w.root, w.regInv, w.regScan, rev, w.inv, w.scan, w.signoff] };
      },
      fails('event.actor_key_valid_at_time'),
    ),
    chain(
      'chain-invalid-key-backdated',
      'event.actor_key_valid_at_time',
      'Inventory event dated 30 s before its key was revoked, but logged after the revocation (backdated)',
      (tb) => {
        const w = workflow(tb);
        const rev = revokeEvent(
          tb.inventory.agentId,
          tb.inventory,
          'key compromised',
          { timestamp: at(2.5), sequence: 0 },
          tb.so,
        );
        return { events: [w.root, w.regInv, w.regScan, rev, w.inv, w.scan, w.signoff] };
      },
      fails('event.actor_key_valid_at_time'),
    ),
    chain(
      'chain-invalid-rotation-backdated',
      'event.actor_key_valid_at_time',
      'A rotation by the revoked inventory key, dated just before the revocation but logged after it, to a key that then signs',
      (tb) => {
        const w = workflow(tb);
        const rev = revokeEvent(
          tb.inventory.agentId,
          tb.inventory,
          'key compromised',
          { timestamp: at(1.5), sequence: 0 },
          tb.so,
        );
        const k2 = testKey('agent:inventory:attacker');
        const rot = rotateEvent(tb.inventory, tb.inventory, k2, { timestamp: at(1.4), sequence: 1 });
        const inv = signEvent({ ...w.inv, sequence: 2 }, k2);
        const scan = signEvent({ ...w.scan, predecessors: [eventId(inv)] }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        return { events: [w.root, w.regInv, w.regScan, rev, rot, inv, scan, signoff] };
      },
      fails('event.actor_key_valid_at_time', 'event.actor_known'),
    ),
    chain(
      'chain-valid-key-rotated',
      'event.actor_key_valid_at_time',
      'Inventory key rotated before the event; event signed with the new key',
      (tb) => {
        const w = workflow(tb);
        const k2 = testKey('agent:inventory:2');
        const rot = rotateEvent(tb.inventory, tb.inventory, k2, { timestamp: at(1.5), sequence: 1 });
        const inv = signEvent({ ...w.inv, sequence: 2 }, k2);
        const scan = signEvent({ ...w.scan, predecessors: [eventId(inv)] }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        return { events: [w.root, w.regInv, w.regScan, rot, inv, scan, signoff] };
      },
      ok,
    ),
    chain(
      'chain-invalid-key-rotated-out',
      'event.actor_key_valid_at_time',
      'Inventory key rotated before the event; event still signed with the old key',
      (tb) => {
        const w = workflow(tb);
        const rot = rotateEvent(tb.inventory, tb.inventory, testKey('agent:inventory:2'), {
          timestamp: at(1.5),
          sequence: 1,
        });
        const inv = signEvent({ ...w.inv, sequence: 2 }, tb.inventory);
        const scan = signEvent({ ...w.scan, predecessors: [eventId(inv)] }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        return { events: [w.root, w.regInv, w.regScan, rot, inv, scan, signoff] };
      },
      fails('event.actor_key_valid_at_time'),
    ),
    chain(
      'chain-invalid-no-inclusion',
      'event.inclusion',
      'Final approval supplied without any inclusion proof or attestation: not anchored in the log',
      (tb) => {
        const cite = tb.log.cite(all(tb), STH_AT);
        const { inclusion: _i, ...bare } = cite[5]!;
        cite[5] = bare;
        return { events: [], cite };
      },
      fails('event.inclusion', 'event.sth_time'),
    ),
    chain(
      'chain-invalid-inclusion',
      'event.inclusion',
      'Inclusion proof of the final approval names the wrong leaf index',
      (tb) => {
        const cite = tb.log.cite(all(tb), STH_AT);
        cite[5] = { ...cite[5]!, inclusion: j({ ...(cite[5]!.inclusion as JsonObject), leaf_index: 4 }) };
        return { events: [], cite };
      },
      fails('event.inclusion', 'event.sth_time'),
    ),
    chain(
      'chain-invalid-sth-time',
      'event.sth_time',
      'Tree head timestamped 14:03:30 logs an approval claiming 14:04',
      (tb) => ({ events: all(tb), sthAt: T0 + 3.5 * 60_000 }),
      fails('event.sth_time'),
    ),
    chain(
      'chain-invalid-dangling',
      'chain.predecessor_dangling',
      'Root approval omitted: the inventory event cites an event that is not supplied',
      (tb) => {
        const w = workflow(tb);
        return { events: [w.regInv, w.regScan, w.inv, w.scan, w.signoff] };
      },
      fails('chain.predecessor_dangling', 'chain.root_approval_role'),
    ),
    chain(
      'chain-invalid-fork',
      'chain.fork',
      'Linear policy; two inventory events build on the same approval',
      (tb) => {
        const w = workflow(tb);
        const inv2 = agentEvent(tb.inventory, {
          action: 'inventory.generate',
          timestamp: at(2.5),
          sequence: 2,
          predecessors: [eventId(w.root)],
          context: { task_id: 'assess-2026' },
        });
        return {
          events: [w.root, w.regInv, w.regScan, w.inv, inv2, w.scan, w.signoff],
          trust: { policy: { linear: true } },
        };
      },
      fails('chain.fork'),
    ),
    chain(
      'chain-invalid-sequence',
      'chain.sequence',
      'Scanner jumps from sequence 0 to 3',
      (tb) => {
        const w = workflow(tb);
        const scan = signEvent({ ...w.scan, sequence: 3 }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        return { events: [w.root, w.regInv, w.regScan, w.inv, scan, signoff] };
      },
      fails('chain.sequence'),
    ),
    chain(
      'chain-invalid-timestamp-order',
      'chain.timestamp_order',
      'Scanner event timestamped before the inventory event it builds on',
      (tb) => {
        const w = workflow(tb);
        const scan = signEvent({ ...w.scan, timestamp: at(1.5) }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        return { events: [w.root, w.regInv, w.regScan, w.inv, scan, signoff] };
      },
      fails('chain.timestamp_order'),
    ),
    chain(
      'chain-invalid-root-role',
      'chain.root_approval_role',
      'Chain rooted at a compliance officer approval; policy requires the authorizing official',
      (tb) => {
        const w = workflow(tb);
        const root = humanApproval(
          tb.co,
          { role: 'compliance_officer', decision: 'approve' },
          { timestamp: at(0), sequence: 0, context: { task_id: 'assess-2026' } },
        );
        const inv = signEvent({ ...w.inv, predecessors: [eventId(root)] }, tb.inventory);
        return { events: [root, w.regInv, inv] };
      },
      fails('chain.root_approval_role'),
    ),
    chain(
      'chain-invalid-action-allowed',
      'chain.action_allowed',
      'Policy allows scan.run only for the scanner; the inventory agent runs a scan',
      (tb) => {
        const w = workflow(tb);
        const rogue = agentEvent(tb.inventory, {
          action: 'scan.run',
          timestamp: at(3),
          sequence: 2,
          predecessors: [eventId(w.inv)],
          context: { task_id: 'assess-2026' },
        });
        return {
          events: [w.root, w.regInv, w.inv, rogue],
          trust: {
            policy: {
              root_roles: ['authorizing_official'],
              actions: { 'scan.run': { actors: [tb.scanner.agentId] } },
            },
          },
        };
      },
      fails('chain.action_allowed'),
    ),
    chain(
      'chain-valid-policy-approvals',
      'chain.required_approval',
      'The scan builds on the AO approval the policy requires before it; the compliance officer approval the policy requires is present',
      (tb) => ({
        events: all(tb),
        trust: {
          policy: {
            requires: [{ action: 'scan.run', after_approval_by: ['authorizing_official'] }],
            must_include: [{ approval_role: 'compliance_officer' }],
          },
        },
      }),
      ok,
    ),
    chain(
      'chain-invalid-required-approval',
      'chain.required_approval',
      'Policy requires a compliance officer approval before the scan; the scan builds on the AO approval only',
      (tb) => ({
        events: all(tb),
        trust: { policy: { requires: [{ action: 'scan.run', after_approval_by: ['compliance_officer'] }] } },
      }),
      fails('chain.required_approval'),
    ),
    chain(
      'chain-invalid-approval-covers',
      'chain.required_approval',
      'Policy requires the approval before the scan to cover the inventory; the AO approval the scan builds on came before the inventory',
      (tb) => ({
        events: all(tb),
        trust: {
          policy: {
            requires: [
              {
                action: 'scan.run',
                after_approval_by: ['authorizing_official'],
                approval_covers: ['inventory.generate'],
              },
            ],
          },
        },
      }),
      fails('chain.required_approval'),
    ),
    chain(
      'chain-invalid-required-event',
      'chain.required_event',
      'Policy requires an approval by agency_ao in the chain; there is none',
      (tb) => ({ events: all(tb), trust: { policy: { must_include: [{ approval_role: 'agency_ao' }] } } }),
      fails('chain.required_event'),
    ),
    chain(
      'chain-valid-covers-chain',
      'chain.required_event',
      'Policy requires the compliance officer approval to build on every other workflow event (covers_chain); the final approval builds on the scan, the inventory and the AO approval',
      (tb) => ({
        events: all(tb),
        trust: { policy: { must_include: [{ approval_role: 'compliance_officer', covers_chain: true }] } },
      }),
      ok,
    ),
    chain(
      'chain-invalid-covers-chain',
      'chain.required_event',
      'Policy requires the AO approval to build on every other workflow event (covers_chain); it is the first event, so the inventory, the scan and the final approval are not covered by it',
      (tb) => ({
        events: all(tb),
        trust: { policy: { must_include: [{ approval_role: 'authorizing_official', covers_chain: true }] } },
      }),
      fails('chain.required_event'),
    ),
    chain(
      'chain-invalid-schema',
      'event.schema',
      'An event with a timestamp that is not RFC 3339 UTC',
      (tb) => {
        const cite = tb.log.cite(all(tb), STH_AT);
        cite.push({ event: j({ ...(cite[0]!.event as JsonObject), timestamp: '2026-11-20 14:00:00' }) });
        return { events: [], cite };
      },
      fails('event.schema'),
    ),
  ];
}

function receiptVectors(): IdentityVector[] {
  const tb = testbed(ORIGIN);
  const A = { agentId: tb.inventory.agentId, key: tb.inventory };
  const B = { agentId: tb.scanner.agentId, key: tb.scanner };
  const make = (n: number) => {
    const ch = new HandoffChannel(A, B);
    return Array.from({ length: n }, (_, i) =>
      ch.transfer({
        handoffId: `handoff-${i}`,
        parentTaskId: 'assess-2026',
        payloadHash: payload(`inventory batch ${i}`),
        sentAt: at(2 + i),
        receivedAt: at(2 + i + 0.02),
      }),
    );
  };
  const v = (
    name: string,
    rule: string,
    description: string,
    receipts: unknown[],
    expected: Expect,
  ): IdentityVector => ({
    name,
    rule,
    description,
    kind: 'receipts',
    // The two agents' registrations: their key histories, against which each signing key is judged.
    input: { trust: trustJson(tb), events: registrations, receipts: receipts.map(j) },
    expected,
  });
  const registrations = [tb.inventory, tb.scanner].map((k) => ({
    event: j(registerEvent(k, { timestamp: at(1), sequence: 0, context: { task_id: 'assess-2026' } })),
  }));
  const three = make(3);
  const mismatch = new HandoffChannel(A, B).transfer({
    handoffId: 'handoff-0',
    parentTaskId: 'assess-2026',
    payloadHash: payload('sent'),
    receivedPayloadHash: payload('received'),
    sentAt: at(2),
    receivedAt: at(2.1),
  });
  const quarantined = new HandoffChannel(A, B).transfer({
    handoffId: 'handoff-0',
    parentTaskId: 'assess-2026',
    payloadHash: payload('sent'),
    receivedPayloadHash: payload('received'),
    decision: 'quarantined',
    reason: 'payload hash mismatch',
    sentAt: at(2),
    receivedAt: at(2.1),
  });
  const early = new HandoffChannel(A, B).transfer({
    handoffId: 'handoff-0',
    parentTaskId: 'assess-2026',
    payloadHash: payload('p'),
    sentAt: at(3),
    receivedAt: at(2.5),
  });
  return [
    v(
      'receipts-valid',
      'receipt.*',
      'Three receipts on one channel: both signatures, hash links, sequence 0..2',
      three,
      ok,
    ),
    v(
      'receipts-valid-quarantined',
      'receipt.payload_match',
      'Receiver got different bytes and quarantined them (correct behaviour)',
      [quarantined],
      ok,
    ),
    v(
      'receipts-invalid-sender-signature',
      'receipt.sender_signature',
      'Payload hash of receipt 1 changed after both signatures',
      [three[0], { ...three[1]!, payload_hash: payload('other') }, three[2]],
      fails(
        'receipt.sender_signature',
        'receipt.receiver_signature',
        'receipt.payload_match',
        'receipt.hash_link',
      ),
    ),
    v(
      'receipts-invalid-receiver-signature',
      'receipt.receiver_signature',
      "Receiver's decision flipped after countersigning",
      [{ ...three[0]!, acknowledgement: { ...three[0]!.acknowledgement, decision: 'quarantined' } }],
      fails('receipt.receiver_signature'),
    ),
    v(
      'receipts-invalid-payload-match',
      'receipt.payload_match',
      'Receiver accepted a payload whose hash differs from the one sent',
      [mismatch],
      fails('receipt.payload_match'),
    ),
    v(
      'receipts-invalid-hash-link',
      'receipt.hash_link',
      'Receipt 1 dropped: receipt 2 does not link to receipt 0 and the sequence jumps',
      [three[0], three[2]],
      fails('receipt.sequence', 'receipt.hash_link'),
    ),
    v(
      'receipts-invalid-replay',
      'receipt.replay',
      'Receipt 1 presented twice',
      [three[0], three[1], three[1]],
      fails('receipt.replay'),
    ),
    v(
      'receipts-invalid-clock-skew',
      'receipt.clock_skew',
      'Received 30 s before it was sent (allowed skew 5 s)',
      [early],
      fails('receipt.clock_skew'),
    ),
  ];
}

function attestationVectors(): IdentityVector[] {
  const build = (mutate?: (u: JsonObject, tb: Testbed) => void, serverKey?: ReturnType<typeof testKey>) => {
    const tb = testbed(ORIGIN);
    const evs = Object.values(workflow(tb));
    tb.log.append(evs.slice(0, 3));
    const oldSize = tb.log.tree.size;
    const old = tb.log.sth(T0 + 5 * 60_000, oldSize);
    const idx = tb.log.append(evs);
    const size = tb.log.tree.size;
    const leaves = evs.map((e) => toHex(eventLeafHash(e)));
    const sorted = idx
      .map((i, k) => ({ leaf_hash: leaves[k]!, leaf_index: i }))
      .sort((a, b) => a.leaf_index - b.leaf_index);
    const u: JsonObject = {
      type: 'lineage.attestation',
      version: 1,
      server: tb.proofServer.id,
      issued_at: at(11),
      leaves,
      logs: [
        {
          log_origin: ORIGIN,
          checkpoint: tb.log.sth(STH_AT, size),
          multiproof: {
            leaves: sorted,
            proof: tb.log.tree
              .multiproof(
                sorted.map((s) => s.leaf_index),
                size,
              )
              .map(toHex),
          },
          consistency: [{ checkpoint: old, proof: tb.log.tree.consistencyProof(oldSize, size).map(toHex) }],
        },
      ],
    };
    mutate?.(u, tb);
    const att = signAttestation(u as never, serverKey ?? tb.proofServer.key);
    return { tb, evs, att };
  };
  const chainV = (
    name: string,
    rule: string,
    description: string,
    b: ReturnType<typeof build>,
    expected: Expect,
  ): IdentityVector => ({
    name,
    rule,
    description,
    kind: 'chain',
    input: { trust: trustJson(b.tb), events: b.evs.map((e) => ({ event: j(e) })), attestations: [j(b.att)] },
    expected,
  });
  const att = (
    name: string,
    rule: string,
    description: string,
    b: ReturnType<typeof build>,
    expected: Expect,
    expectLeaves?: string[],
  ): IdentityVector => ({
    name,
    rule,
    description,
    kind: 'attestation',
    input: {
      trust: trustJson(b.tb),
      attestations: [j(b.att)],
      ...(expectLeaves ? { expect_leaves: expectLeaves } : {}),
    },
    expected,
  });
  const logOf = (u: JsonObject) => (u.logs as JsonObject[])[0]!;
  const mp = (u: JsonObject) => logOf(u).multiproof as { proof: string[] };
  const cons = (u: JsonObject) => (logOf(u).consistency as Array<{ proof: string[] }>)[0]!;
  const valid = build();
  const altered = build();
  altered.att = { ...altered.att, issued_at: at(12) };
  const other = toHex(
    eventLeafHash(agentEvent(valid.tb.scanner, { action: 'scan.run', timestamp: at(9), sequence: 9 })),
  );
  return [
    chainV(
      'attestation-chain-valid',
      'attestation.*',
      'The reference workflow proven only through a proof-server attestation (multiproof + consistency proof)',
      valid,
      ok,
    ),
    att('attestation-valid', 'attestation.*', 'The attestation alone, about one of its leaves', valid, ok, [
      valid.att.leaves[3]!,
    ]),
    att(
      'attestation-invalid-server-signature',
      'attestation.server_signature',
      'issued_at changed after the server signed',
      altered,
      fails('attestation.server_signature'),
    ),
    att(
      'attestation-invalid-sth-signature',
      'attestation.sth_signature',
      'Tree size in the checkpoint text edited (log signature no longer verifies)',
      build((u) => {
        const l = logOf(u);
        const lines = String(l.checkpoint).split('\n');
        lines[1] = String(Number(lines[1]) + 1);
        l.checkpoint = lines.join('\n');
      }),
      fails('attestation.sth_signature'),
    ),
    att(
      'attestation-invalid-inclusion',
      'attestation.inclusion',
      'One multiproof hash replaced',
      build((u) => {
        mp(u).proof[0] = '00'.repeat(32);
      }),
      fails('attestation.inclusion'),
    ),
    att(
      'attestation-invalid-consistency',
      'attestation.consistency',
      'Consistency proof from the older tree head corrupted',
      build((u) => {
        cons(u).proof[0] = 'ff'.repeat(32);
      }),
      fails('attestation.consistency'),
    ),
    att(
      'attestation-invalid-leaf-binding',
      'attestation.leaf_binding',
      'Attestation verified against a leaf it is not about',
      valid,
      fails('attestation.leaf_binding'),
      [other],
    ),
  ];
}

function commitmentVectors(): IdentityVector[] {
  const mk = (lie: boolean) =>
    chain(
      lie ? 'commitments-invalid-opening' : 'commitments-valid',
      'commitment.opening',
      lie
        ? 'Disclosed asset count differs from the committed one'
        : 'Salted and Pedersen commitments; two opened, one committed, not disclosed',
      (tb) => {
        const w = workflow(tb);
        const ips = commitSalted(
          'boundary.ip_ranges',
          ['10.20.0.0/16', '10.21.0.0/16'],
          new Uint8Array(16).fill(0x5a),
        );
        const blinding = new Uint8Array(32);
        blinding[0] = 0x2a;
        const count = commitPedersen('inventory.asset_count', 1312, blinding);
        const contact = commitSalted(
          'boundary.admin_contact',
          'ops@csp.example',
          new Uint8Array(32).fill(0x33),
        );
        const inv = signEvent(
          { ...w.inv, commitments: [ips.commitment, count.commitment, contact.commitment] },
          tb.inventory,
        );
        const scan = signEvent({ ...w.scan, predecessors: [eventId(inv)] }, tb.scanner);
        const signoff = signEvent({ ...w.signoff, predecessors: [eventId(scan)] }, tb.co.key);
        const o2 = openingFor(count, eventId(inv));
        return {
          events: [w.root, w.regInv, w.regScan, inv, scan, signoff],
          extra: { openings: [j(openingFor(ips, eventId(inv))), j(lie ? { ...o2, value: 1200 } : o2)] },
        };
      },
      lie ? fails('commitment.opening') : ok,
    );
  return [mk(false), mk(true)];
}

export function buildIdentityVectors(): IdentityVector[] {
  return [
    ...cardVectors(),
    ...chainVectors(),
    ...receiptVectors(),
    ...attestationVectors(),
    ...commitmentVectors(),
  ];
}

/** Runs a vector with the verifier; for chains also in agent mode. */
export async function runIdentityVector(
  v: IdentityVector,
): Promise<{ checks: CheckOutcome[]; agent?: Awaited<ReturnType<typeof verifyBeforeAct>> }> {
  const trust = parseTrustStore(v.input.trust);
  switch (v.kind) {
    case 'card': {
      // Lifecycle events in a card vector give the key history (card.key_current).
      const o: VerifyAgentCardOptions = {};
      if (Array.isArray(v.input.events)) o.keyHistories = await historiesOf(v.input.events, trust);
      if (v.input.registration) o.registration = v.input.registration;
      return { checks: (await verifyAgentCard(JSON.stringify(v.input.card), trust, o)).checks };
    }
    case 'receipts': {
      const events = Array.isArray(v.input.events) ? v.input.events : [];
      const keyHistories = await historiesOf(events, trust);
      return { checks: (await verifyReceipts(v.input.receipts ?? [], { keyHistories })).checks };
    }
    case 'attestation': {
      const o: { expectLeaves?: string[] } = {};
      if (v.input.expect_leaves) o.expectLeaves = v.input.expect_leaves;
      return { checks: (await verifyAttestation(v.input.attestations?.[0] ?? null, trust, o)).checks };
    }
    case 'chain': {
      const input: CallChainInput = { events: v.input.events ?? [], trust };
      if (v.input.attestations) input.attestations = v.input.attestations;
      if (v.input.receipts) input.receipts = v.input.receipts;
      if (v.input.openings) input.openings = v.input.openings;
      return { checks: (await verifyCallChain(input)).checks, agent: await verifyBeforeAct(input) };
    }
  }
}

/** Key histories from a vector's lifecycle events; what does not parse is left out (hostile-input runs). */
async function historiesOf(
  events: readonly { event: JsonValue }[],
  trust: TrustStore,
): Promise<KeyHistories> {
  const parsed = events.flatMap((c) => {
    try {
      return [parseEvent(c?.event)];
    } catch {
      return [];
    }
  });
  return (await buildKeyHistories(parsed, { trust })).histories;
}

/** The comparison both the generator and the test apply. Returns problems, empty when the vector holds. */
export function compareToExpected(v: IdentityVector, checks: CheckOutcome[]): string[] {
  const problems: string[] = [];
  const verdict = verdictOf(checks);
  if (verdict !== v.expected.verdict) problems.push(`verdict ${verdict}, expected ${v.expected.verdict}`);
  const failing = [...new Set(checks.filter((c) => c.status === 'fail').map((c) => c.id))].sort();
  if (JSON.stringify(failing) !== JSON.stringify(v.expected.failing_checks)) {
    problems.push(
      `failing checks ${failing.join(', ') || 'none'}, expected ${v.expected.failing_checks.join(', ') || 'none'}`,
    );
  }
  const first = checks.find((c) => c.status !== 'pass');
  const firstSummary = first ? { id: first.id, status: first.status } : null;
  if (JSON.stringify(firstSummary) !== JSON.stringify(v.expected.first_non_pass)) {
    problems.push(
      `first non-pass ${JSON.stringify(firstSummary)}, expected ${JSON.stringify(v.expected.first_non_pass)}`,
    );
  }
  return problems;
}

export function outcomeDigest(checks: CheckOutcome[]): NonNullable<IdentityVector['outcomes']> {
  return checks.map((c) => ({
    id: c.id,
    status: c.status,
    subject: c.subject.id,
    ...(c.subject.field ? { field: c.subject.field } : {}),
  }));
}
