import { getCryptoBackend, sha256 } from '../crypto/current.js';
import { toHex } from '../encoding/hex.js';
import { outcome } from '../events/outcome.js';
import { SignatureQueue } from '../events/signature-queue.js';
import { canonicalBytes, type JsonValue } from '../json/index.js';
import { buildReport, type CheckOutcome } from '../report/model.js';
import {
  errorOutcomeDetail,
  formatCount,
  formatCountOf,
  isLineageError,
  type LineageError,
} from '../result.js';
import type { TrustStore } from '../trust/types.js';
import { type CapsuleDocuments, emptyDocuments, readDocument } from './contents.js';
import { assembleDetails } from './details.js';
import { type EngineOutput, verifyLineageDocuments } from './engine.js';
import { type CapsuleLimits, resolveLimits } from './limits.js';
import { type CapsuleManifest, MANIFEST_PATH, parseManifest } from './manifest.js';
import {
  artifactOutcomes,
  embeddedTrustOutcome,
  listingOutcomes,
  looksLikeTrustStore,
  tagSteps,
  workflowStepOutcomes,
} from './manifest-checks.js';
import type { AbortSignalLike, CapsuleEntryInfo, CapsuleSource } from './source.js';
import type { CapsuleVerification, LineageGraph } from './types.js';
import { isCapsuleContainerError } from './zip.js';

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
    const out = assembleDetails(checks, manifest, engine, artifactOf ?? new Map());
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

  // A broken container rule (§5.3) is the whole result: one failed capsule.container naming the
  // entry (subject field), the rule (code) and what it required and found, then stop. Whatever
  // was checked before it was read from a container that is not a capsule, and whatever would
  // follow (files missing, leaves "withheld") would only be the corruption seen again.
  const unusable = (e: unknown): CapsuleVerification => {
    checks.length = 0;
    checks.push(containerFailure(e, capsuleSubject));
    return finish('');
  };

  // 1. Container: names, links, sizes, bombs, every local header, descriptor and gap.
  progress({ phase: 'reading container', done: 0, total: 1 });
  let entries: CapsuleEntryInfo[];
  try {
    entries = await source.list();
  } catch (e) {
    return unusable(e);
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
    // Corruption found while reading manifest.json (its CRC-32, its deflate data) is the container's.
    if (isCapsuleContainerError(e)) return unusable(e);
    // The subject names manifest.json; an error about the whole file is told without repeating it.
    const pointer = isLineageError(e) && e.path && e.path !== MANIFEST_PATH ? e.path : undefined;
    checks.push(
      outcome(
        'capsule.manifest',
        'fail',
        { kind: 'manifest', id: MANIFEST_PATH, ...(pointer ? { field: pointer } : {}) },
        'manifest.json is present and well-formed',
        isLineageError(e) ? errorOutcomeDetail(e) : { reason: describeError(e) },
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
  checks.push(embeddedTrustOutcome(entries, manifest, capsuleSubject));

  // 4. Listing: the container and the manifest must agree file for file.
  for (const c of listingOutcomes(entries, manifest, capsuleSubject)) checks.push(c);
  const inContainer = new Map(entries.map((e) => [e.path, e.size]));

  // 5. Hash every listed file, streaming; artifacts' digests are kept for step 8.
  const totalBytes = manifest.files.reduce(
    (n, f) => n + (looksLikeTrustStore(f.path) ? 0 : (inContainer.get(f.path) ?? 0)),
    0,
  );
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
      kind: f.kind === 'artifact' ? ('artifact' as const) : ('file' as const),
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
    // A trust store the capsule carries is never read (§5.4): not hashed, not parsed as the kind its
    // listing claims (it would be verified as a card or an attestation while the report says it
    // was ignored). capsule.embedded_trust has named it.
    if (looksLikeTrustStore(f.path)) continue;
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
        // The field of the manifest entry that does not hold: the size alone, the digest, or both.
        const sizeOnly = found === f.sha256;
        checks.push(
          outcome(
            'capsule.file_hash',
            'fail',
            { ...subject, field: sizeOnly ? 'size' : size === f.size ? 'sha256' : 'size, sha256' },
            'the file matches its manifest entry',
            sizeOnly
              ? {
                  reason: `the file's size is not the one manifest.json lists (its SHA-256 is)`,
                  expected: `${formatCount(f.size)} bytes`,
                  found: `${formatCount(size)} bytes`,
                }
              : {
                  reason: `the file is not the one manifest.json lists`,
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
      // A CRC-32, deflate or size error found while reading: the container is corrupt, stop.
      if (isCapsuleContainerError(e)) return unusable(e);
      checks.push(
        outcome(
          'capsule.file_hash',
          'fail',
          subject,
          'the file matches its manifest entry',
          isLineageError(e) && e.path === f.path ? errorOutcomeDetail(e) : { reason: describeError(e) },
        ),
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
  const artifacts = artifactOutcomes(manifest, digests, engine.events);
  for (const c of artifacts.outcomes) checks.push(c);

  // 8. Workflow steps (presentation): every step names only events in the capsule.
  for (const c of workflowStepOutcomes(manifest, engine.events, capsuleSubject)) checks.push(c);

  tagSteps(checks, manifest, engine.stepHint);
  return finish(digest, manifest, engine, artifacts.artifactOf);
}

/**
 * The failed capsule.container outcome for a broken container rule: the entry as the subject's
 * field, the rule's code, and what it required and found.
 */
function containerFailure(e: unknown, capsuleSubject: { kind: 'capsule'; id: string }): CheckOutcome {
  const title = 'the container is a well-formed capsule';
  if (!isLineageError(e))
    return outcome('capsule.container', 'fail', capsuleSubject, title, { reason: describeError(e) });
  const le: LineageError = e;
  const o = outcome(
    'capsule.container',
    'fail',
    { ...capsuleSubject, ...(le.path ? { field: le.path } : {}) },
    title,
    errorOutcomeDetail(le),
  );
  o.code = le.code;
  return o;
}

function describeError(e: unknown): string {
  if (isLineageError(e)) return e.message;
  return e instanceof Error ? e.message : String(e);
}
