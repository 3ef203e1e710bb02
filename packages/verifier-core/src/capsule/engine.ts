import { type CallChainReport, verifyCallChain } from '../chain/index.js';
import { checkOpenings, parseOpening } from '../commitments/index.js';
import type { Opening } from '../commitments/types.js';
import { toHex } from '../encoding/hex.js';
import type { SignatureQueue } from '../events/signature-queue.js';
import type { LineageEvent } from '../events/types.js';
import {
  buildKeyHistories,
  type CardRegistrationEvidence,
  type CardRegistrationMemo,
  IDENTITY_EXTENSION_URI,
  verifyAgentCard,
} from '../identity/index.js';
import type { KeyHistories } from '../identity/key-history.js';
import type { JsonValue } from '../json/index.js';
import { parseCheckpointBody, parseLineageSthTimestamp } from '../note/index.js';
import { parseReceipt, RECEIPT_MAX_SKEW_MS, verifyReceipts } from '../receipts/index.js';
import { withoutInvisible } from '../report/hidden-chars.js';
import { type CheckOutcome, type CheckStatus, type CheckSubject, worseStatus } from '../report/model.js';
import { errorOutcomeDetail, formatCount, formatCountOf, isLineageError } from '../result.js';
import type { TrustStore } from '../trust/types.js';
import type { CapsuleDocuments } from './contents.js';
import { type PlacedReceipt, placeHandoffs } from './handoffs.js';
import type { AbortSignalLike } from './source.js';
import type { EventInclusionDetail, SthSummary } from './types.js';

/**
 * Runs chapter 4's verifiers over a capsule's documents and collects what the
 * report, the graph and the event details need. Each verifier is the shared one
 * (the CLI, the desktop app and agents run the same checks); this module only
 * wires them together and indexes their results.
 */
export interface EngineEvent {
  event: LineageEvent;
  /** The event as found in the capsule, and the STH note its per-leaf proof is against. */
  value: JsonValue;
  checkpoint?: string;
  leafHash: string;
  where: string;
  inclusion?: EventInclusionDetail;
  sth?: { logId: string; size: string; rootHex: string; timestamp: string };
  attestation?: { server: string; issuedAt: string; file: string };
}

export interface EngineOutput {
  checks: CheckOutcome[];
  events: Map<string, EngineEvent>;
  openings: Map<string, unknown>;
  /** Openings supplied but failing commitment.opening, by `event_id/name`. */
  rejectedOpenings: ReadonlySet<string>;
  handoffs: { from: string; to: string; status: CheckStatus; receiptId: string }[];
  sths: SthSummary[];
  actorLabel(actor: string): string;
  stepHint(subject: CheckSubject, stepOf: ReadonlyMap<string, string>): string | undefined;
}

interface EngineOptions {
  verifiedAt: string;
  /** The queue the documents' read events queued their signatures on. */
  signatures?: SignatureQueue;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  signal?: AbortSignalLike;
}

function sthOf(
  checkpoint: string,
): { logId: string; size: string; rootHex: string; timestamp: string } | undefined {
  try {
    const bodyText = checkpoint.slice(0, checkpoint.indexOf('\n\n') + 1);
    const body = parseCheckpointBody(bodyText);
    let timestamp = '';
    try {
      timestamp = new Date(parseLineageSthTimestamp(body.extensionLines)).toISOString();
    } catch {
      /* shown without a time; the STH check reports why */
    }
    return { logId: body.origin, size: body.size.toString(), rootHex: toHex(body.rootHash), timestamp };
  } catch {
    return undefined;
  }
}

/**
 * The card's lineage pointers name its registration event; the capsule carries that event and
 * the attestation's per-leaf proof for it, which together make the evidence card.lineage needs.
 */
