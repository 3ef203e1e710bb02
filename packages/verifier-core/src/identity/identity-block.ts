import type { CryptoBackend } from '../crypto/backend.js';
import { Fields, isObject, type JsonObject } from '../events/fields.js';
import { outcome, short } from '../events/outcome.js';
import { AGENT_ID_PATTERN } from '../events/parse.js';
import { SIGNING_CONTEXTS, signingInput, verifySignatureObject } from '../events/signing.js';
import type { JsonValue } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { errorOutcomeDetail, isLineageError } from '../result.js';
import { deriveAgentId } from './agent-id.js';
import { capabilityDigest } from './capability-digest.js';
import { currentKey, type KeyHistories } from './key-history.js';
import { IDENTITY_EXTENSION_URI, type IdentityBlockParams, type IdentityClaims } from './types.js';

/** The identity block inside `capabilities.extensions[]` (spec §4.1.2). */
const CODE = 'card.identity_block';

export function readIdentityParams(v: JsonValue | undefined, path: string): IdentityBlockParams {
  const f = Fields.of(v, path, CODE).closed([
    'version',
    'agent_id',
    'public_key',
    'genesis_public_key',
    'capability_digest',
    'lineage',
    'identity_proof',
  ]);
  const p: IdentityBlockParams = {
    version: f.literal('version', [1] as const),
    agent_id: f.str('agent_id', AGENT_ID_PATTERN, 'an agent id "lin:agent:<64 hex>"'),
    public_key: f.hex('public_key', 32),
    capability_digest: f.hex('capability_digest', 32),
    identity_proof: f.hex('identity_proof', 64),
  };
  if (f.has('genesis_public_key')) p.genesis_public_key = f.hex('genesis_public_key', 32);
  if (f.has('lineage')) {
    const l = f.obj_('lineage').closed(['log_origin', 'registration_event_id', 'registration_leaf_index']);
    p.lineage = {
      log_origin: l.str('log_origin'),
      registration_event_id: l.hex('registration_event_id', 32),
      registration_leaf_index: l.uint('registration_leaf_index'),
    };
  }
  return p;
}

export function identityClaims(
  params: IdentityBlockParams | Omit<IdentityBlockParams, 'identity_proof'>,
  cardName: string,
): IdentityClaims {
  const { identity_proof: _p, ...rest } = params as IdentityBlockParams;
  return { ...rest, card_name: cardName };
}

export interface IdentityVerification {
  params?: IdentityBlockParams;
  checks: CheckOutcome[];
  /** Set when agent id, proof and digest all passed: the key the card's own signatures may use. */
  verifiedKey?: { agentId: string; publicKey: string };
}

