// The Electron adapters apply the policy: exercised with a recording fake of the electron module.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { MainApi } from '../src/shared/api.js';

type Handler = (...a: unknown[]) => unknown;
const rec = vi.hoisted(() => ({
  ipc: new Map<string, (...a: unknown[]) => unknown>(),
  appOn: new Map<string, (...a: unknown[]) => unknown>(),
  switches: [] as [string, string | undefined][],
  schemes: [] as unknown[],
}));

vi.mock('electron', () => ({
  ipcMain: { handle: (ch: string, fn: Handler) => rec.ipc.set(ch, fn) },
  app: {
    commandLine: { appendSwitch: (n: string, v?: string) => rec.switches.push([n, v]) },
    on: (ev: string, fn: Handler) => rec.appOn.set(ev, fn),
  },
  protocol: { registerSchemesAsPrivileged: (s: unknown[]) => rec.schemes.push(...s) },
  session: { defaultSession: {} },
}));

const { registerIpc } = await import('../src/main/ipc.main.js');
const { applySessionPolicy, applyStartupPolicy, lockDownContents } = await import(
  '../src/main/security.main.js'
);

interface FakeSession {
  protocolHandler?: (r: { url: string }) => Promise<Response>;
  beforeRequest?: (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
  permissionRequest?: Handler;
  permissionCheck?: Handler;
  spell: boolean;
  events: Map<string, Handler>;
  [k: string]: unknown;
}

function fakeSession(): FakeSession {
  const s: FakeSession = {
    protocolHandler: undefined as undefined | ((r: { url: string }) => Promise<Response>),
    beforeRequest: undefined as
      | undefined
      | ((d: { url: string }, cb: (r: { cancel: boolean }) => void) => void),
    permissionRequest: undefined as undefined | Handler,
    permissionCheck: undefined as undefined | Handler,
    spell: true,
    events: new Map<string, Handler>(),
    protocol: {
      handle: (_s: string, fn: (r: { url: string }) => Promise<Response>) => (s.protocolHandler = fn),
    },
    webRequest: { onBeforeRequest: (fn: FakeSession['beforeRequest']) => (s.beforeRequest = fn) },
    setPermissionRequestHandler: (fn: Handler) => (s.permissionRequest = fn),
    setPermissionCheckHandler: (fn: Handler) => (s.permissionCheck = fn),
    setDevicePermissionHandler: () => undefined,
    setDisplayMediaRequestHandler: () => undefined,
    setSpellCheckerEnabled: (v: boolean) => (s.spell = v),
    setSpellCheckerLanguages: () => undefined,
    proxy: undefined as unknown,
    setProxy: async (config: unknown) => {
      s.proxy = config;
    },
    on: (ev: string, fn: Handler) => s.events.set(ev, fn),
  };
  return s;
}

describe('security.main.ts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><p>app</p>');
  const ses = fakeSession();
  // biome-ignore lint/suspicious/noExplicitAny: the fake stands in for Electron's Session
  applySessionPolicy(dir, ses as any);

