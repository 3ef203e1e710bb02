import { type CheckOutcome, formatCount, fromHex, type TrustStore, toHex } from '@lineage/verifier-core';
import type { ExtensionStore, TreeHeadRecord } from '../storage/types.js';
import type { CoreApi, VerifiedCheckpoint } from './core-api.js';
import type { ConsistencyHeaderProof } from './headers.js';

export interface SplitViewInput {
  current: VerifiedCheckpoint;
  note: string;
  origin: string;
  now: number;
  store: ExtensionStore;
  trust: TrustStore;
  core: CoreApi;
  /** A Lineage-Consistency header from the same response, if any. */
  headerProof: ConsistencyHeaderProof | null;
  /** Fetches a consistency proof from the site's well-known endpoint; throws with a reason. */
  fetchConsistency(from: bigint, to: bigint): Promise<Uint8Array[]>;
}

export interface SplitViewResult {
  /** null on the first sighting of a log: nothing to compare with yet. */
  outcome: CheckOutcome | null;
  previous: { size: string; rootHex: string } | null;
}

const TITLE = 'The log shows this site the same history it showed before (no split view)';

/** `found` of a rollback: the log signed a smaller tree after the larger one (sentences.ts keys on it). */
export const ROLLBACK_FOUND = 'a smaller tree signed after the larger one';
/** `found` when an older tree head comes without a proof that the remembered one extends it. */
export const OLDER_UNPROVEN_FOUND = 'an older tree head without a consistency proof to the one remembered';

function outcome(log: string, status: CheckOutcome['status'], extra: Partial<CheckOutcome>): CheckOutcome {
  return {
    id: 'proof.consistency',
    status,
    subject: { kind: 'consistency', id: log },
    title: TITLE,
    ...extra,
  };
}

function recordOf(c: VerifiedCheckpoint, note: string, origin: string, now: number): TreeHeadRecord {
  return { log: c.log, size: c.size.toString(), rootHex: toHex(c.root), note, origin, seenAt: now };
}

/**
 * A tree smaller than the remembered one (spec §6.6, n2 < n1). Sites need not all serve the newest
 * tree head, so an older one is fine when the remembered tree is proven to extend it — a consistency
 * proof from n2 to n1, the current tree as the old one — and the larger head is kept. A log that
 * signed the smaller tree *after* the larger one (a newer timestamp) rolled back: that fails.
 */
