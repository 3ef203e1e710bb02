import {
  agentEvent,
  asAgentKey,
  humanApproval,
  registerEvent,
  revokeEvent,
  rotateEvent,
  signEvent,
  supersedeEvent,
  testKey,
} from '@lineage/producer';
import {
  type CallChainInput,
  type CheckOutcome,
  eventId,
  type LineageEvent,
  sha256,
  toHex,
  utf8Encode,
  verifyBeforeAct,
  verifyCallChain,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
// The producer's deterministic test world (not part of its public API).
import { at, T0, testbed } from '../../packages/producer/src/identity/testbed.js';

/**
 * Red team, call chains: the attacker holds agent keys of their own and may get events into the
 * honest log (it logs what registered agents submit), but holds no pinned key (log, approvers).
 */
const tb = testbed('redteam.example/log');
const payload = (s: string) => toHex(sha256(utf8Encode(s)));
const mallory = asAgentKey(testKey('redteam:mallory'));

function honest() {
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve', statement: 'Begin assessment prep' },
    { timestamp: at(0), sequence: 0, context: { controls: ['CA-6'] } },
  );
  const regInv = registerEvent(tb.inventory, { timestamp: at(1), sequence: 0 });
  const regMal = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
  const inv = agentEvent(tb.inventory, {
    action: 'inventory.generate',
    timestamp: at(2),
    sequence: 1,
    predecessors: [eventId(root)],
    payloadHash: payload('inventory.xlsx'),
  });
  return { root, regInv, regMal, inv };
}

const input = (events: LineageEvent[], sthAt = 30): CallChainInput => ({
  events: tb.log.cite(events, T0 + sthAt * 60_000),
  trust: tb.trust(),
});

/** Both modes must refuse: the assessor report is not verified, the agent quarantines. */
async function refused(i: CallChainInput) {
  const report = await verifyCallChain(i);
  const agent = await verifyBeforeAct(i);
  expect(report.verdict).not.toBe('verified');
  expect(agent.decision).toBe('quarantine');
  return report;
}
const failedOn = (r: { checks: CheckOutcome[] }, id: string) =>
  r.checks.filter((c) => c.id === id && c.status === 'fail');

