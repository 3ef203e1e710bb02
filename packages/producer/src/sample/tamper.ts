import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  canonicalBytes,
  eventEntryBytes,
  eventLeafHash,
  type JsonValue,
  type LineageEvent,
  toHex,
  type UnsignedAttestation,
  utf8Encode,
} from '@lineage/verifier-core';
import { ed25519KeyFromSeed } from '../identity/index.js';
import { LineageStore } from '../log/index.js';
import {
  buildFedrampSample,
  type EventSpec,
  type FedrampSample,
  SAMPLE_LOG_ID,
  type SampleHooks,
} from './build.js';
import { seededKey } from './drbg.js';
import { lineageSthSigner } from './sth-signer.js';

/**
 * Sample hooks that log a revocation of the Scanner Orchestrator's (A3's) key by `actor` at minute
 * 120, before its scan (which goes on signing with the revoked key).
 */
export function revokeA3(actor: EventSpec['actor'], reason: string): Pick<SampleHooks, 'specs'> {
  return {
    specs: (specs, keys) => {
      specs.splice(
        specs.findIndex((x) => x.key === 'A3-scan'),
        0,
        {
          key: 'A3-revoke',
          step: 'A3',
          actor,
          action: 'identity.revoke',
          controls: ['AU-10'],
          predecessors: ['2a'],
          lifecycle: () => ({
            op: 'revoke',
            agent_id: keys.agents.A3!.agentId,
            public_key: keys.agents.A3!.publicKeyHex,
            reason,
          }),
          at: 120,
        },
      );
    },
  };
}

/**
 * One attack on the sample (docs/spec/05-capsules.md §5.7 "Tampered variants"): what the
 * attacker did, the check id that must catch it and the event (spec key) it must point at.
 * Each variant changes one thing; everything else is produced honestly, so the documented
 * check is the one that fails for the documented reason.
 */
export interface TamperedVariant {
  name: string;
  attack: string;
  /** Check id that must fail. */
  checkId: string;
  /** Spec key of the event the failing check must name (undefined: the check is about the capsule/attestation). */
  eventKey?: string;
  /** Subject kind of the failing check. */
  subjectKind: 'event' | 'capsule' | 'attestation' | 'receipt' | 'chain' | 'manifest' | 'artifact';
  sample: FedrampSample;
}

function flipHex(hex: string, at = 10): string {
  const c = hex[at] === '0' ? '1' : '0';
  return hex.slice(0, at) + c + hex.slice(at + 1);
}

type Builder = (
  seed: string,
) => Promise<Omit<TamperedVariant, 'sample'> & { sample: Promise<FedrampSample> | FedrampSample }>;

