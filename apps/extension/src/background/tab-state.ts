/**
 * Per-tab state machine (Code Verify style): every state maps one-to-one to a toolbar icon,
 * a badge and one sentence. Pure: the service worker feeds it events and renders what it returns.
 *
 *   not_checked ──start──▶ checking ──finish──▶ verified | warning | failed
 *        ▲                    │  └────timeout──▶ timeout
 *        └────navigate────────┘      (retry from any final state ▶ checking)
 */
import { LIMITS } from './limits.js';

export type TabStatus = 'not_checked' | 'checking' | 'verified' | 'warning' | 'failed' | 'timeout';

export interface TabState {
  status: TabStatus;
  /** Origin of the top-level document the state is about; null for non-web pages. */
  origin: string | null;
  /** Identifies one check run, so a late result from an earlier run cannot overwrite a newer state. */
  run: number;
  /** Our one-line explanation (never site-controlled text). */
  sentence: string;
  /** Why the site was checked (or not), for the popup. */
  trigger: CheckTrigger | null;
}

export type CheckTrigger = 'advertised' | 'on_demand' | 'all_sites';

export type TabEvent =
  /** `run`: a fresh run number, so that no check started for the previous document can finish. */
  | { type: 'navigate'; origin: string | null; run?: number }
  | { type: 'start'; run: number; trigger: CheckTrigger }
  | { type: 'finish'; run: number; status: 'verified' | 'warning' | 'failed'; sentence: string }
  | { type: 'timeout'; run: number };

export const SENTENCES: Readonly<Record<TabStatus, string>> = {
  not_checked:
    'Not checked: this site does not advertise a Lineage proof. Use “Check this site” to check it.',
  checking: 'Checking the agent card and its proof…',
  verified:
    'Verified: the agent card’s identity and current key hold, and it is anchored in a log you trust.',
  warning: 'Warning: something could not be checked.',
  failed: 'Failed: a check did not hold.',
  // The whole check is bounded, not one request: a site may answer each fetch and still be too slow.
  timeout: `Timed out: the check did not finish within ${LIMITS.checkMs / 1000} s (the site answered too slowly). Retry to check again.`,
};

export function initialTabState(origin: string | null = null): TabState {
  return { status: 'not_checked', origin, run: 0, sentence: SENTENCES.not_checked, trigger: null };
}

export function nextTabState(state: TabState, event: TabEvent): TabState {
  switch (event.type) {
    case 'navigate':
      // A new document: whatever was established about the previous one no longer applies.
      return { ...initialTabState(event.origin), run: Math.max(state.run, event.run ?? state.run) };
    case 'start':
      if (event.run <= state.run) return state;
      return {
        ...state,
        status: 'checking',
        run: event.run,
        sentence: SENTENCES.checking,
        trigger: event.trigger,
      };
    case 'finish':
      if (event.run !== state.run || state.status !== 'checking') return state;
      return { ...state, status: event.status, sentence: event.sentence };
    case 'timeout':
      if (event.run !== state.run || state.status !== 'checking') return state;
      return { ...state, status: 'timeout', sentence: SENTENCES.timeout };
  }
}

/** How a state is shown in the toolbar. Badge texts are ASCII so every platform renders them. */
export interface ActionPresentation {
  icon: TabStatus;
  badgeText: string;
  badgeColor: string;
  title: string;
}

const BADGES: Readonly<Record<TabStatus, { text: string; color: string }>> = {
  not_checked: { text: '', color: '#6b7280' },
  checking: { text: '...', color: '#2563eb' },
  verified: { text: 'OK', color: '#15803d' },
  warning: { text: '!', color: '#b45309' },
  failed: { text: 'X', color: '#b91c1c' },
  timeout: { text: '?', color: '#6b7280' },
};

export function presentTabState(state: TabState): ActionPresentation {
  const b = BADGES[state.status];
  return { icon: state.status, badgeText: b.text, badgeColor: b.color, title: `Lineage — ${state.sentence}` };
}
