import {
  type CardPayloadForm,
  capabilityDigest,
  cardPayloadBytes,
  concatBytes,
  IDENTITY_EXTENSION_URI,
  type IdentityBlockParams,
  identityClaims,
  isObject,
  type JsonObject,
  type JsonValue,
  type LineagePointers,
  SIGNING_CONTEXTS,
  signingInput,
  toBase64Url,
  toHex,
  utf8Encode,
} from '@lineage/verifier-core';
import { type AgentKey, type Ed25519Key, type P256Key, signBytes, signEs256 } from './keys.js';

/**
 * Enhanced agent cards (spec §4.1.2): an A2A v1.0 card with the Lineage identity
 * block inside capabilities.extensions[], so A2A card signatures cover it.
 */
export interface IdentityOptions {
  lineage?: LineagePointers;
  /** Genesis key when `agent` is a rotated key. */
  genesis?: Ed25519Key;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Returns a copy of `card` with (a replaced) identity block for `agent`. Existing signatures are dropped. */
export function addIdentityBlock(card: JsonObject, agent: AgentKey, opts: IdentityOptions = {}): JsonObject {
  const out = clone(card);
  delete out.signatures;
  const caps: JsonObject = isObject(out.capabilities) ? out.capabilities : {};
  const exts = (Array.isArray(caps.extensions) ? caps.extensions : []).filter(
    (x) => !(isObject(x) && x.uri === IDENTITY_EXTENSION_URI),
  );
  caps.extensions = exts;
  out.capabilities = caps;
  const unsigned: Omit<IdentityBlockParams, 'identity_proof'> = {
    version: 1,
    agent_id: agent.agentId,
    public_key: agent.publicKeyHex,
    capability_digest: capabilityDigest(out),
  };
  if (opts.genesis) unsigned.genesis_public_key = opts.genesis.publicKeyHex;
  if (opts.lineage) unsigned.lineage = opts.lineage;
  const proof = signBytes(
    agent,
    signingInput(
      SIGNING_CONTEXTS.identityProof,
      identityClaims(unsigned, typeof out.name === 'string' ? out.name : ''),
    ),
  );
  const params: IdentityBlockParams = { ...unsigned, identity_proof: toHex(proof) };
  exts.push({
    uri: IDENTITY_EXTENSION_URI,
    description: 'Lineage self-certifying agent identity',
    required: false,
    params: params as unknown as JsonValue,
  });
  return out;
}

export type CardSigner =
  | { alg: 'EdDSA'; kid: string; key: Ed25519Key }
  | { alg: 'ES256'; kid: string; key: P256Key };

/** Appends an A2A JWS signature (detached payload over the chosen canonical form; SDK form by default). */
export function signAgentCard(
  card: JsonObject,
  signer: CardSigner,
  form: CardPayloadForm = 'sdk',
): JsonObject {
  const out = clone(card);
  const header = { alg: signer.alg, typ: 'JOSE', kid: signer.kid };
  const protectedB64 = toBase64Url(utf8Encode(JSON.stringify(header)));
  const input = concatBytes(
    utf8Encode(`${protectedB64}.`),
    utf8Encode(toBase64Url(cardPayloadBytes(out, form))),
  );
  const sig = signer.alg === 'EdDSA' ? signBytes(signer.key, input) : signEs256(signer.key, input);
  const sigs = Array.isArray(out.signatures) ? out.signatures : [];
  sigs.push({ protected: protectedB64, signature: toBase64Url(sig) });
  out.signatures = sigs;
  return out;
}

/** A minimal valid A2A v1.0 card for an agent, for tests and samples. */
export function baseAgentCard(
  name: string,
  skills: Array<{ id: string; name: string; description: string; tags: string[] }>,
): JsonObject {
  return {
    name,
    description: `${name} (Lineage reference agent)`,
    supportedInterfaces: [
      {
        url: `https://agents.example.gov/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        protocolBinding: 'JSONRPC',
        protocolVersion: '1.0',
      },
    ],
    provider: { organization: 'Example Cloud Service Provider', url: 'https://csp.example.gov' },
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ['application/json'],
    defaultOutputModes: ['application/json'],
    skills,
  };
}
