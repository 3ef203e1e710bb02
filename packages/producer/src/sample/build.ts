import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Approval,
  type Attestation,
  type Commitment,
  canonicalBytes,
  eventEntryBytes,
  eventId,
  eventLeafHash,
  formatTimestamp,
  type HandoffReceipt,
  type JsonObject,
  type JsonValue,
  type Lifecycle,
  type LineageEvent,
  type Opening,
  type SenderPart,
  saltedCommitment,
  sha256,
  type TrustStore,
  toHex,
  type UnsignedAttestation,
  type UnsignedEvent,
  without,
} from '@lineage/verifier-core';
import { type CapsuleArtifact, type CapsuleContent, capsuleFiles, zipCapsule } from '../capsule/writer.js';
import {
  type AgentKey,
  addIdentityBlock,
  asAgentKey,
  baseAgentCard,
  type Ed25519Key,
  ed25519KeyFromSeed,
  signAgentCard,
  signObject,
} from '../identity/index.js';
import { LineageStore, ProofServer } from '../log/index.js';
import { sampleArtifacts } from './artifacts.js';
import { Drbg, seededKey } from './drbg.js';
import { lineageLogVkey, lineageSthSigner } from './sth-signer.js';
import { SAMPLE_AGENTS, SAMPLE_HUMANS, SAMPLE_STEPS, type SampleStepId } from './workflow.js';

export const DEFAULT_SAMPLE_SEED = 'lineage/fedramp-sample/v1';
export const SAMPLE_LOG_ID = 'lineage.example/fedramp-evidence-log';
export const SAMPLE_PROOF_SERVER = 'proofs.lineage.example';
const BASE_TIME = Date.parse('2026-11-02T14:00:00.000Z');

/** One event of the workflow before signing: who, what, which step, what it builds on. */
export interface EventSpec {
  key: string;
  step: SampleStepId;
  actor: { kind: 'agent'; agent: string } | { kind: 'human'; human: string };
  action: string;
  controls: string[];
  predecessors: string[];
  /** Artifact bytes may depend on the ids of earlier events (the SSP and SAR cite evidence). */
  artifact?: {
    path: string;
    bytes: Uint8Array | ((ids: Record<string, string>) => Uint8Array);
    title: string;
  };
  approval?: Approval;
  lifecycle?: (ids: SampleIds) => Lifecycle;
  commitments?: { name: string; value: JsonValue; disclose: boolean }[];
  /** Minutes after the start of the workflow. */
  at: number;
  /** Tamper hooks: sign with another key, force a sequence number. */
  signWith?: Ed25519Key;
  sequence?: number;
  /** The engagement (parent task) the event records; default `fedramp-ato`. */
  engagement?: string;
}

export interface SampleIds {
  agents: Record<string, AgentKey>;
  humans: Record<string, Ed25519Key>;
}

export interface SampleKeys extends SampleIds {
  log: Ed25519Key;
  proofServer: Ed25519Key;
}

/** Hooks the tampered variants use to change one thing and leave the rest honest. */
export interface SampleHooks {
  specs?: (specs: EventSpec[], keys: SampleKeys) => void;
  /** Key the log signs tree heads with (an untrusted log uses another). */
  logKey?: Ed25519Key;
  attestation?: (
    unsigned: UnsignedAttestation,
    ctx: { store: LineageStore; server: ProofServer; keys: SampleKeys; events: LineageEvent[] },
  ) => Promise<UnsignedAttestation> | UnsignedAttestation;
  content?: (content: CapsuleContent, ctx: { keys: SampleKeys; events: Map<string, LineageEvent> }) => void;
}

export interface FedrampSample {
  seed: string;
  /** Every file of the capsule, manifest first. */
  files: Map<string, Uint8Array>;
  zip: Uint8Array;
  trust: TrustStore;
  trustText: string;
  keys: SampleKeys;
  /** Event id for each spec key (e0, A2-inventory, …). */
  eventIds: Record<string, string>;
  events: LineageEvent[];
  /** Paths written when `dir` was given. */
  paths?: { capsule: string; trust: string };
}

export interface BuildSampleOptions {
  seed?: string;
  /** When set, writes `fedramp-sample.capsule.zip` and `trust.json` (beside it, never inside) here. */
  dir?: string;
  hooks?: SampleHooks;
}

