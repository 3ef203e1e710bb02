/**
 * One manifest source, two targets. Differences (docs/threat-model/extension.md "Firefox"):
 * Chromium runs the background as an MV3 service worker; Firefox MV3 runs it as an event page
 * (background.scripts) and needs an add-on id and a minimum version in browser_specific_settings.
 */
export type Target = 'chromium' | 'firefox';

export const EXTENSION_CSP =
  "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const GECKO_ID = 'lineage-extension@lineage.dev';

export interface Manifest {
  manifest_version: 3;
  name: string;
  version: string;
  description: string;
  [key: string]: unknown;
}

const icons = (state: string) => ({ '16': `icons/${state}-16.png`, '32': `icons/${state}-32.png` });

export function makeManifest(target: Target, version: string): Manifest {
  const base: Manifest = {
    manifest_version: 3,
    name: 'Lineage',
    version,
    description: 'Checks agent cards and Lineage log proofs on the sites you visit.',
    icons: { ...icons('not_checked'), '128': 'icons/not_checked-128.png' },
    action: {
      default_title: 'Lineage — not checked',
      default_popup: 'popup.html',
      default_icon: icons('not_checked'),
    },
    options_ui: { page: 'options.html', open_in_tab: true },
    // webRequest: observe response headers of top-level documents (never blocking).
    // webNavigation: apply those headers only when their document commits in the tab (a 204 or a
    // download never does), docs/threat-model/extension.md.
    permissions: ['webRequest', 'webNavigation'],
    // Read headers of, and fetch the agent card from, the site being visited — and nothing else.
    host_permissions: ['http://*/*', 'https://*/*'],
    content_security_policy: { extension_pages: EXTENSION_CSP },
    // Never in private windows (and the switch to allow it is not offered): the default,
    // "spanning", would run the same worker for them, writing the sites checked there to the
    // on-disk IndexedDB; "split" is not supported by Firefox. docs/threat-model/extension.md.
    incognito: 'not_allowed',
  };
  if (target === 'chromium') {
    return {
      ...base,
      minimum_chrome_version: '120',
      background: { service_worker: 'background.js', type: 'module' },
    };
  }
  return {
    ...base,
    background: { scripts: ['background.js'], type: 'module' },
    browser_specific_settings: {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '128.0',
        data_collection_permissions: { required: ['none'] },
      },
    },
  };
}
