import { createHash, ECDH, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fromBase64Url } from '../encoding/base64.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { LineageError } from '../result.js';
import type { CryptoBackend, EcdsaP256VerifyItem } from './backend.js';
import { defaultBackend as browserDefault, resolveDefaultBackend } from './backends/browser-default.js';
import { nobleBackend } from './backends/noble.js';
import { nodeBackend } from './backends/node.js';
import { webcryptoBackend } from './backends/webcrypto.js';
import {
  getCryptoBackend,
  resolveCryptoBackend,
  selectBackend,
  setCryptoBackend,
  sha256,
} from './current.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from './ecdsa-der.js';

const backends: CryptoBackend[] = [nodeBackend, webcryptoBackend, nobleBackend, browserDefault];
const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function big(b: Uint8Array): bigint {
  return BigInt(`0x${toHex(b) || '0'}`);
}
function bytes32(n: bigint): Uint8Array {
  return fromHex(n.toString(16).padStart(64, '0'));
}

/** A fresh P-256 key from node:crypto, as SEC1 uncompressed and compressed points. */
function p256Key() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const uncompressed = Uint8Array.from([4, ...fromBase64Url(jwk.x!, 32), ...fromBase64Url(jwk.y!, 32)]);
  const compressed = new Uint8Array(
    ECDH.convertKey(uncompressed, 'prime256v1', undefined, undefined, 'compressed') as Buffer,
  );
  return { privateKey, uncompressed, compressed };
}

const key = p256Key();
const other = p256Key();
const message = new TextEncoder().encode('checkpoint body\n');
const raw = new Uint8Array(sign('sha256', message, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }));
const der = new Uint8Array(sign('sha256', message, key.privateKey));
const r = big(raw.subarray(0, 32));
const s = big(raw.subarray(32));
/** The other valid signature for the same (r): S' = n - S. Exactly one of S, S' is "high". */
const flippedRaw = Uint8Array.from([...bytes32(r), ...bytes32(N - s)]);

function item(over: Partial<EcdsaP256VerifyItem>): EcdsaP256VerifyItem {
  return { publicKey: key.uncompressed, message, signature: raw, signatureFormat: 'raw', ...over };
}

describe.each(backends.map((b) => [b.name, b] as const))('ECDSA P-256 on %s', (_name, backend) => {
  it('verifies raw and DER signatures with uncompressed and compressed keys', async () => {
    for (const publicKey of [key.uncompressed, key.compressed]) {
      expect(await backend.ecdsaP256Verify(item({ publicKey }))).toBe(true);
      expect(await backend.ecdsaP256Verify(item({ publicKey, signature: der, signatureFormat: 'der' }))).toBe(
        true,
      );
    }
  });

  it('accepts both S and n-S (high-S is not rejected)', async () => {
    expect(await backend.ecdsaP256Verify(item({ signature: flippedRaw }))).toBe(true);
    const flippedDer = ecdsaRawToDer(flippedRaw);
    expect(await backend.ecdsaP256Verify(item({ signature: flippedDer, signatureFormat: 'der' }))).toBe(true);
  });

  it('rejects tampering and mismatches', async () => {
    const tampered = Uint8Array.from(raw);
    tampered[40]! ^= 1;
    const cases: [string, EcdsaP256VerifyItem][] = [
      ['tampered signature', item({ signature: tampered })],
      ['tampered message', item({ message: Uint8Array.of(...message, 0) })],
      ['other key', item({ publicKey: other.uncompressed })],
      ['DER labelled raw', item({ signature: der, signatureFormat: 'raw' })],
      ['raw labelled DER', item({ signatureFormat: 'der' })],
      ['truncated raw', item({ signature: raw.subarray(0, 63) })],
      ['empty signature', item({ signature: new Uint8Array() })],
      ['r = 0', item({ signature: Uint8Array.from([...new Uint8Array(32), ...raw.subarray(32)]) })],
      ['s = n', item({ signature: Uint8Array.from([...raw.subarray(0, 32), ...bytes32(N)]) })],
      [
        's = s + n (does not fit 32 bytes: r‖s with s mod 2^256)',
        item({ signature: Uint8Array.from([...raw.subarray(0, 32), ...bytes32((s + N) % 2n ** 256n)]) }),
      ],
      [
        'point not on the curve',
        item({
          publicKey: Uint8Array.from([4, ...key.uncompressed.subarray(1, 64), key.uncompressed[64]! ^ 1]),
        }),
      ],
      [
        'hybrid point prefix 0x06',
        item({ publicKey: Uint8Array.from([6, ...key.uncompressed.subarray(1)]) }),
      ],
      ['64-byte point without prefix', item({ publicKey: key.uncompressed.subarray(1) })],
      [
        'compressed point with wrong parity',
        item({ publicKey: Uint8Array.from([key.compressed[0]! ^ 1, ...key.compressed.subarray(1)]) }),
      ],
      ['empty key', item({ publicKey: new Uint8Array() })],
    ];
    for (const [label, c] of cases) {
      expect([label, await backend.ecdsaP256Verify(c)]).toEqual([label, false]);
    }
  });

  it('rejects BER and malformed DER encodings of a valid signature', async () => {
    const rl = der[3]!;
    const rBytes = der.subarray(4, 4 + rl);
    const rest = der.subarray(4 + rl);
    const padded = Uint8Array.from([0x02, rl + 1, 0, ...rBytes, ...rest]);
    const variants: [string, Uint8Array][] = [
      ['long-form length', Uint8Array.from([0x30, 0x81, der.length - 2, ...der.subarray(2)])],
      ['trailing byte', Uint8Array.from([...der, 0])],
      ['non-minimal r', Uint8Array.from([0x30, padded.length, ...padded])],
      ['wrong outer length', Uint8Array.from([0x30, der[1]! + 1, ...der.subarray(2)])],
      ['SET instead of SEQUENCE', Uint8Array.from([0x31, ...der.subarray(1)])],
      ['truncated', der.subarray(0, der.length - 1)],
    ];
    for (const [label, signature] of variants) {
      expect([label, await backend.ecdsaP256Verify(item({ signature, signatureFormat: 'der' }))]).toEqual([
        label,
        false,
      ]);
    }
  });
});

