import browser from 'webextension-polyfill';
import type { Controller } from '../background/controller.js';
import { parseRequest } from '../shared/messages.js';

/**
 * Wires browser events to the controller. webRequest is observe-only (no 'blocking'): the extension
 * can never delay or alter a page, it only reads the response headers of top-level documents.
 */
export function registerListeners(controller: Controller): void {
  browser.webRequest.onHeadersReceived.addListener(
    (d) => {
      if (d.type !== 'main_frame' || d.tabId < 0) return;
      const headers = (d.responseHeaders ?? []).map((h) => ({ name: h.name.toLowerCase(), value: h.value }));
      void controller.onDocumentHeaders(d.tabId, d.url, headers);
    },
    { urls: ['http://*/*', 'https://*/*'], types: ['main_frame'] },
    ['responseHeaders'],
  );

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
