import { buildFedrampSample, type SampleHooks } from '@lineage/producer';
import {
  type CapsuleVerification,
  type CheckOutcome,
  eventId,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { lines, repack, withLines } from '../redteam/support.js';
import {
  atoByUnpinnedApprover,
  baselinesSequence,
  cardLineageToA2,
  earlyTreeHead,
  eventTwiceInStep,
  minutes,
  receiptBeforeScan,
  receiptSignaturesSwapped,
  rejected,
  rescanNotCovered,
  revokedBy,
  riskAcceptedBeforeScan,
  riskAcceptedByComplianceLead,
  sarAndAtoByCspStaff,
  secondEngagement,
  signedAt,
} from './support/semantic-cases.js';

/**
 * Capsules that are cryptographically valid but tell a wrong story: a colluding producer holds
 * every agent key and its own staff are pinned approvers, so it re-signs the events, rebuilds the
 * log, its tree heads, the attestation and the proofs (the sample builder's hooks do exactly that).
 * Each must still be refused by the check that names the wrong claim, with the event, field,
 * expected and found. The scenarios are in ./support/semantic-cases.ts, which the independent
 * verifier's conformance test runs too.
 */
const verifiedAt = '2026-11-22T00:00:00Z';
type Sample = Awaited<ReturnType<typeof buildFedrampSample>>;

async function verified(hooks: SampleHooks): Promise<{ s: Sample; r: CapsuleVerification }> {
  const s = await buildFedrampSample({ hooks });
  return {
    s,
    r: await verifyCapsule(zipCapsuleSource(s.zip), s.trust, { verifiedAt, capsuleName: 'x.zip' }),
  };
}
const notPassed = (r: CapsuleVerification): CheckOutcome[] =>
  r.report.checks.filter((c) => c.status !== 'pass');
const failedIds = (r: CapsuleVerification) => [...new Set(notPassed(r).map((c) => c.id))];

describe('approvals: skipped, by the wrong role, rejected, or dated before the work', () => {
  it('the risk acceptance signed validly by the compliance lead in her own role fails chain.required_approval at the SSP', async () => {
    const { s, r } = await verified(riskAcceptedByComplianceLead());
    expect(failedIds(r)).toEqual(['chain.required_approval']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { kind: 'chain', id: s.eventIds['A4-ssp'], field: '/predecessors', where: 'events.jsonl:14' },
      expected:
        'an authentic approve or conditional approval by security_officer, pinned with that role, among the events it builds on',
      found: 'only authorizing_official, compliance_lead, compliance_officer among the events it builds on',
    });
  });

  it('a rejected risk acceptance does not open the gate: the SSP built on it fails, naming the rejection', async () => {
    const { s, r } = await verified(rejected('3a'));
    expect(failedIds(r)).toEqual(['chain.required_approval']);
    expect(notPassed(r)[0]!.subject.id).toBe(s.eventIds['A4-ssp']);
    expect(notPassed(r)[0]!.found).toContain('security_officer (rejected)');
  });

  it('an ATO decision built on a rejected SAR fails chain.required_approval at the decision', async () => {
    const { s, r } = await verified(rejected('5a'));
    expect(failedIds(r)).toEqual(['chain.required_approval']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { id: s.eventIds['6'], field: '/predecessors' },
      found: expect.stringContaining('3pao_assessor (rejected)'),
    });
  });

  it('a workflow built on a boundary the AO rejected fails chain.root_approval_role at the root', async () => {
    const { s, r } = await verified(rejected('e0'));
    const root = notPassed(r).find((c) => c.id === 'chain.root_approval_role')!;
    expect(root).toMatchObject({ status: 'fail', subject: { id: s.eventIds.e0 } });
    expect(root.reason).toBe('the root approval\'s decision is "reject"');
    // Its disclosed commitment is then not accepted either: the root is not proven good.
    expect(failedIds(r).sort()).toEqual(['chain.root_approval_role', 'commitment.opening']);
  });

  it('a risk acceptance citing the scan but dated before it fails chain.timestamp_order at the approval', async () => {
    const { s, r } = await verified(signedAt('3a', 140)); // the scan is at 150
    expect(failedIds(r)).toEqual(['chain.timestamp_order']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { id: s.eventIds['3a'], field: '/timestamp' },
      reason: `event is timestamped before its predecessor ${s.eventIds['A3-scan']!.slice(0, 12)}…`,
      expected: `at or after ${minutes(150)}`,
      found: minutes(140),
    });
  });

  it('an ATO decision signed before the SAR it builds on fails chain.timestamp_order at the decision', async () => {
    const { s, r } = await verified(signedAt('6', 590)); // the SAR is at 600
    expect(failedIds(r)).toEqual(['chain.timestamp_order']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { id: s.eventIds['6'], field: '/timestamp' },
      expected: `at or after ${minutes(600)}`,
      found: minutes(590),
    });
  });
});

