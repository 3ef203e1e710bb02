import {
  emptyTrustStore,
  type JsonValue,
  LineageError,
  notePublicKeyIdentity,
  parseTrustStore,
  parseVkey,
  type TrustStore,
} from '@lineage/verifier-core';

const CODE = 'trust.store';

/**
 * What parseTrustStore leaves to the moment a key is used, checked before a trust store is kept:
 * every pinned log and witness vkey parses (its key ID matches its key) and nothing is pinned twice.
 * The checks skip a key that does not parse, so without this a typo in a vkey became a log the
 * options page listed as pinned and no check ever used; a witness listed twice counts once, so a
 * threshold of 2 over it could never be met; two card signers with one kid make a JWS's `kid`
 * ambiguous. Throws a LineageError whose path names the entry.
 */
export function checkPins(trust: TrustStore): void {
  const logs = new Map<string, number>();
  trust.logs.forEach((l, i) => {
    const key = parseVkey(l.vkey, `/logs/${i}/vkey`);
    // A log may be pinned under more than one key (a rotation); the same key twice is a mistake.
    const id = `${l.origin}\n${key.vkey}`;
    const first = logs.get(id);
    if (first !== undefined) {
      throw new LineageError(CODE, `the same log key is pinned twice (also /logs/${first})`, `/logs/${i}`, {
        expected: 'each log key once',
        found: `${l.origin} with the key of /logs/${first} again`,
      });
    }
    logs.set(id, i);
  });
  const witnesses = new Map<string, number>();
  trust.witnesses.vkeys.forEach((v, i) => {
    const key = parseVkey(v, `/witnesses/vkeys/${i}`);
    // One key under two names or encodings is still one witness (spec §3.3 rule 6).
    const id = notePublicKeyIdentity(key);
    const first = witnesses.get(id);
    if (first !== undefined) {
      throw new LineageError(
        CODE,
        `the same witness key as /witnesses/vkeys/${first}; a key counts once toward the threshold`,
        `/witnesses/vkeys/${i}`,
        { expected: 'each witness key once', found: `the key of /witnesses/vkeys/${first} again` },
      );
    }
    witnesses.set(id, i);
  });
  const kids = new Map<string, number>();
  trust.card_signers.forEach((c, i) => {
    const first = kids.get(c.kid);
    if (first !== undefined) {
      throw new LineageError(
        CODE,
        `the kid ${JSON.stringify(c.kid)} is pinned twice (also /card_signers/${first})`,
        `/card_signers/${i}/kid`,
        { expected: 'each kid once', found: `${JSON.stringify(c.kid)} again` },
      );
    }
    kids.set(c.kid, i);
  });
}

/** A trust store from a file the user picked: strict JSON, the §4.8 schema, then checkPins. */
export function parsePins(text: string): TrustStore {
  const trust = parseTrustStore(text);
  checkPins(trust);
  return trust;
}

/**
 * The stored trust store, checked again as if it were imported now: storage is not trusted (anyone
 * with the profile can edit it, and an older version stored pins this one refuses). A store that no
 * longer holds is never half-used: nothing is trusted until the user imports one again.
 */
export function reloadPins(stored: TrustStore): { trust: TrustStore; problem: string | null } {
  try {
    const trust = parseTrustStore(structuredClone(stored) as unknown as JsonValue);
    checkPins(trust);
    return { trust, problem: null };
  } catch (e) {
    return { trust: emptyTrustStore(), problem: e instanceof Error ? e.message : String(e) };
  }
}
