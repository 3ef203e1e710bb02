/**
 * Every check, failures first, grouped by workflow step, with filters. Each
 * row says which subject and field, and for failures what was expected and
 * what was found. Check titles are ours; subject ids, fields and values are
 * capsule data and are rendered with DataText.
 */

import { type CheckOutcome, formatCount } from '@lineage/verifier-core';
import { useMemo, useState } from 'react';
import { DataText } from './data-text.js';
import { ExpectedFound } from './expected-found.js';
import { MoreRows, ROWS_PER_PAGE, useRowPages } from './more-rows.js';
import { type Status, StatusBadge } from './status.js';

const ORDER: Record<Status, number> = { fail: 0, not_checked: 1, pass: 2 };
const NO_STEP = 'Capsule-wide checks';

export interface CheckGroup {
  step: string;
  checks: CheckOutcome[];
  counts: Record<Status, number>;
}

/** Groups checks by step; groups with failures first, then not-checked, then all-pass; rows likewise. */
export function groupChecks(checks: readonly CheckOutcome[]): CheckGroup[] {
  const groups = new Map<string, CheckOutcome[]>();
  for (const c of checks) {
    const step = c.subject.step ?? NO_STEP;
    let g = groups.get(step);
    if (!g) {
      g = [];
      groups.set(step, g);
    }
    g.push(c);
  }
  const out: CheckGroup[] = [];
  for (const [step, list] of groups) {
    const sorted = [...list].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
    const counts = { pass: 0, fail: 0, not_checked: 0 };
    for (const c of list) counts[c.status]++;
    out.push({ step, checks: sorted, counts });
  }
  // Failed capsule-wide checks (container, attestations, tree heads) lead: they are often the
  // cause of the event failures in the steps (an untrusted tree head fails every event's inclusion).
  const rank = (g: CheckGroup) =>
    g.counts.fail > 0 ? (g.step === NO_STEP ? -1 : 0) : g.counts.not_checked > 0 ? 1 : 2;
  // Stable: groups keep workflow order within the same rank.
  return out
    .map((g, i) => ({ g, i }))
    .sort((a, b) => rank(a.g) - rank(b.g) || a.i - b.i)
    .map((x) => x.g);
}

export interface CheckFilter {
  statuses: Record<Status, boolean>;
  text: string;
}

export function filterChecks(checks: readonly CheckOutcome[], f: CheckFilter): CheckOutcome[] {
  const q = f.text.trim().toLowerCase();
  return checks.filter((c) => {
    if (!f.statuses[c.status]) return false;
    if (!q) return true;
    return [
      c.id,
      c.title,
      c.subject.id,
      c.subject.field,
      c.subject.where,
      c.subject.step,
      c.reason,
      c.expected,
      c.found,
    ].some((s) => s?.toLowerCase().includes(q));
  });
}

export interface CheckListProps {
  checks: readonly CheckOutcome[];
  /** Called with the subject id when the user asks to see a check's subject (an event in the graph). */
  onShowSubject?: (subjectId: string) => void;
  initialStatuses?: Partial<Record<Status, boolean>>;
  /** Narrow layout for side panels: no filters or step headings, title under the id. */
  compact?: boolean;
  /** Rows drawn per step before "show more" (default ROWS_PER_PAGE; Infinity for a printout). */
  rowsPerPage?: number;
  /**
   * How many checks the report has when `checks` is only the first of them (a report too large to
   * list whole): every count here is then said to be of the listed checks, not of the report.
   */
  listedOf?: number;
}