describe("an actor's sequence", () => {
  it('a gap (2 → 4) or a number used twice fails chain.sequence at the event, naming the numbers', async () => {
    for (const [n, reason, expected, found] of [
      [4, /jumps from sequence 2 to 4: 1 event missing$/, '3', '4'],
      [
        2,
        /used sequence 2 twice \(events [0-9a-f]{12}… and [0-9a-f]{12}…\): replay or equivocation$/,
        '3',
        '2',
      ],
    ] as const) {
      const { s, r } = await verified(baselinesSequence(n));
      expect(failedIds(r)).toEqual(['chain.sequence']);
      expect(notPassed(r)[0]).toMatchObject({
        subject: { id: s.eventIds['A2-baselines'], field: '/sequence' },
        reason: expect.stringMatching(reason),
        expected,
        found,
      });
    }
  });
});

describe('identity: revocations and cards', () => {
  it('a revocation signed by a pinned approver without a revoking role is not applied, and says who may revoke', async () => {
    const { s, r } = await verified(revokedBy({ kind: 'human', human: 'co' }));
    expect(failedIds(r).sort()).toEqual(['chain.action_allowed', 'event.actor_key_valid_at_time']);
    for (const c of notPassed(r)) expect(c.subject.id).toBe(s.eventIds['A3-revoke']);
    expect(notPassed(r).find((c) => c.id === 'chain.action_allowed')).toMatchObject({
      subject: { field: '/action' },
      expected: 'an approver holding one of the roles security_officer, authorizing_official',
      found: 'human lin:human:co.raj-patel holding compliance_officer did identity.revoke',
    });
    // Not applied: the scan signed after it with A3's key still verifies.
    expect(r.events.find((e) => e.id === s.eventIds['A3-scan'])!.status).toBe('pass');
  });

  it('a revocation signed by the revoked key itself is applied (it only takes validity away): the later scan fails', async () => {
    const { s, r } = await verified(revokedBy({ kind: 'agent', agent: 'A3' }));
    const key = notPassed(r).filter((c) => c.id === 'event.actor_key_valid_at_time');
    expect(key.map((c) => c.subject.id)).toEqual([s.eventIds['A3-scan']]);
    expect(key[0]).toMatchObject({
      subject: { field: '/signature/public_key' },
      found: `key ${s.keys.agents.A3!.publicKeyHex.slice(0, 12)}…, revoked at ${minutes(120)}`,
    });
    expect(failedIds(r)).toContain('card.key_current');
  });

  it("a card whose lineage pointers name another agent's registration fails card.lineage, naming both", async () => {
    const { s, r } = await verified(cardLineageToA2());
    expect(failedIds(r)).toEqual(['card.lineage']);
    const a1 = s.keys.agents.A1!;
    const a2 = s.keys.agents.A2!;
    expect(notPassed(r)[0]).toMatchObject({
      subject: { kind: 'card', id: a1.agentId, field: '/capabilities/extensions/0/params/lineage' },
      reason: 'the event does not register this agent with its genesis key',
      expected: `a registration of ${a1.agentId} with key ${a1.publicKeyHex.slice(0, 12)}…`,
      found: `register of ${a2.agentId} with key ${a2.publicKeyHex.slice(0, 12)}…`,
    });
  });
});

describe('logs and receipts', () => {
  it('events dated after the tree head that includes them fail event.sth_time, each with both times', async () => {
    // The log signs its only tree head at minute 400; the SAR (600) and the ATO decision (900) are later.
    const { s, r } = await verified(earlyTreeHead());
    expect(failedIds(r)).toEqual(['event.sth_time']);
    expect(notPassed(r).map((c) => [c.subject.id, c.subject.field, c.expected, c.found])).toEqual([
      [s.eventIds['5a'], '/timestamp', `at or before ${minutes(400)}`, minutes(600)],
      [s.eventIds['6'], '/timestamp', `at or before ${minutes(400)}`, minutes(900)],
    ]);
  });

  it('a receipt whose two valid signatures are swapped fails both signature checks as impersonation', async () => {
    const { s, r } = await verified(receiptSignaturesSwapped());
    expect(failedIds(r)).toEqual(['receipt.sender_signature', 'receipt.receiver_signature']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { kind: 'receipt', id: 'handoff-04', field: '/sender_signature/public_key' },
      expected: `a key of ${s.keys.agents.A3!.agentId.slice(0, 22)}…`,
      found: s.keys.agents.A4!.publicKeyHex,
    });
  });
});

