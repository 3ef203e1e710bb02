import { getCryptoBackend, sha256 } from '../crypto/current.js';
import { toHex } from '../encoding/hex.js';
import { outcome } from '../events/outcome.js';
import { SignatureQueue } from '../events/signature-queue.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import {
  buildReport,
  type CheckOutcome,
  type CheckStatus,
  type CheckSubject,
  worseStatus,
} from '../report/model.js';
import { formatCount, formatCountOf, isLineageError } from '../result.js';
import type { TrustStore } from '../trust/types.js';
import { type CapsuleDocuments, emptyDocuments, readDocument } from './contents.js';
import { type EngineOutput, verifyLineageDocuments } from './engine.js';
import { type CapsuleLimits, resolveLimits } from './limits.js';
import { type CapsuleManifest, MANIFEST_PATH, parseManifest } from './manifest.js';
import type { AbortSignalLike, CapsuleEntryInfo, CapsuleSource } from './source.js';
import type { CapsuleVerification, EventDetail, LineageGraph, SthSummary } from './types.js';

/** About how long a signed event line is (400 bytes and more; the signature object alone is ~230): only sizes a hint. */
const APPROX_EVENT_BYTES = 512;

export interface VerifyCapsuleOptions {
  /** RFC 3339 time stamped on the report (the core reads no clock). */
  verifiedAt: string;
  /** File name shown as the report target. */
  capsuleName: string;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  signal?: AbortSignalLike;
  limits?: Partial<CapsuleLimits>;
}

// Names a capsule might use to smuggle in its own trust roots; never read, always reported.
const TRUST_NAME = /(^|\/)(trust|trust[-_.]?store|trusted[-_.]?keys|roots?)(\.[a-z]+)?$|(^|\/)trust\//i;

function aborted(signal?: AbortSignalLike): void {
  if (signal?.aborted)
    throw signal.reason instanceof Error ? signal.reason : new Error('verification cancelled');
}

/**
 * Verifies an evidence capsule end to end (docs/spec/05-capsules.md §5.5):
 * container → manifest → file hashes → documents → identity/lineage engine (chapter 4)
 * → artifact bindings. Everything the capsule says is treated as a claim; trust comes only
 * from `trust`. Never throws for bad input: every problem is a failed check.
 */
