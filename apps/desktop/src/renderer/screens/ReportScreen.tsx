/** Verification in progress (progress + cancel), then the report: checks, lineage, events & proofs, export. */
import {
  CheckList,
  DataText,
  EventDetails,
  LineageGraph,
  LineageLegend,
  MoreRows,
  ProgressBar,
  ProofView,
  StatusBadge,
  useRowPages,
  VerdictBanner,
} from '@lineage/ui';
import { formatCount, formatCountOf } from '@lineage/verifier-core';
import { useMemo, useState } from 'react';
import type { ExportFormat, LineageApi } from '../../shared/api.js';
import type { ReportView } from '../../shared/contract.js';
import { checksAbout, graphWithCheckStatus } from '../../shared/graph-status.js';
import { type CapsuleState, formatBytes, messageOf } from '../App.js';

type Tab = 'checks' | 'lineage' | 'events' | 'export';

export function ReportScreen({
  api,
  state,
  onCancel,
  onRetry,
  onClose,
  onApprove,
}: {
  api: LineageApi;
  state: CapsuleState;
  onCancel: () => void;
  onRetry: () => void;
  onClose: () => void;
  onApprove: () => void;
}) {
  const c = state.capsule;
  return (
    <div className="report">
      <div className="report-head">
        <div className="report-file">
          <span className="lin-label">Capsule</span> <DataText value={c.name} max={70} />{' '}
          <span className="lin-muted">{formatBytes(c.size)}</span>
        </div>
        <div className="report-actions">
          {state.phase === 'done' && (
            <button type="button" className="btn" onClick={onRetry}>
              Verify again
            </button>
          )}
          <button type="button" className="btn" onClick={onClose} data-testid="close-capsule">
            Close
          </button>
        </div>
      </div>
      {state.phase === 'verifying' && (
        <section className="panel verifying" data-testid="verifying">
          <h2 className="panel-title">Verifying…</h2>
          <ProgressBar
            phase={state.progress?.phase ?? 'starting'}
            done={state.progress?.done ?? 0}
            total={state.progress?.total ?? 0}
          />
          <p className="lin-muted">
            Verification runs off the interface thread; you can cancel at any time. Nothing is written while
            verifying.
          </p>
          <button type="button" className="btn" onClick={onCancel} data-testid="cancel-verify">
            Cancel
          </button>
        </section>
      )}
      {state.phase === 'cancelled' && (
        <section className="panel" data-testid="cancelled">
          <h2 className="panel-title">Verification cancelled</h2>
          <p>No verdict: the capsule was not fully checked.</p>
          <button type="button" className="btn btn-primary" onClick={onRetry}>
            Verify again
          </button>
        </section>
      )}
      {state.phase === 'error' && (
        <section className="panel" data-testid="verify-error">
          <h2 className="panel-title">The capsule could not be verified</h2>
          <p>
            <DataText value={state.error} wrap />
          </p>
          <button type="button" className="btn" onClick={onRetry}>
            Try again
          </button>
        </section>
      )}
      {state.phase === 'done' && state.verification && (
        <Report
          key={`${c.capsuleId}:${state.verification.report.verifiedAt}`}
          api={api}
          capsuleId={c.capsuleId}
          name={c.name}
          v={state.verification}
          onApprove={onApprove}
        />
      )}
    </div>
  );
}

