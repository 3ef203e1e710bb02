/** Earlier checks of this origin, newest first: a changed verdict or a shrinking tree stands out. */
import type { TabStatusKind } from './tab-verdict.js';

export interface OriginHistoryEntry {
  at: number;
  status: TabStatusKind;
  log: string | null;
  treeSize: string | null;
}

export function OriginHistory({ entries }: { entries: readonly OriginHistoryEntry[] }) {
  if (entries.length === 0) return <p className="lin-muted">No earlier checks of this site.</p>;
  return (
    <table className="lin-ext-history" data-testid="history">
      <thead>
        <tr>
          <th>When (UTC)</th>
          <th>Result</th>
          <th>Tree size</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: two checks can share a millisecond
          <tr key={`${e.at}-${i}`} className={`lin-ext-row-${e.status}`}>
            <td className="lin-mono">{new Date(e.at).toISOString().slice(0, 19).replace('T', ' ')}</td>
            <td>{e.status.replace('_', ' ')}</td>
            <td className="lin-mono">{e.treeSize ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