function registrationEvidence(
  cardText: string,
  events: Map<string, EngineEvent>,
  seen: Map<string, CardRegistrationEvidence>,
): CardRegistrationEvidence | undefined {
  let card: unknown;
  try {
    card = JSON.parse(cardText);
  } catch {
    return undefined;
  }
  const exts = (card as { capabilities?: { extensions?: unknown } })?.capabilities?.extensions;
  if (!Array.isArray(exts)) return undefined;
  const ext = exts.find((x) => (x as { uri?: unknown })?.uri === IDENTITY_EXTENSION_URI) as
    | { params?: { lineage?: { registration_event_id?: unknown } } }
    | undefined;
  const id = ext?.params?.lineage?.registration_event_id;
  const e = typeof id === 'string' ? events.get(id) : undefined;
  if (!e?.inclusion || !e.checkpoint || e.inclusion.proofKind !== 'inclusion') return undefined;
  // One object per registration event, so the cards pointing to it share its examination.
  const known = seen.get(id as string);
  if (known) return known;
  const evidence = {
    event: e.value,
    inclusion: {
      log_origin: e.inclusion.logId,
      leaf_index: e.inclusion.index,
      tree_size: e.inclusion.treeSize,
      proof: e.inclusion.auditPath,
      checkpoint: e.checkpoint,
    },
  };
  seen.set(id as string, evidence);
  return evidence;
}