export async function verifyCapsule(
  source: CapsuleSource,
  trust: TrustStore,
  options: VerifyCapsuleOptions,
): Promise<CapsuleVerification> {
  const limits = resolveLimits(options.limits);
  const checks: CheckOutcome[] = [];
  const progress = options.onProgress ?? (() => {});
  const capsuleSubject = { kind: 'capsule' as const, id: options.capsuleName };
  const finish = (
    digest: string,
    manifest?: CapsuleManifest,
    engine?: EngineOutput,
    artifactOf?: Map<string, string>,
  ): CapsuleVerification => {
    const out = assemble(checks, manifest, engine, artifactOf ?? new Map());
    return {
      report: buildReport(
        { kind: 'capsule', name: options.capsuleName, ...(digest ? { sha256: digest } : {}) },
        options.verifiedAt,
        checks,
      ),
      capsuleDigest: digest,
      ...(manifest
        ? {
            manifest: {
              capsuleId: manifest.capsule_id,
              title: manifest.title,
              createdAt: manifest.created_at,
              workflow: manifest.workflow.name,
            },
          }
        : {}),
      // Built when first read (a view, a JSON report), then kept: a 100k-event graph is 200k
      // objects that a terminal verdict never shows. Enumerable, so JSON and structured clone
      // see an ordinary property.
      get lineage(): LineageGraph {
        const graph = out.lineage();
        Object.defineProperty(this, 'lineage', {
          value: graph,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        return graph;
      },
      events: out.events,
      sths: out.sths,
    };
  };

  // 1. Container: names, links, sizes, bombs.
  progress({ phase: 'reading container', done: 0, total: 1 });
  let entries: CapsuleEntryInfo[];
  try {
    entries = await source.list();
  } catch (e) {
    checks.push(
      outcome('capsule.container', 'fail', capsuleSubject, 'the container is a well-formed capsule', {
        reason: describeError(e),
      }),
    );
    return finish('');
  }
  checks.push(
    outcome(
      'capsule.container',
      'pass',
      capsuleSubject,
      `the container is a well-formed capsule (${formatCountOf(entries.length, 'file')}, no unsafe names, links or bombs)`,
    ),
  );

  // 2. Manifest.
  let manifest: CapsuleManifest;
  try {
    manifest = parseManifest(
      await source.read(MANIFEST_PATH, Math.min(limits.maxJsonBytes, 64 * 1024 * 1024)),
    );
  } catch (e) {
    checks.push(
      outcome(
        'capsule.manifest',
        'fail',
        { kind: 'manifest', id: MANIFEST_PATH, ...(isLineageError(e) && e.path ? { field: e.path } : {}) },
        'manifest.json is present and well-formed',
        { reason: describeError(e) },
      ),
    );
    return finish('');
  }
  const digest = toHex(sha256(canonicalBytes(manifest as unknown as JsonValue)));
  checks.push(
    outcome(
      'capsule.manifest',
      'pass',
      { kind: 'manifest', id: MANIFEST_PATH },
      `manifest.json is well-formed (capsule ${manifest.capsule_id}, ${formatCountOf(manifest.files.length, 'file')} listed)`,
    ),
  );

  // 3. A capsule never supplies trust roots: anything that looks like one is ignored and reported.
  const planted = [...new Set([...entries.map((e) => e.path), ...manifest.files.map((f) => f.path)])].filter(
    (p) => TRUST_NAME.test(p),
  );
  checks.push(
    planted.length === 0
      ? outcome(
          'capsule.embedded_trust',
          'pass',
          capsuleSubject,
          'the capsule carries no trust roots of its own',
        )
      : outcome(
          'capsule.embedded_trust',
          'fail',
          { ...capsuleSubject, field: planted[0]! },
          'the capsule carries no trust roots of its own',
          {
            reason: `the capsule contains ${planted.map((p) => `"${p}"`).join(', ')}, which looks like a trust store; it was ignored — trust comes only from the verifier's own trust file`,
            expected: 'no trust material inside the capsule',
            found: planted.join(', '),
          },
        ),
  );

  // 4. Listing: the container and the manifest must agree file for file.
  const inContainer = new Map(entries.map((e) => [e.path, e.size]));
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const e of entries) {
    if (e.path !== MANIFEST_PATH && !listed.has(e.path)) {
      checks.push(
        outcome(
          'capsule.file_listed',
          'fail',
          { kind: 'capsule', id: e.path },
          'every file in the capsule is listed in the manifest',
          {
            reason: `"${e.path}" (${formatCount(e.size)} bytes) is in the container but not in manifest.json; unlisted files are not evidence`,
          },
        ),
      );
    }
  }
  if (!checks.some((c) => c.id === 'capsule.file_listed')) {
    checks.push(
      outcome(
        'capsule.file_listed',
        'pass',
        capsuleSubject,
        `every file in the container is listed in the manifest`,
      ),
    );
  }

  // 5. Hash every listed file, streaming; artifacts' digests are kept for step 8.
  const totalBytes = manifest.files.reduce((n, f) => n + (inContainer.get(f.path) ?? 0), 0);
  let hashed = 0;
  const digests = new Map<string, string>();
  const docs: CapsuleDocuments = emptyDocuments();
  const parseFailures: CheckOutcome[] = [];
  // Event signatures are queued as events.jsonl is read, so the worker pool verifies them
  // while the rest of the capsule is read and checked.
  const backend = getCryptoBackend();
  const signatures = new SignatureQueue(backend);
  // One signature per event line: a pooled backend can start its workers while events.jsonl is
  // inflated and hashed (an estimate from its size is enough for a hint).
  const eventBytes = manifest.files
    .filter((f) => f.kind === 'events')
    .reduce((n, f) => n + (inContainer.get(f.path) ?? 0), 0);
  backend.expectBatch?.(Math.floor(eventBytes / APPROX_EVENT_BYTES));
  for (const f of manifest.files) {
    aborted(options.signal);
    const subject = {
      kind: f.kind === 'artifact' ? ('artifact' as const) : ('manifest' as const),
      id: f.path,
    };
    const size = inContainer.get(f.path);
    if (size === undefined) {
      checks.push(
        outcome('capsule.file_present', 'fail', subject, 'every file the manifest lists is in the capsule', {
          reason: `manifest.json lists "${f.path}" but the capsule has no such file`,
          expected: `${f.path} (${formatCount(f.size)} bytes)`,
          found: 'missing',
        }),
      );
      continue;
    }
    try {
      let found: string;
      if (f.kind === 'artifact') {
        found = toHex(
          await source.sha256(f.path, (n) => {
            hashed += n;
            progress({ phase: 'hashing artifacts', done: hashed, total: totalBytes });
          }),
        );
      } else {
        const bytes = await source.read(f.path, limits.maxJsonBytes);
        hashed += bytes.length;
        progress({ phase: 'hashing artifacts', done: hashed, total: totalBytes });
        found = toHex(sha256(bytes));
        readDocument(f, bytes, docs, parseFailures, signatures);
      }
      digests.set(f.path, found);
      if (found !== f.sha256 || size !== f.size) {
        checks.push(
          outcome(
            'capsule.file_hash',
            'fail',
            { ...subject, field: 'sha256' },
            'the file matches its manifest entry',
            {
              reason: `"${f.path}" does not match manifest.json`,
              expected: `${formatCount(f.size)} bytes, SHA-256 ${f.sha256}`,
              found: `${formatCount(size)} bytes, SHA-256 ${found}`,
            },
          ),
        );
      } else {
        checks.push(
          outcome(
            'capsule.file_hash',
            'pass',
            subject,
            `the file matches its manifest entry (${formatCount(size)} bytes)`,
          ),
        );
      }
    } catch (e) {
      checks.push(
        outcome('capsule.file_hash', 'fail', subject, 'the file matches its manifest entry', {
          reason: describeError(e),
        }),
      );
    }
  }
  if (!checks.some((c) => c.id === 'capsule.file_present')) {
    checks.push(
      outcome(
        'capsule.file_present',
        'pass',
        capsuleSubject,
        'every file the manifest lists is in the capsule',
      ),
    );
  }
  for (const c of parseFailures) checks.push(c);
  if (parseFailures.length === 0) {
    checks.push(
      outcome(
        'capsule.parse',
        'pass',
        capsuleSubject,
        `every document is strict JSON (${formatCountOf(docs.events.length, 'event')}, ${formatCountOf(docs.receipts.length, 'receipt')}, ${formatCountOf(docs.cards.length, 'card')}, ${formatCountOf(docs.attestations.length, 'attestation')})`,
      ),
    );
  }

  // 6. The identity and lineage engine (chapter 4) over the parsed documents.
  aborted(options.signal);
  const engine = await verifyLineageDocuments(docs, trust, {
    signatures,
    verifiedAt: options.verifiedAt,
    onProgress: progress,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  // A loop, not push(...x): a 100k-event capsule has ~700k outcomes, more than the argument limit.
  // Passes over every event or outcome are indexed or forEach (see summarize on for…of).
  for (let i = 0; i < engine.checks.length; i++) checks.push(engine.checks[i]!);

  // 7. Artifacts: each file's SHA-256 must be the payload_hash of the event that cites it.
  const artifactOf = new Map<string, string>();
  for (const f of manifest.files) {
    if (f.kind !== 'artifact' || !f.event_id) continue;
    const found = digests.get(f.path);
    if (found === undefined) continue;
    const ev = engine.events.get(f.event_id);
    // A JSON pointer like every other field, and located like every other outcome about an event.
    const subject: CheckSubject = { kind: 'event', id: f.event_id, field: '/payload_hash' };
    if (ev) subject.where = ev.where;
    artifactOf.set(f.event_id, f.path);
    if (!ev) {
      checks.push(
        outcome('capsule.artifact_hash', 'fail', subject, 'the artifact is the one its event signed', {
          reason: `artifact "${f.path}" names event ${f.event_id.slice(0, 12)}…, which is not in the capsule`,
        }),
      );
    } else if (ev.event.payload_hash !== found) {
      checks.push(
        outcome('capsule.artifact_hash', 'fail', subject, 'the artifact is the one its event signed', {
          reason: `artifact "${f.path}" is not what event ${f.event_id.slice(0, 12)}… (${ev.event.action}) signed`,
          expected: `SHA-256 ${ev.event.payload_hash ?? 'null (the event signed no payload)'}`,
          found: `SHA-256 ${found}`,
        }),
      );
    } else {
      checks.push(
        outcome(
          'capsule.artifact_hash',
          'pass',
          subject,
          `artifact "${f.path}" is the payload event ${ev.event.action} signed`,
        ),
      );
    }
  }
  // An event that signed a payload the capsule does not carry: that payload was not checked, so
  // the capsule is at best incomplete (otherwise dropping an edited artifact would "verify").
  engine.events.forEach((ev, id) => {
    if (ev.event.payload_hash === null || artifactOf.has(id)) return;
    checks.push(
      outcome(
        'capsule.artifact_hash',
        'not_checked',
        { kind: 'event', id, field: '/payload_hash', where: ev.where },
        'the artifact is the one its event signed',
        {
          reason: `event ${id.slice(0, 12)}… (${ev.event.action}) signed payload SHA-256 ${ev.event.payload_hash}, but the capsule carries no artifact for it`,
        },
      ),
    );
  });

  // 8. Workflow steps (presentation): every event is placed in a step, every step names real events.
  const known = new Set(engine.events.keys());
  const placed = new Set<string>();
  for (const s of manifest.workflow.steps) {
    for (const id of s.events) {
      placed.add(id);
      if (!known.has(id)) {
        checks.push(
          outcome(
            'capsule.workflow_steps',
            'fail',
            {
              kind: 'manifest',
              id: MANIFEST_PATH,
              field: `/workflow/steps (${s.id})`,
              step: `${s.id} ${s.title}`,
            },
            'the workflow steps name events in the capsule',
            {
              reason: `step ${s.id} "${s.title}" lists event ${id.slice(0, 12)}…, which is not in the capsule (dropped?)`,
            },
          ),
        );
      }
    }
  }
  if (!checks.some((c) => c.id === 'capsule.workflow_steps')) {
    checks.push(
      outcome(
        'capsule.workflow_steps',
        'pass',
        capsuleSubject,
        `the ${manifest.workflow.steps.length} workflow steps name only events in the capsule`,
      ),
    );
  }

  // Tag every outcome with its step so reports can group failures by workflow step.
  const stepOf = new Map<string, string>();
  for (const s of manifest.workflow.steps) for (const id of s.events) stepOf.set(id, `${s.id} ${s.title}`);
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    if (c.subject.step) continue;
    const step = stepOf.get(c.subject.id) ?? engine.stepHint(c.subject, stepOf);
    if (step) c.subject.step = step;
  }
  return finish(digest, manifest, engine, artifactOf);
}

function describeError(e: unknown): string {
  if (isLineageError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}

function assemble(
  checks: CheckOutcome[],
  manifest: CapsuleManifest | undefined,
  engine: EngineOutput | undefined,
  artifactOf: Map<string, string>,
): { lineage: () => LineageGraph; events: EventDetail[]; sths: SthSummary[] } {
  if (!manifest || !engine) return { lineage: () => ({ nodes: [], edges: [] }), events: [], sths: [] };
  // One pass over the outcomes folds each event's worst status and failed ids: a capsule of
  // 100k events has ~700k outcomes, so no per-event lists of outcomes are kept.
  // Events whose checks all passed share one record; a failing or unchecked one gets its own.
  const allPassed: { status: CheckStatus; failed: string[] } = Object.freeze({
    status: 'pass',
    failed: Object.freeze([]) as unknown as string[],
  });
  const byEvent = new Map<string, { status: CheckStatus; failed: string[] }>();
  // An event's outcomes share one subject object and come in a row: a passing outcome whose
  // subject was just seen changes nothing.
  let seen: CheckSubject | undefined;
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    // Chain checks about one event (dangling predecessor, sequence, policy) name it by id too.
    if (c.status === 'pass' && c.subject === seen) continue;
    const id = c.subject.id;
    if (!engine.events.has(id)) continue;
    seen = c.subject;
    let own = byEvent.get(id);
    if (c.status === 'pass') {
      if (own === undefined) byEvent.set(id, allPassed);
      continue;
    }
    if (own === undefined || own === allPassed) {
      own = { status: 'pass', failed: [] };
      byEvent.set(id, own);
    }
    if (c.status === 'fail') {
      own.status = 'fail';
      own.failed.push(c.id);
    } else if (c.status === 'not_checked' && own.status === 'pass') own.status = 'not_checked';
  }
  const stepOf = new Map<string, { id: string; title: string }>();
  for (const s of manifest.workflow.steps) for (const id of s.events) stepOf.set(id, s);
  const events: EventDetail[] = [];
  engine.events.forEach((info, id) => {
    const own = byEvent.get(id);
    const e = info.event;
    const step = stepOf.get(id);
    // An event no check spoke about was not checked.
    const status = own === undefined ? 'not_checked' : own.status;
    // Optional members are assigned, not spread: this runs once per event (100k+).
    const d: EventDetail = {
      id,
      step: step?.id ?? '',
      stepTitle: step?.title ?? '',
      actor: e.actor,
      actorLabel: engine.actorLabel(e.actor),
      actor_kind: e.actor_kind,
      action: e.action,
      timestamp: e.timestamp,
      sequence: e.sequence,
      controls: e.context.controls,
      payloadHash: e.payload_hash,
      signature: { publicKey: e.signature.public_key, value: e.signature.value },
      leafHash: info.leafHash,
      commitments:
        e.commitments.length === 0
          ? []
          : e.commitments.map((c) => {
              const opened = engine.openings.get(`${id}/${c.name}`);
              return {
                name: c.name,
                scheme: c.scheme,
                disclosed: opened !== undefined,
                ...(opened !== undefined ? { value: opened } : {}),
              };
            }),
      predecessors: e.predecessors,
      status,
      failedChecks: own === undefined || own === allPassed ? [] : own.failed,
    };
    const artifact = artifactOf.get(id);
    if (artifact !== undefined) d.artifactPath = artifact;
    if (info.inclusion) d.inclusion = info.inclusion;
    if (info.sth) d.sth = info.sth;
    if (info.attestation) d.attestation = info.attestation;
    if (e.approval) d.approval = { ...e.approval };
    events.push(d);
  });
  const handoffs = engine.handoffs;
  return { lineage: () => lineageGraph(events, handoffs), events, sths: engine.sths };
}

/** "2a · Raj Patel (Compliance Officer)"; an agent already named for its step ("A2 Evidence Harvester") is not prefixed twice. */
function nodeLabel(step: string, actorLabel: string): string {
  if (!step || actorLabel === step || actorLabel.startsWith(`${step} `)) return actorLabel || step;
  return `${step} · ${actorLabel}`;
}

/** The lineage graph: one node per event, predecessor edges, then handoff edges. */
function lineageGraph(events: readonly EventDetail[], handoffs: EngineOutput['handoffs']): LineageGraph {
  const statusOf = new Map<string, CheckStatus>();
  for (const e of events) statusOf.set(e.id, e.status);
  const lineage: LineageGraph = {
    nodes: events.map((e) => ({
      id: e.id,
      kind: e.actor_kind,
      label: nodeLabel(e.step, e.actorLabel),
      actor: e.actor,
      action: e.action,
      step: e.step,
      status: e.status,
    })),
    edges: [],
  };
  for (const e of events) {
    for (const p of e.predecessors) {
      lineage.edges.push({
        from: p,
        to: e.id,
        kind: 'predecessor',
        status: worseStatus(statusOf.get(p) ?? 'fail', e.status),
      });
    }
  }
  for (const h of handoffs) lineage.edges.push({ ...h, kind: 'handoff' });
  return lineage;
}
