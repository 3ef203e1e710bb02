/**
 * Electron entry. Applies the security policy, creates the one window, and
 * wires the plain main-process services to IPC. No auto-updater, no crash
 * reporter, no network: nothing here ever opens a connection.
 */
import { fileURLToPath } from 'node:url';
import { app, type BrowserWindow } from 'electron';
import { EVENT_CHANNEL } from '../shared/api.js';
import { electronHostIo } from './host.main.js';
import { registerIpc } from './ipc.main.js';
import { applySessionPolicy, applyStartupPolicy } from './security.main.js';
import { createMainApi } from './services/main-api.js';
import { rendererCss } from './services/renderer-css.js';
import { createAppWindow } from './window.main.js';

applyStartupPolicy();
if (!app.requestSingleInstanceLock()) app.quit();

let win: BrowserWindow | null = null;

app.whenReady().then(() => {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
  applySessionPolicy(here('../renderer'));
  const api = createMainApi({
    userDataDir: app.getPath('userData'),
    host: electronHostIo(() => win),
    emit: (e) => win?.webContents.send(EVENT_CHANNEL, e),
    workerUrl: new URL('./verify-worker.js', import.meta.url),
    printCss: () => rendererCss(here('../renderer')),
  });
  registerIpc(api);
  win = createAppWindow(here('../preload/preload.cjs'));
  win.on('closed', () => {
    win = null;
  });
});

app.on('window-all-closed', () => app.quit());
