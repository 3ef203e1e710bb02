import { readCommitment } from '../commitments/parse.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import { LineageError } from '../result.js';
import { APPROVER_ROLES } from '../trust/types.js';
import { Fields, hasDuplicate, ID_TEXT, ID_TEXT_WHAT } from './fields.js';
import { readSignatureObject } from './signing.js';
import type { Approval, EventContext, Lifecycle, LineageEvent, UnsignedEvent } from './types.js';

/** Parsers for the event wire format (spec §4.2.1). Failures are LineageError code "event.schema". */
const CODE = 'event.schema';
export const ACTION_PATTERN = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
export const CONTROL_PATTERN = /^[A-Z]{2}-\d+(\(\d+\))?$/;
export const AGENT_ID_PATTERN = /^lin:agent:[0-9a-f]{64}$/;
// A Map: "constructor" and "__proto__" are valid action names, and an object literal would
// answer them with Object.prototype's members.
const LIFECYCLE_ACTIONS: ReadonlyMap<string, Lifecycle['op']> = new Map([
  ['identity.register', 'register'],
  ['identity.rotate', 'rotate'],
  ['identity.revoke', 'revoke'],
  ['identity.supersede', 'supersede'],
]);

const EVENT_FIELDS = [
  'type',
  'version',
  'actor',
  'actor_kind',
  'action',
  'timestamp',
  'sequence',
  'predecessors',
  'payload_hash',
  'context',
  'commitments',
  'approval',
  'lifecycle',
  'signature',
];

function readContext(f: Fields): EventContext {
  f.closed(['task_id', 'parent_task_id', 'config_hash', 'controls']);
  const ctx: EventContext = {
    task_id: f.str('task_id', ID_TEXT, ID_TEXT_WHAT),
    controls: f.strArray('controls', CONTROL_PATTERN, 'a control id like "AU-10"'),
  };
  const parent = f.optStr('parent_task_id', ID_TEXT, ID_TEXT_WHAT);
  if (parent !== undefined) ctx.parent_task_id = parent;
  if (f.has('config_hash')) ctx.config_hash = f.hex('config_hash', 32);
  return ctx;
}

function readApproval(f: Fields): Approval {
  f.closed(['role', 'decision', 'statement']);
  const a: Approval = {
    role: f.literal('role', APPROVER_ROLES),
    decision: f.literal('decision', ['approve', 'reject'] as const),
  };
  const st = f.optStr('statement');
  if (st !== undefined) a.statement = st;
  return a;
}

function readLifecycle(f: Fields, expectedOp: Lifecycle['op'] | undefined): Lifecycle {
  const op = f.literal('op', ['register', 'rotate', 'revoke', 'supersede'] as const);
  if (expectedOp !== op) {
    throw new LineageError(
      CODE,
      `lifecycle op "${op}" does not match the event's action (expects "${expectedOp}")`,
      `${f.path}/op`,
      {
        expected: expectedOp === undefined ? 'no lifecycle on this action' : `"${expectedOp}"`,
        found: `"${op}"`,
      },
    );
  }
  const agent_id = f.str('agent_id', AGENT_ID_PATTERN, 'an agent id "lin:agent:<64 hex>"');
  switch (op) {
    case 'register': {
      f.closed(['op', 'agent_id', 'public_key', 'card_digest']);
      const l: Lifecycle = { op, agent_id, public_key: f.hex('public_key', 32) };
      if (f.has('card_digest')) l.card_digest = f.hex('card_digest', 32);
      return l;
    }
    case 'rotate':
      f.closed(['op', 'agent_id', 'public_key', 'new_public_key']);
      return {
        op,
        agent_id,
        public_key: f.hex('public_key', 32),
        new_public_key: f.hex('new_public_key', 32),
      };
    case 'revoke':
      f.closed(['op', 'agent_id', 'public_key', 'reason']);
      return { op, agent_id, public_key: f.hex('public_key', 32), reason: f.str('reason') };
    case 'supersede':
      f.closed(['op', 'agent_id', 'successor_agent_id']);
      return {
        op,
        agent_id,
        successor_agent_id: f.str('successor_agent_id', AGENT_ID_PATTERN, 'an agent id'),
      };
  }
}

function readUnsigned(f: Fields): UnsignedEvent {
  f.closed(EVENT_FIELDS);
  const actor_kind = f.literal('actor_kind', ['agent', 'human'] as const);
  const e: UnsignedEvent = {
    type: f.literal('type', ['lineage.event'] as const),
    version: f.literal('version', [1] as const),
    actor:
      actor_kind === 'agent'
        ? f.str('actor', AGENT_ID_PATTERN, 'an agent id "lin:agent:<64 hex>"')
        : f.str('actor'),
    actor_kind,
    action: f.str('action', ACTION_PATTERN, 'a dotted lower-case action name'),
    timestamp: f.time('timestamp'),
    sequence: f.uint('sequence'),
    predecessors: f.hexArray('predecessors', 32),
    payload_hash: f.hexOrNull('payload_hash', 32),
    context: readContext(f.obj_('context')),
    commitments: f.array('commitments').map(({ value, path }) => readCommitment(value, path, CODE)),
  };
  if (hasDuplicate(e.predecessors)) {
    throw new LineageError(CODE, 'predecessors lists the same event id twice', `${f.path}/predecessors`, {
      expected: 'each predecessor event id once',
      found: 'an event id listed twice',
    });
  }
  if (hasDuplicate(e.commitments.map((c) => c.name))) {
    throw new LineageError(CODE, 'two commitments share one name', `${f.path}/commitments`, {
      expected: 'each commitment name once',
      found: 'a name used twice',
    });
  }
  if (f.has('approval')) {
    if (actor_kind !== 'human')
      throw new LineageError(CODE, 'only human events carry an approval', `${f.path}/approval`, {
        expected: 'no "approval" on an agent event',
        found: 'an "approval" object',
      });
    e.approval = readApproval(f.obj_('approval'));
  } else if (e.action === 'approval.grant') {
    throw new LineageError(CODE, 'an approval.grant event needs an "approval" object', `${f.path}/approval`, {
      expected: 'an "approval" object (decision and role)',
      found: 'none',
    });
  }
  const op = LIFECYCLE_ACTIONS.get(e.action);
  if (f.has('lifecycle')) e.lifecycle = readLifecycle(f.obj_('lifecycle'), op);
  else if (op)
    throw new LineageError(CODE, `a ${e.action} event needs a "lifecycle" object`, `${f.path}/lifecycle`, {
      expected: 'a "lifecycle" object (agent id, op, key)',
      found: 'none',
    });
  return e;
}

/** Parses a signed event (a JSON value already parsed strictly). */
export function parseEvent(value: JsonValue, path = ''): LineageEvent {
  const f = Fields.of(value, path, CODE);
  // The signature is added to the fresh unsigned object (same key order as a spread): V8 gives
  // every object a spread builds here a map of its own, and 100k+ event shapes make each
  // property read on an event megamorphic.
  const event = readUnsigned(f) as LineageEvent;
  event.signature = readSignatureObject(f.obj_('signature'));
  return event;
}

/** Parses an unsigned event (producer input). */
export function parseUnsignedEvent(value: JsonValue, path = ''): UnsignedEvent {
  const f = Fields.of(value, path, CODE);
  if (f.has('signature'))
    throw new LineageError(CODE, 'an unsigned event has no "signature"', `${path}/signature`);
  return readUnsigned(f);
}

/** Parses event JSON text strictly (duplicate keys etc. rejected before anything else). */
export function parseEventText(text: string): LineageEvent {
  return parseEvent(parseStrictJson(text));
}