describe('the same event twice', () => {
  it('in one workflow step fails capsule.workflow_steps at the repeated entry', async () => {
    const { s, r } = await verified(eventTwiceInStep());
    expect(failedIds(r)).toEqual(['capsule.workflow_steps']);
    expect(notPassed(r)[0]).toMatchObject({
      subject: { kind: 'manifest', field: '/workflow/steps/4/events/2' },
      reason: `event ${s.eventIds['A3-register']!.slice(0, 12)}… is in step A3 and again in step A3`,
    });
  });

  it('in events.jsonl: the second copy is named by its own line, not the genuine event', async () => {
    const s = await buildFedrampSample();
    const ev = lines(s.files, 'events.jsonl');
    // Line 6 repeats line 4 (the A3 registration).
    const zip = repack(withLines(s.files, 'events.jsonl', [...ev.slice(0, 5), ev[3]!, ...ev.slice(5)]));
    const r = await verifyCapsule(zipCapsuleSource(zip), s.trust, { verifiedAt, capsuleName: 'twice.zip' });
    const id = s.eventIds['A3-register']!;
    expect(failedIds(r)).toEqual(['event.schema']);
    expect(notPassed(r)[0]).toEqual({
      id: 'event.schema',
      status: 'fail',
      subject: { kind: 'event', id: 'event 5', field: '/', where: 'events.jsonl:6' },
      title: 'event is well-formed',
      reason: `event ${id.slice(0, 12)}… is supplied twice (first at position 3); the second copy takes no part in the checks`,
      expected: 'each event once',
      found: `event ${id} again, first at position 3`,
    });
    // The genuine event keeps its own line and its passing checks.
    expect(r.events.find((e) => e.id === id)!.status).toBe('pass');
  });
});

/**
 * Wrong stories the verifier does not refuse today: each verifies. They are gaps in what the
 * workflow policy (docs/spec/04-identity-and-lineage.md §4.3) and receipts (§4.4) can express, not
 * bugs in a check; each test pins today's verdict so that closing the gap changes it on purpose.
 */
describe('wrong stories the workflow policy refuses (must_include, approval_covers)', () => {
  it("the SAR and the ATO decision signed by the CSP's own compliance lead and AO, in their own roles: chain.required_event", async () => {
    // No requires rule selects them (they are not 3pao_assessor / agency_ao approvals); the policy's
    // must_include asks that an approval by each of those roles exist, by an approver pinned so.
    const { r } = await verified(sarAndAtoByCspStaff());
    expect(r.report.verdict).toBe('failed');
    expect(failedIds(r)).toEqual(['chain.required_event']);
    expect(notPassed(r).map((c) => [c.subject.field, c.expected, c.found])).toEqual([
      [
        '/policy/must_include/0',
        'an approval by 3pao_assessor, authentic, by an approver pinned with that role',
        'none; the approvals present are by authorizing_official, compliance_lead, compliance_officer, security_officer',
      ],
      [
        '/policy/must_include/1',
        'an approval by agency_ao, authentic, by an approver pinned with that role',
        'none; the approvals present are by authorizing_official, compliance_lead, compliance_officer, security_officer',
      ],
    ]);
  });

  it('an ATO decision claiming the agency_ao role by an approver not pinned with it: chain.required_event names it', async () => {
    const { s, r } = await verified(atoByUnpinnedApprover());
    expect(r.report.verdict).toBe('failed');
    const presence = notPassed(r).filter((c) => c.id === 'chain.required_event');
    expect(presence).toHaveLength(1);
    expect(presence[0]!.found).toBe(
      `${s.eventIds['6']!.slice(0, 12)}… by ${r.events.find((e) => e.id === s.eventIds['6'])!.actor} (its approver is not pinned with that role)`,
    );
  });

  it('a risk acceptance signed before the scan it accepts, citing only the earlier approval: chain.required_approval on the SSP', async () => {
    // ssp.package needs a security_officer approval among what it builds on, and (approval_covers)
    // one that builds on the scans it uses.
    const { s, r } = await verified(riskAcceptedBeforeScan());
    expect(r.report.verdict).toBe('failed');
    expect(failedIds(r)).toEqual(['chain.required_approval']);
    const [f] = notPassed(r);
    expect(f!.subject).toMatchObject({ kind: 'chain', id: s.eventIds['A4-ssp'], field: '/predecessors' });
    expect(f!.expected).toBe(
      `an authentic approve or conditional approval by security_officer, pinned with that role, that builds on scan.run event ${s.eventIds['A3-scan']}`,
    );
    expect(f!.found).toMatch(
      /^security_officer approval [0-9a-f]{12}… at 2026-11-02T16:20:00\.000Z, which does not build on it$/,
    );
  });
});