function Report({
  api,
  capsuleId,
  name,
  v,
  onApprove,
}: {
  api: LineageApi;
  capsuleId: string;
  name: string;
  v: ReportView;
  onApprove: () => void;
}) {
  const [tab, setTab] = useState<Tab>(v.report.verdict === 'verified' ? 'lineage' : 'checks');
  const [selected, setSelected] = useState<string | undefined>(
    () => graphWithCheckStatus(v).nodes.find((n) => n.status === 'fail')?.id ?? v.lineage.nodes[0]?.id,
  );
  const showSubject = (id: string) => {
    setSelected(id);
    setTab('lineage');
  };
  const of = (shown: number, total: number | undefined) =>
    total === undefined || total === shown
      ? formatCount(shown)
      : `${formatCount(shown)} of ${formatCount(total)}`;
  const tabs: { id: Tab; label: string }[] = [
    { id: 'checks', label: `Checks (${of(v.report.checks.length, v.shown?.totalChecks)})` },
    { id: 'lineage', label: `Lineage (${of(v.lineage.nodes.length, v.shown?.totalEvents)})` },
    { id: 'events', label: `Events & proofs (${of(v.events.length, v.shown?.totalEvents)})` },
    { id: 'export', label: 'Export' },
  ];
  return (
    <>
      <VerdictBanner
        verdict={v.report.verdict}
        summary={v.report.summary}
        targetName={name}
        digest={v.capsuleDigest}
        verifiedAt={v.report.verifiedAt}
      />
      {v.manifest && (
        <p className="manifest-line">
          <span className="lin-label">Capsule says</span> <DataText value={v.manifest.title} max={90} />{' '}
          <span className="lin-label">workflow</span> <DataText value={v.manifest.workflow} max={40} />{' '}
          <span className="lin-label">created</span> <DataText value={v.manifest.createdAt} />
        </p>
      )}
      {v.shown && (
        <p className="panel partial-note" role="note" data-testid="report-partial">
          {`This capsule is too large to list in full here: the lists below hold ${formatCountOf(v.shown.checks, 'check')} of ${formatCount(v.shown.totalChecks)} and ${formatCountOf(v.shown.events, 'event')} of ${formatCount(v.shown.totalEvents)}, every failure first. The verdict and counts above are over all of them, and the JSON, OSCAL and HTML exports carry every check and event.`}
        </p>
      )}
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={`tab${tab === t.id ? ' tab-active' : ''}`}
            onClick={() => setTab(t.id)}
            data-tab={t.id}
          >
            {t.label}
          </button>
        ))}
        {v.report.verdict === 'verified' && (
          <button type="button" className="btn btn-primary tabs-right" onClick={onApprove}>
            Approve or reject…
          </button>
        )}
      </div>
      {tab === 'checks' && (
        <CheckList
          checks={v.report.checks}
          onShowSubject={showSubject}
          initialStatuses={{ pass: v.report.verdict === 'verified' }}
          {...(v.shown ? { listedOf: v.shown.totalChecks } : {})}
        />
      )}
      {tab === 'lineage' && <LineageTab v={v} selected={selected} onSelect={setSelected} />}
      {tab === 'events' && <EventsTab v={v} selected={selected} onSelect={setSelected} />}
      {tab === 'export' && <ExportTab api={api} capsuleId={capsuleId} />}
    </>
  );
}

function LineageTab({
  v,
  selected,
  onSelect,
}: {
  v: ReportView;
  selected?: string;
  onSelect: (id: string) => void;
}) {
  const ev = v.events.find((e) => e.id === selected);
  const graph = useMemo(() => graphWithCheckStatus(v), [v]);
  const about = selected ? checksAbout(v, selected).filter((c) => c.status !== 'pass') : [];
  return (
    <div className="split">
      <div className="split-main">
        <LineageLegend />
        <LineageGraph nodes={graph.nodes} edges={graph.edges} selectedId={selected} onSelect={onSelect} />
      </div>
      <aside className="split-side panel" data-testid="event-panel">
        {ev ? (
          <>
            <h2 className="panel-title">Event</h2>
            {about.length > 0 && (
              <div className="event-failures" data-testid="event-failures">
                <h3 className="event-failures-title">
                  {formatCountOf(about.length, 'check')} about this event did not pass
                </h3>
                <CheckList checks={about} compact />
              </div>
            )}
            <EventDetails event={ev} />
            <ProofView event={ev} sths={v.sths} />
          </>
        ) : (
          <p className="lin-muted">Select a node to see its event, hashes, signature and proof.</p>
        )}
      </aside>
    </div>
  );
}

