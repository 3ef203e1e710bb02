import browser from 'webextension-polyfill';
import { type ActionPort, webOrigin } from '../background/controller.js';
import type { TabStatus } from '../background/tab-state.js';

/** Icon files written by the build (build/icons.ts), one pair of sizes per state. */
export function iconPaths(status: TabStatus): Record<string, string> {
  return { '16': `icons/${status}-16.png`, '32': `icons/${status}-32.png` };
}

/** Thin wrapper over browser.action / browser.tabs; a closed tab is not an error. */
export const browserActionPort: ActionPort = {
  async render(tabId, p) {
    try {
      await Promise.all([
        browser.action.setIcon({ tabId, path: iconPaths(p.icon) }),
        browser.action.setBadgeText({ tabId, text: p.badgeText }),
        browser.action.setBadgeBackgroundColor({ tabId, color: p.badgeColor }),
        browser.action.setTitle({ tabId, title: p.title }),
      ]);
    } catch {
      // The tab went away while we were rendering.
    }
  },
  async tabOrigin(tabId) {
    try {
      const tab = await browser.tabs.get(tabId);
      return webOrigin(tab.url ?? '');
    } catch {
      return null;
    }
  },
};
