import type { CryptoBackend } from '../crypto/backend.js';
import { getCryptoBackend, sha256 } from '../crypto/current.js';
import { fromBase64Url, toBase64Url } from '../encoding/base64.js';
import { bytesEqual, concatBytes, utf8DecodeStrict, utf8Encode } from '../encoding/bytes.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { isObject, type JsonObject } from '../events/fields.js';
import { outcome } from '../events/outcome.js';
import { parseStrictJson } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { formatCountOf, isLineageError } from '../result.js';
import type { TrustStore } from '../trust/types.js';
import { CARD_PAYLOAD_FORMS, type CardPayloadForm, cardPayloadBytes } from './card-canonical.js';

/**
 * A2A card signatures (A2A v1.0 §8.4; spec §4.1.4): detached-payload JWS over the
 * RFC 8785 card without `signatures`. Keys come from the trust store or a verified
 * identity block — never from `jku`, `jwk` or `x5u` in the header.
 */
export interface CardSignatureKey {
  alg: 'EdDSA' | 'ES256';
  publicKey: Uint8Array;
  source: string;
}

export interface CardSignatureResult {
  index: number;
  header?: { alg?: string; kid?: string; typ?: string; jku?: string };
  status: 'verified' | 'invalid' | 'not_verified' | 'malformed';
  /** Which payload form matched, when verified. */
  form?: CardPayloadForm;
  keySource?: string;
  outcome: CheckOutcome;
}

async function verifyWith(
  key: CardSignatureKey,
  signingInput: Uint8Array,
  sig: Uint8Array,
  backend: CryptoBackend,
): Promise<boolean> {
  try {
    if (key.alg === 'EdDSA')
      return await backend.ed25519Verify({ publicKey: key.publicKey, message: signingInput, signature: sig });
    return await backend.ecdsaP256Verify({
      publicKey: key.publicKey,
      message: signingInput,
      signature: sig,
      signatureFormat: 'raw',
    });
  } catch {
    return false;
  }
}