function sampleKeys(seed: string): SampleKeys {
  const agents: Record<string, AgentKey> = {};
  for (const a of SAMPLE_AGENTS)
    agents[a.key] = asAgentKey(ed25519KeyFromSeed(seededKey(seed, `agent:${a.key}`)));
  const humans: Record<string, Ed25519Key> = {};
  for (const h of SAMPLE_HUMANS) humans[h.key] = ed25519KeyFromSeed(seededKey(seed, `human:${h.key}`));
  return {
    agents,
    humans,
    log: ed25519KeyFromSeed(seededKey(seed, 'log')),
    proofServer: ed25519KeyFromSeed(seededKey(seed, 'proof-server')),
  };
}

function human(key: string) {
  const h = SAMPLE_HUMANS.find((x) => x.key === key);
  if (!h) throw new Error(`unknown sample human ${key}`);
  return h;
}

function controlsOf(step: SampleStepId): string[] {
  return [...SAMPLE_STEPS.find((s) => s.id === step)!.controls];
}

/** The workflow as event specs, in the order they happen. */
export function sampleSpecs(seed: string): EventSpec[] {
  const art = sampleArtifacts(seed);
  const evidence = (ids: Record<string, string>) => ({
    inventory: ids['A2-inventory']!,
    iam: ids['A2-iam']!,
    scan: ids['A3-scan']!,
    boundary: ids.e0!,
  });
  const reg = (a: (typeof SAMPLE_AGENTS)[number], at: number): EventSpec => ({
    key: `${a.key}-register`,
    step: a.key,
    actor: { kind: 'agent', agent: a.key },
    action: 'identity.register',
    controls: ['AU-10'],
    predecessors: ['e0'],
    lifecycle: (ids) => ({
      op: 'register',
      agent_id: ids.agents[a.key]!.agentId,
      public_key: ids.agents[a.key]!.publicKeyHex,
    }),
    at,
  });
  const specs: EventSpec[] = [
    {
      key: 'e0',
      step: '0',
      actor: { kind: 'human', human: 'ao' },
      action: 'approval.grant',
      controls: controlsOf('0'),
      predecessors: [],
      artifact: {
        path: 'artifacts/0-boundary.json',
        bytes: art.boundary,
        title: 'Authorization boundary and FIPS 199 categorization',
      },
      approval: {
        role: 'authorizing_official',
        decision: 'approve',
        statement: 'Authorization boundary approved; FIPS 199 baseline Moderate.',
      },
      commitments: [
        {
          name: 'boundary.ip_ranges',
          value: ['10.20.0.0/16', '10.21.0.0/16', '10.22.0.0/16', '203.0.113.0/28'],
          disclose: false,
        },
        { name: 'boundary.system_owner', value: 'ACA Platform Engineering', disclose: true },
      ],
      at: 0,
    },
    ...SAMPLE_AGENTS.map((a, i) => reg(a, 5 + i)),
    {
      key: 'A1-start',
      step: 'A1',
      actor: { kind: 'agent', agent: 'A1' },
      action: 'readiness.start',
      controls: controlsOf('A1'),
      predecessors: ['e0', 'A1-register'],
      at: 20,
    },
    {
      key: 'A2-inventory',
      step: 'A2',
      actor: { kind: 'agent', agent: 'A2' },
      action: 'inventory.generate',
      controls: ['CM-8'],
      predecessors: ['A1-start', 'A2-register'],
      artifact: {
        path: 'artifacts/A2-inventory.json',
        bytes: art.inventory,
        title: 'System inventory (CM-8)',
      },
      at: 45,
    },
    {
      key: 'A2-iam',
      step: 'A2',
      actor: { kind: 'agent', agent: 'A2' },
      action: 'iam.policies.export',
      controls: ['AU-2', 'AU-10'],
      predecessors: ['A2-inventory'],
      artifact: {
        path: 'artifacts/A2-iam-policies.json',
        bytes: art.iamPolicies,
        title: 'IAM policies and audited events (AU-2)',
      },
      at: 52,
    },
    {
      key: 'A2-baselines',
      step: 'A2',
      actor: { kind: 'agent', agent: 'A2' },
      action: 'config.baselines.capture',
      controls: ['CM-8', 'AU-6'],
      predecessors: ['A2-iam'],
      artifact: {
        path: 'artifacts/A2-config-baselines.json',
        bytes: art.configBaselines,
        title: 'Configuration baselines (CIS L1)',
      },
      at: 61,
    },
    {
      key: '2a',
      step: '2a',
      actor: { kind: 'human', human: 'co' },
      action: 'approval.grant',
      controls: controlsOf('2a'),
      predecessors: ['A2-baselines'],
      approval: {
        role: 'compliance_officer',
        decision: 'approve',
        statement: 'Harvested evidence is complete for CM-8 and AU-2.',
      },
      at: 90,
    },
    {
      key: 'A3-scan',
      step: 'A3',
      actor: { kind: 'agent', agent: 'A3' },
      action: 'scan.run',
      controls: controlsOf('A3'),
      predecessors: ['2a', 'A3-register'],
      artifact: {
        path: 'artifacts/A3-scan-results.json',
        bytes: art.scanResults,
        title: 'Authenticated scan results (RA-5, SI-2)',
      },
      at: 150,
    },
    {
      key: '3a',
      step: '3a',
      actor: { kind: 'human', human: 'so' },
      action: 'approval.grant',
      controls: controlsOf('3a'),
      predecessors: ['A3-scan'],
      approval: {
        role: 'security_officer',
        decision: 'approve',
        statement: 'Risk accepted for F-002 (moderate) until 2027-02-15.',
      },
      at: 200,
    },
    {
      key: 'A4-ssp',
      step: 'A4',
      actor: { kind: 'agent', agent: 'A4' },
      action: 'ssp.package',
      controls: controlsOf('A4'),
      predecessors: ['3a', 'A4-register'],
      artifact: {
        path: 'artifacts/A4-ssp-sections.json',
        bytes: (ids) => art.sspSections(evidence(ids)),
        title: 'SSP sections citing evidence events',
      },
      at: 260,
    },
    {
      key: '4a',
      step: '4a',
      actor: { kind: 'human', human: 'cl' },
      action: 'approval.grant',
      controls: controlsOf('4a'),
      predecessors: ['A4-ssp'],
      approval: {
        role: 'compliance_lead',
        decision: 'approve',
        statement: 'SSP sections approved for submission.',
      },
      at: 300,
    },
    {
      key: 'A5-package',
      step: 'A5',
      actor: { kind: 'agent', agent: 'A5' },
      action: 'capsule.package',
      controls: controlsOf('A5'),
      predecessors: ['4a', 'A5-register'],
      at: 330,
    },
    {
      key: '5a',
      step: '5a',
      actor: { kind: 'human', human: '3pao' },
      action: 'approval.grant',
      controls: controlsOf('5a'),
      predecessors: ['A5-package'],
      artifact: {
        path: 'artifacts/5a-sar.json',
        bytes: (ids) => art.sar(Object.values(evidence(ids))),
        title: 'Security Assessment Report',
      },
      approval: {
        role: '3pao_assessor',
        decision: 'approve',
        statement: 'SAR: recommended for authorization with POA&M.',
      },
      at: 600,
    },
    {
      key: '6',
      step: '6',
      actor: { kind: 'human', human: 'agency' },
      action: 'approval.grant',
      controls: controlsOf('6'),
      predecessors: ['5a'],
      artifact: {
        path: 'artifacts/6-ato-decision.json',
        bytes: art.atoDecision,
        title: 'ATO decision letter',
      },
      approval: {
        role: 'agency_ao',
        decision: 'approve',
        statement: 'Authority to Operate granted for 36 months.',
      },
      at: 900,
    },
  ];
  return specs;
}

