import type { Ed25519Key } from '../identity/index.js';
import type { CheckpointSigner } from '../log/index.js';
import { makeLineageSth, noteSigner } from '../note/index.js';

/**
 * Adapts the note package's Lineage STH signer to the store: `clock` supplies the signing
 * time (unix ms) so the sample is reproducible.
 */
export function lineageSthSigner(logId: string, key: Ed25519Key, clock: () => number): CheckpointSigner {
  const signer = noteSigner(logId, key);
  return async ({ origin, size, rootHash }) =>
    makeLineageSth({ logId: origin, treeSize: size, rootHash, timestampMs: clock() }, signer);
}

/** The C2SP vkey a verifier pins for the log. */
export function lineageLogVkey(logId: string, key: Ed25519Key): string {
  return noteSigner(logId, key).vkey;
}