describe('red team: identity and lifecycle', () => {
  it('a logged rotation of a victim agent signed by the attacker binds nothing', async () => {
    const w = honest();
    // Mallory "rotates" the inventory agent to her key, signing as the victim with her own key.
    const rot = rotateEvent(tb.inventory, mallory, mallory, { timestamp: at(1.5), sequence: 1 });
    const { signature: _s, ...u } = w.inv;
    const forged = signEvent({ ...u, sequence: 2, timestamp: at(3) }, mallory);
    const r = await refused(input([w.root, w.regInv, rot, forged]));
    expect(failedOn(r, 'event.actor_key_valid_at_time').map((c) => c.subject.id)).toContain(eventId(rot));
    expect(failedOn(r, 'event.actor_known').map((c) => c.subject.id)).toContain(eventId(forged));
  });

  it("a registration of the attacker's key under a victim agent id binds nothing", async () => {
    const w = honest();
    const fake = { ...mallory, agentId: tb.inventory.agentId };
    const reg = registerEvent(fake, { timestamp: at(0.5), sequence: 0 });
    const { signature: _s, ...u } = w.inv;
    const forged = signEvent({ ...u }, mallory);
    const r = await refused(input([w.root, reg, forged]));
    expect(failedOn(r, 'event.actor_known').map((c) => c.subject.id)).toContain(eventId(forged));
  });

  it('a revocation of a victim agent by another agent is refused and does not revoke', async () => {
    const w = honest();
    const rev = signEvent(
      {
        ...revokeEvent(tb.inventory.agentId, tb.inventory, 'spite', { timestamp: at(1.5), sequence: 1 }),
        actor: mallory.agentId,
      },
      mallory,
    );
    const r = await verifyCallChain(input([w.root, w.regInv, w.regMal, rev, w.inv]));
    expect(r.verdict).toBe('failed');
    expect(failedOn(r, 'event.actor_key_valid_at_time').map((c) => c.subject.id)).toEqual([eventId(rev)]);
    // The victim's own later event is unaffected.
    expect(r.checks.filter((c) => c.subject.id === eventId(w.inv) && c.status === 'fail')).toEqual([]);
  });

  it('a supersession naming a victim as successor does not hand over the victim id', async () => {
    const w = honest();
    const sup = supersedeEvent(mallory, mallory, tb.inventory.agentId, { timestamp: at(1.5), sequence: 1 });
    const forged = signEvent({ ...(({ signature: _s, ...u }) => u)(w.inv) }, mallory);
    const r = await refused(input([w.root, w.regInv, w.regMal, sup, forged]));
    expect(failedOn(r, 'event.actor_known').map((c) => c.subject.id)).toContain(eventId(forged));
  });

  it('an agent claiming to be a human approver (actor_kind human, approver id) is refused', async () => {
    const w = honest();
    const fake = humanApproval(
      { id: tb.ao.id, key: mallory },
      { role: 'authorizing_official', decision: 'approve' },
      { timestamp: at(0), sequence: 0 },
    );
    const inv = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(2),
      sequence: 1,
      predecessors: [eventId(fake)],
    });
    const r = await refused(input([fake, w.regInv, inv]));
    expect(failedOn(r, 'event.actor_known')[0]!.reason).toMatch(/other than the one pinned/);
  });

  it("an agent event carrying an approval block with the AO's role is not a root approval", async () => {
    const u = {
      ...agentEvent(mallory, { action: 'approval.grant', timestamp: at(0), sequence: 1 }),
      approval: { role: 'authorizing_official' as const, decision: 'approve' as const },
    };
    const fakeRoot = signEvent(u, mallory);
    const step = agentEvent(mallory, {
      action: 'inventory.generate',
      timestamp: at(2),
      sequence: 2,
      predecessors: [eventId(fakeRoot)],
    });
    const r = await refused(
      input([registerEvent(mallory, { timestamp: at(-1), sequence: 0 }), fakeRoot, step]),
    );
    expect(failedOn(r, 'chain.root_approval_role').length).toBeGreaterThan(0);
  });

  it('a human id shaped like an agent id is still only a human: an agent key deriving it is not an approver', async () => {
    // The trust file pins an approver whose id happens to be mallory's agent id; mallory signs as agent.
    const trust = tb.trust();
    trust.approvers.push({
      id: mallory.agentId,
      name: 'Confused',
      public_key: tb.co.key.publicKeyHex,
      roles: ['authorizing_official'],
    });
    const fakeRoot = signEvent(
      {
        ...humanApproval(
          tb.ao,
          { role: 'authorizing_official', decision: 'approve' },
          { timestamp: at(0), sequence: 0 },
        ),
        actor: mallory.agentId,
      },
      mallory,
    );
    const r = await verifyCallChain({ events: tb.log.cite([fakeRoot], T0 + 30 * 60_000), trust });
    expect(r.verdict).toBe('failed');
    expect(failedOn(r, 'event.actor_known').length).toBe(1);
  });
});

