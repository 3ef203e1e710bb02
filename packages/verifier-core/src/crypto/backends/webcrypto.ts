import { p256 } from '@noble/curves/nist.js';
import { fromHex, toHex } from '../../encoding/hex.js';
import type { CryptoBackend, EcdsaP256VerifyItem, Ed25519VerifyItem } from '../backend.js';
import { ecdsaDerToRaw } from '../ecdsa-der.js';
import { ed25519Precheck } from '../ed25519-policy.js';
import { nobleHashing } from './noble.js';

// The core compiles without the DOM lib, so declare the sliver of SubtleCrypto it uses.
type CryptoKeyHandle = object;
interface SubtleCryptoLike {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: string; namedCurve?: string },
    extractable: boolean,
    keyUsages: string[],
  ): Promise<CryptoKeyHandle>;
  verify(
    algorithm: { name: string; hash?: string },
    key: CryptoKeyHandle,
    signature: Uint8Array,
    data: Uint8Array,
  ): Promise<boolean>;
}

function subtle(): SubtleCryptoLike | undefined {
  return (globalThis as { crypto?: { subtle?: SubtleCryptoLike } }).crypto?.subtle;
}

// Importing is the expensive step and agents reuse keys; cache the import promise.
const keyCache = new Map<string, Promise<CryptoKeyHandle | null>>();
const KEY_CACHE_MAX = 4096;

function importCached(id: string, make: () => Promise<CryptoKeyHandle>): Promise<CryptoKeyHandle | null> {
  let p = keyCache.get(id);
  if (p === undefined) {
    p = make().catch(() => null);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(id, p);
  }
  return p;
}

async function verifyEd25519(item: Ed25519VerifyItem): Promise<boolean> {
  const s = subtle();
  if (!s || !ed25519Precheck(item.publicKey, item.signature)) return false;
  const key = await importCached(`ed:${toHex(item.publicKey)}`, () =>
    s.importKey('raw', item.publicKey, { name: 'Ed25519' }, false, ['verify']),
  );
  if (key === null) return false;
  try {
    return await s.verify({ name: 'Ed25519' }, key, item.signature, item.message);
  } catch {
    return false;
  }
}

/** WebCrypto's raw import of compressed points is not universal, so decompress first. */
function uncompressedP256(point: Uint8Array): Uint8Array | null {
  if (point.length === 65 && point[0] === 0x04) return point;
  if (point.length !== 33 || (point[0] !== 0x02 && point[0] !== 0x03)) return null;
  try {
    return p256.Point.fromBytes(point).toBytes(false);
  } catch {
    return null;
  }
}

async function verifyP256(item: EcdsaP256VerifyItem): Promise<boolean> {
  const s = subtle();
  if (!s) return false;
  const point = uncompressedP256(item.publicKey);
  const sig = item.signatureFormat === 'der' ? ecdsaDerToRaw(item.signature) : item.signature;
  if (point === null || sig === null || sig.length !== 64) return false;
  const key = await importCached(`p256:${toHex(point)}`, () =>
    s.importKey('raw', point, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']),
  );
  if (key === null) return false;
  try {
    // WebCrypto takes r‖s and, like OpenSSL and Go, accepts high-S.
    return await s.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, item.message);
  } catch {
    return false;
  }
}

/**
 * WebCrypto backend (browsers, Electron renderer, extension workers, Node).
 * Signatures go through `crypto.subtle`; hashing is synchronous in the core's
 * interface and subtle.digest is not, so SHA-2 comes from @noble/hashes.
 */
export const webcryptoBackend: CryptoBackend = {
  name: 'webcrypto',
  ...nobleHashing,
  ed25519Verify: verifyEd25519,
  // subtle.verify is asynchronous (off the main thread in some engines), so issue the whole batch at once.
  ed25519VerifyBatch: (items) => Promise.all(items.map(verifyEd25519)),
  ecdsaP256Verify: verifyP256,
};

// Probes: RFC 8032 TEST 1 must verify; Wycheproof tcId 151 (R with y=1 and the x
// sign bit set, §5.1.3) and a signature whose R has a small-order component
// (valid only under the cofactored equation) must not. The precheck already
// covers S ≥ L and bad A, so these probe what it cannot: R decoding and the
// cofactorless equation. An engine that fails any probe would disagree with our
// other backends, so it is not used.
const PROBE_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const PROBES: readonly { message: string; signature: string; expected: boolean }[] = [
  {
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    expected: true,
  },
  {
    message: '',
    signature:
      'afe985e432d16abaeed0fbd848db44520ef193bdde65d944b6a942a8f97ab11c18e6d3a1cae42f0572a5b35bfdd472d4332c26374638b2981c0821c840448a0b',
    expected: false,
  },
  {
    message: '313233343030',
    signature:
      '0100000000000000000000000000000000000000000000000000000000000080c803ee1f2342aa96ff698a393d1ab5e66f3eda101d6d120b394c3fd32c117d0a',
    expected: false,
  },
];

let detection: Promise<boolean> | undefined;

/**
 * Whether this environment's WebCrypto verifies Ed25519 exactly as our policy
 * requires. Runs the probes once, lazily; never throws.
 */
export function detectWebCryptoEd25519(): Promise<boolean> {
  detection ??= (async () => {
    if (!subtle()) return false;
    try {
      const publicKey = fromHex(PROBE_KEY);
      for (const p of PROBES) {
        const ok = await verifyEd25519({
          publicKey,
          message: fromHex(p.message),
          signature: fromHex(p.signature),
        });
        if (ok !== p.expected) return false;
      }
      return true;
    } catch {
      return false;
    }
  })();
  return detection;
}
