/** Determinate progress with the phase named; phase names come from the verifier, shown as data. */
import { formatCount } from '@lineage/verifier-core';
import { DataText } from './data-text.js';

export function ProgressBar({ phase, done, total }: { phase: string; done: number; total: number }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div
      className="lin-progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="lin-progress-track">
        <div className="lin-progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="lin-progress-text">
        <DataText value={phase} max={60} />{' '}
        {/* A count of one (the container, the report) says nothing the percentage does not. */}
        <span className="lin-muted">{total > 1 ? `${formatCount(done)} / ${formatCount(total)}` : ''}</span>
        <span className="lin-progress-pct">{pct}%</span>
      </div>
    </div>
  );
}
