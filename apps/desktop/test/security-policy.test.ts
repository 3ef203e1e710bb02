// The desktop app's security policy, asserted on the pure policy functions and on the sources
// (this replaces the unmaintained Electron scanners).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IPC_SCHEMAS, validateArgs } from '../src/main/security/ipc-schema.js';
import {
  CHROMIUM_SWITCHES,
  CONTENT_SECURITY_POLICY,
  isAppUrl,
  navigationDecision,
  permissionDecision,
  requestDecision,
  resolveAppAsset,
  responseHeaders,
  SCHEME_PRIVILEGES,
  secureWebPreferences,
  senderAllowed,
  windowOpenDecision,
  windowOptions,
} from '../src/main/security/policy.js';
import { API_METHODS, PRELOAD_METHODS } from '../src/shared/api.js';

const appDir = join(import.meta.dirname, '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('window options', () => {
  const wp = secureWebPreferences('/app/preload.cjs');
  it('isolates and sandboxes the renderer with no Node', () => {
    expect(wp.contextIsolation).toBe(true);
    expect(wp.sandbox).toBe(true);
    expect(wp.nodeIntegration).toBe(false);
    expect(wp.nodeIntegrationInWorker).toBe(false);
    expect(wp.nodeIntegrationInSubFrames).toBe(false);
    expect(wp.webSecurity).toBe(true);
    expect(wp.allowRunningInsecureContent).toBe(false);
    expect(wp.webviewTag).toBe(false);
    expect(wp.experimentalFeatures).toBe(false);
    expect(wp.enableBlinkFeatures).toBe('');
  });
  it('turns off spellcheck (and its dictionary downloads), devtools, drag-navigation and plugins', () => {
    expect(wp.spellcheck).toBe(false);
    expect(wp.devTools).toBe(false);
    expect(wp.navigateOnDragDrop).toBe(false);
    expect(wp.plugins).toBe(false);
    expect(wp.preload).toBe('/app/preload.cjs');
  });
  it('the window uses exactly these preferences', () => {
    expect(windowOptions('/p.cjs').webPreferences).toEqual(secureWebPreferences('/p.cjs'));
  });
});