export async function verifyLineageDocuments(
  docs: CapsuleDocuments,
  trust: TrustStore,
  opts: EngineOptions,
): Promise<EngineOutput> {
  const progress = opts.onProgress ?? (() => {});

  // Events and attestations: the call-chain engine (signatures, keys, inclusion, chain rules).
  progress({ phase: 'verifying signatures and proofs', done: 0, total: docs.events.length });
  // The engine batch-verifies event signatures with the backend's batch path (every core in Node).
  // The cited objects are the only holders of the events from here on, and the engine
  // releases each once taken (events were read, checked and hashed line by line).
  const cited = docs.events.map((e) => (e.read ? { event: null, read: e.read } : { event: e.value }));
  const where = docs.events.map((e) => e.where);
  // Passes over every event or outcome are indexed or forEach (see summarize on for…of).
  for (let i = 0; i < docs.events.length; i++) {
    const e = docs.events[i]!;
    e.value = null;
    e.read = undefined;
  }
  // What needs only the parsed events and attestations is done while the workers verify.
  let indexed: Promise<IndexedDocuments> | undefined;
  const chain = await verifyCallChain({
    events: cited,
    consumeEvents: true,
    ...(opts.signatures ? { signatures: opts.signatures } : {}),
    attestations: docs.attestations.map((a) => a.parsed ?? a.value),
    attestationLabels: docs.attestations.map((a) => a.where),
    trust,
    verifiedAt: opts.verifiedAt,
    whileVerifying: async (parsed) => {
      indexed = indexDocuments(parsed, where, docs, trust, progress, opts.verifiedAt);
      await indexed;
    },
  });
  const ix = await (indexed ?? indexDocuments(chain, where, docs, trust, progress, opts.verifiedAt));
  progress({ phase: 'verifying signatures and proofs', done: docs.events.length, total: docs.events.length });
  const { events } = ix;

  // One pass over the chain's outcomes (~7 per event): each attestation's tree-head status, the
  // events something did not pass for (commitment openings count only on proven events), and the
  // file and line of every event outcome, so a failure can be found in the capsule.
  const sthStatus = new Map<string, CheckStatus>();
  // A tree head whose consistency proof to a newer one fails is on another history (split view).
  const consistencyStatus = new Map<string, CheckStatus>();
  let anySth = false;
  let anySthFail = false;
  const notProven = new Set<string>();
  let named: CheckSubject | undefined;
  for (let i = 0; i < chain.checks.length; i++) {
    const c = chain.checks[i]!;
    const subject = c.subject;
    if (c.id === 'attestation.sth_signature') {
      anySth = true;
      if (c.status === 'fail') anySthFail = true;
      sthStatus.set(subject.id, worseStatus(sthStatus.get(subject.id) ?? 'pass', c.status));
    } else if (c.id === 'attestation.consistency' && c.status !== 'pass') {
      const at = `${subject.id}${subject.field ?? ''}`;
      consistencyStatus.set(at, worseStatus(consistencyStatus.get(at) ?? 'pass', c.status));
    }
    if (c.status !== 'pass') notProven.add(subject.id);
    // An event's passing outcomes share one subject object: located once. A passing outcome
    // about one field has a subject of its own and is not located (there are 100k+ of them).
    if (subject === named || subject.where !== undefined || (c.status === 'pass' && subject.field)) continue;
    if (subject.kind !== 'event' && subject.kind !== 'chain') continue;
    const e = events.get(subject.id);
    if (e) {
      subject.where = e.where;
      named = subject;
    } else if (c.id === 'event.schema') {
      // An event that took no part (malformed, or a second copy) is named by its input position.
      const at = /^event (\d+)$/.exec(subject.id);
      const w = at ? where[Number(at[1])] : undefined;
      if (w !== undefined) subject.where = w;
    }
  }
  for (const { sth, file, consistency } of ix.sths) {
    sth.status = sthStatus.get(file) ?? (anySthFail ? 'fail' : anySth ? 'pass' : 'not_checked');
    for (const at of consistency) sth.status = worseStatus(sth.status, consistencyStatus.get(at) ?? 'pass');
  }

  // Commitment openings the holder chose to disclose, checked against proven events only.
  const checks = chain.checks;
  for (const c of ix.checks) checks.push(c);
  const proven = new Set([...ix.relevant.keys()].filter((id) => !notProven.has(id)));
  const { outcomes: opened, passed } = checkOpenings(ix.relevant, ix.openings, proven);
  for (const c of opened) checks.push(c);
  const openings = new Map<string, unknown>();
  for (const o of passed) if (events.has(o.event_id)) openings.set(`${o.event_id}/${o.name}`, o.value);
  // Supplied but not accepted: shown as rejected, not as "not disclosed".
  const rejectedOpenings = new Set<string>();
  for (const o of ix.openings) if (!passed.has(o)) rejectedOpenings.add(`${o.event_id}/${o.name}`);
  // The outcomes added here that name an event (none today) are located too.
  for (const c of ix.checks.concat(opened)) {
    if (c.subject.kind !== 'event' || c.subject.where !== undefined) continue;
    const e = events.get(c.subject.id);
    if (e) c.subject.where = e.where;
  }

  const { labels, agentEvent, receiptSender } = ix;
  return {
    checks,
    events,
    openings,
    rejectedOpenings,
    handoffs: ix.handoffs,
    sths: ix.sths.map((x) => x.sth),
    actorLabel: (actor) => {
      // Memoized: the report asks once per event, and a capsule has few actors.
      let l = labels.get(actor);
      if (l === undefined) {
        l = actor.length > 24 ? `${actor.slice(0, 22)}…` : actor;
        labels.set(actor, l);
      }
      return l;
    },
    stepHint: (subject, stepOf) => {
      if (subject.kind === 'receipt') {
        const sender = receiptSender.get(subject.id);
        const ev = sender ? agentEvent.get(sender) : undefined;
        return ev ? stepOf.get(ev) : undefined;
      }
      if (subject.kind === 'card') {
        const ev = agentEvent.get(subject.id);
        return ev ? stepOf.get(ev) : undefined;
      }
      return undefined;
    },
  };
}

/** What the capsule engine derives from the parsed events and attestations alone. */
interface IndexedDocuments {
  events: Map<string, EngineEvent>;
  /** Tree heads the attestations name, each with the attestation file whose status it takes. */
  /** `consistency`: the attestation pointers (file + pointer) of the proofs from this tree head. */
  sths: { sth: SthSummary; file: string; consistency: string[] }[];
  /** Outcomes of the capsule's own checks (attested events, cards, receipts, opening syntax), in order. */
  checks: CheckOutcome[];
  handoffs: EngineOutput['handoffs'];
  openings: Opening[];
  /** Events with commitments, or cited by an opening. */
  relevant: Map<string, LineageEvent>;
  labels: Map<string, string>;
  agentEvent: Map<string, string>;
  receiptSender: Map<string, string>;
}

