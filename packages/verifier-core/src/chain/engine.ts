import type { Attestation } from '../attestation/types.js';
import { type AttestedLeafProof, checkAttestation, type RefutedLeaf } from '../attestation/verify.js';
import type { Opening } from '../commitments/types.js';
import { checkOpenings, parseOpening } from '../commitments/verify.js';
import { getCryptoBackend } from '../crypto/current.js';
import { outcome } from '../events/outcome.js';
import { parseEvent } from '../events/parse.js';
import { prepareEvent, ReadEvent } from '../events/prepared.js';
import { SignatureQueue } from '../events/signature-queue.js';
import { parseTimestamp } from '../events/time.js';
import type { LineageEvent } from '../events/types.js';
import { buildKeyHistories, type KeyHistories } from '../identity/key-history.js';
import type { JsonValue } from '../json/index.js';
import { checkReceipts, type ReceiptVerificationOptions } from '../receipts/verify.js';
import type { CheckSubject } from '../report/model.js';
import { errorOutcomeDetail, isLineageError } from '../result.js';
import { OutcomeSink } from '../trust/sink.js';
import { SthVerifier } from '../trust/sth.js';
import type { TrustStore, WorkflowPolicy } from '../trust/types.js';
import {
  AttestedInclusion,
  BeforeSignatures,
  directInclusion,
  type HeldEventOutcomes,
  type Included,
  logPositions,
  reportEventOutcomes,
} from './event-checks.js';
import { type Node, subject, TITLES } from './node.js';
import { requiredApprovals } from './required-approvals.js';
import { requiredEvents } from './required-events.js';
import { judgeRoots, rootApprovals } from './root-approvals.js';
import { chainStructure } from './structure.js';
import type { CallChainInput, ChainEventSummary, CitedEvent } from './types.js';

/**
 * The call-chain engine (spec §4.3). Runs every check in a fixed order and pushes
 * each outcome to the sink; the assessor sink keeps going, the agent sink stops at
 * the first outcome that is not a pass. Both modes therefore agree by construction:
 * the agent's quarantine reason is the assessor's first non-pass outcome. Its parts:
 * event-checks.ts (each event's own checks), structure.ts (the chain's shape and the walk
 * to its roots), root-approvals.ts (what the roots must be), node.ts (what they share).
 */