async function olderTree(
  input: SplitViewInput,
  remembered: TreeHeadRecord,
  rememberedTs: number | null,
): Promise<CheckOutcome> {
  const { current: cur, core } = input;
  const log = cur.log;
  const n1 = BigInt(remembered.size);
  const n2 = cur.size;
  if (cur.timestampMs !== null && rememberedTs !== null && cur.timestampMs > rememberedTs) {
    return outcome(log, 'fail', {
      reason: `log ${log} shrank: it signed a tree of ${formatCount(n2)} at ${iso(cur.timestampMs)}, after the tree of ${formatCount(n1)} remembered from ${remembered.origin} (signed at ${iso(rememberedTs)})`,
      expected: `any tree signed after ${iso(rememberedTs)} has size ≥ ${formatCount(n1)}`,
      found: ROLLBACK_FOUND,
    });
  }
  let proof: Uint8Array[];
  const h = input.headerProof;
  if (h && BigInt(h.from) === n2 && BigInt(h.to) === n1) {
    proof = h.proof;
  } else {
    try {
      proof = await input.fetchConsistency(n2, n1);
    } catch (e) {
      return outcome(log, 'not_checked', {
        reason: `the site shows a tree of ${formatCount(n2)}, older than the tree of ${formatCount(n1)} remembered for log ${log}, and no consistency proof between them was available: ${(e as Error).message}`,
        expected: `a consistency proof from ${formatCount(n2)} to ${formatCount(n1)}`,
        found: OLDER_UNPROVEN_FOUND,
      });
    }
  }
  const r = core.verifyConsistency({
    size1: n2,
    size2: n1,
    root1: cur.root,
    root2: fromHex(remembered.rootHex, 32, 'rootHex'),
    proof,
  });
  if (!r.ok) {
    return outcome(log, 'fail', {
      reason: `split view: the remembered tree of ${formatCount(n1)} is not proven to extend this tree of ${formatCount(n2)} (${r.message})`,
      expected: `a consistency proof from ${formatCount(n2)} to ${formatCount(n1)} (root ${remembered.rootHex}, seen from ${remembered.origin})`,
      found: `a proof that does not verify (${r.code})`,
    });
  }
  // Consistent: the remembered, larger head stays.
  return outcome(log, 'pass', {});
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Both heads of a split view with when the log signed them: what a reader reports to the log's operator. */
const signedAt = (ms: number | null) => (ms === null ? '' : `signed ${iso(ms)}, `);
/** seenAt is not covered by the re-verified signature: a stored value that is no time is left out. */
const seenOn = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ` on ${iso(ms)}` : '';

/**
 * Compares a verified checkpoint with the tree head remembered for its log (spec §6.5). The stored
 * record is re-verified first: storage is not trusted, so an edited record is discarded, never
 * believed. Growth must be proven consistent, and so must an older tree (the remembered one extends
 * it); same size with another root, an unproven extension or a tree signed smaller later is an alarm.
 */
export async function checkSplitView(input: SplitViewInput): Promise<SplitViewResult> {
  const { current: cur, store, core } = input;
  const log = cur.log;
  const remembered = await store.getTreeHead(log);
  const fresh = recordOf(cur, input.note, input.origin, input.now);
  // The empty tree is a prefix of every tree: it shows no history, so it is consistent with any and
  // never remembered (a remembered size 0 would make every later proof one from the empty tree).
  if (cur.size === 0n) {
    const previous = remembered ? { size: remembered.size, rootHex: remembered.rootHex } : null;
    return { outcome: remembered ? outcome(log, 'pass', {}) : null, previous };
  }
  if (!remembered || remembered.size === '0') {
    await store.putTreeHead(fresh);
    return { outcome: null, previous: null };
  }

  // A record of another shape (edited, or written by another version) is not a signed note to
  // re-verify: it is discarded like one that fails, never a crash that would stop every later check.
  const again =
    typeof remembered.note === 'string' &&
    typeof remembered.size === 'string' &&
    typeof remembered.rootHex === 'string'
      ? await core.verifyCheckpoint(remembered.note, input.trust, input.now)
      : ({ ok: false, message: 'the stored record is not a tree head record' } as const);
  if (
    !again.ok ||
    again.log !== remembered.log ||
    again.size.toString() !== remembered.size ||
    toHex(again.root) !== remembered.rootHex
  ) {
    await store.putTreeHead(fresh);
    return {
      outcome: outcome(log, 'not_checked', {
        reason: `the tree head remembered for log ${log} failed re-verification (${again.ok ? 'stored size or root differs from its signed note' : again.message}) and was discarded; this one is remembered instead`,
      }),
      previous: null,
    };
  }

  const oldSize = BigInt(remembered.size);
  const previous = { size: remembered.size, rootHex: remembered.rootHex };
  const newRootHex = toHex(cur.root);
  if (cur.size === oldSize) {
    if (newRootHex === remembered.rootHex) {
      // The same tree signed again later (logs re-sign an unchanged tree): remember the newest
      // signature, or a larger tree signed between the two would pass the rollback rule below.
      if (cur.timestampMs !== null && (again.timestampMs === null || cur.timestampMs > again.timestampMs)) {
        await store.putTreeHead(fresh);
      }
      return { outcome: outcome(log, 'pass', {}), previous };
    }
    return {
      outcome: outcome(log, 'fail', {
        reason: `split view: log ${log} signed two different trees of size ${formatCount(oldSize)}`,
        expected: `root ${remembered.rootHex} (${signedAt(again.timestampMs)}seen from ${remembered.origin}${seenOn(remembered.seenAt)})`,
        found: `root ${newRootHex} (${signedAt(cur.timestampMs)}served by ${input.origin})`,
      }),
      previous,
    };
  }
  if (cur.size < oldSize) return { outcome: await olderTree(input, remembered, again.timestampMs), previous };
  // The rollback of olderTree, seen in the other order: the remembered smaller tree was signed
  // after this larger one. Which page a reader happens to open first must not decide the verdict.
  if (cur.timestampMs !== null && again.timestampMs !== null && cur.timestampMs < again.timestampMs) {
    return {
      outcome: outcome(log, 'fail', {
        reason: `log ${log} shrank: it signed the tree of ${formatCount(oldSize)} remembered from ${remembered.origin} at ${iso(again.timestampMs)}, after this tree of ${formatCount(cur.size)} (signed at ${iso(cur.timestampMs)})`,
        expected: `any tree signed after ${iso(cur.timestampMs)} has size ≥ ${formatCount(cur.size)}`,
        found: ROLLBACK_FOUND,
      }),
      previous,
    };
  }

  let proof: Uint8Array[];
  const h = input.headerProof;
  if (h && BigInt(h.from) === oldSize && BigInt(h.to) === cur.size) {
    proof = h.proof;
  } else {
    try {
      proof = await input.fetchConsistency(oldSize, cur.size);
    } catch (e) {
      return {
        outcome: outcome(log, 'not_checked', {
          reason: `the tree grew from ${formatCount(oldSize)} to ${formatCount(cur.size)} but no consistency proof was available: ${(e as Error).message}`,
        }),
        previous,
      };
    }
  }
  const r = core.verifyConsistency({
    size1: oldSize,
    size2: cur.size,
    root1: fromHex(remembered.rootHex, 32, 'rootHex'),
    root2: cur.root,
    proof,
  });
  if (!r.ok) {
    return {
      outcome: outcome(log, 'fail', {
        reason: `split view: the tree of ${formatCount(cur.size)} is not proven to extend the remembered tree of ${formatCount(oldSize)} (${r.message})`,
        expected: `a consistency proof from ${formatCount(oldSize)} to ${formatCount(cur.size)}`,
        found: `a proof that does not verify (${r.code})`,
      }),
      previous,
    };
  }
  await store.putTreeHead(fresh);
  return { outcome: outcome(log, 'pass', {}), previous };
}
