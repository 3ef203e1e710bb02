import {
  type CitedEvent,
  eventId,
  eventLeafHash,
  type JsonValue,
  type LineageEvent,
  MerkleTree,
  type TrustStore,
  toHex,
} from '@lineage/verifier-core';
import { makeLineageSth, type NoteSigner, noteSigner } from '../note/index.js';
import { type AgentKey, asAgentKey, type Ed25519Key, testKey } from './keys.js';

/**
 * A small deterministic world for tests and spec vectors: a log with a pinned
 * key, approvers with roles, two agents. Everything is signed for real.
 */
export class TestLog {
  readonly tree = new MerkleTree();
  readonly signer: NoteSigner;
  readonly #index = new Map<string, number>();

  constructor(readonly origin: string) {
    this.signer = noteSigner(origin, testKey(`log:${origin}`));
  }

  /** Appends events not yet in the log; returns their leaf indexes. */
  append(events: readonly LineageEvent[]): number[] {
    return events.map((e) => {
      const leaf = toHex(eventLeafHash(e));
      let i = this.#index.get(leaf);
      if (i === undefined) {
        i = this.tree.append(eventLeafHash(e));
        this.#index.set(leaf, i);
      }
      return i;
    });
  }

  indexOf(e: LineageEvent): number | undefined {
    return this.#index.get(toHex(eventLeafHash(e)));
  }

  sth(timestampMs: number, size = this.tree.size): string {
    return makeLineageSth(
      { logId: this.origin, treeSize: size, rootHash: this.tree.root(size), timestampMs },
      this.signer,
    );
  }

  /** Logs the events and returns them with direct inclusion proofs under one fresh STH. */
  cite(events: readonly LineageEvent[], timestampMs: number, steps?: readonly string[]): CitedEvent[] {
    const idx = this.append(events);
    const size = this.tree.size;
    const checkpoint = this.sth(timestampMs, size);
    return events.map((e, i) => {
      const c: CitedEvent = {
        event: e as unknown as JsonValue,
        inclusion: {
          log_origin: this.origin,
          leaf_index: idx[i]!,
          tree_size: size,
          proof: this.tree.inclusionProof(idx[i]!, size).map(toHex),
          checkpoint,
        },
      };
      const step = steps?.[i];
      if (step !== undefined) c.step = step;
      return c;
    });
  }
}

export interface Person {
  id: string;
  name: string;
  key: Ed25519Key;
}

export function person(id: string, name: string): Person {
  return { id, name, key: testKey(`human:${id}`) };
}

export interface Testbed {
  log: TestLog;
  ao: Person;
  co: Person;
  so: Person;
  inventory: AgentKey;
  scanner: AgentKey;
  proofServer: { id: string; key: Ed25519Key };
  trust(over?: Partial<TrustStore>): TrustStore;
}

export function testbed(origin = 'lineage.example/test-log'): Testbed {
  const log = new TestLog(origin);
  const ao = person('lin:human:ao.jane-doe', 'Jane Doe (AO)');
  const co = person('lin:human:co.raj-patel', 'Raj Patel (Compliance Officer)');
  const so = person('lin:human:so.li-wei', 'Li Wei (Security Officer)');
  const inventory = asAgentKey(testKey('agent:inventory'));
  const scanner = asAgentKey(testKey('agent:scanner'));
  const proofServer = { id: 'proofs.lineage.example', key: testKey('proof-server') };
  return {
    log,
    ao,
    co,
    so,
    inventory,
    scanner,
    proofServer,
    trust: (over = {}) => ({
      version: 1,
      logs: [{ origin, vkey: log.signer.vkey }],
      witnesses: { vkeys: [], threshold: 0 },
      proof_servers: [{ id: proofServer.id, public_key: proofServer.key.publicKeyHex }],
      approvers: [
        { id: ao.id, name: ao.name, public_key: ao.key.publicKeyHex, roles: ['authorizing_official'] },
        { id: co.id, name: co.name, public_key: co.key.publicKeyHex, roles: ['compliance_officer'] },
        { id: so.id, name: so.name, public_key: so.key.publicKeyHex, roles: ['security_officer'] },
      ],
      card_signers: [],
      policy: { root_roles: ['authorizing_official'] },
      ...over,
    }),
  };
}

export const T0 = Date.parse('2026-11-20T14:00:00.000Z');
/** RFC 3339 time `minutes` after T0. */
export function at(minutes: number): string {
  return new Date(T0 + minutes * 60_000).toISOString();
}

export { eventId };
