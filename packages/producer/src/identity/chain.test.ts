import {
  type CallChainInput,
  type CheckOutcome,
  eventId,
  eventLeafHash,
  type JsonValue,
  type LineageEvent,
  parseTrustStore,
  sha256,
  toHex,
  utf8Encode,
  verifyBeforeAct,
  verifyCallChain,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { cosignCheckpoint, noteSigner } from '../note/index.js';
import {
  agentEvent,
  humanApproval,
  registerEvent,
  revokeEvent,
  rotateEvent,
  signEvent,
  supersedeEvent,
} from './event.js';
import { asAgentKey, testKey } from './keys.js';
import { at, T0, testbed } from './testbed.js';

const tb = testbed();
const payload = (s: string) => toHex(sha256(utf8Encode(s)));

/** The happy workflow: AO authorizes → inventory agent → scanner agent → compliance officer signs off. */
function workflow() {
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve', statement: 'Begin assessment prep' },
    { timestamp: at(0), sequence: 0, context: { controls: ['CA-6'] } },
  );
  const regInv = registerEvent(tb.inventory, { timestamp: at(1), sequence: 0 });
  const regScan = registerEvent(tb.scanner, { timestamp: at(1), sequence: 0 });
  const inv = agentEvent(tb.inventory, {
    action: 'inventory.generate',
    timestamp: at(2),
    sequence: 1,
    predecessors: [eventId(root)],
    payloadHash: payload('inventory.xlsx'),
    context: { controls: ['CM-8'] },
  });
  const scan = agentEvent(tb.scanner, {
    action: 'scan.run',
    timestamp: at(3),
    sequence: 1,
    predecessors: [eventId(inv)],
    payloadHash: payload('scan.xml'),
    context: { controls: ['RA-5'] },
  });
  const signoff = humanApproval(
    tb.co,
    { role: 'compliance_officer', decision: 'approve' },
    { timestamp: at(4), sequence: 0, predecessors: [eventId(scan)], context: { controls: ['AU-10'] } },
  );
  return { root, regInv, regScan, inv, scan, signoff };
}

function input(events: LineageEvent[], over: Partial<CallChainInput> = {}, sthAt = 10): CallChainInput {
  return { events: tb.log.cite(events, T0 + sthAt * 60_000), trust: tb.trust(), ...over };
}

const failures = (checks: CheckOutcome[]) => checks.filter((c) => c.status !== 'pass');

/** Runs both modes and asserts they agree; returns the assessor report. */
async function both(i: CallChainInput) {
  const report = await verifyCallChain(i);
  const agent = await verifyBeforeAct(i);
  const first = failures(report.checks)[0];
  if (first) {
    expect(agent.decision).toBe('quarantine');
    if (agent.decision === 'quarantine') expect(agent.reason).toEqual(first);
    expect(agent.checks.length).toBeLessThanOrEqual(report.checks.length);
    expect(agent.checks).toEqual(report.checks.slice(0, agent.checks.length));
  } else {
    expect(agent.decision).toBe('accept');
    expect(report.verdict).toBe('verified');
  }
  return report;
}

/** A fresh testbed's root: its AO's approval at 14:00. */
const aoRoot = (b: ReturnType<typeof testbed>) =>
  humanApproval(
    b.ao,
    { role: 'authorizing_official', decision: 'approve' },
    { timestamp: at(0), sequence: 0 },
  );

/** The key-validity outcome of one event. */
const keyCheck = (r: { checks: CheckOutcome[] }, e: LineageEvent) =>
  r.checks.find((x) => x.id === 'event.actor_key_valid_at_time' && x.subject.id === eventId(e));

const failed = (r: { checks: CheckOutcome[] }, id: string) =>
  r.checks.filter((c) => c.id === id && c.status === 'fail');

