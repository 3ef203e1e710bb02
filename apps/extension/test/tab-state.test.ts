import { describe, expect, it } from 'vitest';
import {
  initialTabState,
  nextTabState,
  presentTabState,
  SENTENCES,
  type TabStatus,
} from '../src/background/tab-state.js';

describe('per-tab state machine', () => {
  it('not_checked → checking → final, and navigation resets to not_checked', () => {
    let s = initialTabState('https://a.example');
    s = nextTabState(s, { type: 'start', run: 1, trigger: 'advertised' });
    expect(s.status).toBe('checking');
    s = nextTabState(s, { type: 'finish', run: 1, status: 'verified', sentence: SENTENCES.verified });
    expect(s.status).toBe('verified');
    s = nextTabState(s, { type: 'navigate', origin: 'https://b.example' });
    expect(s).toMatchObject({ status: 'not_checked', origin: 'https://b.example', trigger: null });
  });

  it('a late result from an earlier run cannot overwrite a newer state', () => {
    let s = nextTabState(initialTabState('https://a.example'), {
      type: 'start',
      run: 1,
      trigger: 'advertised',
    });
    s = nextTabState(s, { type: 'start', run: 2, trigger: 'on_demand' });
    const stale = nextTabState(s, { type: 'finish', run: 1, status: 'verified', sentence: 'x' });
    expect(stale).toBe(s);
    expect(nextTabState(s, { type: 'timeout', run: 1 })).toBe(s);
    // And an old run number cannot restart the machine.
    expect(nextTabState(s, { type: 'start', run: 2, trigger: 'on_demand' })).toBe(s);
  });

  it('a result after navigation away is ignored', () => {
    let s = nextTabState(initialTabState('https://a.example'), {
      type: 'start',
      run: 1,
      trigger: 'advertised',
    });
    s = nextTabState(s, { type: 'navigate', origin: 'https://b.example' });
    expect(nextTabState(s, { type: 'finish', run: 1, status: 'failed', sentence: 'x' }).status).toBe(
      'not_checked',
    );
  });

  it('timeout only from checking', () => {
    let s = nextTabState(initialTabState('https://a.example'), {
      type: 'start',
      run: 3,
      trigger: 'all_sites',
    });
    s = nextTabState(s, { type: 'timeout', run: 3 });
    expect(s).toMatchObject({ status: 'timeout', sentence: SENTENCES.timeout });
  });

  it('each state has its own icon, badge and sentence (1:1)', () => {
    const states: TabStatus[] = ['not_checked', 'checking', 'verified', 'warning', 'failed', 'timeout'];
    const shown = states.map((status) =>
      presentTabState({ ...initialTabState('https://a.example'), status, sentence: SENTENCES[status] }),
    );
    expect(new Set(shown.map((p) => p.icon)).size).toBe(6);
    expect(new Set(shown.map((p) => p.badgeText)).size).toBe(6);
    expect(new Set(states.map((s) => SENTENCES[s])).size).toBe(6);
    expect(shown.map((p) => p.badgeText)).toEqual(['', '...', 'OK', '!', 'X', '?']);
    for (const p of shown) expect(p.badgeText).toMatch(/^[ -~]{0,4}$/);
  });
});