interface SignedSpec {
  spec: EventSpec;
  artifactBytes?: Uint8Array;
  event: LineageEvent;
  id: string;
  openings: Opening[];
}

function signSpecs(
  specs: EventSpec[],
  keys: SampleKeys,
  seed: string,
  ids: Record<string, string>,
  seq: Map<string, number>,
): SignedSpec[] {
  const drbg = new Drbg(seed, 'salts');
  const out: SignedSpec[] = [];
  for (const s of specs) {
    const actorId = s.actor.kind === 'agent' ? keys.agents[s.actor.agent]!.agentId : human(s.actor.human).id;
    const key =
      s.signWith ?? (s.actor.kind === 'agent' ? keys.agents[s.actor.agent]! : keys.humans[s.actor.human]!);
    const sequence = s.sequence ?? seq.get(actorId) ?? 0;
    seq.set(actorId, sequence + 1);
    const artifactBytes = s.artifact
      ? typeof s.artifact.bytes === 'function'
        ? s.artifact.bytes(ids)
        : s.artifact.bytes
      : undefined;
    const commitments: Commitment[] = [];
    const pendingOpenings: { name: string; scheme: 'sha256-salted-v1'; value: JsonValue; salt: string }[] =
      [];
    for (const c of s.commitments ?? []) {
      const salt = drbg.bytes(32);
      commitments.push({
        name: c.name,
        scheme: 'sha256-salted-v1',
        value: saltedCommitment(c.name, c.value, salt),
      });
      if (c.disclose)
        pendingOpenings.push({ name: c.name, scheme: 'sha256-salted-v1', value: c.value, salt: toHex(salt) });
    }
    const unsigned: UnsignedEvent = {
      type: 'lineage.event',
      version: 1,
      actor: actorId,
      actor_kind: s.actor.kind,
      action: s.action,
      timestamp: formatTimestamp(BASE_TIME + s.at * 60_000),
      sequence,
      predecessors: s.predecessors.map((p) => {
        const id = ids[p];
        if (!id) throw new Error(`sample spec ${s.key} cites ${p}, which is not signed yet`);
        return id;
      }),
      payload_hash: artifactBytes ? toHex(sha256(artifactBytes)) : null,
      context: {
        task_id: `${s.engagement ?? 'fedramp-ato'}/${s.step}`,
        parent_task_id: s.engagement ?? 'fedramp-ato',
        controls: s.controls,
      },
      commitments,
    };
    if (s.approval) unsigned.approval = s.approval;
    if (s.lifecycle) unsigned.lifecycle = s.lifecycle(keys);
    const event: LineageEvent = { ...unsigned, signature: signObject('lineage/event/v1', unsigned, key) };
    const id = eventId(event);
    ids[s.key] = id;
    out.push({
      spec: s,
      event,
      id,
      ...(artifactBytes ? { artifactBytes } : {}),
      openings: pendingOpenings.map((o) => ({ ...o, event_id: id }) as Opening),
    });
  }
  return out;
}

