/**
 * The real main-process services, wired as Electron wires them but with a
 * test HostIo (dialogs answer from a queue; saves go to a temp dir) and the
 * verification worker run from TypeScript source through tsx.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostIo } from '../../src/main/services/host-io.js';
import { createMainApi } from '../../src/main/services/main-api.js';
import type { ReportViewLimits } from '../../src/main/services/report-view.js';
import type { ApiEvent } from '../../src/shared/api.js';

export interface Harness {
  api: ReturnType<typeof createMainApi>;
  userDataDir: string;
  saveDir: string;
  events: ApiEvent[];
  /** Paths the next "open" dialogs will return (null = cancelled). */
  openQueue: (string | null)[];
  /** Names of files saved, in order. */
  saved: string[];
  /**
   * What the preload's webUtils would answer for a dropped File, by file name (the browser tests'
   * stand-in for a drop from the desktop); a name not here has no path, as in a browser.
   */
  dropPaths: Map<string, string>;
  onEvent: (fn: (e: ApiEvent) => void) => void;
}

export function createHarness(opts: { now?: () => Date; reportViewLimits?: ReportViewLimits } = {}): Harness {
  const userDataDir = mkdtempSync(join(tmpdir(), 'lineage-desktop-user-'));
  const saveDir = mkdtempSync(join(tmpdir(), 'lineage-desktop-saved-'));
  const events: ApiEvent[] = [];
  const listeners: ((e: ApiEvent) => void)[] = [];
  const openQueue: (string | null)[] = [];
  const saved: string[] = [];
  const dropPaths = new Map<string, string>();
  const host: HostIo = {
    chooseCapsule: async () => openQueue.shift() ?? null,
    chooseSavePath: async (name) => {
      const p = join(saveDir, name);
      saved.push(p);
      return p;
    },
  };
  const api = createMainApi({
    userDataDir,
    host,
    emit: (e) => {
      events.push(e);
      for (const l of listeners) l(e);
    },
    workerUrl: new URL('./verify-worker-ts.mjs', import.meta.url),
    keyLog2N: 10,
    printCss: async () =>
      ['../../../../packages/ui/src/styles.css', '../../src/renderer/app.css']
        .map((p) => readFileSync(new URL(p, import.meta.url), 'utf8'))
        .join('\n'),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.reportViewLimits ? { reportViewLimits: opts.reportViewLimits } : {}),
  });
  return {
    api,
    userDataDir,
    saveDir,
    events,
    openQueue,
    saved,
    dropPaths,
    onEvent: (fn) => listeners.push(fn),
  };
}
