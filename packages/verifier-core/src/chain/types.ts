import type { Attestation } from '../attestation/types.js';
import type { CryptoBackend } from '../crypto/backend.js';
import type { ReadEvent } from '../events/prepared.js';
import type { SignatureQueue } from '../events/signature-queue.js';
import type { LineageEvent } from '../events/types.js';
import type { KeyHistories } from '../identity/key-history.js';
import type { JsonValue, ParsedJsonText } from '../json/index.js';
import type { ReceiptClockPolicy } from '../receipts/verify.js';
import type { CheckOutcome, Verdict } from '../report/model.js';
import type { TrustStore, WorkflowPolicy } from '../trust/types.js';

/** One event as handed to the verifier, with its inclusion evidence (spec §4.2.4). */
export interface CitedEvent {
  /** The signed event (parsed JSON value; use parseStrictJson on text first). */
  event: JsonValue;
  /**
   * The event as already read from its text by `readEventText` (parsed, schema-checked, hashed);
   * when given, it is used instead of `event`.
   */
  read?: ReadEvent;
  /** Direct inclusion proof (`EventInclusion`), when not proven by an attestation. */
  inclusion?: JsonValue;
  /** Workflow step label for grouping in reports (e.g. "2a compliance officer approval"). */
  step?: string;
}

export interface CallChainInput {
  events: readonly CitedEvent[];
  /**
   * Proof-server attestations that may cover the events' leaves: values, or texts parsed with
   * `parseStrictJsonText(…, { member: 'signature' })` (a canonical one is hashed as it is).
   */
  attestations?: readonly (JsonValue | ParsedJsonText)[];
  /** Names for the attestations in reports (e.g. capsule file names). Default "attestation <i>". */
  attestationLabels?: readonly string[];
  trust: TrustStore;
  /** Overrides trust.policy. */
  policy?: WorkflowPolicy;
  /** Event ids whose predecessor walk must reach approved roots. Default: events no other event cites. */
  targets?: readonly string[];
  backend?: CryptoBackend;
  /**
   * The verification time (RFC 3339). When given, a tree head an event relies on may be dated
   * at most `CLOCK_ALLOWANCE_MS` after it: no log signs a tree head in the future, so one
   * that does fails `event.sth_time` for every event it logs (spec §4.3), and a witness
   * cosignature dated past that allowance does not count toward the quorum (§3). The capsule
   * engine always gives it; without it these times are not bounded.
   */
  verifiedAt?: string;
  /** Handoff receipts between the chain's agents (spec §4.4). */
  receipts?: readonly JsonValue[];
  receiptClock?: ReceiptClockPolicy;
  /**
   * Disclosed commitment openings (spec §4.5). When given (even empty), every commitment of
   * the events is reported: opened ones as commitment.opening, the rest as commitment.undisclosed.
   */
  openings?: readonly JsonValue[];
  /**
   * Lets the engine drop each cited event's JSON value (sets `event` to null) once it is parsed,
   * so a large capsule's raw documents do not outlive their parse. Only for callers that built
   * the cited objects for this call and never read them again.
   */
  consumeEvents?: boolean;
  /**
   * The queue events given as `read` had their signatures queued on while they were read
   * (so the worker pool verifies while reading goes on). Default: a fresh queue.
   */
  signatures?: SignatureQueue;
  /**
   * Called once every event is parsed and its signature-independent checks are decided, while
   * the signature workers may still be verifying: a host indexes what it needs from the events
   * and attestations here (the capsule engine: proof details, cards, receipts), so that work
   * overlaps theirs instead of following it. No outcome is reported before it returns.
   * `keyHistories` are the agents' key histories the engine built from the lifecycle events.
   */
  whileVerifying?: (
    parsed: Pick<CallChainReport, 'events' | 'attestations'> & { keyHistories: KeyHistories },
  ) => void | Promise<void>;
}

/** What the verifier learned about each parsed event, for apps to display. */
export interface ChainEventSummary {
  index: number;
  eventId: string;
  leafHash: string;
  /** The event as parsed (spec §4.2.1): plain JSON, every field validated. */
  event: LineageEvent;
  actor: string;
  actorKind: 'agent' | 'human';
  action: string;
  timestamp: string;
  sequence: number;
  predecessors: string[];
  step?: string;
}

export interface CallChainReport {
  verdict: Verdict;
  checks: CheckOutcome[];
  events: ChainEventSummary[];
  /** Each input attestation as parsed, in input order (undefined where attestation.schema failed). */
  attestations: (Attestation | undefined)[];
}

export type AgentDecision =
  | { decision: 'accept'; checks: CheckOutcome[] }
  | { decision: 'quarantine'; reason: CheckOutcome; checks: CheckOutcome[] };