describe('red team: chain structure', () => {
  it('an event citing a predecessor logged in another log (not supplied) dangles', async () => {
    const other = testbed('redteam.example/other-log');
    const w = honest();
    const foreignRoot = humanApproval(
      other.ao,
      { role: 'authorizing_official', decision: 'approve' },
      { timestamp: at(0), sequence: 0 },
    );
    other.log.cite([foreignRoot], T0);
    const inv = agentEvent(tb.inventory, {
      action: 'inventory.generate',
      timestamp: at(2),
      sequence: 1,
      predecessors: [eventId(foreignRoot)],
    });
    const r = await refused(input([w.regInv, inv]));
    expect(failedOn(r, 'chain.predecessor_dangling').length).toBe(1);
    // Supplying it with its own (untrusted) log's proof does not make it a root either.
    const mixed = [
      ...other.log.cite([foreignRoot], T0 + 30 * 60_000),
      ...tb.log.cite([w.regInv, inv], T0 + 30 * 60_000),
    ];
    const r2 = await refused({ events: mixed, trust: tb.trust() });
    expect(r2.checks.some((c) => c.id === 'event.inclusion' && c.status !== 'pass')).toBe(true);
  });

  it('a direct inclusion proof replayed with another tree size, index or origin fails', async () => {
    const w = honest();
    const cited = tb.log.cite([w.root, w.regInv, w.inv], T0 + 30 * 60_000);
    const inc = cited[2]!.inclusion as { tree_size: number; leaf_index: number; log_origin: string };
    for (const change of [
      { tree_size: inc.tree_size + 1 },
      { tree_size: inc.tree_size - 1 },
      { leaf_index: inc.leaf_index ^ 1 },
      { log_origin: 'redteam.example/other-log' },
    ]) {
      const events = cited.map((c, i) => (i === 2 ? { ...c, inclusion: { ...inc, ...change } } : c));
      const r = await refused({ events, trust: tb.trust() });
      expect(
        r.checks.find((c) => c.id === 'event.inclusion' && c.subject.id === eventId(w.inv))!.status,
      ).not.toBe('pass');
    }
  });

  it('a checkpoint with an extra extension line or a second origin line does not verify', async () => {
    const w = honest();
    const cited = tb.log.cite([w.root, w.regInv, w.inv], T0 + 30 * 60_000);
    const inc = cited[2]!.inclusion as { checkpoint: string };
    const lines = inc.checkpoint.split('\n');
    for (const cp of [
      [...lines.slice(0, 4), 'extension: evil', ...lines.slice(4)].join('\n'),
      ['redteam.example/other-log', ...lines].join('\n'),
      inc.checkpoint.replace(
        /\n— .*\n$/,
        `\n— evil.example AAAA\n${inc.checkpoint.match(/\n(— .*\n)$/)![1]}`,
      ),
    ]) {
      const events = cited.map((c, i) => (i === 2 ? { ...c, inclusion: { ...inc, checkpoint: cp } } : c));
      const r = await refused({ events, trust: tb.trust() });
      const c = r.checks.find((x) => x.id === 'event.inclusion' && x.subject.id === eventId(w.inv))!;
      expect(c.status).not.toBe('pass');
    }
  });
});

describe('red team: a leaked, rotated-out key rewriting history', () => {
  it('a backdated rotation signed by the old key and logged later is caught by sequence/time continuity', async () => {
    const w = honest();
    const k2 = testKey('redteam:inventory:k2');
    const k3 = testKey('redteam:mallory-controlled-k3');
    const rot = rotateEvent(tb.inventory, tb.inventory, k2, { timestamp: at(1.5), sequence: 1 });
    const { signature: _s, ...u } = w.inv;
    const real = signEvent({ ...u, sequence: 2 }, k2);
    // Mallory leaked k1 after it was rotated out; she backdates a rotation to k3 before the real one,
    // either reusing the rotation's sequence number or continuing after the last one.
    for (const sequence of [1, 3]) {
      const fakeRot = rotateEvent(tb.inventory, tb.inventory, k3, { timestamp: at(1.2), sequence });
      const hers = signEvent({ ...u, sequence: sequence + 1, timestamp: at(5), payload_hash: null }, k3);
      const r = await refused(input([w.root, w.regInv, rot, real, fakeRot, hers]));
      expect(r.verdict).toBe('failed');
      const onFake = r.checks
        .filter((c) => c.status === 'fail' && c.subject.id === eventId(fakeRot))
        .map((c) => c.id);
      expect(onFake).toEqual(
        expect.arrayContaining([sequence === 1 ? 'chain.sequence' : 'chain.timestamp_order']),
      );
    }
  });
});
