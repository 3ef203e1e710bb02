import type { CryptoBackend } from '../crypto/backend.js';
import { isObject, type JsonObject } from '../events/fields.js';
import { outcome } from '../events/outcome.js';
import type { JsonValue } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { formatCountOf } from '../result.js';
import type { TrustStore } from '../trust/types.js';
import { type CardSignatureResult, verifyCardSignatures } from './card-jws.js';
import {
  type CardRegistrationEvidence,
  type CardRegistrationMemo,
  checkCardLineage,
} from './card-lineage.js';
import { type CardClassification, classifyAgentCard } from './card-shape.js';
import { verifyIdentityBlock } from './identity-block.js';
import type { KeyHistories } from './key-history.js';
import type { CardShape, IdentityBlockParams } from './types.js';

/** What apps show about a card, whether or not it verified. */
export interface CardSummary {
  name?: string;
  description?: string;
  version?: string;
  provider?: { organization?: string; url?: string };
  skills: Array<{ id: string; name: string }>;
  /** v1.0 supportedInterfaces, or the v0.3/legacy url translated to one interface. */
  interfaces: Array<{ url: string; protocolBinding: string; protocolVersion: string; translated: boolean }>;
}

export interface AgentCardVerification {
  shape: CardShape;
  classification: Omit<CardClassification, 'card'>;
  checks: CheckOutcome[];
  card: CardSummary;
  identity?: IdentityBlockParams;
  signatures: CardSignatureResult[];
}

export interface VerifyAgentCardOptions {
  backend?: CryptoBackend;
  /** Key histories from the log, to check the card's key is current. */
  keyHistories?: KeyHistories;
  /** The registration event the card's lineage pointers name, with its inclusion proof (card.lineage). */
  registration?: CardRegistrationEvidence;
  /** Shared by the cards of one capsule: each registration event's evidence is examined once. */
  registrationMemo?: CardRegistrationMemo;
}

const str = (v: JsonValue | undefined) => (typeof v === 'string' ? v : undefined);

function summarize(card: JsonObject | undefined, shape: CardShape): CardSummary {
  const s: CardSummary = { skills: [], interfaces: [] };
  if (!card) return s;
  const name = str(card.name);
  if (name !== undefined) s.name = name;
  const d = str(card.description);
  if (d !== undefined) s.description = d;
  const v = str(card.version);
  if (v !== undefined) s.version = v;
  if (isObject(card.provider)) {
    s.provider = {};
    const o = str(card.provider.organization);
    const u = str(card.provider.url);
    if (o !== undefined) s.provider.organization = o;
    if (u !== undefined) s.provider.url = u;
  }
  if (Array.isArray(card.skills)) {
    for (const k of card.skills)
      if (isObject(k)) s.skills.push({ id: str(k.id) ?? '', name: str(k.name) ?? '' });
  }
  if (shape === 'a2a-v1.0' && Array.isArray(card.supportedInterfaces)) {
    for (const i of card.supportedInterfaces) {
      if (isObject(i)) {
        s.interfaces.push({
          url: str(i.url) ?? '',
          protocolBinding: str(i.protocolBinding) ?? '',
          protocolVersion: str(i.protocolVersion) ?? '',
          translated: false,
        });
      }
    }
  } else if (typeof card.url === 'string') {
    // v0.3 → v1.0 translation: url/preferredTransport become supportedInterfaces[0].
    s.interfaces.push({
      url: card.url,
      protocolBinding: str(card.preferredTransport) ?? 'JSONRPC',
      protocolVersion: shape === 'a2a-v0.3' ? '0.3' : (str(card.protocolVersion) ?? '0.2'),
      translated: true,
    });
  }
  return s;
}

/**
 * Verifies an agent card (spec §4.1): shape, identity block, A2A signatures. The
 * browser extension and the desktop app call exactly this. Never throws on bad input.
 */
export async function verifyAgentCard(
  text: string,
  trust: TrustStore,
  opts: VerifyAgentCardOptions = {},
): Promise<AgentCardVerification> {
  const cls = classifyAgentCard(text);
  const { card, ...classification } = cls;
  const fallbackId = card && typeof card.name === 'string' ? card.name : 'agent card';
  const checks: CheckOutcome[] = [];
  if (!card) {
    checks.push(
      outcome('card.parse', 'fail', { kind: 'card', id: fallbackId }, 'card is a strict-JSON object', {
        reason: cls.errors.join('; '),
      }),
    );
    return {
      shape: cls.shape,
      classification,
      checks,
      card: summarize(undefined, cls.shape),
      signatures: [],
    };
  }
  checks.push(
    outcome('card.parse', 'pass', { kind: 'card', id: fallbackId }, 'card is a strict-JSON object'),
  );
  const identity = await verifyIdentityBlock(card, fallbackId, opts.backend, opts.keyHistories);
  const cardId = identity.params?.agent_id ?? fallbackId;
  for (const c of identity.checks) c.subject.id = cardId;
  checks.push(
    cls.errors.length === 0 && cls.shape !== 'unknown'
      ? outcome(
          'card.shape',
          'pass',
          { kind: 'card', id: cardId },
          'card is a known A2A shape with all required fields',
          {
            found: cls.shape,
          },
        )
      : outcome(
          'card.shape',
          'fail',
          { kind: 'card', id: cardId },
          'card is a known A2A shape with all required fields',
          {
            reason: cls.errors.join('; '),
            expected: 'an A2A agent card (v0.2, v0.3 or v1.0 shape) with every required field',
            found:
              cls.shape === 'unknown'
                ? 'no known A2A shape'
                : `shape ${cls.shape}, ${formatCountOf(cls.errors.length, 'problem')}`,
          },
        ),
  );
  checks.push(...identity.checks);
  if (identity.params) {
    const o: Parameters<typeof checkCardLineage>[4] = {};
    if (opts.backend) o.backend = opts.backend;
    if (opts.registrationMemo) o.memo = opts.registrationMemo;
    const blockPath = identity.checks.find((c) => c.id === 'card.identity_block')?.subject.field;
    if (blockPath) o.paramsPath = blockPath;
    const lineage = await checkCardLineage(identity.params, cardId, trust, opts.registration, o);
    if (lineage) checks.push(lineage);
  }
  const signatures = await verifyCardSignatures(card, cardId, trust, identity.verifiedKey, opts.backend);
  checks.push(...signatures.map((s) => s.outcome));
  const result: AgentCardVerification = {
    shape: cls.shape,
    classification,
    checks,
    card: summarize(card, cls.shape),
    signatures,
  };
  if (identity.params) result.identity = identity.params;
  return result;
}
