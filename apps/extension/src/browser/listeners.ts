import browser from 'webextension-polyfill';
import type { Controller } from '../background/controller.js';
import { parseRequest } from '../shared/messages.js';

/**
 * Wires browser events to the controller. webRequest is observe-only (no 'blocking'): the extension
 * can never delay or alter a page, it only reads the response headers of top-level documents.
 *
 * A top-level response is not yet the tab's document: a page can start a navigation that never
 * commits (a 204 or 205, a download, an error) and the tab keeps showing the page. So headers are
 * held per tab and applied only when webNavigation reports that the main frame committed that URL.
 */
export function registerListeners(controller: Controller): void {
  const web = { urls: ['http://*/*', 'https://*/*'] };
  browser.webRequest.onHeadersReceived.addListener(
    (d) => {
      if (d.type !== 'main_frame' || d.tabId < 0) return;
      const headers = (d.responseHeaders ?? []).map((h) => ({ name: h.name.toLowerCase(), value: h.value }));
      controller.onResponseHeaders(d.tabId, d.url, d.statusCode, headers);
    },
    { ...web, types: ['main_frame'] },
    ['responseHeaders'],
  );
  browser.webRequest.onErrorOccurred.addListener(
    (d) => {
      if (d.type === 'main_frame' && d.tabId >= 0) controller.onNavigationFailed(d.tabId);
    },
    { ...web, types: ['main_frame'] },
  );
  browser.webNavigation.onCommitted.addListener((d) => {
    // Main frame only; a prerendered page is not (yet) what the tab shows.
    const lifecycle = (d as { documentLifecycle?: string }).documentLifecycle;
    if (d.frameId !== 0 || d.tabId < 0 || lifecycle === 'prerender') return;
    void controller.onCommitted(d.tabId, d.url);
  });
  browser.webNavigation.onErrorOccurred.addListener((d) => {
    if (d.frameId === 0 && d.tabId >= 0) controller.onNavigationFailed(d.tabId);
  });

  // Tabs closed with the browser never report onRemoved: their records go when it starts again.
  browser.runtime.onStartup.addListener(() => void controller.onBrowserStartup());
  browser.tabs.onRemoved.addListener((tabId) => void controller.onTabRemoved(tabId));
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.url) void controller.onTabUrlChanged(tabId, change.url);
  });

  browser.runtime.onMessage.addListener((msg: unknown, sender: browser.Runtime.MessageSender) => {
    // Only our own pages may drive the service worker; content from sites never reaches here.
    if (sender.id !== browser.runtime.id || !sender.url?.startsWith(browser.runtime.getURL('')))
      return undefined;
    const req = parseRequest(msg);
    if (!req) return Promise.resolve({ ok: false, error: 'malformed request' });
    return controller.handle(req).catch((e: unknown) => ({ ok: false, error: String(e) }));
  });
}
