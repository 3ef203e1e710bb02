import { describe, expect, it } from 'vitest';
import { deriveAgentId } from '../identity/agent-id.js';
import { parseEvent, parseUnsignedEvent } from './parse.js';

const agent = deriveAgentId('11'.repeat(32));
const base = {
  type: 'lineage.event',
  version: 1,
  actor: agent,
  actor_kind: 'agent',
  action: 'inventory.generate',
  timestamp: '2026-11-20T14:00:00Z',
  sequence: 0,
  predecessors: [],
  payload_hash: null,
  context: { task_id: 't', controls: ['AU-10', 'AC-2(1)'] },
  commitments: [],
};
const sig = { alg: 'Ed25519', public_key: '11'.repeat(32), value: '22'.repeat(64) };

describe('event wire format', () => {
  it('parses a minimal unsigned and signed event', () => {
    expect(parseUnsignedEvent(base).action).toBe('inventory.generate');
    expect(parseEvent({ ...base, signature: sig }).signature.alg).toBe('Ed25519');
  });

  it.each([
    [{ ...base, extra: true }, '/extra', /unknown field/],
    [{ ...base, actor: 'lin:agent:xyz' }, '/actor', /agent id/],
    [{ ...base, action: 'Inventory Generate' }, '/action', /dotted lower-case/],
    [{ ...base, sequence: 1.5 }, '/sequence', /non-negative integer/],
    [{ ...base, predecessors: ['aa'] }, '/predecessors/0', /64 lowercase hex/],
    [{ ...base, predecessors: ['a'.repeat(64), 'a'.repeat(64)] }, '/predecessors', /twice/],
    // Past the short-list path: ten distinct ids and the first again.
    [
      {
        ...base,
        predecessors: [...Array.from({ length: 10 }, (_, i) => String(i).repeat(64)), '0'.repeat(64)],
      },
      '/predecessors',
      /twice/,
    ],
    [
      { ...base, context: { task_id: 't', controls: [], owner: 'x' } },
      '/context/owner',
      /unknown field "owner"/,
    ],
    [
      {
        ...base,
        commitments: [
          { name: 'a', scheme: 'sha256-salted-v1', value: '00'.repeat(32) },
          { name: 'a', scheme: 'sha256-salted-v1', value: '11'.repeat(32) },
        ],
      },
      '/commitments',
      /share one name/,
    ],
    [{ ...base, payload_hash: 'A'.repeat(64) }, '/payload_hash', /lowercase hex/],
    // Ids are quoted in messages and name report subjects: a megabyte one made a megabyte reason.
    [
      { ...base, context: { task_id: 't'.repeat(257), controls: [] } },
      '/context/task_id',
      /an id of 1 to 256 characters/,
    ],
    [
      { ...base, context: { task_id: 't', parent_task_id: 'p'.repeat(1_000_000), controls: [] } },
      '/context/parent_task_id',
      /an id of 1 to 256 characters/,
    ],
    [{ ...base, context: { task_id: 't', controls: ['au-10'] } }, '/context/controls/0', /control id/],
    [
      { ...base, approval: { role: 'authorizing_official', decision: 'approve' } },
      '/approval',
      /only human events/,
    ],
    [
      { ...base, actor_kind: 'human', actor: 'lin:human:x', action: 'approval.grant' },
      '/approval',
      /needs an "approval"/,
    ],
    [{ ...base, action: 'identity.rotate' }, '/lifecycle', /needs a "lifecycle"/],
    [
      {
        ...base,
        action: 'identity.rotate',
        lifecycle: { op: 'register', agent_id: agent, public_key: '11'.repeat(32) },
      },
      '/lifecycle/op',
      /does not match/,
    ],
    [
      { ...base, commitments: [{ name: 'a', scheme: 'md5', value: '00'.repeat(32) }] },
      '/commitments/0/scheme',
      /one of/,
    ],
  ])('rejects %j at %s', (e, path, msg) => {
    expect(() => parseUnsignedEvent(e as never)).toThrow(
      expect.objectContaining({ code: 'event.schema', path }),
    );
    expect(() => parseUnsignedEvent(e as never)).toThrow(msg);
    // Every schema error says what the field must be and what it is, for the report.
    expect(() => parseUnsignedEvent(e as never)).toThrow(
      expect.objectContaining({ expected: expect.any(String), found: expect.any(String) }),
    );
  });

  it('takes a task id of 256 characters (any characters), and says briefly what a longer one was', () => {
    expect(
      parseUnsignedEvent({ ...base, context: { task_id: '\n'.repeat(256), controls: [] } }).context.task_id,
    ).toHaveLength(256);
    let message = '';
    try {
      parseUnsignedEvent({ ...base, context: { task_id: 'x'.repeat(1_000_000), controls: [] } });
    } catch (e) {
      message = String(e);
    }
    expect(message.length).toBeLessThan(300);
  });

  it('takes distinct predecessors, short and long lists alike', () => {
    const ids = Array.from({ length: 12 }, (_, i) => i.toString(16).repeat(64));
    expect(parseUnsignedEvent({ ...base, predecessors: ids.slice(0, 3) }).predecessors).toHaveLength(3);
    expect(parseUnsignedEvent({ ...base, predecessors: ids }).predecessors).toEqual(ids);
  });

  it('reads the actions "constructor" and "__proto__" as plain actions, not lifecycle ones (found by fuzzing)', () => {
    // Both match the action pattern; an object-literal lookup answered them with Object.prototype's members.
    for (const action of ['constructor', '__proto__', 'tostring']) {
      const e = parseUnsignedEvent({ ...base, action });
      expect(e.action).toBe(action);
      expect(e.lifecycle).toBeUndefined();
    }
  });

  it('rejects a signature object with a wrong algorithm or size', () => {
    expect(() => parseEvent({ ...base, signature: { ...sig, alg: 'EdDSA' } })).toThrow(
      expect.objectContaining({ path: '/signature/alg' }),
    );
    expect(() => parseEvent({ ...base, signature: { ...sig, value: '22'.repeat(63) } })).toThrow(
      expect.objectContaining({ path: '/signature/value' }),
    );
  });
});
