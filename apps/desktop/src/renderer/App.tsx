/**
 * The renderer: open → verify → report (checks, lineage, events & proofs,
 * export), trust store, approve, check an approval. It talks only to the
 * narrow `LineageApi`; it never parses or renders capsule content as code.
 */
import { useCallback, useEffect, useState } from 'react';
import type { LineageApi, OpenedCapsule, TrustStoreView, VerifyOutcome } from '../shared/api.js';
import type { ReportView, VerifyProgress } from '../shared/contract.js';
import { ApprovalCheckScreen } from './screens/ApprovalCheckScreen.js';
import { ApproveScreen } from './screens/ApproveScreen.js';
import { OpenScreen } from './screens/OpenScreen.js';
import { ReportScreen } from './screens/ReportScreen.js';
import { TrustScreen } from './screens/TrustScreen.js';

export type Screen = 'capsule' | 'trust' | 'approve' | 'approval-check';

export interface CapsuleState {
  capsule: OpenedCapsule;
  phase: 'ready' | 'verifying' | 'done' | 'cancelled' | 'error';
  progress?: VerifyProgress;
  verification?: ReportView;
  error?: string;
}

const NAV: { id: Screen; label: string }[] = [
  { id: 'capsule', label: 'Capsule' },
  { id: 'trust', label: 'Trust store' },
  { id: 'approve', label: 'Approve' },
  { id: 'approval-check', label: 'Check an approval' },
];

export function App({ api }: { api: LineageApi }) {
  const [screen, setScreen] = useState<Screen>('capsule');
  const [state, setState] = useState<CapsuleState | undefined>();
  const [trust, setTrust] = useState<TrustStoreView | undefined>();
  const [error, setError] = useState<string | undefined>();

  const refreshTrust = useCallback(() => {
    api.trustList().then(setTrust, (e: unknown) => setError(messageOf(e)));
  }, [api]);
  useEffect(refreshTrust, [refreshTrust]);

  useEffect(
    () =>
      api.onEvent((e) => {
        if (e.type === 'verify-progress') {
          setState((s) =>
            s && s.capsule.capsuleId === e.capsuleId && s.phase === 'verifying'
              ? { ...s, progress: e.progress }
              : s,
          );
        }
      }),
    [api],
  );

  const verify = useCallback(
    async (capsule: OpenedCapsule) => {
      setState({ capsule, phase: 'verifying' });
      setScreen('capsule');
      let out: VerifyOutcome;
      try {
        out = await api.verify(capsule.capsuleId);
      } catch (e) {
        out = { status: 'error', message: messageOf(e) };
      }
      setState((s) => {
        if (!s || s.capsule.capsuleId !== capsule.capsuleId) return s;
        if (out.status === 'done') return { capsule, phase: 'done', verification: out.verification };
        if (out.status === 'cancelled') return { capsule, phase: 'cancelled' };
        return { capsule, phase: 'error', error: out.message };
      });
    },
    [api],
  );

  const opened = useCallback(
    (c: OpenedCapsule | null) => {
      setError(undefined);
      if (c) void verify(c);
    },
    [verify],
  );

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>{' '}
          Lineage <span className="brand-sub">{api.host === 'desktop' ? 'Desktop' : 'Offline verifier'}</span>
        </div>
        <nav className="nav">
          {NAV.map((n) => (
            <button
              key={n.id}
              type="button"
              className={`nav-item${screen === n.id ? ' nav-active' : ''}`}
              onClick={() => setScreen(n.id)}
              data-nav={n.id}
            >
              {n.label}
            </button>
          ))}
        </nav>
        <div
          className="airgap"
          title="The app makes no network requests: every request that is not the app's own is cancelled."
        >
          <span className="airgap-dot" aria-hidden="true" /> Offline · no network
        </div>
      </header>
      {error && (
        <div className="error-bar" role="alert">
          {error}{' '}
          <button type="button" className="lin-link" onClick={() => setError(undefined)}>
            dismiss
          </button>
        </div>
      )}
      <main className="content">
        {screen === 'capsule' &&
          (state && state.phase !== 'ready' ? (
            <ReportScreen
              api={api}
              state={state}
              onCancel={() => void api.cancelVerify(state.capsule.capsuleId)}
              onRetry={() => void verify(state.capsule)}
              onClose={() => setState(undefined)}
              onApprove={() => setScreen('approve')}
            />
          ) : (
            <OpenScreen
              api={api}
              trust={trust}
              onOpened={opened}
              onError={setError}
              onManageTrust={() => setScreen('trust')}
            />
          ))}
        {screen === 'trust' && (
          <TrustScreen api={api} trust={trust} onChanged={setTrust} onError={setError} />
        )}
        {screen === 'approve' && (
          <ApproveScreen api={api} state={state} onError={setError} onOpen={() => setScreen('capsule')} />
        )}
        {screen === 'approval-check' && (
          <ApprovalCheckScreen
            api={api}
            capsuleId={state?.phase === 'done' ? state.capsule.capsuleId : undefined}
            onError={setError}
          />
        )}
      </main>
    </div>
  );
}

export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // Electron prefixes errors that cross IPC; the user needs only the message.
  return m.replace(/^Error invoking remote method '[^']+': (Error: )?/, '');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
