import {
  type NoteVerifierKey,
  parseStrictJson,
  parseVkey,
  type TrustStore,
  verifyAgentCard,
  verifyCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@lineage/verifier-core';
import type { CardView } from '../storage/types.js';
import type { CoreApi, RejectedCheckpoint, VerifiedCheckpoint } from './core-api.js';

const MAX_LIST = 32;
const MAX_TEXT = 200;

/** Keys from the trust store that parse; a malformed pinned key is skipped, never half-used. */
function keys(vkeys: readonly string[]): NoteVerifierKey[] {
  const out: NoteVerifierKey[] = [];
  for (const v of vkeys) {
    try {
      out.push(parseVkey(v));
    } catch {
      // trust.store already reported it when the store was imported.
    }
  }
  return out;
}

/** Codes meaning "none of the pinned keys signed this", as opposed to "a pinned key's signature is bad". */
const NOT_THIS_LOG = new Set(['checkpoint.log-signature', 'checkpoint.origin']);

async function checkpoint(note: string, trust: TrustStore): Promise<VerifiedCheckpoint | RejectedCheckpoint> {
  const witnesses = keys(trust.witnesses.vkeys);
  let firstOrigin: string | null = null;
  let unknown: RejectedCheckpoint | null = null;
  for (const log of trust.logs) {
    const [key] = keys([log.vkey]);
    if (!key) continue;
    const r = await verifyCheckpoint(note, {
      logKeys: [key],
      origin: log.origin,
      witnesses,
      witnessThreshold: trust.witnesses.threshold,
    });
    if (r.ok) {
      return {
        ok: true,
        log: r.checkpoint.origin,
        size: r.checkpoint.size,
        root: r.checkpoint.rootHash,
        checks: [
          {
            id: 'proof.checkpoint',
            status: 'pass',
            subject: { kind: 'checkpoint', id: r.checkpoint.origin },
            title: 'The checkpoint is signed by a log you trust',
          },
          ...(trust.witnesses.threshold > 0
            ? [
                {
                  id: 'proof.witnesses',
                  status: 'pass' as const,
                  subject: { kind: 'checkpoint' as const, id: r.checkpoint.origin },
                  title: `At least ${trust.witnesses.threshold} of ${witnesses.length} pinned witnesses cosigned`,
                  found: `${r.witnessSigners.length} cosignatures`,
                },
              ]
            : []),
        ],
      };
    }
    firstOrigin ??= r.checkpoint?.origin ?? null;
    if (r.checkpoint?.origin === log.origin && r.code !== 'checkpoint.origin') {
      // It claims to be a log you pinned: anything short of that log's valid signature is a
      // failure (an impersonation or a forgery), not merely an unknown log.
      return { ok: false, unknownLog: false, code: r.code, message: r.message, log: log.origin };
    }
    if (!NOT_THIS_LOG.has(r.code) && !r.checkpoint) {
      // The note itself is malformed: no log could accept it.
      return { ok: false, unknownLog: false, code: r.code, message: r.message, log: null };
    }
    unknown ??= { ok: false, unknownLog: true, code: r.code, message: r.message, log: firstOrigin };
  }
  if (unknown) {
    return {
      ...unknown,
      message: `no pinned log key signed the checkpoint of "${unknown.log ?? 'unknown origin'}"`,
    };
  }
  // Nothing pinned at all: parse for the origin only, to say which log it was.
  const r = await verifyCheckpoint(note, { logKeys: [] });
  const origin = !r.ok && r.checkpoint ? r.checkpoint.origin : null;
  if (!r.ok && !r.checkpoint)
    return { ok: false, unknownLog: false, code: r.code, message: r.message, log: null };
  return {
    ok: false,
    unknownLog: true,
    code: 'checkpoint.log-signature',
    message: `no log keys are pinned; the checkpoint is from "${origin ?? 'unknown origin'}"`,
    log: origin,
  };
}

function clip(s: unknown): string {
  return typeof s === 'string' ? s.slice(0, MAX_TEXT) : '';
}

export const coreApi: CoreApi = {
  async verifyCard(text, trust) {
    const r = await verifyAgentCard(text, trust, {});
    const s = r.card;
    const provider = s.provider?.organization ?? s.provider?.url;
    const card: CardView | null = r.checks.some((c) => c.id === 'card.parse' && c.status === 'pass')
      ? {
          shape: r.shape,
          name: clip(s.name),
          provider: provider ? clip(provider) : null,
          skills: s.skills.slice(0, MAX_LIST).map((k) => clip(k.name || k.id)),
          interfaces: s.interfaces
            .slice(0, MAX_LIST)
            .map((i) =>
              clip(
                `${i.protocolBinding} ${i.protocolVersion} ${i.url}${i.translated ? ' (translated)' : ''}`,
              ),
            ),
          agentId: r.identity?.agent_id ? clip(r.identity.agent_id) : null,
        }
      : null;
    return { checks: r.checks, card };
  },
  verifyCheckpoint: checkpoint,
  verifyInclusion: (p) => verifyInclusion(p),
  verifyConsistency: (p) => verifyConsistency(p),
  parseStrictJson: (text) => parseStrictJson(text),
};
