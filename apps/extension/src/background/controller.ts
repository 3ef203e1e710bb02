import { parseTrustStore } from '@lineage/verifier-core';
import type { Request, Response, TabView } from '../shared/messages.js';
import type { ExtensionSettings, ExtensionStore, OriginCheck } from '../storage/types.js';
import { checkOrigin } from './check-origin.js';
import type { CoreApi } from './core-api.js';
import type { FetchBounded } from './fetch-bounded.js';
import { advertisesLineage, combinedHeader, HEADER, type HeaderList } from './headers.js';
import { LIMITS } from './limits.js';
import {
  type ActionPresentation,
  type CheckTrigger,
  initialTabState,
  nextTabState,
  presentTabState,
  type TabState,
} from './tab-state.js';

/** What the controller needs from the browser; src/browser implements it, tests fake it. */
export interface ActionPort {
  render(tabId: number, p: ActionPresentation): Promise<void>;
  /** The origin of a tab's document, when the service worker restarted and forgot it. */
  tabOrigin(tabId: number): Promise<string | null>;
}

export interface ControllerDeps {
  store: ExtensionStore;
  core: CoreApi;
  fetch: FetchBounded;
  action: ActionPort;
  now(): number;
  checkMs?: number;
}

interface TabRecord {
  state: TabState;
  headers: HeaderList;
  result: OriginCheck | null;
}

