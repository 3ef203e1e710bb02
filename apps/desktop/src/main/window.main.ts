/** Electron adapter: creates the single app window with the policy's options. */
import { BrowserWindow } from 'electron';
import { APP_ORIGIN, windowOptions } from './security/policy.js';

export function createAppWindow(preloadPath: string): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath));
  win.removeMenu();
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
