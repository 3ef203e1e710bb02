import type { CapsuleVerification } from './types.js';

/**
 * The JSON report of a capsule verification (docs/spec/05-capsules.md §5.10,
 * docs/spec/verify-report.schema.json): which verifier made it, then the CapsuleVerification whole.
 * One shape for every host — `lineage verify --json` and the desktop app's JSON export — so a
 * document kept for the record reads the same whichever produced it.
 */
export function toCapsuleReportJson(
  v: CapsuleVerification,
  options: { verifier: string },
): { verifier: string } & CapsuleVerification {
  return { verifier: options.verifier, ...v };
}
