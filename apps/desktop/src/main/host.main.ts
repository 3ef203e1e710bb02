/** Electron adapter: native dialogs and PDF printing for the services' HostIo. */
import { BrowserWindow, dialog } from 'electron';
import { servePrintPage } from './security.main.js';
import type { HostIo } from './services/host-io.js';

export function electronHostIo(getWindow: () => BrowserWindow | null): HostIo {
  return {
    async chooseCapsule() {
      const win = getWindow();
      const opts = {
        title: 'Open evidence capsule',
        properties: ['openFile' as const],
        filters: [
          { name: 'Lineage capsules', extensions: ['zip', 'capsule'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async chooseSavePath(suggestedName, filter) {
      const win = getWindow();
      const opts = { title: 'Save', defaultPath: suggestedName, filters: [filter] };
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async htmlToPdf(html) {
      // An offscreen window with JavaScript off renders the already-escaped report from app://.
      const page = servePrintPage(html);
      const pdfWin = new BrowserWindow({
        show: false,
        webPreferences: { sandbox: true, contextIsolation: true, javascript: false, spellcheck: false },
      });
      try {
        await pdfWin.loadURL(page.url);
        const pdf = await pdfWin.webContents.printToPDF({ printBackground: true, pageSize: 'Letter' });
        return new Uint8Array(pdf);
      } finally {
        pdfWin.destroy();
        page.dispose();
      }
    },
  };
}