describe('content security policy', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [k, ...v] = d.trim().split(/\s+/);
      return [k!, v.join(' ')];
    }),
  );
  it("starts from default-src 'none' and allows only the app itself", () => {
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('form-action')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
  it('is sent on every app:// response with nosniff and no caching', () => {
    const h = responseHeaders('assets/index.js');
    expect(h['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['content-type']).toBe('text/javascript; charset=utf-8');
    for (const odd of ['assets/x.constructor', 'assets/x.toString', 'assets/x.__proto__', 'assets/x'])
      expect(responseHeaders(odd)['content-type']).toBe('application/octet-stream');
  });
  it('the built page carries the same policy in a meta tag', () => {
    const html = readFileSync(join(appDir, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    const norm = (s: string) =>
      s
        .split(';')
        .map((d) => d.trim())
        .filter(Boolean)
        .sort();
    // The header additionally has frame-ancestors, which meta tags cannot carry.
    expect(norm(meta)).toEqual(norm(CONTENT_SECURITY_POLICY).filter((d) => !d.startsWith('frame-ancestors')));
  });
});

describe('session request filter', () => {
  it('allows only app://lineage assets', () => {
    expect(requestDecision('app://lineage/index.html')).toBe('allow');
    expect(requestDecision('app://lineage/assets/index-abc.js')).toBe('allow');
  });
  it.each([
    'http://127.0.0.1/',
    'https://example.com/x.js',
    'ws://localhost:9229/',
    'wss://example.com/',
    'ftp://example.com/',
    'file:///etc/passwd',
    'data:text/html,<script>alert(1)</script>',
    'blob:app://lineage/123',
    'app://evil/index.html',
    'app://lineage.evil/index.html',
    'app://user@lineage/index.html',
    'app://lineage:8080/index.html',
    'chrome-extension://abc/x',
    'devtools://devtools/bundled/x',
    'not a url',
  ])('cancels %s', (url) => {
    expect(requestDecision(url)).toBe('cancel');
  });
  it('registers app:// as a secure standard scheme without CSP bypass or service workers', () => {
    expect(SCHEME_PRIVILEGES).toMatchObject({
      standard: true,
      secure: true,
      bypassCSP: false,
      allowServiceWorkers: false,
    });
  });
});

describe('app:// asset resolution', () => {
  it('maps / to index.html and serves built assets', () => {
    expect(resolveAppAsset('app://lineage/')).toBe('index.html');
    expect(resolveAppAsset('app://lineage/assets/a.css')).toBe('assets/a.css');
  });
  it('dot segments cannot climb above the renderer root', () => {
    // WHATWG URL parsing already collapses (even percent-encoded) dot segments at the root.
    expect(resolveAppAsset('app://lineage/%2e%2e/%2e%2e/main/index.js')).toBe('main/index.js');
  });
  it.each([
    'app://lineage/assets/..%2f..%2fmain/index.js',
    'app://lineage/a%5cb.js',
    'app://lineage/x%00.js',
    'app://lineage/secret.json',
    'app://other/index.html',
  ])('refuses %s', (url) => {
    expect(resolveAppAsset(url)).toBeUndefined();
  });
});

describe('navigation, windows, permissions, IPC senders', () => {
  it('denies every navigation and window.open', () => {
    expect(navigationDecision('app://lineage/index.html')).toBe('deny');
    expect(navigationDecision('https://example.com')).toBe('deny');
    expect(windowOpenDecision('https://example.com')).toEqual({ action: 'deny' });
  });
  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'hid',
    'usb',
    'serial',
    'openExternal',
    'fullscreen',
  ])('denies permission %s', (p) => {
    expect(permissionDecision(p)).toBe(false);
  });
  it('accepts IPC only from the app main frame', () => {
    expect(senderAllowed({ url: 'app://lineage/index.html', isMainFrame: true })).toBe(true);
    expect(senderAllowed({ url: 'app://lineage/index.html', isMainFrame: false })).toBe(false);
    expect(senderAllowed({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(senderAllowed({ url: 'file:///tmp/x.html', isMainFrame: true })).toBe(false);
    expect(senderAllowed(null)).toBe(false);
    expect(isAppUrl('app://lineage/index.html#x')).toBe(true);
  });
  it('turns off background networking, component updates, sync and the spellcheck service', () => {
    const names = CHROMIUM_SWITCHES.map(([n]) => n);
    expect(names).toEqual(
      expect.arrayContaining(['disable-background-networking', 'disable-component-update', 'disable-sync']),
    );
    expect(CHROMIUM_SWITCHES.find(([n]) => n === 'disable-features')?.[1]).toContain('SpellCheck');
  });
});

describe('IPC input schemas', () => {
  it('has a schema for every API method', () => {
    expect(Object.keys(IPC_SCHEMAS).sort()).toEqual([...API_METHODS, ...PRELOAD_METHODS].sort());
  });
  it('accepts well-formed calls', () => {
    expect(validateArgs('verify', ['3f1c'])).toBeUndefined();
    expect(
      validateArgs('trustImport', [
        { kind: 'approver', name: 'lin:human:a', text: 'ab', roles: ['agency_ao'] },
      ]),
    ).toBeUndefined();
    expect(validateArgs('openCapsuleBytes', ['c.zip', new Uint8Array(4)])).toBeUndefined();
    // A short passphrase reaches the key store, which refuses it in its own words.
    expect(
      validateArgs('keyImport', [{ keyfile: '{}', passphrase: 'short', name: 'n', role: 'agency_ao' }]),
    ).toBeUndefined();
  });
  it.each([
    ['unknownMethod', []],
    ['verify', []],
    ['verify', [42]],
    ['verify', ['a', 'b']],
    ['openCapsuleBytes', ['c.zip', [1, 2, 3]]],
    ['trustImport', [{ kind: 'root-ca', text: 'x' }]],
    ['trustImport', [{ kind: 'log', text: 'x', extra: 1 }]],
    ['trustImport', [{ kind: 'approver', text: 'x', roles: ['god'] }]],
    ['keyCreate', [{ approverId: 'a', name: 'n', role: 'agency_ao', passphrase: 'short' }]],
    ['keyFileInfo', ['x'.repeat(16_385)]],
    ['keyImport', [{ keyfile: 'x'.repeat(16_385), passphrase: 'p', name: 'n', role: 'agency_ao' }]],
    ['keyImport', [{ keyfile: '{}', passphrase: 'p', name: 'n', role: 'agency_ao', secretKey: 'x' }]],
    ['keyImport', [{ keyfile: '{}', passphrase: 'p', name: 'n', role: 'god' }]],
    ['keyImport', [{ keyfile: '{}', passphrase: 'p', name: 'n', role: 'agency_ao', approverId: '' }]],
    ['approvalSign', [{ capsuleId: 'x', decision: 'maybe', comment: '' }]],
    ['exportFile', [{ format: 'exe' }]],
    ['trustImportStore', [null]],
  ])('rejects %s %j', (method, args) => {
    expect(validateArgs(method as string, args as unknown[])).toMatch(/./);
  });
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])(
    'rejects an object field named after an Object.prototype member (%s)',
    (extra) => {
      const o: Record<string, unknown> = { format: 'json' };
      Object.defineProperty(o, extra, { value: 'x', enumerable: true });
      expect(validateArgs('exportFile', [o])).toBe(`exportFile argument 1: unexpected field "${extra}"`);
    },
  );
});

describe('sources', () => {
  const main = filesUnder(join(appDir, 'src/main')).filter((f) => /\.tsx?$/.test(f));
  it.each(main.map((f) => [relative(appDir, f), f]))(
    '%s imports no network module, updater or crash reporter',
    (_n, f) => {
      const src = readFileSync(f, 'utf8');
      expect(src).not.toMatch(/from ['"](node:)?(http|https|http2|net|dns|tls|dgram)['"]/);
      expect(src).not.toMatch(/\b(autoUpdater|crashReporter|shell\.openExternal)\b/);
    },
  );
  it('biome bans network modules in the main process', () => {
    const biome = JSON.parse(readFileSync(join(appDir, '../../biome.json'), 'utf8')) as {
      overrides: {
        includes: string[];
        linter?: {
          rules?: { style?: { noRestrictedImports?: { options?: { paths?: Record<string, string> } } } };
        };
      }[];
    };
    const o = biome.overrides.find((x) => x.includes.some((i) => i.startsWith('apps/desktop/src/main')));
    const banned = Object.keys(o?.linter?.rules?.style?.noRestrictedImports?.options?.paths ?? {});
    expect(banned).toEqual(
      expect.arrayContaining([
        'node:http',
        'node:https',
        'node:net',
        'node:dns',
        'node:tls',
        'http',
        'https',
        'net',
        'dns',
        'tls',
      ]),
    );
  });
  it('the preload exposes only window.lineage', () => {
    const src = readFileSync(join(appDir, 'src/preload/preload.ts'), 'utf8');
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(src).toContain("exposeInMainWorld('lineage', api)");
    // ipcRenderer itself is never handed to the page, only calls through it.
    expect(src).not.toMatch(/=\s*ipcRenderer\s*[;,)]|\bipcRenderer\s*[,}]\s*\)/);
    expect(src).not.toMatch(/ipcRenderer\.(send|sendSync|postMessage)\b/);
  });
  it('the page cannot name a path for main to open: drops are resolved in the preload', () => {
    const src = readFileSync(join(appDir, 'src/preload/preload.ts'), 'utf8');
    // The generic methods are the page's API only; openDropped is called by the preload itself,
    // with the path webUtils gives for the dropped File.
    expect(API_METHODS as readonly string[]).not.toContain('openDropped');
    expect(API_METHODS as readonly string[]).not.toContain('openCapsulePath');
    expect(src).toContain('for (const method of API_METHODS)');
    expect(src).toMatch(
      /webUtils\.getPathForFile\(file\)[\s\S]*ipcRenderer\.invoke\(`\$\{IPC_PREFIX\}openDropped`, p\)/,
    );
  });
  it('packaging turns on the hardened fuses and has no update feed', () => {
    const yml = readFileSync(join(appDir, 'electron-builder.yml'), 'utf8');
    for (const line of [
      'runAsNode: false',
      'enableCookieEncryption: true',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
      'grantFileProtocolExtraPrivileges: false',
      'publish: null',
    ]) {
      expect(yml).toContain(line);
    }
  });
});