/** Signed handoff receipts between consecutive agents; A2 hands two bundles to A3 on one channel. */
function sampleReceipts(keys: SampleKeys, signed: SignedSpec[]): HandoffReceipt[] {
  const byKey = new Map(signed.map((s) => [s.spec.key, s]));
  const handoffs: { id: string; from: string; to: string; after: string; packet: string }[] = [
    { id: 'handoff-01', from: 'A1', to: 'A2', after: 'A1-start', packet: 'A1-start' },
    { id: 'handoff-02', from: 'A2', to: 'A3', after: 'A2-inventory', packet: 'A2-inventory' },
    { id: 'handoff-03', from: 'A2', to: 'A3', after: 'A2-baselines', packet: 'A2-baselines' },
    { id: 'handoff-04', from: 'A3', to: 'A4', after: 'A3-scan', packet: 'A3-scan' },
    { id: 'handoff-05', from: 'A4', to: 'A5', after: 'A4-ssp', packet: 'A4-ssp' },
  ];
  const last = new Map<string, { seq: number; hash: string }>();
  const receipts: HandoffReceipt[] = [];
  for (const h of handoffs) {
    const after = byKey.get(h.after);
    if (!after) continue;
    const sender = keys.agents[h.from]!;
    const receiver = keys.agents[h.to]!;
    const channel = `${h.from}->${h.to}`;
    const prev = last.get(channel);
    const sentMs = Date.parse(after.event.timestamp) + 60_000;
    const packetHash =
      after.event.payload_hash ?? toHex(sha256(canonicalBytes({ task: h.packet, event: after.id })));
    const part: SenderPart = {
      type: 'lineage.handoff_receipt',
      version: 1,
      handoff_id: h.id,
      parent_task_id: 'fedramp-ato',
      sender: sender.agentId,
      receiver: receiver.agentId,
      payload_hash: packetHash,
      channel_sequence: prev ? prev.seq + 1 : 0,
      sent_at: formatTimestamp(sentMs),
      prev_receipt_hash: prev ? prev.hash : null,
    };
    const withSender = { ...part, sender_signature: signObject('lineage/handoff-sender/v1', part, sender) };
    const acked = {
      ...withSender,
      acknowledgement: {
        received_at: formatTimestamp(sentMs + 2_000),
        payload_hash: packetHash,
        decision: 'accepted' as const,
      },
    };
    const receipt: HandoffReceipt = {
      ...acked,
      receiver_signature: signObject('lineage/handoff-receiver/v1', acked, receiver),
    };
    last.set(channel, {
      seq: part.channel_sequence,
      hash: toHex(sha256(canonicalBytes(receipt as unknown as JsonValue))),
    });
    receipts.push(receipt);
  }
  return receipts;
}