function EventsTab({
  v,
  selected,
  onSelect,
}: {
  v: ReportView;
  selected?: string;
  onSelect: (id: string) => void;
}) {
  const ev = v.events.find((e) => e.id === selected);
  const sorted = useMemo(
    () =>
      // Failures first, then in log order (leaf index), then by time for events with no proof.
      [...v.events].sort(
        (a, b) =>
          (a.status === 'fail' ? 0 : 1) - (b.status === 'fail' ? 0 : 1) ||
          (a.inclusion?.index ?? Number.MAX_SAFE_INTEGER) - (b.inclusion?.index ?? Number.MAX_SAFE_INTEGER) ||
          a.timestamp.localeCompare(b.timestamp),
      ),
    [v.events],
  );
  const page = useRowPages(sorted.length);
  return (
    <div className="split">
      <div className="split-main panel">
        <table className="lin-table events">
          <thead>
            <tr>
              <th>Status</th>
              <th>Step</th>
              <th>Actor</th>
              <th>Action</th>
              <th>Leaf</th>
            </tr>
          </thead>
          <tbody>
            {sorted.slice(0, page.shown).map((e) => (
              <tr
                key={e.id}
                className={`${e.id === selected ? 'row-selected ' : ''}row-click`}
                onClick={() => onSelect(e.id)}
                data-event-row={e.id}
              >
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>
                  <DataText value={e.step} max={28} />
                </td>
                <td>
                  <span className={`lin-kind-tag lin-kind-${e.actor_kind}`}>
                    {e.actor_kind === 'human' ? 'HUMAN' : 'AGENT'}
                  </span>{' '}
                  <DataText value={e.actorLabel || e.actor} max={32} />
                </td>
                <td>
                  {/* The row's click is for the mouse; this button lets the keyboard and screen readers select the event. */}
                  <button
                    type="button"
                    className="row-select"
                    aria-pressed={e.id === selected}
                    onClick={(ev) => {
                      ev.stopPropagation();
                      onSelect(e.id);
                    }}
                  >
                    <DataText value={e.action} max={28} />
                  </button>
                </td>
                <td className="lin-mono">{e.inclusion ? `#${e.inclusion.index}` : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <MoreRows shown={page.shown} total={sorted.length} onMore={page.more} noun="events" />
      </div>
      <aside className="split-side panel">
        {ev ? (
          <>
            <h2 className="panel-title">Proof</h2>
            <ProofView event={ev} sths={v.sths} />
          </>
        ) : (
          <p className="lin-muted">Select an event to see its audit path and tree head.</p>
        )}
      </aside>
    </div>
  );
}

const EXPORTS: { format: ExportFormat; title: string; text: string; desktopOnly?: boolean }[] = [
  {
    format: 'json',
    title: 'Report JSON',
    text: 'Every check with its id, subject, expected and found; the lineage graph.',
  },
  {
    format: 'oscal',
    title: 'OSCAL assessment results',
    text: 'NIST OSCAL assessment-results JSON for the SAR package.',
  },
  {
    format: 'html',
    title: 'Printable HTML',
    text: 'One self-contained page with the verdict, every check and the lineage graph.',
  },
  {
    format: 'pdf',
    title: 'PDF',
    text: 'The printable report rendered to PDF on this computer.',
    desktopOnly: true,
  },
];

function ExportTab({ api, capsuleId }: { api: LineageApi; capsuleId: string }) {
  const [status, setStatus] = useState<string | undefined>();
  const run = async (format: ExportFormat) => {
    setStatus(undefined);
    try {
      const r = await api.exportFile({ capsuleId, format });
      setStatus(r.saved ? `Saved ${r.path ?? ''}` : 'Not saved.');
    } catch (e) {
      setStatus(messageOf(e));
    }
  };
  return (
    <div className="panel export">
      <ul className="export-list">
        {EXPORTS.filter((x) => !x.desktopOnly || api.host === 'desktop').map((x) => (
          <li key={x.format}>
            <div>
              <strong>{x.title}</strong>
              <div className="lin-muted">{x.text}</div>
            </div>
            <button type="button" className="btn" onClick={() => void run(x.format)} data-export={x.format}>
              Save…
            </button>
          </li>
        ))}
      </ul>
      {status && (
        <p className="export-status" data-testid="export-status">
          {status}
        </p>
      )}
    </div>
  );
}
