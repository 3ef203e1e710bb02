/**
 * The one call both hosts make to verify a capsule: the desktop's
 * worker_threads worker (file-backed reader) and the offline page's Web Worker
 * (bytes in memory). Thin on purpose: all checking is in @lineage/verifier-core.
 */

import {
  type CapsuleSource,
  type RandomAccessReader,
  type TrustStore,
  toCapsuleReportJson,
  toOscalAssessmentResults,
  verifyCapsule,
  zipCapsuleSourceFromReader,
} from '@lineage/verifier-core';
import desktopPackage from '../../package.json' with { type: 'json' };
import type { CapsuleVerification, VerifyProgress } from './contract.js';

export interface RunOptions {
  capsuleName: string;
  verifiedAt: string;
  onProgress?: (p: VerifyProgress) => void;
  signal?: AbortSignal;
}

export async function runVerification(
  reader: RandomAccessReader,
  trust: TrustStore,
  opts: RunOptions,
): Promise<CapsuleVerification> {
  // Under Node (the main-process worker) the core inflates with node:zlib on its own.
  const source: CapsuleSource = zipCapsuleSourceFromReader(reader);
  // Progress is throttled to whole-percent changes so a 100k-event capsule does not flood IPC.
  let last = -1;
  const onProgress = (p: VerifyProgress) => {
    const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 0;
    if (pct === last && p.done !== p.total) return;
    last = pct;
    opts.onProgress?.(p);
  };
  const v = await verifyCapsule(source, trust, {
    capsuleName: opts.capsuleName,
    verifiedAt: opts.verifiedAt,
    onProgress,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  // The result still has to reach the window (copied between threads, then processes: seconds at
  // 100k events), so the bar says so rather than sitting at "100%" of the last phase.
  opts.onProgress?.({ phase: 'preparing the report', done: 1, total: 1 });
  return v as CapsuleVerification;
}

/** How the desktop's exports name the verifier that produced them. */
export const DESKTOP_VERIFIER = `lineage desktop ${desktopPackage.version}`;

export function toOscal(v: CapsuleVerification): unknown {
  return toOscalAssessmentResults(v.report, v, { verifier: DESKTOP_VERIFIER });
}

/**
 * The JSON report export (app and offline page alike): the document `lineage verify --json` prints
 * (the core's toCapsuleReportJson, spec §5.10), naming this app as the verifier.
 */
export function toReportJson(v: CapsuleVerification): unknown {
  return toCapsuleReportJson(v, { verifier: DESKTOP_VERIFIER });
}
