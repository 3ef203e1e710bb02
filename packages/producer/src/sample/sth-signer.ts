import { computeNoteKeyId, concatBytes, toBase64, utf8Encode } from '@lineage/verifier-core';
import { type Ed25519Key, signBytes } from '../identity/index.js';
import type { CheckpointSigner } from '../log/index.js';

/**
 * Signs Lineage STHs (docs/spec/03-checkpoints.md): a C2SP checkpoint with a
 * `timestamp <unix ms>` line, signed by the log's Ed25519 note key named after the log id.
 * `clock` supplies the signing time so samples are reproducible.
 */
export function lineageSthSigner(logId: string, key: Ed25519Key, clock: () => number): CheckpointSigner {
  const keyId = computeNoteKeyId(logId, 0x01, key.publicKey);
  return async ({ origin, size, rootHash }) => {
    const body = `${origin}\n${size}\n${toBase64(rootHash)}\ntimestamp ${clock()}\n`;
    const sig = signBytes(key, utf8Encode(body));
    return `${body}\n\u2014 ${logId} ${toBase64(concatBytes(keyId, sig))}\n`;
  };
}

/** The C2SP vkey for a log key: name+hex(key id)+base64(0x01 ‖ public key). */
export function lineageLogVkey(logId: string, key: Ed25519Key): string {
  const id = computeNoteKeyId(logId, 0x01, key.publicKey);
  const hex = Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${logId}+${hex}+${toBase64(concatBytes(Uint8Array.of(0x01), key.publicKey))}`;
}
