import { type CheckOutcome, formatCount, type TrustStore, toHex } from '@lineage/verifier-core';
import type { EquivocationRecord, TreeHeadSighting } from '../storage/types.js';
import type { CoreApi, VerifiedCheckpoint } from './core-api.js';

/** `found` of a check of a log marked as equivocating (sentences.ts keys on it). */
export const EQUIVOCATING_FOUND = 'a log marked as equivocating, its contradicting signed tree heads kept';

const iso = (ms: number) => new Date(ms).toISOString();

/** A stored tree head of the expected shape (storage is untrusted; its fields are checked before use). */
export function isSighting(s: unknown): s is TreeHeadSighting {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return typeof o.note === 'string' && typeof o.size === 'string' && typeof o.rootHex === 'string';
}

/** A stored head re-verified under the current trust: the signed note must say what the record says. */
export async function reverify(
  s: unknown,
  log: string,
  trust: TrustStore,
  core: CoreApi,
  now: number,
): Promise<{ ok: true; head: VerifiedCheckpoint } | { ok: false; message: string }> {
  if (!isSighting(s)) return { ok: false, message: 'the stored record is not a tree head record' };
  const again = await core.verifyCheckpoint(s.note, trust, now);
  if (!again.ok) return { ok: false, message: again.message };
  if (again.log !== log || again.size.toString() !== s.size || toHex(again.root) !== s.rootHex) {
    return { ok: false, message: 'stored size or root differs from its signed note' };
  }
  return { ok: true, head: again };
}

/**
 * Whether two heads the log signed contradict each other by themselves — nothing a site chose
 * (a proof, a header) enters: two roots of one size, or a smaller tree signed after a larger one.
 * A consistency proof that fails is not evidence: the site picks the proof, so a garbage proof for
 * two honest heads fails exactly like a proof between two forks.
 */
export function contradiction(
  a: VerifiedCheckpoint,
  b: VerifiedCheckpoint,
): EquivocationRecord['kind'] | null {
  if (a.log !== b.log) return null;
  if (a.size === b.size) return toHex(a.root) === toHex(b.root) ? null : 'split';
  if (a.timestampMs === null || b.timestampMs === null) return null;
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  return small.timestampMs! > large.timestampMs! ? 'rollback' : null;
}

/**
 * The stored evidence against `log`, if it still proves what it says: both notes verify under the
 * key pinned now, name this log and contradict each other. An edited record (or one whose notes a
 * since-replaced key signed) marks nothing — it cannot frame an honest log.
 */
export async function evidenceHolds(
  rec: unknown,
  log: string,
  trust: TrustStore,
  core: CoreApi,
  now: number,
): Promise<EquivocationRecord | null> {
  if (typeof rec !== 'object' || rec === null) return null;
  const r = rec as Partial<EquivocationRecord>;
  if (r.log !== log || !Array.isArray(r.notes) || r.notes.length !== 2) return null;
  if (typeof r.detectedAt !== 'number' || !Number.isFinite(r.detectedAt)) return null;
  const [a, b] = await Promise.all(r.notes.map((n) => reverify(n, log, trust, core, now)));
  if (!a?.ok || !b?.ok) return null;
  const kind = contradiction(a.head, b.head);
  return kind !== null && kind === r.kind ? (r as EquivocationRecord) : null;
}

/** What the two notes show, in words (where each was seen is in the evidence on the details page). */
export function describeEvidence(e: EquivocationRecord): string {
  const [a, b] = e.notes;
  return e.kind === 'split'
    ? `it signed two different trees of size ${formatCount(BigInt(a.size))}`
    : `it signed a tree of ${formatCount(BigInt(a.size) < BigInt(b.size) ? BigInt(a.size) : BigInt(b.size))} after a larger one`;
}

/** Every check of a marked log fails with this, whatever tree head the page shows. */
export function markedOutcome(e: EquivocationRecord, title: string): CheckOutcome {
  return {
    id: 'proof.consistency',
    status: 'fail',
    subject: { kind: 'consistency', id: e.log },
    title,
    reason: `log ${e.log} is marked as equivocating since ${iso(e.detectedAt)}: ${describeEvidence(e)}. Both signed tree heads are on the Details page; the mark is cleared in Options`,
    expected: 'a log that never signed two contradicting tree heads',
    found: EQUIVOCATING_FOUND,
  };
}
