import { type CheckOutcome, formatCount, fromHex, type TrustStore, toHex } from '@lineage/verifier-core';
import type {
  EquivocationRecord,
  ExtensionStore,
  TreeHeadRecord,
  TreeHeadSighting,
} from '../storage/types.js';
import type { CoreApi, VerifiedCheckpoint } from './core-api.js';
import { contradiction, evidenceHolds, markedOutcome, reverify } from './equivocation.js';
import type { ConsistencyHeaderProof } from './headers.js';
import { LIMITS } from './limits.js';

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
  /** The evidence against the log when it is (or has just been) marked as equivocating. */
  equivocation: EquivocationRecord | null;
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

/**
 * A tree smaller than the largest remembered one (spec §6.6, n2 < n1). Sites need not all serve the
 * newest tree head, so an older one is fine when the remembered tree is proven to extend it — a
 * consistency proof from n2 to n1, the current tree as the old one. (A log that signed the smaller
 * tree *after* a larger one rolled back; checkSplitView has caught that before.)
 */
async function olderTree(input: SplitViewInput, remembered: TreeHeadRecord): Promise<CheckOutcome> {
  const { current: cur, core } = input;
  const log = cur.log;
  const n1 = BigInt(remembered.size);
  const n2 = cur.size;
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

function sightingOf(c: VerifiedCheckpoint, note: string, origin: string, now: number): TreeHeadSighting {
  return { size: c.size.toString(), rootHex: toHex(c.root), note, origin, seenAt: now };
}
/** Just the head, without a record's log name and smaller heads. */
const only = ({ size, rootHex, note, origin, seenAt }: TreeHeadSighting): TreeHeadSighting => ({
  size,
  rootHex,
  note,
  origin,
  seenAt,
});

/** A remembered head, re-verified: what its signed note says, and where and when it was seen. */
interface Known {
  seen: TreeHeadSighting;
  head: VerifiedCheckpoint;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Both heads of a split view with when the log signed them: what a reader reports to the log's operator. */
const signedAt = (ms: number | null) => (ms === null ? '' : `signed ${iso(ms)}, `);
/** seenAt is not covered by the re-verified signature: a stored value that is no time is left out. */
const seenOn = (ms: unknown) =>
  typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ` on ${iso(ms)}` : '';

/** Two roots of one size, both signed by the log. */
function splitOutcome(log: string, k: Known, cur: VerifiedCheckpoint, origin: string): CheckOutcome {
  return outcome(log, 'fail', {
    reason: `split view: log ${log} signed two different trees of size ${formatCount(cur.size)}`,
    expected: `root ${k.seen.rootHex} (${signedAt(k.head.timestampMs)}seen from ${k.seen.origin}${seenOn(k.seen.seenAt)})`,
    found: `root ${toHex(cur.root)} (${signedAt(cur.timestampMs)}served by ${origin})`,
  });
}

/** The log signed the smaller of two trees after the larger one (both timestamps are signed). */
function rollbackOutcome(log: string, k: Known, cur: VerifiedCheckpoint): CheckOutcome {
  const kTs = k.head.timestampMs!;
  const cTs = cur.timestampMs!;
  if (cur.size < k.head.size) {
    return outcome(log, 'fail', {
      reason: `log ${log} shrank: it signed a tree of ${formatCount(cur.size)} at ${iso(cTs)}, after the tree of ${formatCount(k.head.size)} remembered from ${k.seen.origin} (signed at ${iso(kTs)})`,
      expected: `any tree signed after ${iso(kTs)} has size ≥ ${formatCount(k.head.size)}`,
      found: ROLLBACK_FOUND,
    });
  }
  return outcome(log, 'fail', {
    reason: `log ${log} shrank: it signed the tree of ${formatCount(k.head.size)} remembered from ${k.seen.origin} at ${iso(kTs)}, after this tree of ${formatCount(cur.size)} (signed at ${iso(cTs)})`,
    expected: `any tree signed after ${iso(cTs)} has size ≥ ${formatCount(cur.size)}`,
    found: ROLLBACK_FOUND,
  });
}

/** The smaller heads kept beside the largest: the largest of them, within the per-log bound. */
function bounded(earlier: TreeHeadSighting[]): TreeHeadSighting[] {
  const sorted = [...earlier].sort((a, b) => (BigInt(a.size) < BigInt(b.size) ? -1 : 1));
  return sorted.slice(Math.max(0, sorted.length - (LIMITS.treeHeadsPerLog - 1)));
}

/**
 * Compares a verified checkpoint with the tree heads remembered for its log (spec §6.6). The stored
 * heads are re-verified first: storage is not trusted, so an edited record is discarded, never
 * believed. Growth must be proven consistent, and so must an older tree (the largest remembered one
 * extends it); same size with another root, an unproven extension or a tree signed smaller later is
 * an alarm. Two signed heads that contradict each other by themselves (one size, two roots; a
 * smaller tree signed after a larger one) mark the log as equivocating, with both notes kept
 * (§6.6.1): from then on every check of the log fails, until the user clears the mark.
 */
export async function checkSplitView(input: SplitViewInput): Promise<SplitViewResult> {
  const { current: cur, store, core, trust } = input;
  const log = cur.log;
  const marked = await evidenceHolds(await store.getEquivocation(log), log, trust, core, input.now);
  if (marked) return { outcome: markedOutcome(marked, TITLE), previous: null, equivocation: marked };

  const stored = await store.getTreeHead(log);
  const seen = sightingOf(cur, input.note, input.origin, input.now);
  const fresh: TreeHeadRecord = { log, ...seen, earlier: [] };
  // The empty tree is a prefix of every tree: it shows no history, so it is consistent with any and
  // never remembered (a remembered size 0 would make every later proof one from the empty tree).
  if (cur.size === 0n) {
    const previous = stored ? { size: stored.size, rootHex: stored.rootHex } : null;
    return { outcome: stored ? outcome(log, 'pass', {}) : null, previous, equivocation: null };
  }
  if (!stored || stored.size === '0') {
    await store.putTreeHead(fresh);
    return { outcome: null, previous: null, equivocation: null };
  }

  // Every remembered head is re-verified; a record of another shape (edited, or written by another
  // version) is discarded like one that fails, never a crash that would stop every later check.
  const rawEarlier: unknown = stored.earlier ?? [];
  const listed: unknown[] = [stored, ...(Array.isArray(rawEarlier) ? rawEarlier : [null])];
  const checked = await Promise.all(listed.map((x) => reverify(x, log, trust, core, input.now)));
  const heads: Known[] = [];
  for (const [i, c] of checked.entries()) {
    if (!c.ok) {
      await store.putTreeHead(fresh);
      return {
        outcome: outcome(log, 'not_checked', {
          reason: `the tree head remembered for log ${log} failed re-verification (${c.message}) and was discarded; this one is remembered instead`,
        }),
        previous: null,
        equivocation: null,
      };
    }
    heads.push({ seen: listed[i] as TreeHeadSighting, head: c.head });
  }
  const largest = heads[0]!;
  const earlier = heads.slice(1).map((k) => k.seen);
  const previous = { size: stored.size, rootHex: stored.rootHex };

  // Two heads the log signed that contradict each other, whatever a site says: both are kept as
  // evidence and the log is marked. The same size first, then a larger head signed earlier.
  const twin = heads.find((k) => k.head.size === cur.size);
  const against =
    (twin && contradiction(twin.head, cur) ? twin : undefined) ??
    heads.find((k) => k.head.size > cur.size && contradiction(k.head, cur)) ??
    heads.find((k) => contradiction(k.head, cur));
  if (against) {
    const kind = contradiction(against.head, cur)!;
    const equivocation: EquivocationRecord = {
      log,
      kind,
      detectedAt: input.now,
      notes: [only(against.seen), seen],
    };
    await store.putEquivocation(equivocation);
    return {
      outcome:
        kind === 'split' ? splitOutcome(log, against, cur, input.origin) : rollbackOutcome(log, against, cur),
      previous,
      equivocation,
    };
  }

  if (twin) {
    // The same tree signed again later (logs re-sign an unchanged tree): remember the newest
    // signature, or a larger tree signed between the two would pass the rollback rule.
    if (
      cur.timestampMs !== null &&
      (twin.head.timestampMs === null || cur.timestampMs > twin.head.timestampMs)
    ) {
      await store.putTreeHead(
        twin === largest
          ? { ...fresh, earlier }
          : { ...stored, earlier: earlier.map((e) => (e === twin.seen ? seen : e)) },
      );
    }
    return { outcome: outcome(log, 'pass', {}), previous, equivocation: null };
  }

  const oldSize = largest.head.size;
  if (cur.size < oldSize) {
    const r = await olderTree(input, stored);
    // Proven consistent with the largest: one of the log's heads, remembered among the smaller ones.
    if (r.status === 'pass') await store.putTreeHead({ ...stored, earlier: bounded([...earlier, seen]) });
    return { outcome: r, previous, equivocation: null };
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
        equivocation: null,
      };
    }
  }
  const r = core.verifyConsistency({
    size1: oldSize,
    size2: cur.size,
    root1: fromHex(stored.rootHex, 32, 'rootHex'),
    root2: cur.root,
    proof,
  });
  if (!r.ok) {
    // Not evidence against the log: the site chose the proof (spec §6.6.1).
    return {
      outcome: outcome(log, 'fail', {
        reason: `split view: the tree of ${formatCount(cur.size)} is not proven to extend the remembered tree of ${formatCount(oldSize)} (${r.message})`,
        expected: `a consistency proof from ${formatCount(oldSize)} to ${formatCount(cur.size)}`,
        found: `a proof that does not verify (${r.code})`,
      }),
      previous,
      equivocation: null,
    };
  }
  // The new largest head; the previous largest joins the smaller ones.
  await store.putTreeHead({ ...fresh, earlier: bounded([...earlier, only(stored)]) });
  return { outcome: outcome(log, 'pass', {}), previous, equivocation: null };
}