  it('cancels every request that is not app://lineage', () => {
    const decide = (url: string) => {
      let cancel: boolean | undefined;
      ses.beforeRequest!({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(decide('app://lineage/index.html')).toBe(false);
    expect(decide('https://example.com/')).toBe(true);
    expect(decide('http://127.0.0.1:8080/')).toBe(true);
    expect(decide('file:///etc/passwd')).toBe(true);
  });
  it('serves the renderer with the CSP and refuses traversal', async () => {
    const ok = await ses.protocolHandler!({ url: 'app://lineage/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(await ok.text()).toContain('<p>app</p>');
    expect((await ses.protocolHandler!({ url: 'app://lineage/%2e%2e/etc/passwd.html' })).status).toBe(404);
    expect((await ses.protocolHandler!({ url: 'app://lineage/missing.js' })).status).toBe(404);
  });
  it('sends whatever could escape the request filter (WebRTC relays) to a dead loopback proxy', () => {
    expect(ses.proxy).toEqual({
      mode: 'fixed_servers',
      proxyRules: 'socks5://127.0.0.1:9',
      proxyBypassRules: '',
    });
  });
  it('denies permissions, disables spellcheck and cancels downloads', () => {
    let granted: boolean | undefined;
    ses.permissionRequest!({}, 'media', (g: boolean) => (granted = g));
    expect(granted).toBe(false);
    expect(ses.permissionCheck!({}, 'clipboard-read')).toBe(false);
    expect(ses.spell).toBe(false);
    const prevent = vi.fn();
    ses.events.get('will-download')!({ preventDefault: prevent });
    expect(prevent).toHaveBeenCalled();
  });
  it('registers the scheme and switches before ready and locks down every web contents', () => {
    applyStartupPolicy();
    expect(rec.schemes).toEqual([
      expect.objectContaining({
        scheme: 'app',
        privileges: expect.objectContaining({ secure: true, standard: true }),
      }),
    ]);
    expect(rec.switches.map(([n]) => n)).toContain('disable-background-networking');
    // WebRTC may not send UDP outside a proxy (and there is none), for every contents from the start.
    expect(rec.switches).toContainEqual(['force-webrtc-ip-handling-policy', 'disable_non_proxied_udp']);
    const handlers = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    const webrtcPolicies: string[] = [];
    const contents = {
      on: (ev: string, fn: Handler) => handlers.set(ev, fn),
      setWindowOpenHandler: (fn: Handler) => (openHandler = fn),
      setWebRTCIPHandlingPolicy: (p: string) => webrtcPolicies.push(p),
    };
    rec.appOn.get('web-contents-created')!({}, contents);
    expect(webrtcPolicies).toEqual(['disable_non_proxied_udp']);
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const prevent = vi.fn();
      handlers.get(ev)!({ preventDefault: prevent }, 'https://example.com/');
      expect(prevent, ev).toHaveBeenCalled();
    }
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(typeof lockDownContents).toBe('function');
  });
});

describe('ipc.main.ts', () => {
  const calls: unknown[][] = [];
  beforeEach(() => {
    calls.length = 0;
  });
  const api = new Proxy({} as MainApi, {
    get:
      (_t, method) =>
      async (...args: unknown[]) => {
        calls.push([method, ...args]);
        return 'ok';
      },
  });
  registerIpc(api);
  const main = { senderFrame: { url: 'app://lineage/index.html', parent: null } };

  it('registers one handler per API method', () => {
    expect([...rec.ipc.keys()].every((k) => k.startsWith('lineage:'))).toBe(true);
    expect(rec.ipc.has('lineage:verify')).toBe(true);
  });
  it('calls the service for a valid call from the app frame', async () => {
    await expect(rec.ipc.get('lineage:verify')!(main, 'cap-1')).resolves.toBe('ok');
    expect(calls).toEqual([['verify', 'cap-1']]);
  });
  it('rejects calls from sub-frames and foreign origins', async () => {
    const sub = { senderFrame: { url: 'app://lineage/index.html', parent: {} } };
    const foreign = { senderFrame: { url: 'https://evil.example/', parent: null } };
    await expect(rec.ipc.get('lineage:verify')!(sub, 'cap-1')).rejects.toThrow(/not the app window/);
    await expect(rec.ipc.get('lineage:verify')!(foreign, 'cap-1')).rejects.toThrow(/not the app window/);
    await expect(rec.ipc.get('lineage:verify')!({ senderFrame: null }, 'cap-1')).rejects.toThrow(
      /not the app window/,
    );
    expect(calls).toEqual([]);
  });
  it('rejects malformed arguments before the service sees them', async () => {
    await expect(rec.ipc.get('lineage:keyUnlock')!(main, { passphrase: 'x' })).rejects.toThrow(
      /expected a string/,
    );
    await expect(rec.ipc.get('lineage:trustImport')!(main, { kind: 'root', text: 'k' })).rejects.toThrow(
      /kind/,
    );
    expect(calls).toEqual([]);
  });
});
