import {
  type Approval,
  type Commitment,
  type EventContext,
  eventId,
  type Lifecycle,
  type LineageEvent,
  SIGNING_CONTEXTS,
  type UnsignedEvent,
  unsignedEvent,
} from '@lineage/verifier-core';
import { type AgentKey, type Ed25519Key, signObject } from './keys.js';

/** Signs an event (spec §4.2.2): signature over "lineage/event/v1\n" ‖ JCS(unsigned). */
export function signEvent(event: UnsignedEvent | LineageEvent, key: Ed25519Key): LineageEvent {
  const unsigned = unsignedEvent(event);
  return { ...unsigned, signature: signObject(SIGNING_CONTEXTS.event, unsigned, key) };
}

export interface EventFields {
  action: string;
  timestamp: string;
  sequence: number;
  predecessors?: string[];
  payloadHash?: string | null;
  context?: Partial<EventContext>;
  commitments?: Commitment[];
}

function base(actor: string, kind: 'agent' | 'human', f: EventFields): UnsignedEvent {
  return {
    type: 'lineage.event',
    version: 1,
    actor,
    actor_kind: kind,
    action: f.action,
    timestamp: f.timestamp,
    sequence: f.sequence,
    predecessors: f.predecessors ?? [],
    payload_hash: f.payloadHash ?? null,
    context: { task_id: 'task-1', controls: [], ...f.context },
    commitments: f.commitments ?? [],
  };
}

/** An agent action event, signed by `key` (the agent's current key). */
export function agentEvent(agent: AgentKey, f: EventFields, key: Ed25519Key = agent): LineageEvent {
  return signEvent(base(agent.agentId, 'agent', f), key);
}

/** A human approval (action approval.grant) signed by the approver's pinned key. */
export function humanApproval(
  approver: { id: string; key: Ed25519Key },
  approval: Approval,
  f: Omit<EventFields, 'action'> & { action?: string },
): LineageEvent {
  const u = base(approver.id, 'human', { ...f, action: f.action ?? 'approval.grant' });
  u.approval = approval;
  return signEvent(u, approver.key);
}

/** Identity lifecycle events (spec §4.6). */
export function registerEvent(
  agent: AgentKey,
  f: Omit<EventFields, 'action'>,
  cardDigest?: string,
): LineageEvent {
  const l: Lifecycle = { op: 'register', agent_id: agent.agentId, public_key: agent.publicKeyHex };
  if (cardDigest) l.card_digest = cardDigest;
  return signEvent(
    { ...base(agent.agentId, 'agent', { ...f, action: 'identity.register' }), lifecycle: l },
    agent,
  );
}

export function rotateEvent(
  agent: AgentKey,
  oldKey: Ed25519Key,
  newKey: Ed25519Key,
  f: Omit<EventFields, 'action'>,
): LineageEvent {
  const l: Lifecycle = {
    op: 'rotate',
    agent_id: agent.agentId,
    public_key: oldKey.publicKeyHex,
    new_public_key: newKey.publicKeyHex,
  };
  return signEvent(
    { ...base(agent.agentId, 'agent', { ...f, action: 'identity.rotate' }), lifecycle: l },
    oldKey,
  );
}

/** Revocation by the agent's current key, or by a human security officer / AO (`by`). */
export function revokeEvent(
  agentId: string,
  revokedKey: Ed25519Key,
  reason: string,
  f: Omit<EventFields, 'action'>,
  by?: { id: string; key: Ed25519Key },
): LineageEvent {
  const l: Lifecycle = { op: 'revoke', agent_id: agentId, public_key: revokedKey.publicKeyHex, reason };
  const u = base(by ? by.id : agentId, by ? 'human' : 'agent', { ...f, action: 'identity.revoke' });
  return signEvent({ ...u, lifecycle: l }, by ? by.key : revokedKey);
}

export function supersedeEvent(
  agent: AgentKey,
  key: Ed25519Key,
  successor: string,
  f: Omit<EventFields, 'action'>,
): LineageEvent {
  const l: Lifecycle = { op: 'supersede', agent_id: agent.agentId, successor_agent_id: successor };
  return signEvent(
    { ...base(agent.agentId, 'agent', { ...f, action: 'identity.supersede' }), lifecycle: l },
    key,
  );
}

export { eventId };