function sampleCards(keys: SampleKeys, signed: SignedSpec[]): { stem: string; card: JsonValue }[] {
  return SAMPLE_AGENTS.map((a) => {
    const k = keys.agents[a.key]!;
    const regIndex = signed.findIndex((s) => s.spec.key === `${a.key}-register`);
    let card: JsonObject = baseAgentCard(`${a.key} ${a.name}`, [a.skill]);
    card = addIdentityBlock(
      card,
      k,
      regIndex >= 0
        ? {
            lineage: {
              log_origin: SAMPLE_LOG_ID,
              registration_event_id: signed[regIndex]!.id,
              registration_leaf_index: regIndex,
            },
          }
        : {},
    );
    card = signAgentCard(card, { alg: 'EdDSA', kid: k.agentId, key: k });
    return { stem: a.slug, card };
  });
}

export function sampleTrustStore(keys: SampleKeys): TrustStore {
  return {
    version: 1,
    logs: [{ origin: SAMPLE_LOG_ID, vkey: lineageLogVkey(SAMPLE_LOG_ID, keys.log) }],
    witnesses: { vkeys: [], threshold: 0 },
    proof_servers: [{ id: SAMPLE_PROOF_SERVER, public_key: keys.proofServer.publicKeyHex }],
    approvers: SAMPLE_HUMANS.map((h) => ({
      id: h.id,
      name: h.name,
      public_key: keys.humans[h.key]!.publicKeyHex,
      roles: [h.role],
    })),
    card_signers: [],
    policy: {
      root_roles: ['authorizing_official'],
      actions: {
        'approval.grant': { actor_kinds: ['human'] },
        'readiness.start': { actors: [keys.agents.A1!.agentId] },
        'inventory.generate': { actors: [keys.agents.A2!.agentId] },
        'iam.policies.export': { actors: [keys.agents.A2!.agentId] },
        'config.baselines.capture': { actors: [keys.agents.A2!.agentId] },
        'scan.run': { actors: [keys.agents.A3!.agentId] },
        'ssp.package': { actors: [keys.agents.A4!.agentId] },
        'capsule.package': { actors: [keys.agents.A5!.agentId] },
      },
      // The human approvals between steps: each gated step must build on its approval.
      requires: [
        { action: 'scan.run', after_approval_by: ['compliance_officer'] },
        // The risk acceptance accepts the scan: it must come after, and cite, the scans the SSP uses.
        { action: 'ssp.package', after_approval_by: ['security_officer'], approval_covers: ['scan.run'] },
        { action: 'capsule.package', after_approval_by: ['compliance_lead'] },
        { approval_role: '3pao_assessor', after_approval_by: ['compliance_lead'] },
        { approval_role: 'agency_ao', after_approval_by: ['3pao_assessor'] },
      ],
      // The package is complete: the 3PAO's SAR and the agency AO's decision must be in it, signed by
      // approvers pinned in those roles (not the CSP's own staff signing those steps), and the
      // decision must build on every step of the package (no work added after it or beside it).
      must_include: [{ approval_role: '3pao_assessor' }, { approval_role: 'agency_ao', covers_chain: true }],
    },
  };
}

