import { type NoteVerifierKey, notePublicKeyIdentity, parseVkey } from '../note/vkey.js';
import { isLineageError, LineageError } from '../result.js';
import type { TrustStore } from './types.js';

/** Failures are the parser's: LineageError code "trust.store", the path naming the entry. */
const CODE = 'trust.store';

/**
 * The pins of a schema-valid trust store, checked as keys (spec §4.8 "Pins"): every log and witness
 * vkey parses (its key ID is its key's), and nothing is pinned twice or two ways. Without this a
 * vkey typo was a log listed as pinned that no check could use; a witness listed twice counts once
 * (§3.3 rule 6), so a threshold over both could never be met; and two entries one lookup cannot tell
 * apart (two card signers with one kid, two approvers with one id) let the order of the file decide
 * which key or roles a signature gets. Throws a LineageError naming the field, expected and found.
 */
export function checkPins(trust: TrustStore): void {
  // (name, key ID) → the first note key with it, across logs and witnesses: a signature line names
  // its key by that pair only (§3.1).
  const noteKeys = new Map<string, { key: NoteVerifierKey; path: string }>();
  const distinctSigner = (key: NoteVerifierKey, path: string) => {
    const pair = `${key.name}\n${key.keyIdHex}`;
    const first = noteKeys.get(pair);
    if (first && first.key.vkey !== key.vkey) {
      throw new LineageError(
        CODE,
        `a different key with the name and key ID of ${first.path}: a signature line names its key by these two only, so it could not be told which key signed`,
        path,
        {
          expected: `no other key named ${key.name} with key ID ${key.keyIdHex}`,
          found: `${first.path} ${first.key.vkey}`,
        },
      );
    }
    if (!first) noteKeys.set(pair, { key, path });
  };

  const logPins = new Map<string, number>();
  const logKeys = new Map<string, number>();
  trust.logs.forEach((l, i) => {
    const key = vkey(l.vkey, `/logs/${i}/vkey`);
    // A log may be pinned under more than one key (a rotation); the same key twice is a mistake.
    const pin = `${l.origin}\n${notePublicKeyIdentity(key)}`;
    const first = logPins.get(pin);
    if (first !== undefined) {
      throw new LineageError(CODE, `the same log key is pinned twice (also /logs/${first})`, `/logs/${i}`, {
        expected: 'each log key pinned once for its origin',
        found: `${JSON.stringify(l.origin)} with the key of /logs/${first} again`,
      });
    }
    logPins.set(pin, i);
    if (!logKeys.has(notePublicKeyIdentity(key))) logKeys.set(notePublicKeyIdentity(key), i);
    distinctSigner(key, `/logs/${i}/vkey`);
  });

  const witnesses = new Map<string, number>();
  trust.witnesses.vkeys.forEach((v, i) => {
    const path = `/witnesses/vkeys/${i}`;
    const key = vkey(v, path);
    // One key under two names, types or encodings is still one witness (spec §3.3 rule 6).
    const id = notePublicKeyIdentity(key);
    const first = witnesses.get(id);
    if (first !== undefined) {
      throw new LineageError(
        CODE,
        `the same witness key as /witnesses/vkeys/${first}; a key counts once toward the threshold`,
        path,
        { expected: 'each witness key once', found: `the key of /witnesses/vkeys/${first} again` },
      );
    }
    const log = logKeys.get(id);
    if (log !== undefined) {
      throw new LineageError(
        CODE,
        `the key of the log pinned at /logs/${log}; a log never witnesses its own checkpoint, so this witness would never count for it`,
        path,
        { expected: 'a key that is no pinned log’s', found: `the key of /logs/${log}/vkey` },
      );
    }
    witnesses.set(id, i);
    distinctSigner(key, path);
  });

  once(
    trust.proof_servers.map((p) => p.id),
    (i) => `/proof_servers/${i}/id`,
    'proof server id',
    'which key an attestation naming it is checked against',
  );
  once(
    trust.approvers.map((a) => a.id),
    (i) => `/approvers/${i}/id`,
    'approver id',
    'which key and roles an approval by it gets',
  );
  // One key under two ids is one person with both ids' roles: an approval signed once could be
  // presented as either, and two required approvers could be the same hand.
  once(
    trust.approvers.map((a) => a.public_key),
    (i) => `/approvers/${i}/public_key`,
    'approver key',
    'which approver signed',
  );
  once(
    trust.card_signers.map((c) => c.kid),
    (i) => `/card_signers/${i}/kid`,
    'card signer kid',
    'which key a JWS naming it is checked against',
  );
}

/** A pinned vkey parsed, its failure re-raised as the trust store's with expected and found. */
function vkey(text: string, path: string): NoteVerifierKey {
  try {
    return parseVkey(text, path);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    throw new LineageError(
      CODE,
      e.detail,
      path,
      e.expected !== undefined && e.found !== undefined
        ? { expected: e.expected, found: e.found }
        : {
            expected: 'a C2SP verifier key <name>+<8 lowercase hex key ID>+<base64(type byte ‖ key)>',
            found: JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text),
          },
    );
  }
}

/** Refuses a value listed twice, naming both entries and what the repetition would leave open. */
function once(values: readonly string[], path: (i: number) => string, what: string, ambiguous: string): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    const first = seen.get(v);
    if (first !== undefined) {
      throw new LineageError(
        CODE,
        `the ${what} ${JSON.stringify(v)} is pinned twice (also ${path(first)}): the file's order would decide ${ambiguous}`,
        path(i),
        { expected: `each ${what} once`, found: `${JSON.stringify(v)} again` },
      );
    }
    seen.set(v, i);
  });
}
