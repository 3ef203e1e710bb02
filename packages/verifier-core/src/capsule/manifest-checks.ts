import { outcome } from '../events/outcome.js';
import type { CheckOutcome, CheckSubject } from '../report/model.js';
import { type ExpectedFound, formatCount } from '../result.js';
import type { EngineEvent } from './engine.js';
import { type CapsuleManifest, MANIFEST_PATH } from './manifest.js';
import type { CapsuleEntryInfo } from './source.js';

// What the manifest claims about the container and its files, checked against what the container
// holds and what the engine verified (docs/spec/05-capsules.md §5.5 steps 3, 4, 7 and 8).

// Names a capsule might use to smuggle in its own trust roots (§5.4), at any depth, ignoring case;
// never read, always reported: a base name `trust*.json` (trust.json, trust-anchors.json,
// trusted.json, trust2.json), `trust`, `truststore.*`, `trusted-keys.*`, `root.*` / `roots.*`, or
// anything under a `trust/` directory.
const TRUST_JSON = /^trust[^/]*\.json$/i;
const TRUST_BASE = /^(trust|trust[-_.]?store|trusted[-_.]?keys|roots?)(\.[a-z0-9]+)?$/i;
const UNDER_TRUST = /(^|\/)trust\//i;

/** Whether a capsule path names what looks like a trust store (docs/spec/05-capsules.md §5.4). */
export function looksLikeTrustStore(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return TRUST_JSON.test(base) || TRUST_BASE.test(base) || UNDER_TRUST.test(path);
}

/** A capsule never supplies trust roots: anything that looks like one is ignored and reported. */
export function embeddedTrustOutcome(
  entries: readonly CapsuleEntryInfo[],
  manifest: CapsuleManifest,
  capsuleSubject: CheckSubject,
): CheckOutcome {
  const planted = [...new Set([...entries.map((e) => e.path), ...manifest.files.map((f) => f.path)])].filter(
    (p) => looksLikeTrustStore(p),
  );
  return planted.length === 0
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
      );
}

/** The container and the manifest must agree file for file: every container file is listed. */
export function listingOutcomes(
  entries: readonly CapsuleEntryInfo[],
  manifest: CapsuleManifest,
  capsuleSubject: CheckSubject,
): CheckOutcome[] {
  const listed = new Set(manifest.files.map((f) => f.path));
  const out: CheckOutcome[] = [];
  for (const e of entries) {
    if (e.path !== MANIFEST_PATH && !listed.has(e.path)) {
      out.push(
        outcome(
          'capsule.file_listed',
          'fail',
          { kind: 'file', id: e.path },
          'every file in the capsule is listed in the manifest',
          {
            reason: `"${e.path}" (${formatCount(e.size)} bytes) is in the container but not in manifest.json; unlisted files are not evidence`,
            expected: 'every file of the container listed in manifest.json',
            found: `${e.path}, ${formatCount(e.size)} bytes, not listed`,
          },
        ),
      );
    }
  }
  if (out.length === 0)
    out.push(
      outcome(
        'capsule.file_listed',
        'pass',
        capsuleSubject,
        'every file in the container is listed in the manifest',
      ),
    );
  return out;
}

/**
 * Artifacts: each file's SHA-256 (`digests`, as hashed) must be the payload_hash of the event
 * that cites it. An event that signed a payload the capsule does not carry leaves that payload
 * not checked, so the capsule is at best incomplete (otherwise dropping an edited artifact would
 * "verify"). Also returns each event's artifact path, for the report.
 */
