import browser from 'webextension-polyfill';
import type { Request, Response } from '../shared/messages.js';

/** Our pages talk to the service worker through this one call. */
export async function send(req: Request): Promise<Response> {
  return (await browser.runtime.sendMessage(req)) as Response;
}

/** The tab a popup/details page is about: ?tab=<id> (details, tests) or the active tab. */
export async function targetTabId(): Promise<number | null> {
  const q = new URLSearchParams(location.search).get('tab');
  if (q !== null && /^\d{1,10}$/.test(q)) return Number(q);
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

export function extensionUrl(path: string): string {
  return browser.runtime.getURL(path);
}

export async function openTab(url: string): Promise<void> {
  await browser.tabs.create({ url });
}
