import { emptyTrustStore, type JsonValue, parseTrustStore, type TrustStore } from '@lineage/verifier-core';

/**
 * A trust store from a file the user picked. The core's parser checks the §4.8 schema and every pin
 * as a key (a vkey's key ID is its key's, nothing pinned twice), so the extension refuses exactly the
 * files the CLI and the desktop app refuse. Throws a LineageError whose path names the entry.
 */
export function parsePins(text: string): TrustStore {
  return parseTrustStore(text);
}

/**
 * The stored trust store, checked again as if it were imported now: storage is not trusted (anyone
 * with the profile can edit it, and an older version stored pins this one refuses). A store that no
 * longer holds is never half-used: nothing is trusted until the user imports one again.
 */
export function reloadPins(stored: TrustStore): { trust: TrustStore; problem: string | null } {
  try {
    return { trust: parseTrustStore(structuredClone(stored) as unknown as JsonValue), problem: null };
  } catch (e) {
    return { trust: emptyTrustStore(), problem: e instanceof Error ? e.message : String(e) };
  }
}
