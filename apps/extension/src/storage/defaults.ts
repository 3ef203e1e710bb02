import { emptyTrustStore } from '@lineage/verifier-core';
import type { ExtensionSettings } from './types.js';

/** Nothing is trusted until the user pins it. */
export function defaultSettings(): ExtensionSettings {
  return { version: 1, checkAllSites: false, trust: emptyTrustStore(), trustSource: null };
}
