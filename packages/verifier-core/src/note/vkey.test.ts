import { createECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { toBase64 } from '../encoding/base64.js';
import { toHex } from '../encoding/hex.js';
import { p256Spki } from '../keys/spki.js';
import {
  computeNoteKeyId,
  NOTE_KEY_TYPE_BYTE,
  notePublicKeyIdentity,
  noteVerifierKey,
  parseVkey,
} from './vkey.js';

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

  it('names one public key once, whatever its name, type byte or point encoding', () => {
    const ed = parseVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    const asCosigner = noteVerifierKey('witness.example/w', 'cosignature-v1', ed.keyMaterial);
    expect(asCosigner.vkey).not.toBe(ed.vkey);
    expect(notePublicKeyIdentity(asCosigner)).toBe(notePublicKeyIdentity(ed));
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const u = p256Spki(new Uint8Array(ecdh.getPublicKey(null, 'uncompressed')));
    const point = new Uint8Array(ecdh.getPublicKey(null, 'compressed'));
    const c = Uint8Array.of(0x30, 0x39, ...u.subarray(2, 23), 0x03, 0x22, 0x00, ...point);
    const keys = [
      noteVerifierKey('w', 'ecdsa-p256', u),
      noteVerifierKey('w', 'ecdsa-p256', c),
      noteVerifierKey('other', 'rfc6962', c),
    ];
    expect(new Set(keys.map((k) => k.keyIdHex)).size).toBe(3);
    expect(new Set(keys.map(notePublicKeyIdentity))).toEqual(new Set([`ecdsa-p256:${toHex(point)}`]));
    // An Ed25519 key and a P-256 key never share an identity.
    expect(notePublicKeyIdentity(ed)).toMatch(/^ed25519:[0-9a-f]{64}$/);
  });
});