export async function verifyCardSignatures(
  card: JsonObject,
  cardId: string,
  trust: TrustStore,
  identityKey: { agentId: string; publicKey: string } | undefined,
  backend: CryptoBackend = getCryptoBackend(),
): Promise<CardSignatureResult[]> {
  const title = 'A2A card signature verifies under a trusted key';
  const sigs = card.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0) {
    return [
      {
        index: -1,
        status: 'not_verified',
        outcome: outcome(
          'card.a2a_signature',
          'not_checked',
          { kind: 'card', id: cardId, field: '/signatures' },
          title,
          {
            reason: 'the card carries no A2A signature',
          },
        ),
      },
    ];
  }
  const payloads = CARD_PAYLOAD_FORMS.map((form) => ({ form, bytes: cardPayloadBytes(card, form) }));
  const results: CardSignatureResult[] = [];
  for (let i = 0; i < sigs.length; i++) {
    const subject = { kind: 'card' as const, id: cardId, field: `/signatures/${i}` };
    const s = sigs[i];
    const malformed = (
      reason: string,
      found: string,
      expected = 'a JWS entry: "protected" (base64url of a JSON object header) and "signature" (base64url)',
    ): CardSignatureResult => ({
      index: i,
      status: 'malformed',
      outcome: outcome('card.a2a_signature', 'fail', subject, title, {
        reason,
        expected,
        found,
      }),
    });
    if (!isObject(s) || typeof s.protected !== 'string' || typeof s.signature !== 'string') {
      results.push(
        malformed(
          'signature entry needs string "protected" and "signature"',
          'an entry without both strings',
        ),
      );
      continue;
    }
    let header: JsonObject;
    let sig: Uint8Array;
    try {
      const h = parseStrictJson(utf8DecodeStrict(fromBase64Url(s.protected, undefined, 'protected')));
      if (!isObject(h)) throw new Error('protected header is not a JSON object');
      header = h;
      sig = fromBase64Url(s.signature, undefined, 'signature');
    } catch (e) {
      results.push(
        malformed(
          `cannot decode: ${isLineageError(e) || e instanceof Error ? e.message : String(e)}`,
          'a "protected" header or "signature" that does not decode',
        ),
      );
      continue;
    }
    const alg = typeof header.alg === 'string' ? header.alg : undefined;
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const jku = typeof header.jku === 'string' ? header.jku : undefined;
    const hdr: NonNullable<CardSignatureResult['header']> = {};
    if (alg) hdr.alg = alg;
    if (kid) hdr.kid = kid;
    if (typeof header.typ === 'string') hdr.typ = header.typ;
    if (jku) hdr.jku = jku;
    if (alg !== 'EdDSA' && alg !== 'ES256') {
      results.push({
        index: i,
        header: hdr,
        status: 'not_verified',
        outcome: outcome('card.a2a_signature', 'not_checked', subject, title, {
          reason: `unsupported alg ${JSON.stringify(alg ?? null)} (supported: EdDSA, ES256)`,
        }),
      });
      continue;
    }
    if (header.crit !== undefined) {
      // RFC 7515 §4.1.11: a verifier that does not understand a critical header must reject it.
      results.push({
        index: i,
        header: hdr,
        status: 'not_verified',
        outcome: outcome('card.a2a_signature', 'not_checked', subject, title, {
          reason: `the protected header lists critical extensions ${JSON.stringify(header.crit)} this verifier does not implement`,
        }),
      });
      continue;
    }
    if (sig.length !== 64) {
      results.push({
        ...malformed(
          `an ${alg} signature is 64 bytes, found ${sig.length}`,
          formatCountOf(sig.length, 'byte'),
          `a 64-byte ${alg} signature`,
        ),
        header: hdr,
      });
      continue;
    }
    const keys: CardSignatureKey[] = trust.card_signers
      .filter((k) => k.kid === kid && k.alg === alg)
      .map((k) => ({
        alg: k.alg,
        publicKey: fromHex(k.public_key),
        source: `trust store card signer "${k.kid}"`,
      }));
    if (alg === 'EdDSA' && identityKey && kid === identityKey.agentId) {
      keys.push({
        alg,
        publicKey: fromHex(identityKey.publicKey, 32),
        source: "the card's verified identity block",
      });
    }
    if (keys.length === 0) {
      const why = jku ? `; jku ${jku} is never fetched` : '';
      results.push({
        index: i,
        header: hdr,
        status: 'not_verified',
        outcome: outcome('card.a2a_signature', 'not_checked', subject, title, {
          reason: `signature present, not verified (no trusted key for kid ${JSON.stringify(kid ?? null)}, alg ${alg}${why})`,
        }),
      });
      continue;
    }
    const input = (payload: Uint8Array) =>
      concatBytes(utf8Encode(`${s.protected}.`), utf8Encode(toBase64Url(payload)));
    let match: { form: CardPayloadForm; key: CardSignatureKey } | undefined;
    for (const key of keys) {
      for (const p of payloads) {
        if (await verifyWith(key, input(p.bytes), sig, backend)) {
          match = { form: p.form, key };
          break;
        }
      }
      if (match) break;
    }
    if (match) {
      const formText =
        match.form === 'sdk'
          ? 'SDK form (every empty value removed)'
          : match.form === 'spec'
            ? 'A2A spec-text form (REQUIRED fields kept when empty)'
            : 'as-is form (no empty-value removal)';
      results.push({
        index: i,
        header: hdr,
        status: 'verified',
        form: match.form,
        keySource: match.key.source,
        outcome: outcome('card.a2a_signature', 'pass', subject, title, {
          found: `${alg} signature by ${match.key.source} over the ${formText}`,
        }),
      });
      continue;
    }
    const digests = payloads.map((p) => `${p.form}=${toHex(sha256(p.bytes)).slice(0, 16)}…`).join(', ');
    const allSame = payloads.every((p) => bytesEqual(p.bytes, payloads[0]!.bytes));
    results.push({
      index: i,
      header: hdr,
      status: 'invalid',
      outcome: outcome('card.a2a_signature', 'fail', subject, title, {
        reason: allSame
          ? `signature does not verify under ${keys.map((k) => k.source).join(' or ')}: the card was altered after signing or signed by another key (the card has no empty values, so canonicalization cannot explain it)`
          : `signature does not verify under ${keys.map((k) => k.source).join(' or ')} in any canonical form; the forms differ on empty values, so a signer using another empty-value rule would also fail here`,
        expected: 'a signature over one of the payload forms',
        found: `payload SHA-256 tried: ${digests}`,
      }),
    });
  }
  return results;
}