export async function verifyIdentityBlock(
  card: JsonObject,
  cardId: string,
  backend?: CryptoBackend,
  histories?: KeyHistories,
): Promise<IdentityVerification> {
  const subj = (field?: string) => ({ kind: 'card' as const, id: cardId, ...(field ? { field } : {}) });
  const exts =
    isObject(card.capabilities) && Array.isArray(card.capabilities.extensions)
      ? card.capabilities.extensions
      : [];
  const found = exts
    .map((x, i) => ({ x, i }))
    .filter(({ x }) => isObject(x) && x.uri === IDENTITY_EXTENSION_URI);
  const dependents = [
    'card.agent_id',
    'card.identity_proof',
    'card.capability_digest',
    'card.key_current',
  ] as const;
  const skipAll = (reason: string): CheckOutcome[] =>
    dependents.map((id) => outcome(id, 'not_checked', subj(), titles[id], { reason }));
  if (found.length === 0) {
    const top = Object.hasOwn(card, 'identity')
      ? ' (a top-level "identity" key is ignored: A2A signatures do not cover it)'
      : '';
    return {
      checks: [
        outcome(
          'card.identity_block',
          'not_checked',
          subj('/capabilities/extensions'),
          titles['card.identity_block'],
          {
            reason: `no identity block: identity checks absent${top}`,
          },
        ),
        ...skipAll('no identity block'),
      ],
    };
  }
  if (found.length > 1) {
    return {
      checks: [
        outcome(
          'card.identity_block',
          'fail',
          subj('/capabilities/extensions'),
          titles['card.identity_block'],
          {
            reason: `${found.length} identity extensions; exactly one is allowed`,
          },
        ),
        ...skipAll('ambiguous identity block'),
      ],
    };
  }
  const path = `/capabilities/extensions/${found[0]!.i}/params`;
  let params: IdentityBlockParams;
  try {
    params = readIdentityParams((found[0]!.x as JsonObject).params, path);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    return {
      checks: [
        outcome(
          'card.identity_block',
          'fail',
          subj(e.path ?? path),
          titles['card.identity_block'],
          errorOutcomeDetail(e),
        ),
        ...skipAll('identity block malformed'),
      ],
    };
  }
  const checks: CheckOutcome[] = [
    outcome('card.identity_block', 'pass', subj(path), titles['card.identity_block']),
  ];
  const genesis = params.genesis_public_key ?? params.public_key;
  const recomputed = deriveAgentId(genesis);
  const idOk = recomputed === params.agent_id;
  checks.push(
    idOk
      ? outcome('card.agent_id', 'pass', subj(`${path}/agent_id`), titles['card.agent_id'])
      : outcome('card.agent_id', 'fail', subj(`${path}/agent_id`), titles['card.agent_id'], {
          reason: `agent id does not derive from the ${params.genesis_public_key ? 'genesis ' : ''}public key: the card impersonates another agent or was edited`,
          expected: recomputed,
          found: params.agent_id,
        }),
  );
  const cardName = typeof card.name === 'string' ? card.name : '';
  const proofOk = await verifySignatureObject(
    { alg: 'Ed25519', public_key: params.public_key, value: params.identity_proof },
    signingInput(SIGNING_CONTEXTS.identityProof, identityClaims(params, cardName)),
    backend,
  );
  checks.push(
    proofOk
      ? outcome('card.identity_proof', 'pass', subj(`${path}/identity_proof`), titles['card.identity_proof'])
      : outcome(
          'card.identity_proof',
          'fail',
          subj(`${path}/identity_proof`),
          titles['card.identity_proof'],
          {
            reason:
              'identity proof does not verify under public_key over the identity claims (agent id, key, capability digest, lineage, card name)',
            expected: `an Ed25519 signature by ${short(params.public_key)} over this card's identity claims`,
            found: `identity_proof ${short(params.identity_proof)}, which does not verify`,
          },
        ),
  );
  const digest = capabilityDigest(card);
  const digestOk = digest === params.capability_digest;
  checks.push(
    digestOk
      ? outcome(
          'card.capability_digest',
          'pass',
          subj(`${path}/capability_digest`),
          titles['card.capability_digest'],
        )
      : outcome(
          'card.capability_digest',
          'fail',
          subj(`${path}/capability_digest`),
          titles['card.capability_digest'],
          {
            reason:
              'capabilities, skills or modes differ from those the identity proof covers (altered or omitted)',
            expected: params.capability_digest,
            found: digest,
          },
        ),
  );
  if (params.genesis_public_key && !histories?.has(params.agent_id)) {
    checks.push(
      outcome('card.key_current', 'not_checked', subj(`${path}/public_key`), titles['card.key_current'], {
        reason: 'the card names a rotated key but no key history was supplied to confirm the rotation',
      }),
    );
  } else if (!histories?.has(params.agent_id)) {
    checks.push(
      outcome('card.key_current', 'not_checked', subj(`${path}/public_key`), titles['card.key_current'], {
        reason: 'no key history (lifecycle events) supplied for this agent',
      }),
    );
  } else {
    const cur = currentKey(histories, params.agent_id);
    checks.push(
      cur === params.public_key
        ? outcome('card.key_current', 'pass', subj(`${path}/public_key`), titles['card.key_current'])
        : outcome('card.key_current', 'fail', subj(`${path}/public_key`), titles['card.key_current'], {
            reason: cur
              ? "the card names a key that is no longer the agent's current key"
              : 'the agent is revoked or superseded',
            // A revoked or superseded agent has no current key, so no card of it can pass.
            expected: cur ?? 'a current key, but the agent has none (revoked or superseded)',
            found: params.public_key,
          }),
    );
  }
  const out: IdentityVerification = { params, checks };
  // A rotated key is only usable for card signatures when the history confirms it.
  const keyBound = !params.genesis_public_key || checks.at(-1)!.status === 'pass';
  if (idOk && proofOk && digestOk && keyBound)
    out.verifiedKey = { agentId: params.agent_id, publicKey: params.public_key };
  return out;
}

export const titles = {
  'card.identity_block': 'card carries exactly one well-formed Lineage identity block',
  'card.agent_id': 'agent id recomputes from the public key (self-certifying)',
  'card.identity_proof': 'identity proof verifies under the agent key',
  'card.capability_digest': 'declared capabilities and skills match the signed capability digest',
  'card.key_current': "the card's key is the agent's current, unrevoked key",
} as const;
