import { AuditPath, CheckList, DataText, revealHidden, TabVerdict } from '@lineage/ui';
import { Evidence } from '../shared/evidence.js';
import { shownResult } from '../shared/messages.js';
import { useTabView } from '../shared/use-view.js';

/**
 * Everything behind the verdict: every check, the raw card and checkpoint as served — with hidden and
 * direction-changing characters made visible (⟨U+202E⟩), as everywhere site text is shown.
 */
export function Details() {
  const { view, error } = useTabView();
  if (error) return <p className="lin-ext-error">{error}</p>;
  if (!view) return <p className="lin-muted">Loading…</p>;
  const { state } = view;
  const result = shownResult(view);
  return (
    <main className="lin-ext-details">
      <TabVerdict status={state.status} sentence={state.sentence} />
      <p>
        <span className="lin-label">Site</span> <DataText value={state.origin} max={80} />{' '}
        {result && <span className="lin-muted">checked {new Date(result.checkedAt).toISOString()}</span>}
      </p>
      {!result && <p className="lin-muted">This tab has no check result yet.</p>}
      {result && (
        <>
          {result.equivocation && <Evidence e={result.equivocation} />}
          <h2 className="lin-ext-h2">Checks</h2>
          <CheckList
            checks={result.checks.map((c) => ({
              ...c,
              subject: { ...c.subject, step: c.id.startsWith('card.') ? 'Agent card' : 'Log proof' },
            }))}
          />
          {result.proof?.card && (
            <>
              <h2 className="lin-ext-h2">Inclusion proof of the agent card</h2>
              <AuditPath
                leafHashHex={result.proof.card.leafHashHex}
                index={result.proof.card.index}
                treeSize={result.proof.treeSize}
                path={result.proof.card.auditPath}
                rootHex={result.proof.rootHex}
              />
            </>
          )}
          <h2 className="lin-ext-h2">Checkpoint (Lineage-Checkpoint header, as received)</h2>
          {result.checkpointText ? (
            <pre className="lin-ext-raw" data-testid="raw-checkpoint" dir="ltr">
              {revealHidden(result.checkpointText)}
            </pre>
          ) : (
            <p className="lin-muted">None.</p>
          )}
          <h2 className="lin-ext-h2">
            Agent card as served <DataText value={result.cardUrl} max={80} />
          </h2>
          {result.cardText ? (
            <pre className="lin-ext-raw" data-testid="raw-card" dir="ltr">
              {revealHidden(result.cardText)}
            </pre>
          ) : (
            <p className="lin-muted">None.</p>
          )}
        </>
      )}
    </main>
  );
}
