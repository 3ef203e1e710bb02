import { sha256 } from '../crypto/current.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { AGENT_ID_PREFIX } from './types.js';

/**
 * Self-certifying agent id (spec §4.1.1):
 * "lin:agent:" ‖ hex(SHA-256("lineage/agent-id/v1" ‖ 0x00 ‖ genesis Ed25519 key)).
 */
const DOMAIN = utf8Encode('lineage/agent-id/v1');

export function deriveAgentId(publicKey: Uint8Array | string): string {
  const key = typeof publicKey === 'string' ? fromHex(publicKey, 32, 'public_key') : publicKey;
  return AGENT_ID_PREFIX + toHex(sha256(concatBytes(DOMAIN, new Uint8Array([0]), key)));
}