describe('ecdsaDerToRaw / ecdsaRawToDer', () => {
  it('round-trips random r‖s and agrees with node:crypto DER', () => {
    // node:crypto's DER is exactly what we re-encode from its r‖s.
    expect(ecdsaRawToDer(ecdsaDerToRaw(der)!)).toEqual(der);
    expect(ecdsaDerToRaw(ecdsaRawToDer(raw))).toEqual(raw);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (rs) => {
        expect(ecdsaDerToRaw(ecdsaRawToDer(rs))).toEqual(rs);
      }),
    );
  });

  it('rejects negative integers and oversize values', () => {
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 6, 0x02, 1, 0x80, 0x02, 1, 1]))).toBeNull();
    const big33 = [0x02, 33, 1, ...new Uint8Array(32)];
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 38, ...big33, 0x02, 1, 1]))).toBeNull();
  });
});

describe('SHA-256 / SHA-512', () => {
  const abc = new TextEncoder().encode('abc');

  it.each(backends.map((b) => [b.name, b] as const))('%s matches FIPS 180-4 examples', (_n, b) => {
    expect(toHex(b.sha256(abc))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(b.sha256(new Uint8Array()))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(toHex(b.sha512(abc))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('incremental hashing equals one-shot (and hex one-shot) on every backend, for random chunkings', () => {
    expect(typeof nodeBackend.sha256Hex).toBe('function');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (chunks) => {
        const whole = Uint8Array.from(chunks.flatMap((c) => [...c]));
        const want = toHex(createHash('sha256').update(whole).digest());
        for (const b of backends) {
          const h = b.createSha256();
          for (const c of chunks) h.update(c);
          expect(toHex(h.digest())).toBe(want);
          expect(toHex(b.sha256(whole))).toBe(want);
          if (b.sha256Hex) expect(b.sha256Hex(whole)).toBe(want);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('hashes a 5 MB input in uneven chunks identically', () => {
    const data = new Uint8Array(randomBytes(5_000_003));
    const want = toHex(createHash('sha256').update(data).digest());
    for (const b of backends) {
      const h = b.createSha256();
      for (let off = 0; off < data.length; off += 65_537) h.update(data.subarray(off, off + 65_537));
      expect([b.name, toHex(h.digest())]).toEqual([b.name, want]);
    }
  });
});

describe('backend selection', () => {
  const original = getCryptoBackend();
  afterEach(() => setCryptoBackend(original));

  it('defaults to node:crypto under Node', () => {
    expect(original).toBe(nodeBackend);
  });

  it('selects each backend by name and uses it for sha256()', async () => {
    for (const [name, want] of [
      ['noble', nobleBackend],
      ['webcrypto', webcryptoBackend],
      ['node', nodeBackend],
      ['auto', nodeBackend],
    ] as const) {
      expect(await selectBackend(name)).toBe(want);
      expect(getCryptoBackend()).toBe(want);
      expect(toHex(sha256(new Uint8Array()))).toBe(
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      );
    }
  });

  it('rejects an unknown name without changing the backend', async () => {
    setCryptoBackend(nobleBackend);
    const e = await resolveCryptoBackend('openssl' as 'node').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LineageError);
    expect((e as LineageError).code).toBe('crypto.backend-unknown');
    await expect(selectBackend('bogus' as 'node')).rejects.toThrow(/unknown crypto backend "bogus"/);
    expect(getCryptoBackend()).toBe(nobleBackend);
  });

  it('the browser default picks WebCrypto when its Ed25519 passes the probes', async () => {
    expect(await resolveDefaultBackend()).toBe(webcryptoBackend);
    expect(browserDefault.name).toBe('webcrypto');
  });
});
