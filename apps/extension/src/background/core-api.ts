import type { CheckOutcome, CheckResult, TrustStore } from '@lineage/verifier-core';
import type { CardView } from '../storage/types.js';

/** A checkpoint that verified under a pinned log key (and the witness policy, when configured). */
export interface VerifiedCheckpoint {
  ok: true;
  /** The checkpoint's origin line. */
  log: string;
  size: bigint;
  root: Uint8Array;
  /** The Lineage STH `timestamp` (ms), when the checkpoint carries one; null for a plain C2SP checkpoint. */
  timestampMs: number | null;
  /** The outcomes verifier-core reported (signature, witnesses…), all passing. */
  checks: CheckOutcome[];
}

export interface RejectedCheckpoint {
  ok: false;
  /** True when no pinned key matched the note's signer: a warning, not a forgery. */
  unknownLog: boolean;
  code: string;
  message: string;
  log: string | null;
  /** What the failed check required and what it found, where the core says (a wrong key, a bad signature). */
  expected?: string;
  found?: string;
}

/** The site's agent-history document (spec §6.5), as fetched from the visited origin. */
export type HistoryFetch =
  | { kind: 'ok'; url: string; bytes: Uint8Array }
  | { kind: 'absent'; url: string }
  | { kind: 'error'; url: string; message: string };

/**
 * The verifier-core calls the extension makes, in one place (core-adapter.ts implements it).
 * Everything that decides whether something holds happens behind this interface, in verifier-core.
 */
export interface CoreApi {
  /**
   * The card (§4.1) with the key history the site published: its lifecycle events are verified
   * (signatures, inclusion under pinned tree heads) and passed on, so `card.key_current` and
   * `card.lineage` are really checked; the history's own outcome is `proof.key_history`.
   */
  verifyCard(
    text: string,
    trust: TrustStore,
    history: HistoryFetch | null,
    /** This computer's time (ms): cosignatures in the history's tree heads dated after it do not count. */
    nowMs: number,
  ): Promise<{ checks: CheckOutcome[]; card: CardView | null }>;
  /**
   * `nowMs`: this computer's time. A tree head dated more than the clock allowance after it is
   * rejected (`checkpoint.future`), and so is a cosignature toward the witness quorum.
   */
  verifyCheckpoint(
    note: string,
    trust: TrustStore,
    nowMs: number,
  ): Promise<VerifiedCheckpoint | RejectedCheckpoint>;
  verifyInclusion(p: {
    leafHash: Uint8Array;
    index: bigint;
    treeSize: bigint;
    proof: readonly Uint8Array[];
    root: Uint8Array;
  }): CheckResult;
  verifyConsistency(p: {
    size1: bigint;
    size2: bigint;
    root1: Uint8Array;
    root2: Uint8Array;
    proof: readonly Uint8Array[];
  }): CheckResult;
  /** Strict I-JSON parse (duplicate keys, lone surrogates rejected); throws LineageError. */
  parseStrictJson(text: string): unknown;
}