async function indexDocuments(
  chain: Pick<CallChainReport, 'events' | 'attestations'> & { keyHistories?: KeyHistories },
  where: readonly string[],
  docs: CapsuleDocuments,
  trust: TrustStore,
  progress: NonNullable<EngineOptions['onProgress']>,
  verifiedAt: string,
): Promise<IndexedDocuments> {
  const { keyHistories } = chain;
  const checks: CheckOutcome[] = [];
  const events = new Map<string, EngineEvent>();
  for (let i = 0; i < chain.events.length; i++) {
    const s = chain.events[i]!;
    const w = where[s.index];
    if (w === undefined) continue;
    // The engine's parsed event (a summary exists only for events that passed event.schema).
    events.set(s.eventId, {
      event: s.event,
      value: s.event as unknown as JsonValue,
      leafHash: s.leafHash,
      where: w,
    });
  }

  // Per-event proof details from the attestations (for the desktop's proof view).
  const sths: IndexedDocuments['sths'] = [];
  // Each distinct tree head once, by log, size and root: an attestation may carry thousands of
  // consistency checkpoints, and finding each in the list was quadratic.
  const sthByKey = new Map<string, IndexedDocuments['sths'][number]>();
  const leafToEvent = new Map<string, string>();
  events.forEach((e, id) => {
    leafToEvent.set(e.leafHash, id);
  });
  // Events whose leaf no attestation vouches for: an event altered after logging is one of them,
  // and its logged leaf then has no event (said so, rather than "withheld", when both are seen).
  const attestedLeaves = new Set<string>();
  for (const a of chain.attestations) if (a) for (const l of a.leaves) attestedLeaves.add(l);
  const unattested = [...events.entries()].filter(
    ([, e]) => !attestedLeaves.has(e.leafHash) && !e.event.lifecycle,
  );
  for (const [i, a] of docs.attestations.entries()) {
    // As the engine parsed it (not parsed again: a 100k-leaf attestation is megabytes).
    const att = chain.attestations[i];
    if (att === undefined) continue;
    // A capsule carries every event its attestations vouch for: a leaf without its event means
    // an event was withheld (dropping a logged revocation would otherwise hide it) or altered.
    const withheld = att.leaves.filter((l) => !leafToEvent.has(l));
    const listed = (xs: readonly string[]) =>
      `${xs
        .slice(0, 3)
        .map((x) => `${x.slice(0, 12)}…`)
        .join(', ')}${xs.length > 3 ? ', …' : ''}`;
    const why =
      unattested.length === 0
        ? `withheld: ${listed(withheld)}`
        : `${listed(withheld)}; and ${formatCountOf(unattested.length, 'event')} of the capsule (${listed(unattested.map(([id]) => id))}) ${unattested.length === 1 ? 'has a leaf' : 'have leaves'} no attestation vouches for: an event altered after logging changes its leaf, so see ${unattested.length === 1 ? 'its' : 'their'} event.signature and event.inclusion`;
    checks.push({
      id: 'capsule.attested_events',
      status: withheld.length === 0 ? 'pass' : 'fail',
      subject: { kind: 'attestation', id: a.where, field: '/leaves' },
      title: 'every leaf the attestation vouches for is an event in the capsule',
      ...(withheld.length === 0
        ? { found: `${formatCountOf(att.leaves.length, 'leaf', 'leaves')}, all events in the capsule` }
        : {
            reason: `${formatCount(withheld.length)} of the ${formatCountOf(att.leaves.length, 'leaf', 'leaves')} the attestation vouches for ${withheld.length === 1 ? 'is' : 'are'} the leaf of no event in the capsule (${why})`,
            expected: 'an event in the capsule for every attested leaf',
            found: `${formatCountOf(withheld.length, 'leaf', 'leaves')} without ${withheld.length === 1 ? 'its' : 'their'} event`,
          }),
    });
    // One object per attestation, shared by every event it proves (100k events, one attestation).
    const source = { server: att.server, issuedAt: att.issued_at, file: a.where };
    for (const [l, log] of att.logs.entries()) {
      const cps = [
        { cp: log.checkpoint, consistency: undefined },
        ...(log.consistency ?? []).map((c, k) => ({
          cp: c.checkpoint,
          consistency: `/logs/${l}/consistency/${k}`,
        })),
      ];
      for (const { cp, consistency } of cps) {
        const s = sthOf(cp);
        const key = s ? `${s.logId}\n${s.size}\n${s.rootHex}` : undefined;
        const known = key === undefined ? undefined : sthByKey.get(key);
        if (s && key !== undefined && !known) {
          // The status is the attestation's tree-head check, known once the chain engine is done.
          const entry = {
            sth: { ...s, status: 'not_checked' as const, checkpoint: cp },
            file: a.where,
            consistency: consistency ? [`${a.where}${consistency}`] : [],
          };
          sths.push(entry);
          sthByKey.set(key, entry);
        } else if (known && consistency) known.consistency.push(`${a.where}${consistency}`);
      }
      const head = sthOf(log.checkpoint);
      for (const inc of log.inclusion ?? []) {
        const id = leafToEvent.get(inc.leaf_hash);
        const e = id ? events.get(id) : undefined;
        if (!e || !head) continue;
        e.inclusion = {
          logId: log.log_origin,
          index: inc.leaf_index,
          treeSize: Number(head.size),
          auditPath: inc.proof,
          root: head.rootHex,
          proofKind: 'inclusion',
        };
        e.sth = head;
        e.checkpoint = log.checkpoint;
        e.attestation = source;
      }
      const proven = log.multiproof?.leaves ?? [];
      for (let k = 0; k < proven.length; k++) {
        const leaf = proven[k]!;
        const id = leafToEvent.get(leaf.leaf_hash);
        const e = id ? events.get(id) : undefined;
        if (!e || !head || e.inclusion) continue;
        e.inclusion = {
          logId: log.log_origin,
          index: leaf.leaf_index,
          treeSize: Number(head.size),
          auditPath: [],
          root: head.rootHex,
          proofKind: 'multiproof',
        };
        e.sth = head;
        e.attestation = source;
      }
    }
  }

  // Agent cards, with key histories from the verified lifecycle events (the chain engine's,
  // when it has built them: the same events, the same trust store).
  const histories =
    keyHistories ??
    (
      await buildKeyHistories(
        [...events.values()].map((e) => e.event),
        { trust },
      )
    ).histories;
  const labels = new Map<string, string>();
  for (const a of trust.approvers) labels.set(a.id, a.name);
  progress({ phase: 'verifying agent cards', done: 0, total: docs.cards.length });
  const evidence = new Map<string, CardRegistrationEvidence>();
  const registrationMemo: CardRegistrationMemo = new WeakMap();
  for (const c of docs.cards) {
    const registration = registrationEvidence(c.value, events, evidence);
    const v = await verifyAgentCard(c.value, trust, {
      keyHistories: histories,
      registrationMemo,
      ...(registration ? { registration } : {}),
    });
    for (const o of v.checks)
      checks.push({
        ...o,
        subject: { ...o.subject, where: c.where },
      });
    const idOk = v.checks.some((o) => o.id === 'card.agent_id' && o.status === 'pass');
    if (v.identity && idOk && v.card.name) {
      // Reports show an agent by its card's name beside people by their pinned names: a card
      // may not carry a pinned person's name (an agent would read as the security officer).
      const person = approverNamed(v.card.name, trust);
      const s: CheckSubject = { kind: 'card', id: v.identity.agent_id, field: '/name', where: c.where };
      checks.push(
        person
          ? {
              id: 'capsule.card_name',
              status: 'fail',
              subject: s,
              title: "the agent's card name is not a pinned person's name",
              reason: `the card names the agent "${v.card.name}", which carries the name of pinned approver ${person.name} (${person.id}): an agent would be shown as that person`,
              expected: "a name that is no pinned approver's",
              found: `"${v.card.name}"`,
            }
          : {
              id: 'capsule.card_name',
              status: 'pass',
              subject: s,
              title: "the agent's card name is not a pinned person's name",
            },
      );
      labels.set(
        v.identity.agent_id,
        person ? `agent ${v.identity.agent_id.slice(10, 22)}… (card name refused)` : v.card.name,
      );
    }
  }

  // Handoff receipts.
  progress({ phase: 'verifying handoff receipts', done: 0, total: docs.receipts.length });
  const receipts = await verifyReceipts(
    docs.receipts.map((r) => r.value),
    { keyHistories: histories, locations: docs.receipts.map((r) => r.where), verifiedAt },
  );
  for (const c of receipts.checks) checks.push(c);
  const receiptStatus = new Map<string, CheckStatus>();
  for (const c of receipts.checks)
    if (c.subject.kind === 'receipt')
      receiptStatus.set(c.subject.id, worseStatus(receiptStatus.get(c.subject.id) ?? 'pass', c.status));
  const parsedReceipts: PlacedReceipt[] = [];
  for (const r of docs.receipts) {
    try {
      parsedReceipts.push({ receipt: parseReceipt(r.value), where: r.where });
    } catch {
      /* reported by receipt.schema */
    }
  }
  const placed = placeHandoffs(events, parsedReceipts, receiptStatus, RECEIPT_MAX_SKEW_MS);
  for (const c of placed.checks) checks.push(c);
  const handoffs = placed.handoffs;

  // Commitment openings the holder chose to disclose (checked once the chain engine is done).
  const openings: Opening[] = [];
  for (const o of docs.openings) {
    try {
      openings.push(parseOpening(o.value, o.where));
    } catch (e) {
      checks.push({
        id: 'commitment.opening',
        status: 'fail',
        subject: {
          kind: 'commitment',
          id: o.where,
          ...(isLineageError(e) && e.path ? { field: e.path } : {}),
        },
        title: 'the disclosed value opens the commitment in a proven event',
        ...(isLineageError(e) ? errorOutcomeDetail(e) : { reason: String(e) }),
      });
    }
  }
  // Only events with commitments, or cited by an opening, can yield a commitment outcome.
  const openedEvents = new Set(openings.map((o) => o.event_id));
  const relevant = new Map<string, LineageEvent>();
  const agentEvent = new Map<string, string>();
  events.forEach((e, id) => {
    if (e.event.commitments.length > 0 || openedEvents.has(id)) relevant.set(id, e.event);
    if (!agentEvent.has(e.event.actor)) agentEvent.set(e.event.actor, id);
  });
  const receiptSender = new Map(parsedReceipts.map(({ receipt: r }) => [r.handoff_id, r.sender]));
  return { events, sths, checks, handoffs, openings, relevant, labels, agentEvent, receiptSender };
}

/**
 * The pinned approver whose name a card name carries: the name's words, in order, among the card
 * name's words (with the characters reports show as ⟨U+XXXX⟩ marks for drawing nothing removed —
 * report/hidden-chars.ts — so a zero-width space, soft hyphen or tag character does not hide it;
 * then compatibility-folded, so an accent kept from its letter by a combining grapheme joiner is
 * joined to it again; lower-cased; and "Li" does not match "Liaison").
 */
function approverNamed(name: string, trust: TrustStore): TrustStore['approvers'][number] | undefined {
  const words = (x: string) =>
    withoutInvisible(x)
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length > 0);
  const card = words(name);
  return trust.approvers.find((a) => {
    const person = words(a.name.replace(/\s*\(.*\)\s*$/, ''));
    if (person.length === 0) return false;
    for (let i = 0; i + person.length <= card.length; i++)
      if (person.every((w, k) => card[i + k] === w)) return true;
    return false;
  });
}
