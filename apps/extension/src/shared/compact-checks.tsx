import { DataText, ExpectedFound, StatusBadge } from '@lineage/ui';
import type { CheckOutcome } from '@lineage/verifier-core';

const RANK = { fail: 0, not_checked: 1, pass: 2 } as const;

/** A short list of checks for the popup: status, our title, and (as data) why it did not pass, what was expected and found. */
export function CompactChecks({ checks, empty }: { checks: readonly CheckOutcome[]; empty: string }) {
  if (checks.length === 0) return <p className="lin-muted">{empty}</p>;
  // Failures first, then what could not be checked, then passes.
  const sorted = [...checks].sort((a, b) => RANK[a.status] - RANK[b.status]);
  return (
    <ul className="lin-ext-checks">
      {sorted.map((c, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: one id can apply to several subjects
        <li key={`${c.id}-${i}`} data-check-id={c.id} data-status={c.status}>
          <StatusBadge status={c.status} /> <span className="lin-check-title">{c.title}</span>
          {c.status !== 'pass' && c.reason && (
            <div className="lin-ext-reason">
              {/* Prose, drawn whole: a middle cut ("no consi…een them") hid the very words that say why. */}
              <DataText value={c.reason} wrap />
            </div>
          )}
          {c.status !== 'pass' && c.expected !== undefined && c.found !== undefined && (
            <ExpectedFound expected={c.expected} found={c.found} />
          )}
        </li>
      ))}
    </ul>
  );
}
