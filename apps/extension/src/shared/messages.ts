import type { TabState } from '../background/tab-state.js';
import type { EquivocationRecord, ExtensionSettings, HistoryEntry, OriginCheck } from '../storage/types.js';

/** Requests from our own pages (popup, options, details) to the service worker. */
export type Request =
  | { type: 'getView'; tabId: number }
  | { type: 'check'; tabId: number }
  | { type: 'getSettings' }
  | { type: 'setCheckAllSites'; value: boolean }
  | { type: 'importTrust'; text: string; fileName: string }
  | { type: 'clearData' }
  | { type: 'listEquivocations' }
  | { type: 'clearEquivocation'; log: string };

export interface TabView {
  tabId: number;
  state: TabState;
  result: OriginCheck | null;
  history: HistoryEntry[];
}

export type Response =
  | { ok: true; view: TabView }
  /**
   * `settings.trust` is the stored trust store checked again on this read; when it no longer holds
   * (edited in storage, or pins an older version accepted) it is empty and `trustProblem` says where.
   */
  | { ok: true; settings: ExtensionSettings; trustProblem?: string }
  /** `holds`: both notes still verify under the pinned key and contradict each other (the mark applies). */
  | { ok: true; equivocations: Array<EquivocationRecord & { holds: boolean }> }
  | { ok: true }
  | { ok: false; error: string };

const TYPES = new Set([
  'getView',
  'check',
  'getSettings',
  'setCheckAllSites',
  'importTrust',
  'clearData',
  'listEquivocations',
  'clearEquivocation',
]);

/** Messages are data from another context: validate the shape before acting on it. */
export function parseRequest(m: unknown): Request | null {
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) return null;
  switch (o.type) {
    case 'getView':
    case 'check':
      return Number.isSafeInteger(o.tabId) && (o.tabId as number) >= 0
        ? { type: o.type, tabId: o.tabId as number }
        : null;
    case 'setCheckAllSites':
      return typeof o.value === 'boolean' ? { type: 'setCheckAllSites', value: o.value } : null;
    case 'importTrust':
      return typeof o.text === 'string' && typeof o.fileName === 'string' && o.text.length <= 1_000_000
        ? { type: 'importTrust', text: o.text, fileName: o.fileName.slice(0, 200) }
        : null;
    case 'clearEquivocation':
      return typeof o.log === 'string' && o.log.length <= 1_000
        ? { type: 'clearEquivocation', log: o.log }
        : null;
    default:
      return { type: o.type as 'getSettings' | 'clearData' | 'listEquivocations' };
  }
}

const FINAL = new Set(['verified', 'warning', 'failed', 'timeout']);

/**
 * The result our pages may show beside a state: only one computed for the state's own origin, and
 * only once the state is final — never a result of another document next to this one's verdict.
 */
export function shownResult(view: TabView): OriginCheck | null {
  const { state, result } = view;
  if (!result || result.origin !== state.origin || !FINAL.has(state.status)) return null;
  return result;
}
