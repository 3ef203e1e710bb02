/**
 * Electron adapter: one ipcMain handler per API method. Each checks the sender
 * frame and the argument schema before calling the plain service.
 */
import { ipcMain } from 'electron';
import { API_METHODS, IPC_PREFIX, type MainApi, PRELOAD_METHODS } from '../shared/api.js';
import { validateArgs } from './security/ipc-schema.js';
import { senderAllowed } from './security/policy.js';

export function registerIpc(api: MainApi): void {
  for (const method of [...API_METHODS, ...PRELOAD_METHODS]) {
    ipcMain.handle(`${IPC_PREFIX}${method}`, async (event, ...args: unknown[]) => {
      const frame = event.senderFrame;
      if (!senderAllowed(frame ? { url: frame.url, isMainFrame: frame.parent === null } : null)) {
        throw new Error('rejected: IPC from a frame that is not the app window');
      }
      const err = validateArgs(method, args);
      if (err) throw new Error(`rejected: ${err}`);
      const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
      return fn.apply(api, args);
    });
  }
}