/**
 * Builds the FedRAMP sample deterministically from `seed`: keys, cards, the signed events of
 * every step, receipts, a file-backed log with signed tree heads, a proof-server attestation
 * and the capsule. The trust file is returned (and written) separately from the capsule.
 */
export async function buildFedrampSample(options: BuildSampleOptions = {}): Promise<FedrampSample> {
  const seed = options.seed ?? DEFAULT_SAMPLE_SEED;
  const hooks = options.hooks ?? {};
  const keys = sampleKeys(seed);
  const ids: Record<string, string> = {};
  const seq = new Map<string, number>();
  const specs = sampleSpecs(seed);
  hooks.specs?.(specs, keys);
  const signed = signSpecs(specs, keys, seed, ids, seq);
  const events = signed.map((s) => s.event);

  // The log: every event appended durably, a signed tree head every 6 appends and at the end.
  const logDir = mkdtempSync(join(tmpdir(), 'lineage-sample-log-'));
  let clock = BASE_TIME;
  const store = LineageStore.open(logDir, {
    origin: SAMPLE_LOG_ID,
    signer: lineageSthSigner(SAMPLE_LOG_ID, hooks.logKey ?? keys.log, () => clock),
    sthEvery: 6,
    fsync: false,
  });
  let attestation: Attestation;
  try {
    for (const e of events) {
      clock = Math.max(clock, Date.parse(e.timestamp) + 1_000);
      await store.append(eventEntryBytes(e));
    }
    if (store.lastSth()?.size !== store.size) await store.publish();
    const server = new ProofServer(SAMPLE_PROOF_SERVER, keys.proofServer.secretKey, [store]);
    const older = store
      .publishedSths()
      .slice(0, -1)
      .map((s) => s.size);
    const leaves = events.map((e) => toHex(eventLeafHash(e)));
    const honest = server.attest({
      leaves,
      issuedAt: formatTimestamp(clock + 60_000),
      consistencyFrom: { [SAMPLE_LOG_ID]: older },
      proofStyle: 'both',
    });
    const unsigned = without(honest, 'signature') as unknown as UnsignedAttestation;
    attestation = server.sign(
      hooks.attestation ? await hooks.attestation(unsigned, { store, server, keys, events }) : unsigned,
    );
  } finally {
    store.close();
    rmSync(logDir, { recursive: true, force: true });
  }

  const artifacts: CapsuleArtifact[] = signed
    .filter((s) => s.spec.artifact)
    .map((s) => ({
      path: s.spec.artifact!.path,
      bytes: s.artifactBytes!,
      eventId: s.id,
      mediaType: 'application/json',
      title: s.spec.artifact!.title,
    }));
  const content: CapsuleContent = {
    capsuleId: `fedramp-aca-${toHex(sha256(new TextEncoder().encode(seed))).slice(0, 12)}`,
    createdAt: formatTimestamp(clock + 120_000),
    title: 'Acme Cloud Analytics — FedRAMP Moderate ATO evidence capsule',
    workflow: {
      name: 'FedRAMP Moderate ATO',
      steps: SAMPLE_STEPS.map((st) => ({
        id: st.id,
        title: st.title,
        events: signed.filter((s) => s.spec.step === st.id).map((s) => s.id),
      })),
    },
    events,
    cards: sampleCards(keys, signed),
    receipts: sampleReceipts(keys, signed),
    attestations: [attestation],
    openings: signed.flatMap((s) => s.openings),
    artifacts,
  };
  hooks.content?.(content, { keys, events: new Map(signed.map((s) => [s.id, s.event])) });
  const files = capsuleFiles(content);
  const zip = zipCapsule(files);
  const trust = sampleTrustStore(keys);
  const trustText = `${JSON.stringify(trust, null, 2)}\n`;
  const result: FedrampSample = { seed, files, zip, trust, trustText, keys, eventIds: ids, events };
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    const capsule = join(options.dir, 'fedramp-sample.capsule.zip');
    const trustPath = join(options.dir, 'trust.json');
    writeFileSync(capsule, zip);
    writeFileSync(trustPath, trustText);
    result.paths = { capsule, trust: trustPath };
  }
  return result;
}
