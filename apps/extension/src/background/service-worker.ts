// MV3 service worker (Firefox: event page). Everything decided here is decided by verifier-core.

import { browserActionPort } from '../browser/action.js';
import { registerListeners } from '../browser/listeners.js';
import { IdbStore } from '../storage/idb-store.js';
import { Controller } from './controller.js';
import { coreApi } from './core-adapter.js';
import { fetchBounded } from './fetch-bounded.js';

const controller = new Controller({
  store: new IdbStore(),
  core: coreApi,
  fetch: fetchBounded,
  action: browserActionPort,
  now: () => Date.now(),
});

registerListeners(controller);

// For the browser tests and for debugging from the service worker console: read-only view.
(globalThis as { __lineage?: unknown }).__lineage = { view: (tabId: number) => controller.view(tabId) };
