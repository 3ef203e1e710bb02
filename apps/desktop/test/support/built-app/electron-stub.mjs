// A recording stand-in for the `electron` module, for running the BUILT main process under plain
// Node (the Electron binary cannot run in CI). Every API the bundle touches is a recording proxy;
// the few whose results the app uses are answered: the app is ready at once, holds its lock, and
// keeps its data where the test says. What the app registers (IPC handlers, the app:// protocol
// handler, windows and what they are sent) is kept on globalThis.__electron for the driver.
const rec = { handlers: new Map(), protocolHandlers: new Map(), windows: [], sent: [], switches: [] };
globalThis.__electron = rec;

const answers = {
  'app.whenReady': () => Promise.resolve(),
  'app.requestSingleInstanceLock': () => true,
  'app.getPath': () => process.env.LINEAGE_TEST_USER_DATA,
  'app.commandLine.appendSwitch': (name, value) => rec.switches.push([name, value]),
  'ipcMain.handle': (channel, fn) => rec.handlers.set(channel, fn),
  'session.defaultSession.protocol.handle': (scheme, fn) => rec.protocolHandlers.set(scheme, fn),
};

function fake(path) {
  return new Proxy(() => {}, {
    // Not a thenable: `await fake` must not hang.
    get: (_t, prop) => (prop === 'then' || typeof prop === 'symbol' ? undefined : fake(`${path}.${prop}`)),
    apply: (_t, _self, args) => (answers[path] ? answers[path](...args) : fake(`${path}()`)),
  });
}

class BrowserWindow {
  constructor(options) {
    this.options = options;
    this.webContents = new Proxy(fake('win.webContents'), {
      get: (t, prop) =>
        prop === 'send' ? (channel, payload) => rec.sent.push({ channel, payload }) : t[prop],
    });
    rec.windows.push(this);
  }
  loadURL(url) {
    this.url = url;
    return Promise.resolve();
  }
  on() {}
  once() {}
  show() {}
  removeMenu() {}
}

export const app = fake('app');
export const dialog = fake('dialog');
export const ipcMain = fake('ipcMain');
export const protocol = fake('protocol');
export const session = fake('session');
export { BrowserWindow };
export default { app, dialog, ipcMain, protocol, session, BrowserWindow };