describe('a decision that does not cover the package (must_include covers_chain)', () => {
  // The sample's agency_ao rule has covers_chain: the ATO decision must build on every workflow
  // event of the capsule. Without it each of these verified.
  it('a rescan with a critical finding, after the ATO decision or before the SSP, that nothing builds on', async () => {
    for (const at of [1000, 210]) {
      const { s, r } = await verified(rescanNotCovered(at));
      expect(r.report.verdict).toBe('failed');
      expect(failedIds(r)).toEqual(['chain.required_event']);
      const rescan = s.events.find((e) => eventId(e) === s.eventIds['A3-rescan'])!;
      expect(notPassed(r)).toEqual([
        expect.objectContaining({
          subject: expect.objectContaining({ kind: 'chain', id: s.eventIds['6'], field: '/predecessors' }),
          reason: expect.stringContaining(
            `(must_include[1], covers_chain) requires an approval by agency_ao that builds on every workflow event of the chain; ${s.eventIds['6']!.slice(0, 12)}… by lin:human:agency-ao.lee-park at ${minutes(900)} does not build on 1 of them`,
          ),
          expected:
            'an approval by agency_ao that builds on every other workflow event of the chain (identity lifecycle events apart)',
          found: `${s.eventIds['6']!.slice(0, 12)}…, which does not build on scan.run ${s.eventIds['A3-rescan']!.slice(0, 12)}… by ${rescan.actor} at ${minutes(at)}`,
        }),
      ]);
    }
  });

  it('a second engagement carried beside the one the SAR and the ATO decision belong to', async () => {
    const { s, r } = await verified(secondEngagement());
    expect(failedIds(r)).toEqual(['chain.required_event']);
    const [f] = notPassed(r);
    expect(f!.subject.id).toBe(s.eventIds['6']);
    expect(f!.reason).toContain('does not build on 3 of them');
    for (const k of ['X-e0', 'X-2a', 'X-scan']) expect(f!.found).toContain(s.eventIds[k]!.slice(0, 12));
  });

  it('in the sample the ATO decision builds on every workflow event, and the rule passes naming it', async () => {
    const s = await buildFedrampSample();
    const r = await verifyCapsule(zipCapsuleSource(s.zip), s.trust, { verifiedAt, capsuleName: 'x.zip' });
    expect(r.report.verdict).toBe('verified');
    const rule = r.report.checks.filter((c) => c.id === 'chain.required_event');
    expect(rule.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(rule[1]!.found).toBe(
      `an approval by agency_ao: ${s.eventIds['6']!.slice(0, 12)}… by lin:human:agency-ao.lee-park at ${minutes(900)}, building on all 12 other workflow events`,
    );
  });
});

describe('receipts placed among the events that carry their payload (capsule.receipt_payload)', () => {
  it('a receipt handing over the scan results 50 minutes before the scan event that produced them fails', async () => {
    const { s, r } = await verified(receiptBeforeScan());
    expect(r.report.verdict).toBe('failed');
    expect(failedIds(r)).toEqual(['capsule.receipt_payload']);
    const scan = s.events.find((e) => eventId(e) === s.eventIds['A3-scan'])!;
    expect(notPassed(r)).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({
          kind: 'receipt',
          id: 'handoff-04',
          field: '/sent_at',
          where: expect.stringMatching(/^receipts\.jsonl:\d+$/),
        }),
        reason: `the receipt hands over the payload of scan.run event ${s.eventIds['A3-scan']!.slice(0, 12)}… by ${scan.actor}, signed at ${scan.timestamp}, but says it was sent at ${minutes(100)}: before that payload existed`,
        expected: `sent_at no earlier than ${scan.timestamp} (the first event carrying payload ${scan.payload_hash})`,
        found: `sent_at ${minutes(100)}`,
      }),
    ]);
    // The graph shows the failed handoff as failed.
    const h4 = r.lineage.edges.find((e) => 'receiptId' in e && e.receiptId === 'handoff-04');
    expect(h4?.status ?? 'not drawn').not.toBe('pass');
  });

  it('in the sample each handoff is drawn from the event that produced its payload, and passes', async () => {
    const s = await buildFedrampSample();
    const r = await verifyCapsule(zipCapsuleSource(s.zip), s.trust, { verifiedAt, capsuleName: 'x.zip' });
    expect(r.report.verdict).toBe('verified');
    const placed = r.report.checks.filter((c) => c.id === 'capsule.receipt_payload');
    expect(placed).toHaveLength(5); // the five handoffs A1→A2…A4→A5
    expect(placed.every((c) => c.status === 'pass')).toBe(true);
    const h4 = r.lineage.edges.find((e) => 'receiptId' in e && e.receiptId === 'handoff-04');
    expect(h4).toMatchObject({ from: s.eventIds['A3-scan'], status: 'pass' });
  });
});