export async function runCallChain(
  input: CallChainInput,
  sink: OutcomeSink,
): Promise<{ events: ChainEventSummary[]; attestations: (Attestation | undefined)[] }> {
  const trust: TrustStore = input.trust;
  const policy: WorkflowPolicy = input.policy ?? trust.policy;
  const verifiedAt =
    input.verifiedAt === undefined
      ? undefined
      : { text: input.verifiedAt, ms: parseTimestamp(input.verifiedAt, 'verifiedAt') };
  const sths = new SthVerifier(
    trust,
    verifiedAt ? { nowSeconds: BigInt(Math.floor(verifiedAt.ms / 1000)) } : {},
  );
  const backend = input.backend;

  // Inputs may come from untyped JSON (capsules, vectors): anything but an array is reported, not thrown.
  const list = <T>(v: readonly T[] | undefined, name: string): readonly T[] => {
    if (v === undefined || Array.isArray(v)) return v ?? [];
    sink.push(
      outcome('event.schema', 'fail', { kind: 'chain', id: 'call chain', field: `/${name}` }, TITLES.schema, {
        reason: `${name} must be an array`,
      }),
    );
    return [];
  };
  const cites = list(input.events, 'events').map((c) =>
    typeof c === 'object' && c !== null && !Array.isArray(c)
      ? c
      : ({ event: c as unknown as JsonValue } as CitedEvent),
  );
  const attestations = list(input.attestations, 'attestations');
  const receipts = list(input.receipts, 'receipts');
  const openingValues = input.openings === undefined ? undefined : list(input.openings, 'openings');

  // 1. Attestations: verified once, then consulted per event.
  const attested = new Map<string, AttestedLeafProof[]>();
  // Leaves an attestation covers but whose proof could not be checked (unpinned server or log).
  const unverifiable = new Map<string, string>();
  // Leaves an attestation covers whose evidence failed a check (named in the event's outcome).
  const refuted = new Map<string, RefutedLeaf>();
  // Each attestation as parsed (undefined where attestation.schema failed), for hosts that show it.
  const parsedAttestations: (Attestation | undefined)[] = [];
  for (const [i, a] of attestations.entries()) {
    const opts: Parameters<typeof checkAttestation>[4] = { sths };
    if (input.verifiedAt !== undefined) opts.verifiedAt = input.verifiedAt;
    if (backend) opts.backend = backend;
    const r = await checkAttestation(
      a,
      input.attestationLabels?.[i] ?? `attestation ${i}`,
      trust,
      sink,
      opts,
    );
    parsedAttestations.push(r.attestation);
    // forEach: a Map of 100k+ leaves (see summarize on for…of).
    r.proven.forEach((proofs, leaf) => {
      const known = attested.get(leaf);
      if (known) for (const p of proofs) known.push(p);
      else attested.set(leaf, proofs);
    });
    for (const [leaf, why] of r.unverifiable) if (!unverifiable.has(leaf)) unverifiable.set(leaf, why);
    r.refuted.forEach((why, leaf) => {
      if (!refuted.has(leaf)) refuted.set(leaf, why);
    });
  }

  // 2. Parse every event, canonicalizing it once (id, signing input and leaf from one
  // serialization), and hand its signature to the backend's batch path as we go, so the
  // workers verify while this thread parses the rest.
  const nodes: Node[] = [];
  const byId = new Map<string, Node>();
  // Events read ahead (ReadEvent) may already be queued on the caller's queue.
  const signatures = input.signatures ?? new SignatureQueue(backend ?? getCryptoBackend());
  for (let index = 0; index < cites.length; index++) {
    const cited = cites[index]!;
    // Only a ReadEvent that readEventText made is taken: its event and hashes agree by construction.
    const read = ReadEvent.is(cited.read) ? cited.read : undefined;
    const raw = cited.event;
    if (input.consumeEvents) {
      (cited as { event: JsonValue }).event = null;
      (cited as { read?: unknown }).read = undefined;
    }
    try {
      const event = read ? read.event : parseEvent(raw);
      const prepared = read ? undefined : prepareEvent(event, { parsed: true });
      const node: Node = {
        index,
        event,
        id: read ? read.id : prepared!.id,
        leaf: read ? read.leaf : prepared!.leaf,
        t: parseTimestamp(event.timestamp),
        authentic: false,
        included: false,
        signature: -1,
      };
      if (cited.step !== undefined) node.step = cited.step;
      if (byId.has(node.id)) {
        // The second copy is named by its own input position (§4.3 step 2): its id is the first
        // copy's, so an id subject would point the reader at the genuine event instead.
        const first = byId.get(node.id)!.index;
        const s: CheckSubject = { kind: 'event', id: `event ${index}`, field: '/' };
        if (cited.step !== undefined) s.step = cited.step;
        sink.push(
          outcome('event.schema', 'fail', s, TITLES.schema, {
            reason: `event ${node.id.slice(0, 12)}… is supplied twice (first at position ${first}); the second copy takes no part in the checks`,
            expected: 'each event once',
            found: `event ${node.id} again, first at position ${first}`,
          }),
        );
        continue;
      }
      sink.push(outcome('event.schema', 'pass', subject(node), TITLES.schema));
      node.signature = read
        ? read.queueSignature(signatures)
        : signatures.add(event.signature, prepared!.signingInput);
      nodes.push(node);
      byId.set(node.id, node);
    } catch (e) {
      if (!isLineageError(e)) throw e;
      const s: CheckSubject = { kind: 'event', id: `event ${index}`, field: e.path ?? '/' };
      if (cited.step !== undefined) s.step = cited.step;
      sink.push(outcome('event.schema', 'fail', s, TITLES.schema, errorOutcomeDetail(e)));
    }
  }

  // 3. Inclusion of every event: only direct inclusion proofs wait (for their tree head);
  // attested events are decided at once. Known before key histories, which need log order.
  const attestedAs = new AttestedInclusion(attested, unverifiable, refuted);
  const includedAt: Included[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    const direct = cites[n.index]!.inclusion;
    includedAt[i] =
      direct === undefined
        ? attestedAs.of(n, subject(n))
        : await directInclusion(n, direct, sths, subject(n));
  }

  // 4. Key histories from the lifecycle events among them, applied in log order.
  const lifecycleAt = new Map<LineageEvent, number>();
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.event.lifecycle) lifecycleAt.set(nodes[i]!.event, i);
  const built = await buildKeyHistories(
    nodes.map((n) => n.event),
    {
      trust,
      ...(backend ? { backend } : {}),
      positionsOf: (e) => {
        const i = lifecycleAt.get(e);
        return i === undefined ? undefined : logPositions(nodes[i]!, includedAt[i]!, attested);
      },
    },
  );
  const histories: KeyHistories = built.histories;
  const lifecycleProblems = new Map(built.problems.map((p) => [p.eventId, p]));

  // The chain's structure (predecessors, cycles, sequences, time order, the walk to its roots)
  // does not depend on signatures: it is worked out while the workers finish, and its outcomes
  // are held back and reported after the per-event ones, in the engine's fixed order.
  const structure = new OutcomeSink(false);
  const walk = chainStructure(nodes, byId, policy, input.targets, structure);
  const judged = walk ? judgeRoots(walk, nodes, trust) : undefined;

  // 5. Per-event checks, in input order. Everything that does not need the signature
  // results is decided while the workers verify (held per event); the results are awaited
  // once, then each event's outcomes are reported in the fixed order (agent mode still stops
  // at the first failure).
  const decide = new BeforeSignatures(trust, policy, histories, lifecycleProblems, attested, verifiedAt);
  const held: HeldEventOutcomes[] = new Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) held[i] = decide.held(nodes[i]!, subject(nodes[i]!), includedAt[i]!);

  const events = summaries(nodes);
  await input.whileVerifying?.({ events, attestations: parsedAttestations, keyHistories: histories });
  reportEventOutcomes(nodes, held, await signatures.results(), sink);

  sink.pushAll(structure.outcomes);
  if (judged) rootApprovals(judged, nodes, sink);
  requiredApprovals(nodes, trust, policy, sink);
  requiredEvents(nodes, trust, policy, sink);

  // Handoff receipts between the agents, with the same key histories.
  if (receipts.length > 0) {
    const ro: ReceiptVerificationOptions = { ...(input.receiptClock ?? {}), keyHistories: histories };
    if (backend) ro.backend = backend;
    await checkReceipts(receipts, sink, ro);
  }

  // Commitments: openings checked against proven events; the rest "committed, not disclosed".
  // Only when the caller asks (openings given, possibly empty), so a host that checks
  // openings itself does not get every commitment listed twice.
  if (openingValues === undefined) return { events, attestations: parsedAttestations };
  const openings: Opening[] = [];
  for (const [i, o] of openingValues.entries()) {
    try {
      openings.push(parseOpening(o, `/openings/${i}`));
    } catch (e) {
      if (!isLineageError(e)) throw e;
      sink.push(
        outcome(
          'commitment.opening',
          'fail',
          { kind: 'commitment', id: `opening ${i}`, field: e.path ?? '/' },
          'the disclosed value opens the commitment in a proven event',
          errorOutcomeDetail(e),
        ),
      );
    }
  }
  const withCommitments = new Map(
    nodes.filter((n) => n.event.commitments.length > 0).map((n) => [n.id, n.event]),
  );
  for (const o of openings) {
    const n = byId.get(o.event_id);
    if (n) withCommitments.set(n.id, n.event);
  }
  const proven = new Set(nodes.filter((n) => n.authentic && n.included).map((n) => n.id));
  sink.pushAll(checkOpenings(withCommitments, openings, proven).outcomes);
  return { events, attestations: parsedAttestations };
}

function summaries(nodes: Node[]): ChainEventSummary[] {
  return nodes.map((n) => {
    const sum: ChainEventSummary = {
      index: n.index,
      eventId: n.id,
      leafHash: n.leaf,
      event: n.event,
      actor: n.event.actor,
      actorKind: n.event.actor_kind,
      action: n.event.action,
      timestamp: n.event.timestamp,
      sequence: n.event.sequence,
      predecessors: n.event.predecessors,
    };
    if (n.step !== undefined) sum.step = n.step;
    return sum;
  });
}