export function artifactOutcomes(
  manifest: CapsuleManifest,
  digests: ReadonlyMap<string, string>,
  events: ReadonlyMap<string, EngineEvent>,
): { outcomes: CheckOutcome[]; artifactOf: Map<string, string> } {
  const out: CheckOutcome[] = [];
  const artifactOf = new Map<string, string>();
  const title = 'the artifact is the one its event signed';
  for (const f of manifest.files) {
    if (f.kind !== 'artifact' || !f.event_id) continue;
    const found = digests.get(f.path);
    if (found === undefined) continue;
    const ev = events.get(f.event_id);
    // A JSON pointer like every other field, and located like every other outcome about an event.
    const subject: CheckSubject = { kind: 'event', id: f.event_id, field: '/payload_hash' };
    if (ev) subject.where = ev.where;
    artifactOf.set(f.event_id, f.path);
    if (!ev) {
      out.push(
        outcome('capsule.artifact_hash', 'fail', subject, title, {
          reason: `artifact "${f.path}" names event ${f.event_id.slice(0, 12)}…, which is not in the capsule`,
          expected: `event ${f.event_id} among the capsule's events`,
          found: 'no such event',
        }),
      );
    } else if (ev.event.payload_hash !== found) {
      out.push(
        outcome('capsule.artifact_hash', 'fail', subject, title, {
          reason: `artifact "${f.path}" is not what event ${f.event_id.slice(0, 12)}… (${ev.event.action}) signed`,
          expected: `SHA-256 ${ev.event.payload_hash ?? 'null (the event signed no payload)'}`,
          found: `SHA-256 ${found}`,
        }),
      );
    } else {
      out.push(
        outcome(
          'capsule.artifact_hash',
          'pass',
          subject,
          // Specifics in parentheses, like capsule.file_hash: a summary of many passes drops them.
          `${title} (${f.path}, signed by event ${ev.event.action})`,
        ),
      );
    }
  }
  // forEach: every event, once (see summarize on for…of).
  events.forEach((ev, id) => {
    if (ev.event.payload_hash === null || artifactOf.has(id)) return;
    out.push(
      outcome(
        'capsule.artifact_hash',
        'not_checked',
        { kind: 'event', id, field: '/payload_hash', where: ev.where },
        title,
        {
          reason: `event ${id.slice(0, 12)}… (${ev.event.action}) signed payload SHA-256 ${ev.event.payload_hash}, but the capsule carries no artifact for it`,
        },
      ),
    );
  });
  return { outcomes: out, artifactOf };
}

/** Workflow steps are presentation, but every step must name only events the capsule carries. */
export function workflowStepOutcomes(
  manifest: CapsuleManifest,
  events: ReadonlyMap<string, EngineEvent>,
  capsuleSubject: CheckSubject,
): CheckOutcome[] {
  const out: CheckOutcome[] = [];
  const fail = (
    i: number,
    s: CapsuleManifest['workflow']['steps'][number],
    field: string,
    why: ExpectedFound & { reason: string },
  ) =>
    out.push(
      outcome(
        'capsule.workflow_steps',
        'fail',
        {
          kind: 'manifest',
          id: MANIFEST_PATH,
          field: `/workflow/steps/${i}${field}`,
          step: `${s.id} ${s.title}`,
        },
        'the workflow steps name events in the capsule',
        why,
      ),
    );
  // The steps are the capsule's own labels: one step per event and per id, and no step that
  // names nothing, so a label cannot move an event, hide behind a twin, or claim a step happened.
  const stepIds = new Map<string, number>();
  const stepOfEvent = new Map<string, string>();
  for (const [i, s] of manifest.workflow.steps.entries()) {
    const twin = stepIds.get(s.id);
    if (twin !== undefined)
      fail(i, s, '/id', {
        reason: `step id "${s.id}" is used twice (also /workflow/steps/${twin})`,
        expected: 'each step id once',
        found: `"${s.id}" again`,
      });
    else stepIds.set(s.id, i);
    if (s.events.length === 0)
      fail(i, s, '/events', {
        reason: `step ${s.id} "${s.title}" names no events: nothing in the capsule shows it happened`,
        expected: 'at least one event of the step',
        found: 'none',
      });
    for (const [k, id] of s.events.entries()) {
      const other = stepOfEvent.get(id);
      if (other !== undefined)
        fail(i, s, `/events/${k}`, {
          reason: `event ${id.slice(0, 12)}… is in step ${other} and again in step ${s.id}`,
          expected: 'each event in one step',
          found: `steps ${other} and ${s.id}`,
        });
      else stepOfEvent.set(id, s.id);
      if (!events.has(id))
        fail(i, s, `/events/${k}`, {
          reason: `step ${s.id} "${s.title}" lists event ${id.slice(0, 12)}…, which is not in the capsule (dropped?)`,
          expected: `event ${id} in events.jsonl`,
          found: 'no such event in the capsule',
        });
    }
  }
  if (out.length === 0)
    out.push(
      outcome(
        'capsule.workflow_steps',
        'pass',
        capsuleSubject,
        `the ${manifest.workflow.steps.length} workflow steps name only events in the capsule`,
      ),
    );
  return out;
}

/**
 * Tags every outcome with its workflow step so reports can group failures by step: an event's
 * step from the manifest, anything else's from `hint` (a receipt by its sender, a card by its agent).
 */
export function tagSteps(
  checks: readonly CheckOutcome[],
  manifest: CapsuleManifest,
  hint: (subject: CheckSubject, stepOf: ReadonlyMap<string, string>) => string | undefined,
): void {
  const stepOf = new Map<string, string>();
  for (const s of manifest.workflow.steps) for (const id of s.events) stepOf.set(id, `${s.id} ${s.title}`);
  // Indexed: 700k outcomes at 100k events (see summarize on for…of).
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    if (c.subject.step) continue;
    const step = stepOf.get(c.subject.id) ?? hint(c.subject, stepOf);
    if (step) c.subject.step = step;
  }
}
