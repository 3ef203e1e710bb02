/**
 * The desktop app's security policy as pure data and functions, so a Node test
 * can assert it without an Electron binary. The Electron adapters
 * (`security.main.ts`, `window.main.ts`) only apply what is decided here.
 */

/** The privileged scheme the UI is served from; never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'lineage';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * CSP for every app:// response. Nothing may be fetched from anywhere but the
 * app itself; no inline script, no eval, no frames, no form posts, no plugins.
 * `blob:` workers are not needed on the desktop (verification runs in main).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Scheme privileges registered before app ready. `standard` + `secure` give the
 * page a real origin (app://lineage) and a secure context; `supportFetchAPI`
 * lets Chromium's module loader fetch the app's own ES module scripts (the
 * page's CSP still has connect-src 'none'). `corsEnabled` stays off, so no
 * other origin could read app:// responses.
 */
export const SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  stream: false,
  bypassCSP: false,
  allowServiceWorkers: false,
  codeCache: false,
} as const;

/** webPreferences for the one app window. Every value is deliberate. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: false,
    webgl: false,
    plugins: false,
    enableWebSQL: false,
    autoplayPolicy: 'document-user-activation-required',
  } as const;
}

export function windowOptions(preloadPath: string) {
  return {
    width: 1360,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    backgroundColor: '#f6f7f9',
    title: 'Lineage',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  } as const;
}

/** Is this URL one of the app's own pages/assets? Exact origin, no userinfo or port tricks. */
export function isAppUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  return (
    u.protocol === `${APP_SCHEME}:` &&
    u.host === APP_HOST &&
    u.username === '' &&
    u.password === '' &&
    u.port === ''
  );
}

/**
 * Session-level request filter: the only requests allowed are the app's own
 * app://lineage assets. Everything else (http, https, ws, ftp, file, data, blob,
 * other schemes) is cancelled. data: images embedded in the page do not go
 * through the network stack and are governed by the CSP instead.
 */
export function requestDecision(raw: string): 'allow' | 'cancel' {
  if (isAppUrl(raw)) return 'allow';
  return 'cancel';
}

/** Navigation is never allowed: the app is a single page that never leaves app://lineage/index.html. */
export function navigationDecision(_raw: string): 'deny' {
  return 'deny';
}

/** window.open / target=_blank: always denied, nothing is opened externally either. */
export function windowOpenDecision(_raw: string): { action: 'deny' } {
  return { action: 'deny' };
}

/** Every permission request (camera, notifications, clipboard-read, HID, USB…) is denied. */
export function permissionDecision(_permission: string): false {
  return false;
}

/**
 * IPC sender check: only the top frame of our own window, loaded from app://,
 * may call the API. Sub-frames and foreign origins are rejected.
 */
export function senderAllowed(frame: { url: string; isMainFrame: boolean } | null | undefined): boolean {
  return !!frame && frame.isMainFrame && isAppUrl(frame.url);
}

/**
 * WebRTC's IP handling policy. The CSP has no directive for RTCPeerConnection and the session's
 * request filter only sees URL requests, so without this a page could still send UDP (STUN/ICE)
 * packets. 'disable_non_proxied_udp' makes WebRTC use the proxy only, and the proxy is a dead
 * loopback port (BLACKHOLE_PROXY).
 */
export const WEBRTC_IP_HANDLING_POLICY = 'disable_non_proxied_udp' as const;

/**
 * The session's proxy: a dead port on loopback. Everything that gets past the request filter (it
 * sees URL requests only) and is allowed to use a proxy — WebRTC included, which may then send no
 * UDP and whose TCP relays go to the proxy — ends at 127.0.0.1:9, never on a network.
 */
export const BLACKHOLE_PROXY = {
  mode: 'fixed_servers',
  proxyRules: 'socks5://127.0.0.1:9',
  proxyBypassRules: '',
} as const;

/**
 * Command-line switches appended before ready: no background networking,
 * no component updates, no sync, no spellcheck dictionaries, no metrics.
 */
export const CHROMIUM_SWITCHES: readonly (readonly [string, string?])[] = [
  ['disable-background-networking'],
  ['disable-component-update'],
  ['disable-sync'],
  ['disable-domain-reliability'],
  ['disable-breakpad'],
  ['no-pings'],
  ['dns-prefetch-disable'],
  ['force-webrtc-ip-handling-policy', WEBRTC_IP_HANDLING_POLICY],
  [
    'disable-features',
    'SpellCheck,AutofillServerCommunication,MediaRouter,OptimizationHints,NetworkTimeServiceQuerying',
  ],
];

/** Files the app:// handler may serve: built renderer assets only, no traversal. */
export function resolveAppAsset(raw: string): string | undefined {
  if (!isAppUrl(raw)) return undefined;
  const u = new URL(raw);
  let p = decodeURIComponent(u.pathname);
  if (p === '/' || p === '') p = '/index.html';
  if (p.includes('\0') || p.includes('\\')) return undefined;
  const parts = p.split('/').filter((s) => s.length > 0);
  if (parts.some((s) => s === '.' || s === '..')) return undefined;
  if (!/\.(html|js|css|svg|png|woff2)$/.test(p)) return undefined;
  return parts.join('/');
}

export const MIME_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/** The printable report has its styles inline and no script at all. */
export const PRINT_PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function printPageHeaders(): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': PRINT_PAGE_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
}

/** Headers on every app:// response. */
export function responseHeaders(assetPath: string): Record<string, string> {
  const ext = assetPath.slice(assetPath.lastIndexOf('.') + 1);
  return {
    // Own entries only: a path ending ".constructor" must not get Object.prototype's as its type.
    'content-type': (Object.hasOwn(MIME_TYPES, ext) && MIME_TYPES[ext]) || 'application/octet-stream',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}