/** http(s) only: the extension never checks browser-internal or file pages. */
export function webOrigin(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The headers a check reads, with values capped just above the parser's limit: enough to keep an
 * oversized header detectably oversized, never a hostile megabyte in storage.
 */
function relevantHeaders(headers: HeaderList): Array<{ name: string; value: string }> {
  const names = new Set<string>(Object.values(HEADER));
  return headers
    .filter((h) => names.has(h.name.toLowerCase()))
    .slice(0, 16)
    .map((h) => ({
      name: h.name.toLowerCase(),
      value: (h.value ?? '').slice(0, LIMITS.totalHeaderChars + 1),
    }));
}

/** The Lineage headers that make a cached result reusable only for an identical response. */
function headerKey(headers: HeaderList): string {
  return [HEADER.checkpoint, HEADER.inclusion, HEADER.consistency, HEADER.contentDigest]
    .map((h) => combinedHeader(headers, h) ?? '')
    .join('\n');
}

/**
 * The service worker's brain, with the browser behind ActionPort: tab states, which sites to check,
 * the per-origin cache, per-log exclusion and the message API of our pages.
 */
export class Controller {
  private readonly tabs = new Map<number, TabRecord>();
  private run = 0;
  /** Per-log exclusion for the split-view memory (read-compare-write). */
  private readonly locks = new Map<string, Promise<unknown>>();

  private serialize = <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  };

  constructor(private readonly deps: ControllerDeps) {}

  /**
   * A tab this worker instance has not seen: the worker may have been stopped and restarted since
   * the tab was checked. Rebuild its state from storage — but only from a cached result computed
   * for exactly the headers the tab's document sent, so a restart can never show a stale verdict.
   */
  private async restore(tabId: number): Promise<TabRecord> {
    const known = this.tabs.get(tabId);
    if (known) return known;
    const origin = await this.deps.action.tabOrigin(tabId);
    // A document response may have been handled while we awaited: it is newer than storage.
    const raced = this.tabs.get(tabId);
    if (raced) return raced;
    const t: TabRecord = { state: initialTabState(origin), headers: [], result: null };
    this.tabs.set(tabId, t);
    if (!origin) return t;
    const saved = await this.deps.store.getTabHeaders(tabId);
    if (saved?.origin === origin) t.headers = saved.headers;
    const cached = await this.deps.store.getCached(origin);
    if (cached && cached.headerKey === headerKey(t.headers) && t.headers.length > 0) {
      t.result = cached;
      t.state = {
        ...t.state,
        status: cached.status,
        sentence: cached.sentence,
        trigger: null,
      };
    }
    return t;
  }

  private tab(tabId: number): TabRecord {
    let t = this.tabs.get(tabId);
    if (!t) {
      t = { state: initialTabState(), headers: [], result: null };
      this.tabs.set(tabId, t);
    }
    return t;
  }

  private async setState(tabId: number, state: TabState): Promise<void> {
    this.tab(tabId).state = state;
    await this.deps.action.render(tabId, presentTabState(state));
  }

  /** A top-level document's response headers arrived (non-blocking webRequest). */
  async onDocumentHeaders(tabId: number, url: string, headers: HeaderList): Promise<void> {
    const origin = webOrigin(url);
    const t = this.tab(tabId);
    const kept = relevantHeaders(headers);
    // Synchronously, before any await: a URL-change event for this same navigation may be handled
    // while we wait, and must already see the new origin (and so leave these headers alone).
    t.headers = kept;
    t.result = null;
    t.state = nextTabState(t.state, { type: 'navigate', origin });
    await this.deps.action.render(tabId, presentTabState(t.state));
    if (origin) await this.deps.store.putTabHeaders({ tabId, origin, headers: kept });
    else await this.deps.store.deleteTabHeaders(tabId);
    if (!origin) return;
    const settings = await this.deps.store.getSettings();
    const trigger: CheckTrigger | null = advertisesLineage(headers)
      ? 'advertised'
      : settings.checkAllSites
        ? 'all_sites'
        : null;
    if (trigger) await this.check(tabId, trigger, false);
  }

  async onTabRemoved(tabId: number): Promise<void> {
    this.tabs.delete(tabId);
    await this.deps.store.deleteTabHeaders(tabId);
  }

  /**
   * The tab's URL changed without a document response we saw (back/forward cache, or a response
   * webRequest did not report). A different origin means our state no longer applies.
   */
  async onTabUrlChanged(tabId: number, url: string): Promise<void> {
    const t = await this.restore(tabId);
    const origin = webOrigin(url);
    if (origin === t.state.origin) return;
    t.headers = [];
    t.result = null;
    await this.deps.store.deleteTabHeaders(tabId);
    await this.setState(tabId, nextTabState(t.state, { type: 'navigate', origin }));
  }

  /** Runs a check for the tab's origin; resolves when the tab has a final state. */
  async check(tabId: number, trigger: CheckTrigger, bypassCache: boolean): Promise<void> {
    const t = await this.restore(tabId);
    if (!t.state.origin) {
      const origin = await this.deps.action.tabOrigin(tabId);
      if (!origin) return;
      t.state = { ...t.state, origin };
    }
    const origin = t.state.origin!;
    const run = ++this.run;
    await this.setState(tabId, nextTabState(t.state, { type: 'start', run, trigger }));
    const key = headerKey(t.headers);
    const settings = await this.deps.store.getSettings();

    const work = async (): Promise<OriginCheck> => {
      const now = this.deps.now();
      const cached = bypassCache ? undefined : await this.deps.store.getCached(origin);
      if (cached && now - cached.checkedAt < LIMITS.cacheMs && cached.headerKey === key) return cached;
      const result = await checkOrigin({
        origin,
        headers: t.headers,
        trust: settings.trust,
        store: this.deps.store,
        core: this.deps.core,
        fetch: this.deps.fetch,
        now,
        serialize: this.serialize,
      });
      result.headerKey = key;
      await this.deps.store.putCached(result, LIMITS.cachedOrigins);
      await this.deps.store.addHistory(
        {
          origin,
          at: now,
          status: result.status,
          sentence: result.sentence,
          log: result.proof?.log ?? null,
          treeSize: result.proof?.treeSize ?? null,
        },
        LIMITS.historyPerOrigin,
      );
      return result;
    };
    const queued = work();

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.deps.checkMs ?? LIMITS.checkMs);
    });
    let outcome: OriginCheck | 'timeout' | Error;
    try {
      outcome = await Promise.race([queued, timeout]);
    } catch (e) {
      outcome = e instanceof Error ? e : new Error(String(e));
    } finally {
      clearTimeout(timer);
    }
    const cur = this.tab(tabId);
    if (outcome === 'timeout') {
      await this.setState(tabId, nextTabState(cur.state, { type: 'timeout', run }));
    } else if (outcome instanceof Error) {
      // A bug, not a verdict: say the check failed to run, never that the site is fine.
      await this.setState(
        tabId,
        nextTabState(cur.state, {
          type: 'finish',
          run,
          status: 'failed',
          sentence: 'Failed: the check could not be completed (internal error). Retry.',
        }),
      );
    } else {
      if (cur.state.run === run) cur.result = outcome;
      await this.setState(
        tabId,
        outcome.status === 'timeout'
          ? nextTabState(cur.state, { type: 'timeout', run })
          : nextTabState(cur.state, {
              type: 'finish',
              run,
              status: outcome.status,
              sentence: outcome.sentence,
            }),
      );
    }
  }

  async view(tabId: number): Promise<TabView> {
    const fresh = !this.tabs.has(tabId);
    const t = await this.restore(tabId);
    // Keep the toolbar and the popup telling the same story after a restart.
    if (fresh) await this.deps.action.render(tabId, presentTabState(t.state));
    if (!t.state.origin) {
      const origin = await this.deps.action.tabOrigin(tabId);
      if (origin) t.state = { ...t.state, origin };
    }
    let result = t.result;
    if (!result && t.state.origin && t.state.status !== 'not_checked' && t.state.status !== 'checking') {
      result = (await this.deps.store.getCached(t.state.origin)) ?? null;
    }
    const history = t.state.origin
      ? await this.deps.store.history(t.state.origin, LIMITS.historyPerOrigin)
      : [];
    return { tabId, state: t.state, result, history };
  }

  async handle(req: Request): Promise<Response> {
    switch (req.type) {
      case 'getView':
        return { ok: true, view: await this.view(req.tabId) };
      case 'check':
        await this.check(req.tabId, 'on_demand', true);
        return { ok: true, view: await this.view(req.tabId) };
      case 'getSettings':
        return { ok: true, settings: await this.deps.store.getSettings() };
      case 'setCheckAllSites': {
        const s = await this.deps.store.getSettings();
        await this.deps.store.putSettings({ ...s, checkAllSites: req.value });
        return { ok: true, settings: await this.deps.store.getSettings() };
      }
      case 'importTrust': {
        let trust: ExtensionSettings['trust'];
        try {
          trust = parseTrustStore(req.text);
        } catch (e) {
          return { ok: false, error: `${req.fileName}: ${(e as Error).message}` };
        }
        const s = await this.deps.store.getSettings();
        await this.deps.store.putSettings({ ...s, trust, trustSource: req.fileName });
        // Results were computed under the old trust: they no longer apply.
        await this.deps.store.clearCached();
        return { ok: true, settings: await this.deps.store.getSettings() };
      }
      case 'clearData':
        await this.deps.store.clearData();
        for (const t of this.tabs.values()) t.result = null;
        return { ok: true };
    }
  }
}
