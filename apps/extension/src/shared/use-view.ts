import { useCallback, useEffect, useState } from 'react';
import { send, targetTabId } from '../browser/runtime.js';
import type { TabView } from './messages.js';

/** Loads the tab's view from the service worker and refreshes it while a check runs. */
export function useTabView(): {
  view: TabView | null;
  error: string | null;
  check: () => Promise<void>;
  busy: boolean;
} {
  const [view, setView] = useState<TabView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tabId, setTabId] = useState<number | null>(null);

  const load = useCallback(async (id: number) => {
    const r = await send({ type: 'getView', tabId: id });
    if (r.ok && 'view' in r) setView(r.view);
    else if (!r.ok) setError(r.error);
  }, []);

  useEffect(() => {
    void (async () => {
      const id = await targetTabId();
      if (id === null) {
        setError('No tab to show.');
        return;
      }
      setTabId(id);
      await load(id);
    })();
  }, [load]);

  useEffect(() => {
    if (tabId === null || view?.state.status !== 'checking') return;
    const t = setInterval(() => void load(tabId), 300);
    return () => clearInterval(t);
  }, [tabId, view?.state.status, load]);

  const check = useCallback(async () => {
    if (tabId === null) return;
    setBusy(true);
    try {
      const r = await send({ type: 'check', tabId });
      if (r.ok && 'view' in r) setView(r.view);
      else if (!r.ok) setError(r.error);
    } finally {
      setBusy(false);
    }
  }, [tabId]);

  return { view, error, check, busy };
}
