import { createECDH, createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromBase64 } from '../encoding/base64.js';
import { toHex } from '../encoding/hex.js';
import {
  compressedP256Point,
  ed25519Spki,
  keyFingerprintHex,
  p256Spki,
  parsePem,
  parsePublicKey,
  parseSpki,
  publicKeyIdentity,
  toPem,
} from './spki.js';

// Keys from Sigstore's production trusted_root.json (Rekor v1 P-256, Rekor v2 Ed25519).
const REKOR_P256 =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==';
const REKOR2_ED25519 = 'MCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=';

describe('SPKI public keys', () => {
  it('reads the Rekor keys: 44-byte Ed25519 DER and P-256, with fingerprints = SHA-256(DER)', () => {
    const ed = parsePublicKey(REKOR2_ED25519);
    expect(ed.algorithm).toBe('ed25519');
    expect(ed.spki.length).toBe(44);
    expect(ed.publicKey).toEqual(fromBase64(REKOR2_ED25519).subarray(12));
    const p = parsePublicKey(REKOR_P256);
    expect(p.algorithm).toBe('ecdsa-p256');
    expect(p.publicKey.length).toBe(65);
    // The Rekor v1 logId is SHA-256 of its SPKI: c0d23d6a…
    expect(keyFingerprintHex(p)).toBe(toHex(fromBase64('wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=')));
  });

  it('reads node-generated keys as PEM and DER, and rebuilds the same SPKI from raw keys', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    const pem = ed.export({ type: 'spki', format: 'pem' }).toString();
    const der = new Uint8Array(ed.export({ type: 'spki', format: 'der' }));
    const a = parsePublicKey(pem);
    expect(a.spki).toEqual(der);
    expect(parsePublicKey(der).publicKey).toEqual(a.publicKey);
    expect(ed25519Spki(a.publicKey)).toEqual(der);
    expect(keyFingerprintHex(a)).toBe(createHash('sha256').update(der).digest('hex'));
    expect(parsePem(toPem(der))).toEqual(der);
    const p = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const pder = new Uint8Array(p.export({ type: 'spki', format: 'der' }));
    const pk = parsePublicKey(p.export({ type: 'spki', format: 'pem' }).toString());
    expect(p256Spki(pk.publicKey)).toEqual(pder);
    // PEM with CRLF line endings.
    expect(parsePublicKey(pem.replace(/\n/g, '\r\n')).spki).toEqual(der);
  });

  it('names unsupported algorithms and curves', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(() => parseSpki(new Uint8Array(p384))).toThrow(/P-384.*not supported/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(() => parseSpki(new Uint8Array(rsa))).toThrow(/RSA.*not supported/);
  });

  it('rejects non-DER and malformed encodings', () => {
    const der = fromBase64(REKOR2_ED25519);
    const trailing = new Uint8Array([...der, 0]);
    expect(() => parseSpki(trailing)).toThrow(expect.objectContaining({ code: 'der.trailing' }));
    // Long-form length for a short value is not DER.
    const nonMinimal = new Uint8Array([0x30, 0x81, 0x2a, ...der.subarray(2)]);
    expect(() => parseSpki(nonMinimal)).toThrow(expect.objectContaining({ code: 'der.length' }));
    const unusedBits = der.slice();
    unusedBits[11] = 1;
    expect(() => parseSpki(unusedBits)).toThrow(/unused bits/);
    expect(() => parseSpki(der.subarray(0, 40))).toThrow(expect.objectContaining({ code: 'der.truncated' }));
    const shortKey = new Uint8Array([0x30, 0x29, ...der.subarray(2, 10), 0x20, ...der.subarray(11, 43)]);
    expect(() => parseSpki(shortKey)).toThrow(/32 bytes, found 31/);
    expect(() => parsePem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow(
      /PUBLIC KEY/,
    );
    expect(() => parsePublicKey('not a key!')).toThrow();
  });

  it('gives one identity to a P-256 point written uncompressed or compressed, and keeps keys apart', () => {
    for (let i = 0; i < 8; i++) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const u = new Uint8Array(ecdh.getPublicKey(null, 'uncompressed'));
      const c = new Uint8Array(ecdh.getPublicKey(null, 'compressed'));
      // Both are accepted by parseSpki (so both can be pinned), as different bytes.
      expect(parseSpki(p256Spki(u)).publicKey).toEqual(u);
      expect(compressedP256Point(u)).toEqual(c);
      expect(compressedP256Point(c)).toEqual(c);
      expect(publicKeyIdentity('ecdsa-p256', u)).toBe(publicKeyIdentity('ecdsa-p256', c));
      expect(publicKeyIdentity('ecdsa-p256', u)).toBe(`ecdsa-p256:${toHex(c)}`);
      // The same x with the other parity of y is the other point (its negation): another key.
      const neg = c.slice();
      neg[0] = c[0] === 0x02 ? 0x03 : 0x02;
      expect(publicKeyIdentity('ecdsa-p256', neg)).not.toBe(publicKeyIdentity('ecdsa-p256', u));
    }
    const ed = new Uint8Array(32).fill(9);
    expect(publicKeyIdentity('ed25519', ed)).toBe(`ed25519:${toHex(ed)}`);
    expect(() => compressedP256Point(new Uint8Array(64))).toThrow(
      expect.objectContaining({ code: 'key.length', message: expect.stringMatching(/found 64 bytes/) }),
    );
    expect(() => compressedP256Point(Uint8Array.of(0x04, ...new Uint8Array(32)))).toThrow(/found 33 bytes/);
  });
});
