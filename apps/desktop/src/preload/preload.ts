/**
 * The only bridge between the page and the main process: `window.lineage`,
 * one function per API method, each a plain ipcRenderer.invoke. No Node or
 * Electron object is exposed; the main process validates every call again.
 * The page never names a path: a dropped File's path is asked of webUtils here,
 * in the isolated world, and sent on the preload's own channel (openDropped).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_METHODS, type ApiEvent, EVENT_CHANNEL, IPC_PREFIX } from '../shared/api.js';

const api: Record<string, unknown> = { host: 'desktop' };
for (const method of API_METHODS) {
  api[method] = (...args: unknown[]) => ipcRenderer.invoke(`${IPC_PREFIX}${method}`, ...args);
}
api.openDroppedFile = async (file: File): Promise<unknown> => {
  // Only a File the user dropped or picked has a path; one the page constructs has none.
  const p = webUtils.getPathForFile(file);
  return p === '' ? null : ipcRenderer.invoke(`${IPC_PREFIX}openDropped`, p);
};
api.onEvent = (listener: (e: ApiEvent) => void) => {
  const wrapped = (_e: unknown, payload: ApiEvent) => listener(payload);
  ipcRenderer.on(EVENT_CHANNEL, wrapped);
  return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
};

contextBridge.exposeInMainWorld('lineage', api);
