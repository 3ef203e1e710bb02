/**
 * Electron adapter: applies the pure policy in security/policy.ts to the app,
 * its session and every web contents. No decisions are made here.
 */

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app, protocol, type Session, session, type WebContents } from 'electron';
import {
  APP_ORIGIN,
  APP_SCHEME,
  BLACKHOLE_PROXY,
  CHROMIUM_SWITCHES,
  navigationDecision,
  permissionDecision,
  printPageHeaders,
  requestDecision,
  resolveAppAsset,
  responseHeaders,
  SCHEME_PRIVILEGES,
  WEBRTC_IP_HANDLING_POLICY,
  windowOpenDecision,
} from './security/policy.js';

const printPages = new Map<string, string>();

/**
 * Serves an already-escaped, script-free report at app://lineage/print-<random>.html
 * for printToPDF, until `dispose` is called.
 */
export function servePrintPage(html: string): { url: string; dispose: () => void } {
  const name = `print-${randomUUID()}.html`;
  printPages.set(name, html);
  return { url: `${APP_ORIGIN}/${name}`, dispose: () => printPages.delete(name) };
}

/** Must run before app 'ready'. */
export function applyStartupPolicy(): void {
  for (const [name, value] of CHROMIUM_SWITCHES) app.commandLine.appendSwitch(name, value);
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...SCHEME_PRIVILEGES } }]);
  // Every web contents created anywhere (window, devtools, a future dialog) gets the same lock-down.
  app.on('web-contents-created', (_e, contents) => lockDownContents(contents));
}

export function lockDownContents(contents: WebContents): void {
  // No UDP from WebRTC: the CSP and the request filter do not cover RTCPeerConnection.
  contents.setWebRTCIPHandlingPolicy(WEBRTC_IP_HANDLING_POLICY);
  contents.on('will-navigate', (e, url) => {
    if (navigationDecision(url) === 'deny') e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.on('will-frame-navigate', (e) => {
    if (!e.isMainFrame) e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => windowOpenDecision(url));
}

/** Serves the built renderer from `rendererDir` over app://lineage/ and cancels every other request. */
export function applySessionPolicy(rendererDir: string, ses: Session = session.defaultSession): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const asset = resolveAppAsset(request.url);
    if (!asset) return new Response('not found', { status: 404 });
    const printPage = printPages.get(asset);
    if (printPage !== undefined) {
      return new Response(printPage, { status: 200, headers: printPageHeaders() });
    }
    try {
      const body = await readFile(join(rendererDir, asset));
      return new Response(body, { status: 200, headers: responseHeaders(asset) });
    } catch {
      return new Response('not found', { status: 404 });
    }
  });
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: requestDecision(details.url) === 'cancel' });
  });
  ses.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  ses.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  ses.setDevicePermissionHandler(() => false);
  ses.setDisplayMediaRequestHandler((_req, callback) => callback({}));
  ses.setSpellCheckerEnabled(false);
  try {
    // No dictionaries means nothing to download; macOS uses the OS checker and may refuse the call.
    ses.setSpellCheckerLanguages([]);
  } catch {
    // Spellcheck stays disabled above either way.
  }
  ses.on('will-download', (e) => e.preventDefault());
  ses.setProxy({ ...BLACKHOLE_PROXY }).catch(() => undefined);
}
