import { checkDirectInclusion, type DirectInclusionResult } from '../chain/inclusion.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { eventId, eventLeafHash } from '../events/hash.js';
import { outcome, short } from '../events/outcome.js';
import { parseEvent } from '../events/parse.js';
import { verifyEventSignature } from '../events/verify.js';
import type { JsonValue } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { expectedFoundOf, isLineageError, type LineageError } from '../result.js';
import { SthVerifier } from '../trust/sth.js';
import type { TrustStore } from '../trust/types.js';
import type { IdentityBlockParams } from './types.js';

/** Evidence for a card's lineage pointers: its registration event and that event's inclusion proof. */
export interface CardRegistrationEvidence {
  event: JsonValue;
  inclusion: JsonValue;
}

/**
 * What one piece of evidence shows whichever card points to it, found once: thousands of cards
 * may point to one registration event, and a large event was parsed, hashed and canonicalized
 * again for each (400 cards on a 1 MB registration took 8 s). For one trust store and backend.
 */
export type CardRegistrationMemo = WeakMap<CardRegistrationEvidence, RegistrationFacts>;

interface RegistrationFacts {
  parsed?: { event: ReturnType<typeof parseEvent>; id: string } | { error: LineageError };
  signature?: Promise<boolean>;
  inclusion?: Promise<DirectInclusionResult>;
}

/** The registration's own signature, verified once per piece of evidence. */
function signedOnce(
  facts: RegistrationFacts,
  e: ReturnType<typeof parseEvent>,
  backend: CryptoBackend | undefined,
): Promise<boolean> {
  if (!facts.signature) facts.signature = verifyEventSignature(e, backend);
  return facts.signature;
}

const TITLE = "the card's lineage pointers lead to its registration event in a trusted log";

/**
 * `card.lineage` (spec §4.1.2): the registration event the card points to exists,
 * registers this agent with its genesis key, is signed by it, and sits at the
 * pointed-to leaf of the pointed-to log under a verified tree head.
 */
export async function checkCardLineage(
  params: IdentityBlockParams,
  cardId: string,
  trust: TrustStore,
  evidence: CardRegistrationEvidence | undefined,
  opts: { backend?: CryptoBackend; paramsPath?: string; memo?: CardRegistrationMemo } = {},
): Promise<CheckOutcome | undefined> {
  const l = params.lineage;
  if (!l) return undefined;
  const subject = {
    kind: 'card' as const,
    id: cardId,
    field: `${opts.paramsPath ?? '/capabilities/extensions/params'}/lineage`,
  };
  const backend = opts.backend;
  if (!evidence) {
    return outcome('card.lineage', 'not_checked', subject, TITLE, {
      reason: `registration event ${l.registration_event_id.slice(0, 12)}… in ${l.log_origin} was not supplied`,
    });
  }
  let facts = opts.memo?.get(evidence);
  if (!facts) {
    facts = {};
    opts.memo?.set(evidence, facts);
  }
  if (!facts.parsed) {
    try {
      const event = parseEvent(evidence.event);
      facts.parsed = { event, id: eventId(event) };
    } catch (err) {
      if (!isLineageError(err)) throw err;
      facts.parsed = { error: err };
    }
  }
  if ('error' in facts.parsed) {
    const err = facts.parsed.error;
    return outcome('card.lineage', 'fail', subject, TITLE, {
      reason: `registration event malformed: ${err.message}`,
      ...expectedFoundOf(err),
    });
  }
  const { event: e, id } = facts.parsed;
  const genesis = params.genesis_public_key ?? params.public_key;
  // Each problem with what the card's pointers require and what the supplied event shows.
  const problems: { reason: string; expected: string; found: string }[] = [];
  if (id !== l.registration_event_id)
    problems.push({
      reason: `the supplied event has id ${id}, not ${l.registration_event_id}`,
      expected: `event ${l.registration_event_id}`,
      found: `event ${id}`,
    });
  if (
    e.lifecycle?.op !== 'register' ||
    e.lifecycle.agent_id !== params.agent_id ||
    e.lifecycle.public_key !== genesis
  ) {
    problems.push({
      reason: 'the event does not register this agent with its genesis key',
      expected: `a registration of ${params.agent_id} with key ${short(genesis)}`,
      found: e.lifecycle
        ? `${e.lifecycle.op} of ${e.lifecycle.agent_id}${'public_key' in e.lifecycle ? ` with key ${short(e.lifecycle.public_key)}` : ''}`
        : `a ${e.action} event with no lifecycle`,
    });
  } else if (e.signature.public_key !== genesis || !(await signedOnce(facts, e, backend))) {
    problems.push({
      reason: 'the registration is not validly signed by the registered key',
      expected: `a valid signature by ${short(genesis)}`,
      found:
        e.signature.public_key !== genesis
          ? `a signature by ${short(e.signature.public_key)}`
          : `signature ${short(e.signature.value)}, which does not verify`,
    });
  }
  if (problems.length > 0)
    return outcome('card.lineage', 'fail', subject, TITLE, {
      reason: problems.map((p) => p.reason).join('; '),
      expected: problems.map((p) => p.expected).join('; '),
      found: problems.map((p) => p.found).join('; '),
    });
  const inc = evidence.inclusion as { log_origin?: unknown; leaf_index?: unknown } | null;
  if (inc?.log_origin !== l.log_origin || inc?.leaf_index !== l.registration_leaf_index) {
    return outcome('card.lineage', 'fail', subject, TITLE, {
      reason: 'the inclusion proof is for another log or leaf than the card points to',
      expected: `${l.log_origin} leaf ${l.registration_leaf_index}`,
      found: `${String(inc?.log_origin)} leaf ${String(inc?.leaf_index)}`,
    });
  }
  if (!facts.inclusion)
    facts.inclusion = checkDirectInclusion(
      evidence.inclusion,
      '/registration/inclusion',
      eventLeafHash(e),
      new SthVerifier(trust),
    );
  const r = await facts.inclusion;
  if (!r.ok)
    return outcome('card.lineage', r.untrusted ? 'not_checked' : 'fail', subject, TITLE, {
      reason: r.reason,
      ...expectedFoundOf(r),
    });
  return outcome('card.lineage', 'pass', subject, TITLE, { found: `registered ${e.timestamp}; ${r.detail}` });
}
