import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { toBase64 } from '../encoding/base64.js';
import { computeNoteKeyId, NOTE_KEY_TYPE_BYTE, parseVkey } from './vkey.js';

interface VkeyCase {
  vkey: string;
  valid: boolean;
  description: string;
  name?: string;
  keyIdHex?: string;
  signatureType?: number;
  publicKeyB64?: string;
}
const cases: VkeyCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'vkey-vectors.json'), 'utf8'),
).cases;

describe('c2sp vkey vectors', () => {
  it('covers every case in the file', () => expect(cases.length).toBeGreaterThanOrEqual(20));
  it.each(cases.map((c) => [`${c.description}: ${c.vkey.slice(0, 40)}`, c] as const))('%s', (_d, c) => {
    if (!c.valid) {
      expect(() => parseVkey(c.vkey)).toThrow();
      return;
    }
    const k = parseVkey(c.vkey);
    expect(k.name).toBe(c.name);
    expect(k.keyIdHex).toBe(c.keyIdHex);
    expect(k.typeByte).toBe(c.signatureType);
    expect(toBase64(k.keyMaterial)).toBe(c.publicKeyB64);
    expect(k.vkey).toBe(c.vkey);
    expect(computeNoteKeyId(k.name, k.typeByte, k.keyMaterial)).toEqual(k.keyId);
  });

  it('names the failure precisely', () => {
    expect(() => parseVkey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      /key ID c74f20a4 does not match the key: expected c74f20a3/,
    );
    expect(() => parseVkey('rekor.sigstore.dev+12345678+AwEB')).toThrow(
      /signature type 0x03 is not supported/,
    );
    expect(() => parseVkey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      /lowercase hex/,
    );
    expect(() => parseVkey('Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      /whitespace/,
    );
  });

  it('maps type names to the assigned bytes', () => {
    expect(NOTE_KEY_TYPE_BYTE).toEqual({ ed25519: 1, 'ecdsa-p256': 2, 'cosignature-v1': 4, rfc6962: 5 });
  });
});
