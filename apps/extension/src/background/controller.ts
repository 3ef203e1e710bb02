import type { Request, Response, TabView } from '../shared/messages.js';
import type { ExtensionSettings, ExtensionStore, OriginCheck } from '../storage/types.js';
import { checkOrigin } from './check-origin.js';
import type { CoreApi } from './core-api.js';
import { evidenceHolds } from './equivocation.js';
import type { FetchBounded } from './fetch-bounded.js';
import { advertisesLineage, combinedHeader, HEADER, type HeaderList } from './headers.js';
import { LIMITS } from './limits.js';
import {
  type ActionPresentation,
  type CheckTrigger,
  initialTabState,
  nextTabState,
  presentTabState,
  SENTENCES,
  type TabState,
} from './tab-state.js';
import { parsePins, reloadPins } from './trust-pins.js';

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

/** A top-level response whose document has not committed (yet): it is not the tab's document. */
interface PendingDocument {
  url: string;
  headers: HeaderList;
}

/** The URL of a document without its fragment: what webRequest reports and a commit is compared by. */
function documentUrl(url: string): string | null {
  try {
    const u = new URL(url);
    u.hash = '';
    return u.href;
  } catch {
    return null;
  }
}

/**
 * Responses that never become the tab's document: 204/205 (the navigation is abandoned, RFC 9110
 * §15.3.5/§15.3.6), redirects (the next response replaces them) and downloads (Content-Disposition:
 * attachment). Their headers must never be applied to the page the tab keeps showing.
 */
