import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { drawIcon, ICON_STATES } from '../build/icons.js';
import { EXTENSION_CSP, GECKO_ID, makeManifest } from '../build/manifest.js';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');

describe('manifests', () => {
  const chromium = makeManifest('chromium', '1.2.3');
  const firefox = makeManifest('firefox', '1.2.3');

  it('Chromium: MV3 service worker, no Gecko settings', () => {
    expect(chromium.manifest_version).toBe(3);
    expect(chromium.background).toEqual({ service_worker: 'background.js', type: 'module' });
    expect(chromium.browser_specific_settings).toBeUndefined();
  });

  it('Firefox: MV3 event page (background.scripts), add-on id and minimum version', () => {
    expect(firefox.manifest_version).toBe(3);
    expect(firefox.background).toEqual({ scripts: ['background.js'], type: 'module' });
    const gecko = (firefox.browser_specific_settings as { gecko: Record<string, unknown> }).gecko;
    expect(gecko.id).toBe(GECKO_ID);
    expect(gecko.strict_min_version).toBe('128.0');
    expect(firefox.minimum_chrome_version).toBeUndefined();
  });

  it('both: minimal permissions, no remote code, strict CSP, same pages', () => {
    for (const m of [chromium, firefox]) {
      expect(m.permissions).toEqual(['webRequest', 'webNavigation']);
      expect(m.host_permissions).toEqual(['http://*/*', 'https://*/*']);
      expect(m.content_security_policy).toEqual({ extension_pages: EXTENSION_CSP });
      expect(m.version).toBe('1.2.3');
      expect(m.content_scripts).toBeUndefined();
      expect(m.web_accessible_resources).toBeUndefined();
      expect(m.externally_connectable).toBeUndefined();
      // Never in private windows: the default ("spanning") shares one worker and its on-disk
      // IndexedDB with them, so the sites checked in a private window would be kept on disk.
      expect(m.incognito).toBe('not_allowed');
    }
    expect(EXTENSION_CSP).toMatch(/^script-src 'self';/);
    expect(EXTENSION_CSP).not.toMatch(/unsafe|https?:|wasm/);
    const { background: _b1, minimum_chrome_version: _m, ...c } = chromium;
    const { background: _b2, browser_specific_settings: _g, ...f } = firefox;
    expect(f).toEqual(c);
  });

  it.skipIf(!existsSync(join(dist, 'lineage-firefox.zip')))(
    'the built Firefox package carries the Firefox manifest and every file it names',
    () => {
      const zip = unzipSync(readFileSync(join(dist, 'lineage-firefox.zip')));
      const m = JSON.parse(new TextDecoder().decode(zip['manifest.json'])) as ReturnType<typeof makeManifest>;
      expect(m).toEqual(makeManifest('firefox', m.version));
      const named = [
        'background.js',
        'popup.html',
        'options.html',
        ...Object.values(m.icons as Record<string, string>),
      ];
      for (const f of named) expect(zip[f], f).toBeDefined();
      // No remote scripts in any page.
      for (const page of ['popup.html', 'options.html', 'details.html']) {
        expect(new TextDecoder().decode(zip[page])).not.toMatch(/src="(https?:)?\/\//);
      }
    },
  );
});

describe('toolbar icons', () => {
  it('are valid PNGs, distinct per state', () => {
    const seen = new Set<string>();
    for (const s of ICON_STATES) {
      const png = drawIcon(s, 32);
      expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      seen.add(Buffer.from(png).toString('base64'));
    }
    expect(seen.size).toBe(ICON_STATES.length);
  });
});
