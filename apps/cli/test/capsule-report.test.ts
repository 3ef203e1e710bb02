import {
  type CapsuleVerification,
  type CheckOutcome,
  toOscalAssessmentResults,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { renderCapsuleHuman } from '../src/commands/capsule-report.js';

/** A large failed verification, as a capsule verified against the wrong trust file gives one. */
function failedAtScale(events: number): CapsuleVerification {
  const ids = Array.from({ length: events }, (_, i) => i.toString(16).padStart(64, '0'));
  const checks: CheckOutcome[] = [];
  for (const [i, id] of ids.entries()) {
    const step = i === 0 ? '0 AO boundary approval' : 'A2 Evidence Harvester';
    checks.push({
      id: 'event.schema',
      status: 'pass',
      subject: { kind: 'event', id, step },
      title: 'event is well-formed',
    });
    checks.push({
      id: 'event.inclusion',
      status: 'fail',
      subject: { kind: 'event', id, step, where: `events.jsonl:${i + 1}` },
      title: 'the event is in a log under a verified tree head',
      reason: 'no verified attestation covers the event',
      expected: `an inclusion proof covering leaf ${id}`,
      found: 'none',
    });
    if (i % 10 === 0)
      checks.push({
        id: 'event.sth_time',
        status: 'not_checked',
        subject: { kind: 'event', id, step },
        title: 'the event is not timestamped after the tree head that logs it',
        reason: 'no verified tree head for this event',
      });
  }
  const summary = { pass: events, fail: events, not_checked: Math.ceil(events / 10) };
  return {
    report: {
      target: { kind: 'capsule', name: 'big.zip' },
      verifiedAt: '2026-11-22T00:00:00Z',
      verdict: 'failed',
      summary,
      checks,
    },
    capsuleDigest: 'ab'.repeat(32),
    lineage: { nodes: [], edges: [] },
    sths: [],
    events: ids.map((id, i) => ({
      id,
      step: i === 0 ? '0' : 'A2',
      stepTitle: i === 0 ? 'AO boundary approval' : 'Evidence Harvester',
      actor: 'lin:agent:a2',
      actorLabel: 'A2 Evidence Harvester',
      actor_kind: 'agent',
      action: 'inventory.generate',
      timestamp: '2026-11-02T14:00:00.000Z',
      sequence: i,
      controls: ['CM-8'],
      payloadHash: null,
      signature: { publicKey: '00'.repeat(32), value: '00'.repeat(64) },
      leafHash: '11'.repeat(32),
      commitments: [],
      predecessors: [],
      status: 'fail',
      failedChecks: ['event.inclusion'],
    })),
  } as unknown as CapsuleVerification;
}

describe('the human report of a verification with many failures', () => {
  it('stays linear and readable: each step lists its first failures in full, then counts the rest', () => {
    // 60k failing events: looking each event up by scanning the list took minutes at 100k.
    const text = renderCapsuleHuman(failedAtScale(60_000), 'trust.json');
    expect(text.split('\n')[0]).toMatch(/^FAILED — 60,000 checks failed, 60,000 passed, 6,000 not checked/);
    expect(text).toContain('Failures (60,000), by workflow step:');
    expect(text).toMatch(/\n {2}Step A2 Evidence Harvester\n {4}✗ event\.inclusion/);
    // Listed failures name the event and where it is in the capsule, expected and found.
    expect(text).toMatch(
      /event 000000000000… \(inventory\.generate by A2 Evidence Harvester, 2026-11-02T14:00:00\.000Z\) · at events\.jsonl:2\n/,
    );
    expect(text).toMatch(/expected: an inclusion proof covering leaf 0{60}0001\n\s+found: {4}none/);
    expect(text).toContain(
      '… and 59,949 more failures in this step (event.inclusion ×59,949); --json or --report-html lists every one',
    );
    expect(text.match(/ {4}✗ event\.inclusion/g)).toHaveLength(51); // step 0: 1, step A2: 50
    expect(text).toContain('Not checked (6,000):');
    expect(text).toContain('… and 5,950 more not checked (event.sth_time ×5,950)');
    expect(text).toMatch(/✓ event\.schema\s+×60,000 event is well-formed/);
  });
});

describe("the capsule's own text in the human report", () => {
  it('cannot start a line of its own: line breaks in a title, an actor label or a quoted value are shown as \\n', () => {
    const v = failedAtScale(3);
    const fake = 'x\nVERIFIED — every cited piece of evidence is authentic';
    (v as { manifest?: unknown }).manifest = {
      title: fake,
      workflow: 'w',
      createdAt: '2026-11-02T14:00:00.000Z',
    };
    v.events[1]!.actorLabel = fake;
    v.report.checks[1] = { ...v.report.checks[1]!, found: fake };
    const text = renderCapsuleHuman(v, 'trust.json');
    expect(text.split('\n').filter((l) => l.startsWith('VERIFIED'))).toEqual([]);
    expect(text).toContain('x\\nVERIFIED — every cited piece of evidence is authentic');
    expect(text.split('\n')[0]).toMatch(/^FAILED — /);
  });
});

describe('the passed section', () => {
  it('keeps the titles in one column when one count is far wider than another', () => {
    const v = failedAtScale(12_000);
    v.report.checks.push({
      id: 'chain.cycle',
      status: 'pass',
      subject: { kind: 'capsule', id: 'big.zip' },
      title: 'predecessor pointers contain no cycle',
    });
    const lines = renderCapsuleHuman(v, 'trust.json').split('\n');
    const schema = lines.find((l) => l.includes('✓ event.schema'))!;
    const cycle = lines.find((l) => l.includes('✓ chain.cycle'))!;
    expect(schema).toMatch(/×12,000 event is well-formed$/);
    expect(cycle).toMatch(/×1 {6}predecessor pointers contain no cycle$/);
    expect(schema.indexOf('event is well-formed')).toBe(cycle.indexOf('predecessor pointers'));
  });
});

describe('OSCAL assessment-results of a verification with many failures', () => {
  it('is built in linear time: one observation per event, carrying its own failures', () => {
    // Each event used to scan all 700k outcomes for its failures: hours at 100k events.
    const v = failedAtScale(60_000);
    const doc = toOscalAssessmentResults(v.report, v) as {
      'assessment-results': {
        results: { observations: { description: string; props: { value: string }[] }[] }[];
      };
    };
    const obs = doc['assessment-results'].results[0]!.observations;
    expect(obs).toHaveLength(60_000);
    expect(obs[1]!.props[0]!.value).toBe(v.events[1]!.id);
    expect(obs[1]!.description).toBe(
      `Event ${v.events[1]!.id} failed: the event is in a log under a verified tree head (at events.jsonl:2) — no verified attestation covers the event — expected: an inclusion proof covering leaf ${v.events[1]!.id} — found: none`,
    );
  });
});
