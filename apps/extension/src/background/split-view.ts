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
 * Compares a verified checkpoint with the tree head remembered for its log (spec §6.5). The stored
 * record is re-verified first: storage is not trusted, so an edited record is discarded, never
 * believed. Growth must be proven consistent; same size with another root, or shrinking, is an alarm.
 */
export async function checkSplitView(input: SplitViewInput): Promise<SplitViewResult> {
  const { current: cur, store, core } = input;
  const log = cur.log;
  const remembered = await store.getTreeHead(log);
  const fresh = recordOf(cur, input.note, input.origin, input.now);
  if (!remembered) {
    await store.putTreeHead(fresh);
    return { outcome: null, previous: null };
  }

  const again = await core.verifyCheckpoint(remembered.note, input.trust);
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
      return { outcome: outcome(log, 'pass', {}), previous };
    }
    return {
      outcome: outcome(log, 'fail', {
        reason: `split view: log ${log} signed two different trees of size ${formatCount(oldSize)}`,
        expected: `root ${remembered.rootHex} (seen from ${remembered.origin})`,
        found: `root ${newRootHex}`,
      }),
      previous,
    };
  }
  if (cur.size < oldSize) {
    return {
      outcome: outcome(log, 'fail', {
        reason: `log ${log} shrank: a tree of ${formatCount(oldSize)} was seen before, this one has ${formatCount(cur.size)}`,
        expected: `size ≥ ${formatCount(oldSize)}`,
        found: `size ${formatCount(cur.size)}`,
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
