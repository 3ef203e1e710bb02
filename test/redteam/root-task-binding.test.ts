import { agentEvent, asAgentKey, humanApproval, registerEvent, testKey } from '@lineage/producer';
import {
  type CallChainInput,
  type CheckOutcome,
  type EventContext,
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
 * Red team, root-approval task binding (spec §4.3): Mallory runs an agent with her own registered
 * key and gets its events into the honest log. She has no approver key, so she cites a genuine AO
 * approval that is in the log for *another* task (another system's authorization boundary).
 */
const tb = testbed('redteam.example/log');
const mallory = asAgentKey(testKey('redteam:mallory-binding'));
const payload = (s: string) => toHex(sha256(utf8Encode(s)));
const ctx = (task_id: string, parent_task_id?: string): Partial<EventContext> =>
  parent_task_id === undefined ? { task_id } : { task_id, parent_task_id };

/** The AO's genuine boundary approval for the system `engagement`, recorded as its step 0. */
const aoApproval = (engagement: string, sequence = 0) =>
  humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve', statement: `${engagement}: boundary approved` },
    {
      timestamp: at(sequence),
      sequence,
      context: { ...ctx(`${engagement}/0`, engagement), controls: ['CA-6'] },
    },
  );

const malloryEvent = (context: Partial<EventContext>, predecessors: string[], sequence = 1) =>
  agentEvent(mallory, {
    action: 'inventory.generate',
    timestamp: at(5 + sequence),
    sequence,
    predecessors,
    payloadHash: payload(`mallory-inventory-${sequence}`),
    context: { ...context, controls: ['CM-8'] },
  });

const input = (events: LineageEvent[]): CallChainInput => ({
  events: tb.log.cite(events, T0 + 60 * 60_000),
  trust: tb.trust(),
});
const bindingFailures = (checks: CheckOutcome[]) =>
  checks.filter((c) => c.id === 'chain.root_approval_role' && c.status === 'fail');

describe('red team: a root approval binds to its own task', () => {
  it("an attacker's agent citing a genuine AO approval of another system's task is refused", async () => {
    const foreign = aoApproval('other-system-ato');
    const reg = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
    const bad = malloryEvent(ctx('acme-ato/A2', 'acme-ato'), [eventId(foreign)]);
    const i = input([foreign, reg, bad]);

    const report = await verifyCallChain(i);
    expect(report.verdict).toBe('failed');
    // Everything else about the events is genuine: the only failure is the binding.
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([
      'chain.root_approval_role',
    ]);
    const [f] = bindingFailures(report.checks);
    expect(f!.subject).toMatchObject({ id: eventId(bad), field: '/context/task_id' });
    expect(f!.reason).toContain('"acme-ato/A2"');
    expect(f!.reason).toContain('"other-system-ato/0"');
    expect(f!.expected).toBe('task "other-system-ato" or a task under it (parent_task_id)');
    expect(f!.found).toBe('task "acme-ato/A2" under "acme-ato"');
    // The approval itself is still a genuine AO approval: its own outcome passes.
    expect(
      report.checks.find((c) => c.id === 'chain.root_approval_role' && c.subject.id === eventId(foreign))
        ?.status,
    ).toBe('pass');

    const agent = await verifyBeforeAct(i);
    expect(agent.decision).toBe('quarantine');
    if (agent.decision === 'quarantine') {
      expect(agent.reason.id).toBe('chain.root_approval_role');
      expect(agent.reason.subject.id).toBe(eventId(bad));
    }
  });

  it('a root that is not authentic fails as such, and its task binding is not judged on top', async () => {
    const genuine = aoApproval('other-system-ato');
    const v = genuine.signature.value;
    const forged = {
      ...genuine,
      signature: { ...genuine.signature, value: `${v[0] === '0' ? '1' : '0'}${v.slice(1)}` },
    };
    const reg = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
    const bad = malloryEvent(ctx('acme-ato/A2', 'acme-ato'), [eventId(forged)]);
    const r = await verifyCallChain(input([forged, reg, bad]));
    const fails = bindingFailures(r.checks);
    expect(fails.map((c) => c.subject.id)).toEqual([eventId(forged)]);
    expect(fails[0]!.reason).toContain('not authentic');
    expect(r.checks.find((c) => c.id === 'event.signature' && c.subject.id === eventId(forged))?.status).toBe(
      'fail',
    );
  });

  it('control: the same chain with the event inside the approved task verifies', async () => {
    const own = aoApproval('acme-ato');
    const reg = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
    const ok = malloryEvent(ctx('acme-ato/A2', 'acme-ato'), [eventId(own)]);
    const report = await verifyCallChain(input([own, reg, ok]));
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.verdict).toBe('verified');
    expect((await verifyBeforeAct(input([own, reg, ok]))).decision).toBe('accept');
  });

  it('a sub-task is covered through parent links recorded by the events present', async () => {
    const own = aoApproval('acme-ato');
    const reg = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
    const step = malloryEvent(ctx('acme-ato/A2', 'acme-ato'), [eventId(own)], 1);
    const sub = malloryEvent(ctx('acme-ato/A2/scan', 'acme-ato/A2'), [eventId(step)], 2);
    expect((await verifyCallChain(input([own, reg, step, sub]))).verdict).toBe('verified');
    // Without the event recording acme-ato/A2 under acme-ato, nothing ties the sub-task to the approval.
    const loose = malloryEvent(ctx('acme-ato/A2/scan', 'acme-ato/A2'), [eventId(own)], 1);
    const r = await verifyCallChain(input([own, reg, loose]));
    expect(bindingFailures(r.checks).map((c) => c.subject.id)).toEqual([eventId(loose)]);
  });

  it('an event in the right task that also builds on a foreign approval fails, and so does all that follows', async () => {
    const own = aoApproval('acme-ato', 0);
    const foreign = aoApproval('other-system-ato', 1);
    const reg = registerEvent(mallory, { timestamp: at(2), sequence: 0 });
    const both = malloryEvent(ctx('acme-ato/A2', 'acme-ato'), [eventId(own), eventId(foreign)], 1);
    const next = malloryEvent(ctx('acme-ato/A3', 'acme-ato'), [eventId(both)], 2);
    const r = await verifyCallChain(input([own, foreign, reg, both, next]));
    expect(r.verdict).toBe('failed');
    const fails = bindingFailures(r.checks);
    expect(fails.map((c) => c.subject.id)).toEqual([eventId(both), eventId(next)]);
    expect(fails.every((c) => c.reason?.includes(eventId(foreign).slice(0, 12)))).toBe(true);
  });

  it('a foreign approval cannot be laundered by relabelling the task tree: cycles in parent links end', async () => {
    const foreign = aoApproval('other-system-ato');
    const reg = registerEvent(mallory, { timestamp: at(1), sequence: 0 });
    // Two events claim a parent loop between Mallory's tasks; neither is under the foreign engagement.
    const a = malloryEvent(ctx('x', 'y'), [eventId(foreign)], 1);
    const b = malloryEvent(ctx('y', 'x'), [eventId(a)], 2);
    const r = await verifyCallChain(input([foreign, reg, a, b]));
    expect(bindingFailures(r.checks).map((c) => c.subject.id)).toEqual([eventId(a), eventId(b)]);
  });
});