describe('call chains: assessor and agent modes from one engine', () => {
  it('a correct workflow verifies in both modes, every check passes', async () => {
    const w = workflow();
    const r = await both(input(Object.values(w)));
    expect(r.verdict).toBe('verified');
    expect(failures(r.checks)).toEqual([]);
    const roots = r.checks.filter((c) => c.id === 'chain.root_approval_role');
    expect(roots).toHaveLength(1);
    expect(roots[0]!.found).toContain('authorizing_official Jane Doe (AO)');
    expect(r.events).toHaveLength(6);
  });

  it('event.schema: attestations, receipts or openings given as something other than an array fail, naming the field', async () => {
    // Inputs may come from untyped JSON: a non-array is reported, never read as "none".
    for (const name of ['attestations', 'receipts', 'openings'] as const) {
      const r = await verifyCallChain(input(Object.values(workflow()), { [name]: {} as unknown as never[] }));
      expect(r.verdict).toBe('failed');
      expect(failures(r.checks)).toEqual([
        expect.objectContaining({
          id: 'event.schema',
          status: 'fail',
          subject: { kind: 'chain', id: 'call chain', field: `/${name}` },
          reason: `${name} must be an array`,
        }),
      ]);
    }
  });

  it('event.signature: an event altered after signing fails (and its leaf no longer matches the log)', async () => {
    const w = workflow();
    const tampered = { ...w.signoff, context: { ...w.signoff.context, controls: ['AU-10', 'CA-7'] } };
    const i = input([w.root, w.regInv, w.regScan, w.inv, w.scan]);
    const extra = tb.log.cite([w.signoff], T0 + 600_000)[0]!;
    i.events = [...i.events, { ...extra, event: tampered as unknown as JsonValue }];
    const r = await both(i);
    const sig = failed(r, 'event.signature');
    expect(sig).toHaveLength(1);
    expect(sig[0]!.subject.id).toBe(eventId(tampered));
    expect(failed(r, 'event.inclusion')).toHaveLength(1);
  });

  it('event.actor_known: an agent event signed by another agent key is impersonation', async () => {
    const w = workflow();
    const f2 = signEvent(w.scan, tb.inventory);
    expect(f2.signature.public_key).toBe(tb.inventory.publicKeyHex);
    const r = await both(input([w.root, w.regInv, w.regScan, w.inv, f2]));
    const c = failed(r, 'event.actor_known');
    expect(c).toHaveLength(1);
    expect(c[0]!.found).toBe(tb.inventory.publicKeyHex);
  });

  it("event.actor_key_valid_at_time: a pinned approver's event signed with another key fails, naming the pinned key", async () => {
    const w = workflow();
    const forged = signEvent(w.root, testKey('not-the-ao-key'));
    const r = await both(input([forged, w.regInv, w.regScan, w.inv, w.scan, w.signoff]));
    expect(failed(r, 'event.actor_known')[0]!.expected).toBe(tb.ao.key.publicKeyHex);
    expect(keyCheck(r, forged)).toMatchObject({
      status: 'fail',
      reason: 'key not pinned for this approver',
      expected: `the key pinned for ${tb.ao.id}`,
    });
  });

  it('event.actor_known: a human approval by an unpinned approver fails', async () => {
    const mallory = { id: 'lin:human:mallory', key: testKey('mallory') };
    const fake = humanApproval(
      mallory,
      { role: 'authorizing_official', decision: 'approve' },
      { timestamp: at(0), sequence: 0 },
    );
    const r = await both(input([fake]));
    expect(failed(r, 'event.actor_known')[0]!.reason).toContain('not an approver in the trust store');
    expect(failed(r, 'chain.root_approval_role')).toHaveLength(1);
  });

  it('event.actor_key_valid_at_time: a key revoked before the event fails; events before the revocation pass', async () => {
    const w = workflow();
    const revoke = revokeEvent(
      tb.inventory.agentId,
      tb.inventory,
      'key compromised',
      { timestamp: at(1.5), sequence: 0 },
      tb.so,
    );
    const r = await both(input([w.root, w.regInv, w.regScan, revoke, w.inv, w.scan, w.signoff]));
    const c = failed(r, 'event.actor_key_valid_at_time');
    expect(c).toHaveLength(1);
    expect(c[0]!.subject.id).toBe(eventId(w.inv));
    expect(c[0]!.reason).toMatch(
      /revoked at 2026-11-20T14:01:30.000Z, before the signature dated 2026-11-20T14:02:00.000Z/,
    );
    // Revoking after the event leaves it valid.
    const late = revokeEvent(
      tb.inventory.agentId,
      tb.inventory,
      'retired',
      { timestamp: at(2.5), sequence: 1 },
      tb.so,
    );
    const ok = await both(input([w.root, w.regInv, w.regScan, w.inv, late, w.scan, w.signoff]));
    expect(failed(ok, 'event.actor_key_valid_at_time')).toEqual([]);
  });

  it("event.actor_key_valid_at_time: an event dated before its key's revocation but logged after it is backdated: fails", async () => {
    // Its own log, so leaf positions are this test's alone.
    const b = testbed('backdating.example/log');
    const root = aoRoot(b);
    const reg = registerEvent(b.scanner, { timestamp: at(1), sequence: 0 });
    const scan = agentEvent(b.scanner, {
      action: 'scan.run',
      timestamp: at(3),
      sequence: 1,
      predecessors: [eventId(root)],
      payloadHash: payload('scan'),
    });
    const revoke = revokeEvent(
      b.scanner.agentId,
      b.scanner,
      'key leaked',
      { timestamp: at(10), sequence: 0 },
      b.so,
    );
    const early = b.log.cite([root, reg, scan, revoke], T0 + 10 * 60_000);
    // Signed later with the leaked key, dated 14:05, logged after the revocation.
    const forged = agentEvent(b.scanner, {
      action: 'scan.run',
      timestamp: at(5),
      sequence: 2,
      predecessors: [eventId(scan)],
      payloadHash: payload('no findings'),
    });
    const late = b.log.cite([forged], T0 + 30 * 60_000);
    const r = await both({ events: [...early, ...late], trust: b.trust() });
    const c = failed(r, 'event.actor_key_valid_at_time');
    expect(c.map((x) => x.subject.id)).toEqual([eventId(forged)]);
    expect(c[0]).toMatchObject({
      reason: expect.stringMatching(
        /^dated 2026-11-20T14:05:00.000Z, before key \S+ was revoked at 2026-11-20T14:10:00.000Z \(leaf 3 of backdating.example\/log\), but not shown logged before that/,
      ),
      expected:
        'logged before the key was revoked (leaf 3 of backdating.example/log), or under a tree head of 2026-11-20T14:10:00.000Z or earlier',
      found: 'leaf 4 of backdating.example/log',
    });
    // The scan logged before the revocation still passes.
    expect(keyCheck(r, scan)?.status).toBe('pass');
  });

  it('identity.rotate: a rotation with a revoked key, dated just before the revocation but logged after it, does not take effect', async () => {
    const b = testbed('backdating.example/rotate');
    const root = aoRoot(b);
    const reg = registerEvent(b.scanner, { timestamp: at(1), sequence: 0 });
    const revoke = revokeEvent(
      b.scanner.agentId,
      b.scanner,
      'key leaked',
      { timestamp: at(10), sequence: 0 },
      b.so,
    );
    const early = b.log.cite([root, reg, revoke], T0 + 10 * 60_000);
    const attacker = testKey('backdating:attacker');
    const rot = rotateEvent(b.scanner, b.scanner, attacker, {
      timestamp: new Date(T0 + 10 * 60_000 - 1).toISOString(),
      sequence: 1,
    });
    const act = agentEvent(
      b.scanner,
      {
        action: 'scan.run',
        timestamp: at(45),
        sequence: 2,
        predecessors: [eventId(root)],
        payloadHash: payload('no findings'),
      },
      attacker,
    );
    const late = b.log.cite([rot, act], T0 + 60 * 60_000);
    const r = await both({ events: [...early, ...late], trust: b.trust() });
    expect(r.verdict).toBe('failed');
    const rotation = failed(r, 'event.actor_key_valid_at_time').find((x) => x.subject.id === eventId(rot));
    expect(rotation).toMatchObject({
      reason:
        "backdated: logged after the agent's revoke of 2026-11-20T14:10:00.000Z (leaf 2 of backdating.example/rotate) but dated before it",
      expected: 'a time at or after 2026-11-20T14:10:00.000Z',
      found: '2026-11-20T14:09:59.999Z, leaf 3 of backdating.example/rotate',
    });
    // The attacker's key never became the agent's.
    expect(failed(r, 'event.actor_known').map((x) => x.subject.id)).toEqual([eventId(act)]);
  });

  it('identity.rotate: across two logs, a rotation with a self-revoked key not shown logged before the revocation does not take effect', async () => {
    const a = testbed('cross.example/log-a');
    const b = testbed('cross.example/log-b');
    const root = aoRoot(a);
    const reg = registerEvent(a.scanner, { timestamp: at(1), sequence: 0 });
    // The scanner's holder declares its key leaked (signed by that key), in log A at 14:10.
    const revoke = revokeEvent(a.scanner.agentId, a.scanner, 'key leaked', {
      timestamp: at(10),
      sequence: 1,
    });
    const inA = a.log.cite([root, reg, revoke], T0 + 10 * 60_000);
    // The thief logs a rotation to their key in log B, dated 14:09; log B's first tree head is 14:30.
    const thief = testKey('cross:thief');
    const rot = rotateEvent(a.scanner, a.scanner, thief, { timestamp: at(9), sequence: 1 });
    const act = agentEvent(
      a.scanner,
      {
        action: 'scan.run',
        timestamp: at(45),
        sequence: 2,
        predecessors: [eventId(root)],
        payloadHash: payload('no findings'),
      },
      thief,
    );
    const inB = [...b.log.cite([rot], T0 + 30 * 60_000), ...b.log.cite([act], T0 + 50 * 60_000)];
    const trust = a.trust({ logs: [...a.trust().logs, ...b.trust().logs] });
    const r = await both({ events: [...inA, ...inB], trust });
    expect(
      failed(r, 'event.actor_key_valid_at_time').find((x) => x.subject.id === eventId(rot)),
    ).toMatchObject({
      reason: expect.stringMatching(
        /^signed with key \S+, which was revoked at 2026-11-20T14:10:00.000Z \(leaf 2 of cross.example\/log-a\); nothing shows this rotate was logged before that revocation$/,
      ),
      found: 'leaf 0 of cross.example/log-b, under a tree head of 2026-11-20T14:30:00.000Z',
    });
    expect(failed(r, 'event.actor_known').map((x) => x.subject.id)).toEqual([eventId(act)]);
    // The same rotation under a log-B tree head of 14:09:30, before the revocation: it took effect.
    const c = testbed('cross.example/log-b');
    const early = c.log.cite([rot], T0 + 9.5 * 60_000);
    const ok = await verifyCallChain({
      events: [...inA, ...early],
      trust: a.trust({ logs: [...a.trust().logs, ...c.trust().logs] }),
    });
    expect(keyCheck(ok, rot)?.status).toBe('pass');
  });

  it("identity.rotate: every revocation of a key counts, so a thief's own earlier-dated revocation cannot stand in for the owner's", async () => {
    // Registration in log A, the rest in log B: no one log holds them all, so claimed times order them.
    const a = testbed('decoy.example/log-a');
    const b = testbed('decoy.example/log-b');
    const root = aoRoot(a);
    const reg = registerEvent(a.scanner, { timestamp: at(0.2), sequence: 0 });
    const inA = a.log.cite([root, reg], T0 + 60_000);
    // The owner declares the key leaked at 14:10 (leaf 0 of log B).
    const owner = revokeEvent(a.scanner.agentId, a.scanner, 'key leaked', { timestamp: at(10), sequence: 1 });
    const inB1 = b.log.cite([owner], T0 + 10 * 60_000);
    // Later the thief logs a rotation dated 14:00:24 and its own revocation of the key dated 14:00:30.
    const thief = testKey('decoy:thief');
    const rot = rotateEvent(a.scanner, a.scanner, thief, { timestamp: at(0.4), sequence: 2 });
    const decoy = revokeEvent(a.scanner.agentId, a.scanner, 'decoy', { timestamp: at(0.5), sequence: 3 });
    const act = agentEvent(
      a.scanner,
      {
        action: 'scan.run',
        timestamp: at(45),
        sequence: 4,
        predecessors: [eventId(root)],
        payloadHash: payload('no findings'),
      },
      thief,
    );
    const inB2 = b.log.cite([rot, decoy, act], T0 + 50 * 60_000);
    const r = await verifyCallChain({
      events: [...inA, ...inB1, ...inB2],
      trust: a.trust({ logs: [...a.trust().logs, ...b.trust().logs] }),
    });
    expect(
      failed(r, 'event.actor_key_valid_at_time').find((x) => x.subject.id === eventId(rot))?.reason,
    ).toMatch(
      /which was revoked at 2026-11-20T14:10:00.000Z \(leaf 0 of decoy.example\/log-b\); nothing shows this rotate was logged before that revocation$/,
    );
    // The owner's revocation is not blamed, and the thief's key never became the agent's.
    expect(failed(r, 'event.actor_key_valid_at_time').map((x) => x.subject.id)).not.toContain(eventId(owner));
    expect(failed(r, 'event.actor_known').map((x) => x.subject.id)).toEqual([eventId(act)]);
  });

  it('event.actor_key_valid_at_time: an event whose log is not pinned, signed by a key rotated out since, is not_checked, not failed', async () => {
    const b = testbed('unpinned.example/log');
    const root = aoRoot(b);
    const reg = registerEvent(b.scanner, { timestamp: at(1), sequence: 0 });
    const scan = agentEvent(b.scanner, {
      action: 'scan.run',
      timestamp: at(2),
      sequence: 1,
      predecessors: [eventId(root)],
      payloadHash: payload('scan'),
    });
    const rot = rotateEvent(b.scanner, b.scanner, testKey('unpinned:2'), { timestamp: at(5), sequence: 2 });
    const cited = b.log.cite([root, reg, scan, rot], T0 + 10 * 60_000);
    // Pinned: the scan was logged before the rotation, so its key was valid.
    const pinned = await verifyCallChain({ events: cited, trust: b.trust() });
    expect(keyCheck(pinned, scan)?.status).toBe('pass');
    // Unpinned: nothing here can place it in its log, which is the trust store's gap, not the evidence's.
    const r = await verifyCallChain({ events: cited, trust: b.trust({ logs: [] }) });
    expect(r.verdict).toBe('incomplete');
    expect(keyCheck(r, scan)).toMatchObject({
      status: 'not_checked',
      expected: 'the event proven logged before the key was rotated out',
      found: 'an event whose log is not pinned in the trust store',
    });
  });

  it('identity.rotate: a rotated-out key cannot take the identity back with a rotation dated before the real one', async () => {
    const b = testbed('backdating.example/takeover');
    const root = aoRoot(b);
    const reg = registerEvent(b.inventory, { timestamp: at(1), sequence: 0 });
    const k2 = testKey('takeover:k2');
    const rot = rotateEvent(b.inventory, b.inventory, k2, { timestamp: at(5), sequence: 1 });
    const early = b.log.cite([root, reg, rot], T0 + 5 * 60_000);
    // Later, the old key leaks: a rotation to the thief's key dated before the real rotation.
    const thief = testKey('takeover:thief');
    const steal = rotateEvent(b.inventory, b.inventory, thief, { timestamp: at(4), sequence: 1 });
    const late = b.log.cite([steal], T0 + 30 * 60_000);
    const r = await both({ events: [...early, ...late], trust: b.trust() });
    expect(failed(r, 'event.actor_key_valid_at_time').map((x) => [x.subject.id, x.reason])).toEqual([
      [
        eventId(steal),
        expect.stringMatching(/^backdated: logged after the agent's rotate of 2026-11-20T14:05:00.000Z/),
      ],
    ]);
  });

  it('event.actor_key_valid_at_time: after rotation the old key fails and the new key passes', async () => {
    const w = workflow();
    const newKey = testKey('agent:inventory:2');
    const rot = rotateEvent(tb.inventory, tb.inventory, newKey, { timestamp: at(1.5), sequence: 1 });
    const { signature: _s, ...u } = w.inv;
    const oldSigned = signEvent({ ...u, sequence: 2 }, tb.inventory);
    const bad = await both(input([w.root, w.regInv, rot, oldSigned]));
    expect(failed(bad, 'event.actor_key_valid_at_time')[0]!.reason).toMatch(
      /rotated out at 2026-11-20T14:01:30.000Z/,
    );
    const newSigned = signEvent({ ...u, sequence: 2 }, newKey);
    const good = await both(input([w.root, w.regInv, rot, newSigned]));
    expect(good.verdict).toBe('verified');
    // A rotation not signed by the current key is rejected and the rotated-to key is not bound.
    const rogue = rotateEvent(tb.inventory, newKey, testKey('x'), { timestamp: at(1.5), sequence: 1 });
    const r3 = await both(input([w.root, w.regInv, rogue]));
    expect(failed(r3, 'event.actor_key_valid_at_time')[0]!.reason).toContain('not signed by the current key');
  });

  it('event.actor_key_valid_at_time: without a key history the genesis key is not_checked (incomplete, quarantined)', async () => {
    const w = workflow();
    const r = await both(input([w.root, w.inv]));
    expect(r.verdict).toBe('incomplete');
    expect(
      r.checks.find((c) => c.id === 'event.actor_key_valid_at_time' && c.status === 'not_checked')!.reason,
    ).toContain('no key history');
  });

  it('event.inclusion: a missing or wrong proof fails; an untrusted log is not checked', async () => {
    const w = workflow();
    const all = Object.values(w);
    const i = input(all);
    const { inclusion: _drop, ...noProof } = i.events[5]!;
    const r1 = await both({ ...i, events: [...i.events.slice(0, 5), noProof] });
    // Evidence no proof anchors in the log is a failure, not a gap in what could be checked.
    const missing = failed(r1, 'event.inclusion');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.subject.id).toBe(eventId(w.signoff));
    expect(missing[0]!.expected).toBe(
      `an inclusion proof or a verified attestation covering leaf ${toHex(eventLeafHash(w.signoff))}`,
    );
    expect(missing[0]!.found).toBe('none');
    expect(failed(r1, 'event.sth_time').map((c) => c.subject.id)).toEqual([eventId(w.signoff)]);
    expect(r1.checks.filter((c) => c.status === 'not_checked')).toHaveLength(0);
    const wrong = {
      ...i.events[5]!,
      inclusion: { ...(i.events[5]!.inclusion as object), leaf_index: 4 },
    } as never;
    const r2 = await both({ ...i, events: [...i.events.slice(0, 5), wrong] });
    expect(failed(r2, 'event.inclusion')).toHaveLength(1);
    const r3 = await both({ ...i, trust: tb.trust({ logs: [] }) });
    expect(r3.checks.filter((c) => c.id === 'event.inclusion' && c.status === 'not_checked')).toHaveLength(6);
    expect(r3.checks.filter((c) => c.id === 'event.sth_time' && c.status === 'not_checked')).toHaveLength(6);
    expect(r3.verdict).toBe('incomplete');
    const other = testbed('lineage.example/other-log');
    const r4 = await both({
      ...i,
      trust: tb.trust({
        logs: [
          {
            origin: tb.log.origin,
            vkey: other.log.signer.vkey.replace('lineage.example/other-log', tb.log.origin),
          },
        ],
      }),
    });
    expect(r4.verdict).not.toBe('verified');
  });

  it('event.sth_time: an event timestamped after the tree head that logs it fails', async () => {
    const w = workflow();
    const r = await both(input(Object.values(w), {}, 3.5));
    const c = failed(r, 'event.sth_time');
    expect(c).toHaveLength(1);
    expect(c[0]!.subject.id).toBe(eventId(w.signoff));
  });

  it('chain.predecessor_dangling: a predecessor that is not supplied', async () => {
    const w = workflow();
    const r = await both(input([w.regInv, w.regScan, w.inv, w.scan, w.signoff]));
    const c = failed(r, 'chain.predecessor_dangling');
    expect(c).toHaveLength(1);
    expect(c[0]!.found).toBe(eventId(w.root));
    expect(failed(r, 'chain.root_approval_role')[0]!.reason).toContain('no root reached');
  });

  it('chain.fork: two events building on one approval fail when the policy is linear, pass when not', async () => {
    const w = workflow();
    const inv2 = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(2.5),
      sequence: 2,
      predecessors: [eventId(w.root)],
    });
    const events = [w.root, w.regInv, w.regScan, w.inv, inv2, w.scan, w.signoff];
    const linear = await both(input(events, { trust: tb.trust({ policy: { linear: true } }) }));
    expect(failed(linear, 'chain.fork')[0]!.reason).toContain('2 events build on this one');
    const dag = await both(input(events));
    expect(dag.checks.some((c) => c.id === 'chain.fork')).toBe(false);
    expect(dag.verdict).toBe('verified');
  });

  it('chain.fork: an event merging two branches fails under the linear policy, with expected and found', async () => {
    const w = workflow();
    const merge = agentEvent(tb.scanner, {
      action: 'scan.run',
      timestamp: at(3),
      sequence: 1,
      predecessors: [eventId(w.inv), eventId(w.root)],
    });
    const r = await both(
      input([w.root, w.regInv, w.regScan, w.inv, merge], { trust: tb.trust({ policy: { linear: true } }) }),
    );
    expect(failed(r, 'chain.fork').find((c) => c.subject.id === eventId(merge))).toMatchObject({
      reason: 'event merges 2 branches; the policy requires a linear workflow',
      expected: 'at most 1 predecessor',
      found: '2',
    });
  });

  it('chain.root_approval_role: a target event that is not supplied fails, naming it', async () => {
    const w = workflow();
    const missing = 'f'.repeat(64);
    const r = await both(input(Object.values(w), { targets: [missing] }));
    expect(failed(r, 'chain.root_approval_role')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: missing }),
        reason: 'the target event is not among the supplied events',
        expected: `event ${missing} among the 6 supplied events`,
        found: 'no such event',
      }),
    ]);
  });

  it('chain.sequence: gaps and repeated sequence numbers', async () => {
    const w = workflow();
    const gap = agentEvent(tb.scanner, {
      action: 'scan.run',
      timestamp: at(3),
      sequence: 3,
      predecessors: [eventId(w.inv)],
    });
    const r = await both(input([w.root, w.regInv, w.regScan, w.inv, gap]));
    expect(failed(r, 'chain.sequence')[0]).toMatchObject({ expected: '1', found: '3' });
    const dup = agentEvent(tb.scanner, {
      action: 'scan.run',
      timestamp: at(3.5),
      sequence: 1,
      predecessors: [eventId(w.scan)],
    });
    const r2 = await both(input([w.root, w.regInv, w.regScan, w.inv, w.scan, dup]));
    expect(failed(r2, 'chain.sequence')[0]!.reason).toContain('used sequence 1 twice');
  });

  it('chain.timestamp_order: an event before its predecessor, and an actor whose time runs backwards', async () => {
    const w = workflow();
    const early = agentEvent(tb.scanner, {
      action: 'scan.run',
      timestamp: at(1.5),
      sequence: 1,
      predecessors: [eventId(w.inv)],
    });
    const r = await both(input([w.root, w.regInv, w.regScan, w.inv, early]));
    expect(
      failed(r, 'chain.timestamp_order')
        .map((c) => c.reason)
        .join(),
    ).toContain('before its predecessor');
    const back = agentEvent(tb.scanner, { action: 'scan.run', timestamp: at(0.5), sequence: 1 });
    const r2 = await both(input([w.root, w.regScan, back]));
    expect(failed(r2, 'chain.timestamp_order')[0]!.reason).toContain('time runs backwards');
  });

  it('chain.root_approval_role: a root by the wrong role, by an agent, or a rejection fails', async () => {
    const w = workflow();
    const coRoot = humanApproval(
      tb.co,
      { role: 'compliance_officer', decision: 'approve' },
      { timestamp: at(0), sequence: 0 },
    );
    const inv = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(2),
      sequence: 1,
      predecessors: [eventId(coRoot)],
    });
    const r = await both(input([coRoot, w.regInv, inv]));
    expect(failed(r, 'chain.root_approval_role')[0]!.reason).toContain('required: authorizing_official');
    const agentRoot = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(2),
      sequence: 1,
    });
    const r2 = await both(input([w.regInv, agentRoot]));
    expect(failed(r2, 'chain.root_approval_role')[0]!.reason).toContain('not a human approval');
    const reject = humanApproval(
      tb.ao,
      { role: 'authorizing_official', decision: 'reject' },
      { timestamp: at(0), sequence: 0 },
    );
    const r3 = await both(input([reject]));
    expect(failed(r3, 'chain.root_approval_role')[0]!.reason).toContain('"reject"');
  });

  it('chain.action_allowed: policy restricts actors; approvers cannot claim roles they do not hold', async () => {
    const w = workflow();
    const policy = {
      root_roles: ['authorizing_official' as const],
      actions: { 'scan.run': { actors: [tb.scanner.agentId] } },
    };
    const rogue = agentEvent(tb.inventory, {
      action: 'scan.run',
      timestamp: at(3),
      sequence: 2,
      predecessors: [eventId(w.inv)],
    });
    const r = await both(input([w.root, w.regInv, w.inv, rogue], { trust: tb.trust({ policy }) }));
    expect(failed(r, 'chain.action_allowed')).toHaveLength(1);
    expect(failed(r, 'chain.action_allowed')[0]!.subject.id).toBe(eventId(rogue));
    const ok = await both(input(Object.values(w), { trust: tb.trust({ policy }) }));
    expect(ok.verdict).toBe('verified');
    const claim = humanApproval(
      tb.co,
      { role: 'authorizing_official', decision: 'approve' },
      { timestamp: at(0), sequence: 0 },
    );
    const r2 = await both(input([claim]));
    expect(failed(r2, 'chain.action_allowed')[0]!.reason).toContain('holds only compliance_officer');
  });

  it('chain.action_allowed: policy rules are looked up by own name only ("constructor", "__proto__")', async () => {
    const w = workflow();
    // Parsed from JSON, as a trust file is: "__proto__" is a rule, not the rules' prototype.
    const { policy } = parseTrustStore(
      JSON.stringify({
        version: 1,
        policy: {
          root_roles: ['authorizing_official'],
          actions: { ['__proto__']: { actors: [tb.scanner.agentId] } },
        },
      }),
    );
    const odd = (action: string, sequence: number, after: string) =>
      agentEvent(tb.inventory, { action, timestamp: at(3 + sequence), sequence, predecessors: [after] });
    const ctor = odd('constructor', 2, eventId(w.inv));
    const proto = odd('__proto__', 3, eventId(ctor));
    const r = await both(input([w.root, w.regInv, w.inv, ctor, proto], { trust: tb.trust({ policy }) }));
    const allowed = r.checks.filter((c) => c.id === 'chain.action_allowed');
    // "constructor" has no rule: not Object.prototype.constructor's "allowed by policy".
    expect(allowed.find((c) => c.subject.id === eventId(ctor))).toMatchObject({
      status: 'pass',
      found: 'action not restricted by policy',
    });
    // "__proto__" has one, and the inventory agent is not in it.
    expect(allowed.find((c) => c.subject.id === eventId(proto))).toMatchObject({
      status: 'fail',
      reason: `policy allows __proto__ only for ${tb.scanner.agentId.slice(0, 22)}…`,
    });
  });

  it("chain.action_allowed: an agent's lifecycle event for another agent fails, naming both", async () => {
    const w = workflow();
    // The inventory agent signs, as itself, a rotation of the scanner's key.
    const { signature: _sig, ...rotation } = rotateEvent(tb.scanner, tb.scanner, testKey('scanner-next'), {
      timestamp: at(2),
      sequence: 1,
    });
    const foreign = signEvent({ ...rotation, actor: tb.inventory.agentId, sequence: 2 }, tb.inventory);
    const r = await both(input([w.root, w.regInv, w.regScan, w.inv, foreign]));
    expect(failed(r, 'chain.action_allowed')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: eventId(foreign), field: '/action' }),
        reason: `identity.rotate for ${tb.scanner.agentId} is signed by another actor`,
        expected: `signed by ${tb.scanner.agentId} itself`,
      }),
    ]);
  });

  it('chain.action_allowed: actor-kind and role rules, and a revocation by a human without the role', async () => {
    const w = workflow();
    // Only humans may run scans here: the scanner agent breaks the actor-kind rule.
    const kinds = {
      root_roles: ['authorizing_official' as const],
      actions: { 'scan.run': { actor_kinds: ['human' as const] } },
    };
    const r1 = await both(input(Object.values(w), { trust: tb.trust({ policy: kinds }) }));
    expect(failed(r1, 'chain.action_allowed')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: eventId(w.scan), field: '/action' }),
        reason: 'policy allows scan.run only for human actors',
        expected: 'a human actor',
        found: `agent ${tb.scanner.agentId} did scan.run`,
      }),
    ]);
    // The sign-off needs a security officer; the compliance officer gives it.
    const roles = {
      root_roles: ['authorizing_official' as const],
      actions: {
        'approval.grant': { roles: ['security_officer' as const, 'authorizing_official' as const] },
      },
    };
    const r2 = await both(input(Object.values(w), { trust: tb.trust({ policy: roles }) }));
    expect(failed(r2, 'chain.action_allowed')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: eventId(w.signoff) }),
        reason:
          'policy requires one of the roles security_officer, authorizing_official; actor holds compliance_officer',
        expected: 'an actor holding one of the roles security_officer, authorizing_official',
        found: `human ${tb.co.id} holding compliance_officer did approval.grant`,
      }),
    ]);
    // A compliance officer may not revoke an agent, though the revocation is validly signed.
    const revoke = revokeEvent(
      tb.inventory.agentId,
      tb.inventory,
      'overreach',
      { timestamp: at(1.5), sequence: 0 },
      tb.co,
    );
    const r3 = await both(input([w.root, w.regInv, revoke]));
    expect(failed(r3, 'chain.action_allowed')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: eventId(revoke) }),
        reason: 'only a security officer or authorizing official may revoke an agent',
        expected: 'an approver holding one of the roles security_officer, authorizing_official',
      }),
    ]);
  });

  it('chain.required_approval: a gated step must build on an authentic approval by the role; rejected, forged or unpinned ones do not count', async () => {
    const w = workflow();
    const requires = [{ action: 'scan.run', after_approval_by: ['compliance_officer' as const] }];
    const policy = { ...tb.trust().policy, requires };
    // The scan follows the inventory, not a compliance officer's approval.
    const bare = await both(input([w.root, w.regInv, w.regScan, w.inv, w.scan], { policy }));
    expect(failed(bare, 'chain.required_approval')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: eventId(w.scan), field: '/predecessors' }),
        expected:
          'an authentic approve or conditional approval by compliance_officer, pinned with that role, among the events it builds on',
        found: 'only authorizing_official among the events it builds on',
      }),
    ]);
    // With the officer's approval between the inventory and the scan, it passes.
    const gate = (decision: 'approve' | 'reject', by = tb.co) =>
      humanApproval(
        by,
        { role: 'compliance_officer', decision },
        { timestamp: at(2.5), sequence: 0, predecessors: [eventId(w.inv)] },
      );
    const scanAfter = (a: LineageEvent) =>
      agentEvent(tb.scanner, {
        action: 'scan.run',
        timestamp: at(3),
        sequence: 1,
        predecessors: [eventId(a)],
        payloadHash: payload('scan.xml'),
      });
    const ok = gate('approve');
    const passed = await both(input([w.root, w.regInv, w.regScan, w.inv, ok, scanAfter(ok)], { policy }));
    expect(
      passed.checks.filter((c) => c.id === 'chain.required_approval').map((c) => [c.status, c.found]),
    ).toEqual([
      [
        'pass',
        `scan.run after compliance_officer approval ${eventId(ok).slice(0, 12)}… at 2026-11-20T14:02:30.000Z`,
      ],
    ]);
    // A rejection does not open the gate.
    const no = gate('reject');
    const rejected = await verifyCallChain(
      input([w.root, w.regInv, w.regScan, w.inv, no, scanAfter(no)], { policy }),
    );
    expect(failed(rejected, 'chain.required_approval')[0]!.found).toBe(
      'only authorizing_official, compliance_officer (rejected) among the events it builds on',
    );
    // An approval altered after signing does not count either.
    const forged = { ...ok, approval: { ...ok.approval!, statement: 'edited' } };
    const r = await verifyCallChain(
      input([w.root, w.regInv, w.regScan, w.inv, forged, scanAfter(forged)], { policy }),
    );
    expect(failed(r, 'chain.required_approval')[0]!.found).toBe(
      'only authorizing_official, compliance_officer (not authentic) among the events it builds on',
    );
    // The security officer's approval in the compliance officer's role: not pinned with that role.
    const bySo = gate('approve', tb.so);
    const wrong = await verifyCallChain(
      input([w.root, w.regInv, w.regScan, w.inv, bySo, scanAfter(bySo)], { policy }),
    );
    expect(failed(wrong, 'chain.required_approval').map((c) => c.found)).toEqual([
      'only authorizing_official, compliance_officer (its approver is not pinned with that role) among the events it builds on',
    ]);
  });

  it('policy.requires: a rule selects by action or approval role, exactly one, and names a role', () => {
    const trustWith = (requires: unknown) =>
      JSON.parse(JSON.stringify({ ...tb.trust(), policy: { requires } }));
    expect(() => parseTrustStore(trustWith([{ after_approval_by: ['security_officer'] }]) as never)).toThrow(
      /exactly one of "action", "approval_role"|not both or neither/,
    );
    expect(() =>
      parseTrustStore(
        trustWith([
          { action: 'a', approval_role: 'agency_ao', after_approval_by: ['security_officer'] },
        ]) as never,
      ),
    ).toThrow(/not both or neither/);
    expect(() => parseTrustStore(trustWith([{ action: 'a', after_approval_by: [] }]) as never)).toThrow(
      /names no role/,
    );
    expect(() =>
      parseTrustStore(trustWith([{ action: 'a', after_approval_by: ['janitor'] }]) as never),
    ).toThrow(/unknown role "janitor"/);
    expect(
      parseTrustStore(
        trustWith([{ approval_role: 'agency_ao', after_approval_by: ['3pao_assessor'] }]) as never,
      ).policy,
    ).toEqual({
      requires: [{ approval_role: 'agency_ao', after_approval_by: ['3pao_assessor'] }],
    });
  });

  it('event.schema: malformed events are reported with the field, and duplicates are caught', async () => {
    const w = workflow();
    const i = input([w.root]);
    const bad = { ...w.root, timestamp: '2026-11-20 14:00' } as unknown as JsonValue;
    const r = await both({ ...i, events: [...i.events, { event: bad }, i.events[0]!] });
    const s = failed(r, 'event.schema');
    expect(s[0]!.subject.field).toBe('/timestamp');
    expect(s[0]!.found).toBe('"2026-11-20 14:00"');
    expect(s[0]!.expected).toBe('an RFC 3339 UTC timestamp like "2026-11-20T14:03:07Z"');
    expect(s[1]!.reason).toContain('supplied twice');
  });

  it('agent mode stops at the first failure while assessor mode reports all of them', async () => {
    const w = workflow();
    const gap = agentEvent(tb.scanner, {
      action: 'scan.run',
      timestamp: at(3),
      sequence: 5,
      predecessors: [eventId(w.inv)],
    });
    const i = input([w.regInv, w.regScan, w.inv, gap], {}, 2.5);
    const r = await verifyCallChain(i);
    const a = await verifyBeforeAct(i);
    expect(failures(r.checks).length).toBeGreaterThanOrEqual(3);
    expect(a.decision).toBe('quarantine');
    if (a.decision === 'quarantine') expect(a.reason).toEqual(failures(r.checks)[0]);
    // It really stopped: the outcomes after the first failure were never produced.
    expect(a.checks.length).toBe(r.checks.indexOf(failures(r.checks)[0]!) + 1);
    expect(a.checks.length).toBeLessThan(r.checks.length);
  });

  it('a rotated agent identity derives the same agent id from the genesis key', () => {
    const k2 = asAgentKey(testKey('agent:inventory:2'), tb.inventory);
    expect(k2.agentId).toBe(tb.inventory.agentId);
  });

  it('witness policy: a tree head without the required cosignatures fails inclusion; with them it verifies', async () => {
    const w1 = noteSigner('witness.example/w1', testKey('witness-1'), 'cosignature-v1');
    const w2 = noteSigner('witness.example/w2', testKey('witness-2'), 'cosignature-v1');
    const trust = tb.trust({ witnesses: { vkeys: [w1.vkey, w2.vkey], threshold: 1 } });
    const i = input(Object.values(workflow()), { trust });
    const bare = await both(i);
    expect(failed(bare, 'event.inclusion')).toHaveLength(6);
    const cosigned = i.events.map((c) => {
      const inc = c.inclusion as { checkpoint: string };
      return {
        ...c,
        inclusion: { ...inc, checkpoint: cosignCheckpoint(inc.checkpoint, w2, 1_795_000_000n) },
      } as typeof c;
    });
    const ok = await both({ ...i, events: cosigned });
    expect(ok.verdict).toBe('verified');
  });

  it('witness policy: a cosignature dated more than ten minutes after the verification does not count', async () => {
    const w2 = noteSigner('witness.example/w2', testKey('witness-2'), 'cosignature-v1');
    const trust = tb.trust({ witnesses: { vkeys: [w2.vkey], threshold: 1 } });
    const i = input(Object.values(workflow()), { trust });
    const verifiedAt = at(60 * 24); // a day after the workflow and its tree heads
    const cosignedAt = (ms: number) =>
      i.events.map((c) => {
        const inc = c.inclusion as { checkpoint: string };
        const t = BigInt(Math.floor(ms / 1000));
        return {
          ...c,
          inclusion: { ...inc, checkpoint: cosignCheckpoint(inc.checkpoint, w2, t) },
        } as typeof c;
      });
    const now = Date.parse(verifiedAt);
    const future = await both({ ...i, events: cosignedAt(now + 11 * 60_000), verifiedAt });
    expect(failed(future, 'event.inclusion')).toHaveLength(6);
    expect(failed(future, 'event.inclusion')[0]!.reason).toMatch(/witness|cosign/i);
    expect((await both({ ...i, events: cosignedAt(now + 9 * 60_000), verifiedAt })).verdict).toBe('verified');
    // Without a verification time (a library caller that gives none), cosignature times are not bounded.
    expect((await both({ ...i, events: cosignedAt(now + 11 * 60_000) })).verdict).toBe('verified');
  });

  it('identity.supersede ends the agent: events after it fail, events before it pass; a second registration is rejected', async () => {
    const w = workflow();
    const sup = supersedeEvent(tb.inventory, tb.inventory, tb.scanner.agentId, {
      timestamp: at(2.5),
      sequence: 2,
    });
    const after = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(3),
      sequence: 3,
      predecessors: [eventId(w.inv)],
    });
    const r = await both(input([w.root, w.regInv, w.inv, sup, after]));
    const c = failed(r, 'event.actor_key_valid_at_time');
    expect(c.map((x) => x.subject.id)).toEqual([eventId(after)]);
    expect(c[0]!.reason).toContain('superseded at 2026-11-20T14:02:30.000Z');
    const again = registerEvent(tb.inventory, { timestamp: at(1.5), sequence: 1 });
    const r2 = await both(input([w.root, w.regInv, again]));
    expect(failed(r2, 'event.actor_key_valid_at_time')[0]!.reason).toContain('already registered');
  });
});
