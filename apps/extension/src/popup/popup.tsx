import { AgentCardSummary, AuditPath, DataText, OriginHistory, TabVerdict } from '@lineage/ui';
import { extensionUrl, openTab } from '../browser/runtime.js';
import { CompactChecks } from '../shared/compact-checks.js';
import { shownResult } from '../shared/messages.js';
import { useTabView } from '../shared/use-view.js';

const TRIGGER = {
  advertised: 'checked because the site advertises Lineage',
  on_demand: 'checked on request',
  all_sites: 'checked because “every site” is on',
} as const;

export function Popup() {
  const { view, error, check, busy } = useTabView();
  if (error) return <p className="lin-ext-error">{error}</p>;
  if (!view) return <p className="lin-muted">Loading…</p>;
  const { state, history } = view;
  const result = shownResult(view);
  const checks = result?.checks ?? [];
  const identity = checks.filter((c) => c.id.startsWith('card.'));
  const proofChecks = checks.filter((c) => c.id.startsWith('proof.'));
  const canCheck = state.origin !== null && state.status !== 'checking';

  return (
    <main className="lin-ext-popup">
      <TabVerdict status={state.status} sentence={state.sentence} />
      <div className="lin-ext-origin">
        <span className="lin-label">Site</span> <DataText value={state.origin} max={52} />
        {state.trigger && <span className="lin-label"> · {TRIGGER[state.trigger]}</span>}
      </div>
      <div className="lin-ext-actions">
        {canCheck && (
          <button type="button" onClick={() => void check()} disabled={busy} data-testid="check">
            {state.status === 'not_checked' ? 'Check this site' : 'Retry'}
          </button>
        )}
        {result && (
          <button type="button" onClick={() => void openTab(extensionUrl(`details.html?tab=${view.tabId}`))}>
            Details
          </button>
        )}
        <button type="button" onClick={() => void openTab(extensionUrl('options.html'))}>
          Options
        </button>
      </div>
      {result?.equivocation && (
        <p className="lin-ext-alarm" data-testid="equivocation-note">
          Log <DataText value={result.equivocation.log} max={40} /> is marked as equivocating: it signed two
          contradicting tree heads. Both are kept as evidence — open Details to copy them for the log’s
          operator.
        </p>
      )}
      {result && (
        <>
          {result.card ? (
            <AgentCardSummary card={result.card} url={result.cardUrl} />
          ) : (
            <p className="lin-muted">No agent card was read from this site.</p>
          )}
          <section aria-label="Identity">
            <h2 className="lin-ext-h2">Identity</h2>
            <CompactChecks checks={identity} empty="No identity checks ran." />
          </section>
          <section aria-label="Proof" data-testid="proof">
            <h2 className="lin-ext-h2">Log proof</h2>
            <CompactChecks checks={proofChecks} empty="No proof checks ran." />
            {result.proof && (
              <dl className="lin-kv">
                <dt>Log</dt>
                <dd>
                  <DataText value={result.proof.log} max={48} />
                </dd>
                <dt>Tree size</dt>
                <dd className="lin-mono">{result.proof.treeSize}</dd>
                {result.proof.previous && (
                  <>
                    <dt>Seen before</dt>
                    <dd className="lin-mono">size {result.proof.previous.size}</dd>
                  </>
                )}
              </dl>
            )}
            {result.proof?.card && (
              <AuditPath
                leafHashHex={result.proof.card.leafHashHex}
                index={result.proof.card.index}
                treeSize={result.proof.treeSize}
                path={result.proof.card.auditPath}
                rootHex={result.proof.rootHex}
              />
            )}
          </section>
        </>
      )}
      <section aria-label="History">
        <h2 className="lin-ext-h2">History for this site</h2>
        <OriginHistory entries={history} />
      </section>
    </main>
  );
}