export function neverCommits(statusCode: number, headers: HeaderList): boolean {
  if (statusCode === 204 || statusCode === 205) return true;
  if (statusCode >= 300 && statusCode < 400) return true;
  const disposition = combinedHeader(headers, 'content-disposition');
  return disposition !== null && /^\s*attachment\b/i.test(disposition);
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
 * oversized header detectably oversized, never a hostile megabyte in storage. Lines are counted per
 * field name, so no number of lines of one field (Link padding) can push another out: up to
 * `headerLines` lines of each are kept, plus one, so that a field sent on too many lines stays
 * detectably so (the parser rejects it), and two Lineage-Checkpoint lines always reach the parser.
 */
export function relevantHeaders(headers: HeaderList): Array<{ name: string; value: string; chars?: number }> {
  const names = new Set<string>(Object.values(HEADER));
  const seen = new Map<string, number>();
  const out: Array<{ name: string; value: string; chars?: number }> = [];
  for (const h of headers) {
    const name = h.name.toLowerCase();
    if (!names.has(name)) continue;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > LIMITS.headerLines + 1) continue;
    const value = h.value ?? '';
    // Cut short, a value keeps the length the site sent, for the limit's message.
    const chars = typeof h.chars === 'number' ? Math.max(h.chars, value.length) : value.length;
    out.push(
      chars > LIMITS.totalHeaderChars
        ? { name, value: value.slice(0, LIMITS.totalHeaderChars + 1), chars }
        : { name, value },
    );
  }
  return out;
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
  /** Per tab, the last top-level response whose navigation has not committed. */
  private readonly pending = new Map<number, PendingDocument>();
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
    await this.render(tabId, state);
  }

  /**
   * Renders a state in the toolbar — as not checked when the tab no longer shows the state's origin
   * (it moved on and we have not seen the new document commit yet): a verdict is only ever shown
   * over the origin it is about.
   */
  private async render(tabId: number, state: TabState): Promise<void> {
    let shown = state;
    if (state.status !== 'not_checked' && state.origin) {
      const tabOrigin = await this.deps.action.tabOrigin(tabId);
      if (tabOrigin && tabOrigin !== state.origin) shown = initialTabState(tabOrigin);
    }
    await this.deps.action.render(tabId, presentTabState(shown));
  }

  /**
   * The settings with the stored trust store checked again (trust-pins.ts): a store that no longer
   * holds trusts nothing, and `trustProblem` says where it broke.
   */
  private async settings(): Promise<{ settings: ExtensionSettings; trustProblem: string | null }> {
    const stored = await this.deps.store.getSettings();
    const { trust, problem } = reloadPins(stored.trust);
    return { settings: { ...stored, trust }, trustProblem: problem };
  }

  private async settingsResponse(): Promise<Response> {
    const { settings, trustProblem } = await this.settings();
    return trustProblem ? { ok: true, settings, trustProblem } : { ok: true, settings };
  }

  /**
   * A top-level response's headers arrived (non-blocking webRequest). Nothing about the tab changes
   * yet: the response becomes the tab's document only if its navigation commits (onCommitted). A
   * page can start navigations that never commit (a 204, a download): their headers are dropped.
   */
  onResponseHeaders(tabId: number, url: string, statusCode: number, headers: HeaderList): void {
    const key = documentUrl(url);
    if (!key || neverCommits(statusCode, headers)) {
      this.pending.delete(tabId);
      return;
    }
    this.pending.set(tabId, { url: key, headers: relevantHeaders(headers) });
  }

  /** The top-level navigation failed or was cancelled: its response never becomes the document. */
  onNavigationFailed(tabId: number): void {
    this.pending.delete(tabId);
  }

  /**
   * A new document committed in the tab's main frame. Its headers are the pending response's when
   * that response was for this very URL; otherwise we saw none (cache, back/forward) and the tab is
   * a new, unchecked document — never the previous document's verdict.
   */
  async onCommitted(tabId: number, url: string): Promise<void> {
    const p = this.pending.get(tabId);
    this.pending.delete(tabId);
    const headers = p && p.url === documentUrl(url) ? p.headers : [];
    await this.onDocumentHeaders(tabId, url, headers);
  }

  /** A committed top-level document's response headers: the tab now shows this document. */
  async onDocumentHeaders(tabId: number, url: string, headers: HeaderList): Promise<void> {
    const origin = webOrigin(url);
    const t = this.tab(tabId);
    const kept = relevantHeaders(headers);
    // Synchronously, before any await: a URL-change event for this same navigation may be handled
    // while we wait, and must already see the new origin (and so leave these headers alone).
    t.headers = kept;
    t.result = null;
    // A new run number: a check still running for the previous document can no longer finish here.
    t.state = nextTabState(t.state, { type: 'navigate', origin, run: ++this.run });
    await this.render(tabId, t.state);
    // Kept only for a document with Lineage headers (what a restarted worker needs to explain its
    // verdict): the origins of other pages are browsing history the extension has no use for.
    if (origin && kept.length > 0) await this.deps.store.putTabHeaders({ tabId, origin, headers: kept });
    else await this.deps.store.deleteTabHeaders(tabId);
    if (!origin) return;
    const { settings } = await this.settings();
    const trigger: CheckTrigger | null = advertisesLineage(headers)
      ? 'advertised'
      : settings.checkAllSites
        ? 'all_sites'
        : null;
    // Only for this document: if the tab moved on while we waited, the next one decides for itself.
    if (trigger) await this.check(tabId, trigger, false, { origin });
  }

  /** The browser started: tab ids of the last session name no tab now, so their records go. */
  async onBrowserStartup(): Promise<void> {
    await this.deps.store.clearTabHeaders();
  }

  async onTabRemoved(tabId: number): Promise<void> {
    this.tabs.delete(tabId);
    this.pending.delete(tabId);
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
    await this.setState(tabId, nextTabState(t.state, { type: 'navigate', origin, run: ++this.run }));
  }

  /**
   * Runs a check for the tab's origin; resolves when the tab has a final state. `forDocument`: only
   * if the tab still shows that origin (a page of another origin decides for itself).
   */
  async check(
    tabId: number,
    trigger: CheckTrigger,
    bypassCache: boolean,
    forDocument?: { origin: string },
  ): Promise<void> {
    const t = await this.restore(tabId);
    if (forDocument && t.state.origin !== forDocument.origin) return;
    if (!t.state.origin) {
      const origin = await this.deps.action.tabOrigin(tabId);
      if (!origin) return;
      t.state = { ...t.state, origin };
    }
    const origin = t.state.origin!;
    // The headers of this origin's document, taken with it: the tab may commit another document
    // while this check awaits, and its headers must not be checked (or cached) as this origin's.
    const headers = t.headers;
    const key = headerKey(headers);
    const run = ++this.run;
    await this.setState(tabId, nextTabState(t.state, { type: 'start', run, trigger }));
    const { settings } = await this.settings();
    /**
     * Set when the check outlives its limit: the tab then says "timed out", and the check, which
     * goes on until its fetches end, must not later leave a verdict in the cache or the history
     * that the toolbar never showed (what it learnt about a log is kept: that is evidence).
     */
    let abandoned = false;
    const history = (
      status: OriginCheck['status'],
      sentence: string,
      result: OriginCheck | null,
      at: number,
    ) =>
      this.deps.store.addHistory(
        {
          origin,
          at,
          status,
          sentence,
          log: result?.proof?.log ?? null,
          treeSize: result?.proof?.treeSize ?? null,
        },
        LIMITS.historyPerOrigin,
        LIMITS.historyOrigins,
      );

    const work = async (): Promise<OriginCheck> => {
      const now = this.deps.now();
      const cached = bypassCache ? undefined : await this.deps.store.getCached(origin);
      if (cached && now - cached.checkedAt < LIMITS.cacheMs && cached.headerKey === key) return cached;
      const result = await checkOrigin({
        origin,
        headers,
        trust: settings.trust,
        store: this.deps.store,
        core: this.deps.core,
        fetch: this.deps.fetch,
        now,
        serialize: this.serialize,
      });
      result.headerKey = key;
      // A log marked as equivocating: results cached before, of any site showing it, no longer
      // apply (a site whose head matched the memory was verified a minute ago).
      if (result.equivocation) await this.deps.store.clearCached();
      if (abandoned) return result;
      await this.deps.store.putCached(result, LIMITS.cachedOrigins);
      await history(result.status, result.sentence, result, now);
      return result;
    };
    const queued = work();

    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        abandoned = true;
        resolve('timeout');
      }, this.deps.checkMs ?? LIMITS.checkMs);
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
      await history('timeout', SENTENCES.timeout, null, this.deps.now());
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
      // Only the document this run was for: a navigation since then has started another run.
      if (cur.state.run === run && cur.state.origin === outcome.origin) cur.result = outcome;
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
    if (fresh) await this.render(tabId, t.state);
    const shown = await this.deps.action.tabOrigin(tabId);
    if (!t.state.origin) {
      if (shown) t.state = { ...t.state, origin: shown };
    } else if (shown && shown !== t.state.origin) {
      // The tab shows another origin than the one our state is about (a navigation we have not
      // seen commit): say nothing about it rather than the other document's verdict.
      return { tabId, state: initialTabState(shown), result: null, history: [] };
    }
    const { state } = t;
    let result = t.result;
    if (
      !result &&
      state.origin &&
      (state.status === 'verified' ||
        state.status === 'warning' ||
        state.status === 'failed' ||
        state.status === 'timeout')
    ) {
      // A cached result stands in only if it was computed for exactly this document's headers.
      const cached = await this.deps.store.getCached(state.origin);
      if (cached && cached.headerKey === headerKey(t.headers)) result = cached;
    }
    if (result && result.origin !== state.origin) result = null;
    const history = state.origin ? await this.deps.store.history(state.origin, LIMITS.historyPerOrigin) : [];
    return { tabId, state, result, history };
  }

  async handle(req: Request): Promise<Response> {
    switch (req.type) {
      case 'getView':
        return { ok: true, view: await this.view(req.tabId) };
      case 'check':
        await this.check(req.tabId, 'on_demand', true);
        return { ok: true, view: await this.view(req.tabId) };
      case 'getSettings':
        return this.settingsResponse();
      case 'setCheckAllSites': {
        const s = await this.deps.store.getSettings();
        await this.deps.store.putSettings({ ...s, checkAllSites: req.value });
        return this.settingsResponse();
      }
      case 'importTrust': {
        let trust: ExtensionSettings['trust'];
        try {
          trust = parsePins(req.text);
        } catch (e) {
          return { ok: false, error: `${req.fileName}: ${(e as Error).message}` };
        }
        const s = await this.deps.store.getSettings();
        await this.deps.store.putSettings({ ...s, trust, trustSource: req.fileName });
        // Results were computed under the old trust: they no longer apply.
        await this.deps.store.clearCached();
        return this.settingsResponse();
      }
      case 'listEquivocations': {
        // Each with whether its two notes still prove it under the keys pinned now (only then is
        // the mark applied): the options page lists both kinds, so that any can be cleared.
        const { trust } = (await this.settings()).settings;
        const now = this.deps.now();
        const all = await this.deps.store.listEquivocations();
        const equivocations = await Promise.all(
          all.map(async (e) => ({
            ...e,
            holds: (await evidenceHolds(e, e.log, trust, this.deps.core, now)) !== null,
          })),
        );
        return { ok: true, equivocations };
      }
      case 'clearEquivocation':
        await this.serialize(`log:${req.log}`, () => this.deps.store.deleteEquivocation(req.log));
        // Results computed while the log was marked no longer apply.
        await this.deps.store.clearCached();
        for (const t of this.tabs.values()) if (t.result?.proof?.log === req.log) t.result = null;
        return { ok: true };
      case 'clearData':
        await this.deps.store.clearData();
        for (const t of this.tabs.values()) t.result = null;
        return { ok: true };
    }
  }
}
