import { sha256 } from '../crypto/current.js';
import { utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import type { CheckOutcome, VerificationReport } from '../report/model.js';
import { formatCount, formatCountOf } from '../result.js';
import type { CapsuleVerification } from './types.js';

/**
 * OSCAL assessment-results (NIST OSCAL 1.1) for a capsule verification
 * (docs/spec/05-capsules.md §5.10): one observation per event (and per failing check not
 * about an event), one finding per control the workflow recorded, satisfied only when
 * every event citing it verified. UUIDs are derived from the content, so the same
 * verification always yields the same document.
 */
export const OSCAL_VERSION = '1.1.2';
const NS = 'https://lineage.dev/ns/oscal';

function uuid(...parts: string[]): string {
  const h = toHex(sha256(utf8Encode(parts.join('\u0000'))));
  // RFC 4122 layout, version 5 nibble and variant bits set (name-based, SHA-256 truncated).
  const v = `5${h.slice(13, 16)}`;
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16) + h.slice(17, 20);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}-${h.slice(20, 32)}`;
}

function controlId(c: string): string {
  // OSCAL catalog ids are lower case with dots for enhancements: AC-2(1) → ac-2.1.
  return c.toLowerCase().replace(/\((\d+)\)/g, '.$1');
}

/** "<title> (field /signature/value, at events.jsonl:9) — <reason> — expected: … — found: …". */
function describeCheck(c: CheckOutcome): string {
  const about = [c.subject.field && `field ${c.subject.field}`, c.subject.where && `at ${c.subject.where}`]
    .filter(Boolean)
    .join(', ');
  const parts = [about ? `${c.title} (${about})` : c.title];
  if (c.reason) parts.push(c.reason);
  if (c.expected !== undefined) parts.push(`expected: ${c.expected}`);
  if (c.found !== undefined) parts.push(`found: ${c.found}`);
  return parts.join(' — ');
}

export function toOscalAssessmentResults(
  report: VerificationReport,
  capsule: CapsuleVerification,
  /** `verifier`: the host that verified, e.g. "lineage 0.1.0", recorded as a prop for the record. */
  options: { verifier?: string } = {},
): Record<string, unknown> {
  const seed = `${capsule.capsuleDigest}:${report.verifiedAt}`;
  const at = report.verifiedAt;
  const observations: Record<string, unknown>[] = [];
  const obsOfEvent = new Map<string, string>();
  // One pass over the outcomes (700k for a 100k-event capsule): failures by the event they name,
  // and failures about anything else, in report order.
  const eventIds = new Set(capsule.events.map((e) => e.id));
  const failingOf = new Map<string, CheckOutcome[]>();
  const otherFailures: CheckOutcome[] = [];
  for (const c of report.checks) {
    if (c.status !== 'fail') continue;
    if (!eventIds.has(c.subject.id)) otherFailures.push(c);
    else {
      const list = failingOf.get(c.subject.id);
      if (list) list.push(c);
      else failingOf.set(c.subject.id, [c]);
    }
  }
  for (const e of capsule.events) {
    const id = uuid(seed, 'event', e.id);
    obsOfEvent.set(e.id, id);
    const failing = failingOf.get(e.id) ?? [];
    observations.push({
      uuid: id,
      title: `Step ${e.step}: ${e.action} by ${e.actorLabel}`,
      description:
        failing.length === 0
          ? `Event ${e.id} verified: signature, key validity, log inclusion and chain checks passed.`
          : `Event ${e.id} failed: ${failing.map(describeCheck).join('; ')}`,
      props: [
        { name: 'lineage-event-id', ns: NS, value: e.id },
        { name: 'lineage-status', ns: NS, value: e.status },
        // Where a failing event is in the capsule (file and line), as its failures name it.
        ...failing
          .map((c) => c.subject.where)
          .filter((w, i, all): w is string => w !== undefined && all.indexOf(w) === i)
          .map((w) => ({ name: 'lineage-location', ns: NS, value: w })),
        ...e.controls.map((c) => ({ name: 'control', ns: NS, value: c })),
      ],
      methods: ['TEST'],
      types: ['control-objective'],
      collected: e.timestamp,
      ...(e.artifactPath
        ? {
            'relevant-evidence': [
              { href: e.artifactPath, description: `artifact, SHA-256 ${e.payloadHash}` },
            ],
          }
        : {}),
    });
  }
  for (const c of otherFailures) {
    observations.push({
      uuid: uuid(seed, 'check', c.id, c.subject.id, c.subject.field ?? '', c.reason ?? ''),
      title: `${c.id} failed for ${c.subject.kind} ${c.subject.id}`,
      description: describeCheck(c),
      props: [{ name: 'lineage-check-id', ns: NS, value: c.id }],
      methods: ['TEST'],
      types: ['finding'],
      collected: at,
    });
  }
  // Events by control, in one pass (a workflow records a handful of controls over many events).
  const byControl = new Map<string, CapsuleVerification['events']>();
  for (const e of capsule.events)
    for (const c of new Set(e.controls)) {
      const list = byControl.get(c);
      if (list) list.push(e);
      else byControl.set(c, [e]);
    }
  const controls = [...byControl.keys()].sort();
  const findings = controls.map((c) => {
    const events = byControl.get(c)!;
    const ok = report.verdict === 'verified' && events.every((e) => e.status === 'pass');
    return {
      uuid: uuid(seed, 'finding', c),
      title: `${c}: ${ok ? 'evidence verified' : 'evidence did not verify'}`,
      description: `${formatCountOf(events.length, 'event')} in the capsule record ${c}; ${formatCount(events.filter((e) => e.status === 'pass').length)} verified.`,
      target: {
        type: 'objective-id',
        'target-id': `${controlId(c)}_obj`,
        status: { state: ok ? 'satisfied' : 'not-satisfied' },
      },
      'related-observations': events.map((e) => ({ 'observation-uuid': obsOfEvent.get(e.id)! })),
    };
  });
  return {
    'assessment-results': {
      uuid: uuid(seed, 'assessment-results'),
      metadata: {
        title: `Lineage verification of ${capsule.manifest?.title ?? report.target.name}`,
        'last-modified': at,
        version: '1',
        'oscal-version': OSCAL_VERSION,
        props: [
          { name: 'lineage-capsule-digest', ns: NS, value: capsule.capsuleDigest || 'unreadable' },
          { name: 'lineage-verdict', ns: NS, value: report.verdict },
          ...(options.verifier ? [{ name: 'lineage-verifier', ns: NS, value: options.verifier }] : []),
        ],
      },
      'import-ap': { href: `#lineage-capsule-${capsule.manifest?.capsuleId ?? 'unknown'}` },
      results: [
        {
          uuid: uuid(seed, 'result'),
          title: `Evidence capsule verification: ${report.verdict}`,
          description: `${report.summary.pass} checks passed, ${report.summary.fail} failed, ${report.summary.not_checked} not checked.`,
          start: at,
          end: at,
          'reviewed-controls': {
            'control-selections': [
              { 'include-controls': controls.map((c) => ({ 'control-id': controlId(c) })) },
            ],
          },
          observations,
          findings,
        },
      ],
    },
  };
}