const VARIANTS: Record<string, Builder> = {
  'forged-event-signature': async (seed) => ({
    name: 'forged-event-signature',
    attack: 'The IAM-policy event (A2) carries a signature that was not made by its actor.',
    checkId: 'event.signature',
    eventKey: 'A2-iam',
    subjectKind: 'event',
    sample: buildFedrampSample({
      seed,
      hooks: {
        content: (c, { events }) => {
          const target = [...events.values()].find((e) => e.action === 'iam.policies.export')!;
          c.events = c.events.map((e) =>
            e === target ? { ...e, signature: { ...e.signature, value: flipHex(e.signature.value) } } : e,
          );
        },
      },
    }),
  }),
  'edited-artifact': async (seed) => ({
    name: 'edited-artifact',
    attack:
      'The scan results were edited after the Scanner Orchestrator signed them (a finding was downgraded); the manifest was updated to match.',
    checkId: 'capsule.artifact_hash',
    eventKey: 'A3-scan',
    subjectKind: 'event',
    sample: buildFedrampSample({
      seed,
      hooks: {
        content: (c) => {
          const a = c.artifacts.find((x) => x.path.includes('scan-results'))!;
          a.bytes = utf8Encode(new TextDecoder().decode(a.bytes).replace('"high"', '"low"'));
        },
      },
    }),
  }),
  'dropped-event': async (seed) => ({
    name: 'dropped-event',
    attack:
      'The configuration-baseline event was removed from the capsule (with its artifact), hiding CIS failures.',
    checkId: 'chain.predecessor_dangling',
    eventKey: '2a',
    subjectKind: 'chain',
    sample: buildFedrampSample({
      seed,
      hooks: {
        content: (c, { events }) => {
          const drop = [...events.entries()].find(([, e]) => e.action === 'config.baselines.capture')!;
          c.events = c.events.filter((e) => e !== drop[1]);
          c.artifacts = c.artifacts.filter((a) => a.eventId !== drop[0]);
        },
      },
    }),
  }),
  'reordered-sequence': async (seed) => ({
    name: 'reordered-sequence',
    attack:
      'The Evidence Harvester signed its events out of order (sequence 3 before 2), as a replayed or back-dated step would be.',
    // Sorted by sequence the numbers are consecutive, but time runs backwards from 2 to 3.
    checkId: 'chain.timestamp_order',
    eventKey: 'A2-iam',
    subjectKind: 'chain',
    sample: buildFedrampSample({
      seed,
      hooks: {
        specs: (specs) => {
          specs.find((s) => s.key === 'A2-iam')!.sequence = 3;
          specs.find((s) => s.key === 'A2-baselines')!.sequence = 2;
        },
      },
    }),
  }),
  'replayed-receipt': async (seed) => ({
    name: 'replayed-receipt',
    attack: 'A genuine A2→A3 handoff receipt was replayed a second time to claim a second delivery.',
    checkId: 'receipt.replay',
    subjectKind: 'receipt',
    sample: buildFedrampSample({
      seed,
      hooks: {
        content: (c) => {
          c.receipts = [...c.receipts, c.receipts.find((r) => r.handoff_id === 'handoff-02')!];
        },
      },
    }),
  }),
  'swapped-agent-key': async (seed) => ({
    name: 'swapped-agent-key',
    attack:
      "The scan event names the Scanner Orchestrator but is signed with another key (the attacker's), validly.",
    checkId: 'event.actor_known',
    eventKey: 'A3-scan',
    subjectKind: 'event',
    sample: buildFedrampSample({
      seed,
      hooks: {
        specs: (specs) => {
          specs.find((s) => s.key === 'A3-scan')!.signWith = ed25519KeyFromSeed(seededKey(seed, 'attacker'));
        },
      },
    }),
  }),
  'revoked-key-used': async (seed) => ({
    name: 'revoked-key-used',
    attack:
      "The security officer revoked the Scanner Orchestrator's key; the agent kept signing with it (the scan comes after the revocation).",
    checkId: 'event.actor_key_valid_at_time',
    eventKey: 'A3-scan',
    subjectKind: 'event',
    sample: buildFedrampSample({
      seed,
      hooks: {
        ...revokeA3({ kind: 'human', human: 'so' }, 'key exposed in CI logs'),
      },
    }),
  }),
  'untrusted-log-sth': async (seed) => ({
    name: 'untrusted-log-sth',
    attack: 'The events were logged to a log the assessor does not trust (same name, different key).',
    checkId: 'attestation.sth_signature',
    subjectKind: 'attestation',
    sample: buildFedrampSample({ seed, hooks: { logKey: ed25519KeyFromSeed(seededKey(seed, 'rogue-log')) } }),
  }),
  'split-view': async (seed) => ({
    name: 'split-view',
    attack:
      'The log showed the assessor an older tree head from a forked history (split view); it is not a prefix of the current tree.',
    checkId: 'attestation.consistency',
    subjectKind: 'attestation',
    sample: buildFedrampSample({
      seed,
      hooks: {
        attestation: async (u: UnsignedAttestation, { store, keys, events }) => {
          // A forked log under the same trusted key: same first entries except one.
          const dir = mkdtempSync(join(tmpdir(), 'lineage-fork-'));
          try {
            const older = u.logs[0]!.consistency![0]!;
            const size = Number(older.checkpoint.split('\n')[1]);
            const fork = LineageStore.open(dir, {
              origin: SAMPLE_LOG_ID,
              signer: lineageSthSigner(
                SAMPLE_LOG_ID,
                keys.log,
                () => Date.parse(events[size - 1]!.timestamp) + 1000,
              ),
              sthEvery: 1_000_000,
              fsync: false,
            });
            for (let i = 0; i < size; i++)
              await fork.append(
                i === 1 ? utf8Encode('{"forked":true}') : eventEntryBytes(events[i] as LineageEvent),
              );
            const sth = await fork.publish();
            fork.close();
            const logs = u.logs.map((l, i) =>
              i === 0
                ? {
                    ...l,
                    consistency: [
                      {
                        checkpoint: sth.checkpoint,
                        proof: store.consistencyProof(size, store.lastSth()!.size).map(toHex),
                      },
                    ],
                  }
                : l,
            );
            return { ...u, logs };
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      },
    }),
  }),
  'proof-for-another-leaf': async (seed) => ({
    name: 'proof-for-another-leaf',
    attack: "The proof server's inclusion proof for the SSP event is the proof of a different leaf.",
    checkId: 'attestation.inclusion',
    subjectKind: 'attestation',
    sample: buildFedrampSample({
      seed,
      hooks: {
        attestation: (u, { events }) => {
          const ssp = toHex(eventLeafHash(events.find((e) => e.action === 'ssp.package')!));
          const logs = u.logs.map((l) => {
            const inc = l.inclusion ?? [];
            const mine = inc.find((x) => x.leaf_hash === ssp)!;
            const other = inc.find((x) => x.leaf_index === mine.leaf_index + 1)!;
            const { multiproof: _m, ...rest } = l;
            return { ...rest, inclusion: inc.map((x) => (x === mine ? { ...x, proof: other.proof } : x)) };
          });
          return { ...u, logs };
        },
      },
    }),
  }),
  'approval-without-role': async (seed) => ({
    name: 'approval-without-role',
    attack:
      'The risk acceptance (3a) was signed by the compliance officer, who is a pinned approver but does not hold the security_officer role.',
    checkId: 'chain.action_allowed',
    eventKey: '3a',
    subjectKind: 'chain',
    sample: buildFedrampSample({
      seed,
      hooks: {
        specs: (specs) => {
          specs.find((s) => s.key === '3a')!.actor = { kind: 'human', human: 'co' };
        },
      },
    }),
  }),
  'capsule-supplied-trust-root': async (seed) => ({
    name: 'capsule-supplied-trust-root',
    attack:
      "The capsule ships its own trust.json naming the attacker's keys as trusted, hoping the verifier uses it.",
    checkId: 'capsule.embedded_trust',
    subjectKind: 'capsule',
    sample: buildFedrampSample({
      seed,
      hooks: {
        content: (c) => {
          const attacker = ed25519KeyFromSeed(seededKey(seed, 'attacker'));
          const planted = {
            version: 1,
            logs: [],
            witnesses: { vkeys: [], threshold: 0 },
            proof_servers: [{ id: 'evil', public_key: attacker.publicKeyHex }],
            approvers: [],
            card_signers: [],
            policy: {},
          };
          c.unlistedFiles = [{ path: 'trust.json', bytes: canonicalBytes(planted as unknown as JsonValue) }];
        },
      },
    }),
  }),
};

export const TAMPERED_VARIANT_NAMES = Object.keys(VARIANTS);

/** Builds every tampered variant (or the named ones) deterministically from `seed`. */
export async function buildTamperedVariants(
  options: { seed?: string; only?: string[] } = {},
): Promise<TamperedVariant[]> {
  const seed = options.seed ?? 'lineage/fedramp-sample/v1';
  const names = options.only ?? TAMPERED_VARIANT_NAMES;
  const out: TamperedVariant[] = [];
  for (const n of names) {
    const b = VARIANTS[n];
    if (!b) throw new Error(`unknown tampered variant "${n}" (known: ${TAMPERED_VARIANT_NAMES.join(', ')})`);
    const v = await b(seed);
    out.push({ ...v, sample: await v.sample });
  }
  return out;
}