export function CheckList({
  checks,
  onShowSubject,
  initialStatuses,
  compact = false,
  rowsPerPage = ROWS_PER_PAGE,
  listedOf,
}: CheckListProps) {
  const partial = listedOf !== undefined && listedOf > checks.length;
  const [statuses, setStatuses] = useState<Record<Status, boolean>>({
    fail: true,
    not_checked: true,
    pass: true,
    ...initialStatuses,
  });
  const [text, setText] = useState('');
  const filtered = useMemo(() => filterChecks(checks, { statuses, text }), [checks, statuses, text]);
  const groups = useMemo(() => groupChecks(filtered), [filtered]);
  // Step counts are over all checks, so a filter never makes a step look emptier than it is.
  const stepCounts = useMemo(() => new Map(groupChecks(checks).map((g) => [g.step, g.counts])), [checks]);
  const total = { pass: 0, fail: 0, not_checked: 0 };
  for (const c of checks) total[c.status]++;

  return (
    <div className={`lin-checks${compact ? ' lin-checks-compact' : ''}`}>
      <fieldset className="lin-filters">
        <legend className="lin-sr-only">Filter checks</legend>
        {(['fail', 'not_checked', 'pass'] as const).map((s) => (
          <label key={s} className={`lin-filter lin-filter-${s}`}>
            <input
              type="checkbox"
              checked={statuses[s]}
              onChange={(e) => setStatuses({ ...statuses, [s]: e.target.checked })}
            />
            <StatusBadge status={s} /> <span className="lin-count">{formatCount(total[s])}</span>
          </label>
        ))}
        <input
          className="lin-search"
          type="search"
          placeholder="Filter by check, event, field…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-label="Filter text"
          spellCheck={false}
        />
        <span className="lin-muted">
          {formatCount(filtered.length)} of {formatCount(checks.length)} shown
          {!statuses.pass && total.pass > 0 ? ` (${formatCount(total.pass)} passed hidden)` : ''}
          {partial
            ? ` — these counts are of the ${formatCount(checks.length)} checks listed here, of ${formatCount(listedOf)} in the report`
            : ''}
        </span>
      </fieldset>
      {groups.length === 0 && <p className="lin-empty">No checks match the filter.</p>}
      {groups.map((g) => (
        <StepGroup
          key={g.step}
          group={g}
          counts={stepCounts.get(g.step) ?? g.counts}
          onShowSubject={onShowSubject}
          rowsPerPage={rowsPerPage}
          partial={partial}
        />
      ))}
    </div>
  );
}

function StepGroup({
  group: g,
  counts,
  onShowSubject,
  rowsPerPage,
  partial,
}: {
  group: CheckGroup;
  counts: Record<Status, number>;
  onShowSubject?: (id: string) => void;
  rowsPerPage: number;
  partial: boolean;
}) {
  const page = useRowPages(g.checks.length, rowsPerPage);
  return (
    <section className="lin-check-group" data-step={g.step}>
      <h3 className="lin-check-group-title">
        <span className="lin-step-name">
          {g.step === NO_STEP ? NO_STEP : <DataText value={g.step} max={90} />}
        </span>
        <span className="lin-group-counts">
          {counts.fail > 0 && <span className="lin-count-fail">{formatCount(counts.fail)} failed</span>}
          {counts.not_checked > 0 && (
            <span className="lin-count-nc">{formatCount(counts.not_checked)} not checked</span>
          )}
          <span className="lin-count-pass">{formatCount(counts.pass)} passed</span>
          {partial && <span className="lin-muted">listed here</span>}
        </span>
      </h3>
      <ul className="lin-check-rows">
        {g.checks.slice(0, page.shown).map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the same check may apply twice to one subject
          <CheckRow key={`${c.id}:${c.subject.id}:${i}`} check={c} onShowSubject={onShowSubject} />
        ))}
      </ul>
      <MoreRows
        shown={page.shown}
        total={g.checks.length}
        onMore={page.more}
        noun="checks in this step"
        page={rowsPerPage}
      />
    </section>
  );
}

function CheckRow({ check, onShowSubject }: { check: CheckOutcome; onShowSubject?: (id: string) => void }) {
  const showValues = check.status !== 'pass' && (check.expected !== undefined || check.found !== undefined);
  const subject = (
    <>
      <span className="lin-label">{check.subject.kind}</span>{' '}
      <DataText value={check.subject.id} max={check.status === 'pass' ? 40 : 72} />
      {check.subject.where && (
        <>
          {' '}
          <span className="lin-label">at</span> <DataText value={check.subject.where} max={40} />
        </>
      )}
      {check.subject.field && (
        <>
          {' '}
          <span className="lin-label">field</span> <DataText value={check.subject.field} max={40} />
        </>
      )}
      {onShowSubject && check.subject.kind === 'event' && (
        <button type="button" className="lin-link" onClick={() => onShowSubject(check.subject.id)}>
          show in graph
        </button>
      )}
    </>
  );
  // Passed checks take one line (subject at the right); failures get room for why and expected/found.
  return (
    <li className={`lin-check lin-check-${check.status}`} data-check-id={check.id} data-status={check.status}>
      <div className="lin-check-head">
        <StatusBadge status={check.status} />
        <code className="lin-check-id">{check.id}</code>
        <span className="lin-check-title">{check.title}</span>
        {check.status === 'pass' && (
          <span className="lin-check-subject lin-check-subject-inline">{subject}</span>
        )}
      </div>
      {check.status !== 'pass' && <div className="lin-check-subject">{subject}</div>}
      {check.reason && check.status !== 'pass' && (
        <p className="lin-check-reason">
          <span className="lin-label">{check.status === 'fail' ? 'Why it failed' : 'Why not checked'}</span>{' '}
          <DataText value={check.reason} wrap />
        </p>
      )}
      {showValues && <ExpectedFound expected={check.expected} found={check.found} />}
    </li>
  );
}
