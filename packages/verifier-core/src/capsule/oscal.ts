import { sha1 } from '@noble/hashes/legacy.js';
import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { fromHex, toHex } from '../encoding/hex.js';
import { revealOneLine } from '../report/hidden-chars.js';
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

/** An RFC 9562 (RFC 4122) name-based UUID, version 5: SHA-1 of the namespace's 16 bytes and the name. */
export function uuidV5(namespace: string, name: string): string {
  const ns = fromHex(namespace.replace(/-/g, ''));
  const h = toHex(sha1(concatBytes(ns, utf8Encode(name))));
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** RFC 9562's namespace for URLs; ours is the version-5 UUID of NS within it. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const LINEAGE_NAMESPACE = uuidV5(URL_NAMESPACE, NS);

// Derived, not random, so the same verification yields the same document. SHA-1 is only what
// version 5 is defined with: these are names for cross-references, not a security boundary.
function uuid(...parts: string[]): string {
  return uuidV5(LINEAGE_NAMESPACE, parts.join('\u0000'));
}

function controlId(c: string): string {
  // OSCAL catalog ids are lower case with dots for enhancements: AC-2(1) → ac-2.1.
  return c.toLowerCase().replace(/\((\d+)\)/g, '.$1');
}

/**
 * Text for an OSCAL markup field (titles are markup-line, descriptions and remarks
 * markup-multiline: Markdown). Much of it quotes the capsule (its title, card names, step ids,
 * values in expected/found), and an OSCAL viewer renders Markdown: a card named
 * "![x](https://…)" or "<img src=…>" would become an image fetched from the attacker's host, a
 * newline and "# …" a heading. So hidden characters are shown as ⟨U+XXXX⟩ (newlines and tabs
 * too: the text is one line) and Markdown syntax is backslash-escaped; `_` only where it could
 * start or end emphasis (not inside a word, as in check ids like event.sth_time).
 */
function markup(s: string): string {
  return revealOneLine(s).replace(/[\\`*[\]<>&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\$&');
}

/**
 * OSCAL's date-time (DateTimeWithTimezoneDatatype) admits only the years 1900–2999; an event's
 * signed timestamp may be any RFC 3339 UTC time from the year 0100 on. Such an event is
 * collected at the verification time instead (its signed time stays in the description).
 */
function oscalDateTime(t: string, fallback: string): string {
  return /^(19|2\d)\d\d-/.test(t) ? t : fallback;
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
  // One pass over the outcomes (700k for a 100k-event capsule): failures and checks not made, by
  // the event they name, and those about anything else, in report order. A check not made is
  // never presented as passed: an incomplete verification says what it could not check.
  const eventIds = new Set(capsule.events.map((e) => e.id));
  const failingOf = new Map<string, CheckOutcome[]>();
  const uncheckedOf = new Map<string, CheckOutcome[]>();
  const otherOutcomes: CheckOutcome[] = [];
  for (const c of report.checks) {
    if (c.status === 'pass') continue;
    if (!eventIds.has(c.subject.id)) otherOutcomes.push(c);
    else {
      const of = c.status === 'fail' ? failingOf : uncheckedOf;
      const list = of.get(c.subject.id);
      if (list) list.push(c);
      else of.set(c.subject.id, [c]);
    }
  }
  // The observation of each outcome not about an event (fail and not checked never share one).
  // Two outcomes can agree on all the uuid is derived from but where they are (a receipt replayed
  // twice fails receipt.replay at each of its lines): a repeat is numbered, so every uuid is used
  // once in the document, as OSCAL requires of what related-observations point to.
  const otherUuids = new Map<CheckOutcome, string>();
  const usedOther = new Set<string>();
  for (const c of otherOutcomes) {
    const key = [
      c.status === 'fail' ? 'check' : 'unchecked',
      c.id,
      c.subject.id,
      c.subject.field ?? '',
      c.reason ?? '',
    ];
    let u = uuid(seed, ...key);
    for (let n = 1; usedOther.has(u); n++) u = uuid(seed, ...key, `${n}`);
    usedOther.add(u);
    otherUuids.set(c, u);
  }
  const otherUuid = (c: CheckOutcome) => otherUuids.get(c)!;
  for (const e of capsule.events) {
    const id = uuid(seed, 'event', e.id);
    obsOfEvent.set(e.id, id);
    const failing = failingOf.get(e.id) ?? [];
    const unchecked = uncheckedOf.get(e.id) ?? [];
    const notChecked = `not checked: ${unchecked.length > 0 ? unchecked.map(describeCheck).join('; ') : 'no check was made about it'}`;
    const collected = oscalDateTime(e.timestamp, at);
    const description =
      e.status === 'pass'
        ? `Event ${e.id} verified: signature, key validity, log inclusion and chain checks passed.`
        : failing.length > 0
          ? `Event ${e.id} failed: ${failing.map(describeCheck).join('; ')}${unchecked.length > 0 ? `. Also ${notChecked}` : ''}`
          : `Event ${e.id} was not fully verified, ${notChecked}`;
    observations.push({
      uuid: id,
      title: markup(`Step ${e.step}: ${e.action} by ${e.actorLabel}`),
      description: markup(
        collected === e.timestamp
          ? description
          : `${description} (signed time ${e.timestamp}, outside what OSCAL dates can hold: collected at the verification time)`,
      ),
      props: [
        { name: 'lineage-event-id', ns: NS, value: e.id },
        { name: 'lineage-status', ns: NS, value: e.status },
        // Where a failing (or unchecked) event is in the capsule (file and line), as its outcomes name it.
        ...[...failing, ...unchecked]
          .map((c) => c.subject.where)
          .filter((w, i, all): w is string => w !== undefined && all.indexOf(w) === i)
          .map((w) => ({ name: 'lineage-location', ns: NS, value: w })),
        ...e.controls.map((c) => ({ name: 'control', ns: NS, value: c })),
      ],
      methods: ['TEST'],
      types: ['control-objective'],
      collected,
      ...(e.artifactPath
        ? {
            'relevant-evidence': [
              { href: e.artifactPath, description: `artifact, SHA-256 ${e.payloadHash}` },
            ],
          }
        : {}),
    });
  }
  for (const c of otherOutcomes) {
    const failed = c.status === 'fail';
    observations.push({
      uuid: otherUuid(c),
      title: markup(`${c.id} ${failed ? 'failed' : 'not checked'} for ${c.subject.kind} ${c.subject.id}`),
      description: markup(describeCheck(c)),
      props: [
        { name: 'lineage-check-id', ns: NS, value: c.id },
        { name: 'lineage-status', ns: NS, value: c.status },
        // Where it is in the capsule, as for an event: what tells two such observations apart.
        ...(c.subject.where ? [{ name: 'lineage-location', ns: NS, value: c.subject.where }] : []),
      ],
      methods: ['TEST'],
      // A check not made is no finding; its observation only says what was not established.
      ...(failed ? { types: ['finding'] } : {}),
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
  // Why a control whose events all verified is still not satisfied: the capsule failed elsewhere
  // (another step's event, an artifact, a tree head, the workflow) or its verification is
  // incomplete. The failing checks (or, with none, the checks not made) are named, and their
  // observations related to the finding.
  const eventById = new Map(capsule.events.map((e) => [e.id, e]));
  const failures: { text: string; observation: string; outside: boolean }[] = [];
  const status = report.summary.fail > 0 ? 'fail' : 'not_checked';
  for (const c of report.checks) {
    if (c.status !== status) continue;
    const e = eventById.get(c.subject.id);
    const what = c.status === 'fail' ? 'failed' : 'not checked';
    failures.push(
      e
        ? {
            text: `${c.id} ${what} for step ${e.step} ${e.action} (event ${e.id.slice(0, 12)}…)`,
            observation: obsOfEvent.get(e.id)!,
            outside: false,
          }
        : {
            text: `${c.id} ${what} for ${c.subject.kind} ${c.subject.id}${c.subject.field ? ` ${c.subject.field}` : ''}`,
            observation: otherUuid(c),
            outside: true,
          },
    );
  }
  const named = failures.slice(0, 5).map((f) => f.text);
  const more = failures.length - named.length;
  const elsewhere =
    status === 'fail'
      ? `${named.join('; ')}${more > 0 ? `; and ${formatCountOf(more, 'other failing check')}` : ''}`
      : `its verification is ${report.verdict} (${formatCountOf(report.summary.not_checked, 'check')} not checked${named.length > 0 ? `: ${named.join('; ')}${more > 0 ? `; and ${formatCount(more)} more` : ''}` : ''})`;
  const elsewhereObservations = [...new Set(failures.map((f) => f.observation))];
  // The failures (or checks not made) about no event — a tree head, a card, a receipt, the
  // workflow — keep every control from being satisfied, also one whose own events failed: such a
  // finding names them too and relates their observations, or the cause (an untrusted log key
  // failing every event's inclusion) would be reachable from no finding.
  const outside = failures.filter((f) => f.outside);
  const outsideNamed = outside.slice(0, 5).map((f) => f.text);
  const alsoOutside =
    outside.length > 0
      ? `; elsewhere in the capsule: ${outsideNamed.join('; ')}${outside.length > 5 ? `; and ${formatCount(outside.length - 5)} more` : ''}`
      : '';
  const outsideObservations = outside.map((f) => f.observation);
  const findings = controls.map((c) => {
    const events = byControl.get(c)!;
    const verified = events.filter((e) => e.status === 'pass').length;
    const failedEvents = events.filter((e) => e.status === 'fail');
    const uncheckedEvents = events.filter((e) => e.status === 'not_checked');
    const eventsOk = verified === events.length;
    const ok = report.verdict === 'verified' && eventsOk;
    const counted = `${formatCountOf(events.length, 'event')} in the capsule record ${c}; ${formatCount(verified)} verified`;
    const steps = (list: typeof events) => [...new Set(list.map((e) => e.step))].join(', ');
    const notVerified = [
      ...(failedEvents.length > 0
        ? [`${formatCount(failedEvents.length)} did not (step ${steps(failedEvents)})`]
        : []),
      ...(uncheckedEvents.length > 0
        ? [
            `${formatCount(uncheckedEvents.length)} could not be fully checked (step ${steps(uncheckedEvents)})`,
          ]
        : []),
    ];
    return {
      uuid: uuid(seed, 'finding', c),
      title: markup(
        `${c}: ${ok ? 'evidence verified' : eventsOk ? 'evidence verified, but the capsule did not verify' : failedEvents.length > 0 ? 'evidence did not verify' : 'evidence not fully checked'}`,
      ),
      description: markup(
        ok
          ? `${counted}.`
          : eventsOk
            ? `${counted}, but the capsule as a whole did not verify: ${elsewhere}.`
            : `${counted}, ${notVerified.join(', ')}${alsoOutside}.`,
      ),
      target: {
        type: 'objective-id',
        'target-id': `${controlId(c)}_obj`,
        status: {
          state: ok ? 'satisfied' : 'not-satisfied',
          // What the state rests on: signed tags, not a judgement of the control.
          remarks: markup(
            `Determined by Lineage from the evidence its signers tagged ${c}: ${ok ? 'that evidence is authentic, anchored in a trusted log and in order' : 'that evidence or the capsule did not verify'}. Whether the control objective is met is the assessor's judgement.`,
          ),
        },
      },
      'related-observations': [
        ...events.map((e) => ({ 'observation-uuid': obsOfEvent.get(e.id)! })),
        // The failures (or checks not made) elsewhere that keep the control from being satisfied.
        ...(ok ? [] : eventsOk ? elsewhereObservations : outsideObservations).map((u) => ({
          'observation-uuid': u,
        })),
      ],
    };
  });
  // The capsule itself, as a back-matter resource: what `import-ap` points to (Lineage imports
  // no OSCAL assessment plan; the capsule is what was assessed).
  const capsuleUuid = uuid(seed, 'capsule');
  const capsuleProps = [
    ...(capsule.capsuleDigest
      ? [{ name: 'lineage-capsule-digest', ns: NS, value: capsule.capsuleDigest }]
      : []),
    ...(capsule.manifest ? [{ name: 'lineage-capsule-id', ns: NS, value: capsule.manifest.capsuleId }] : []),
  ];
  const capsuleResource = {
    uuid: capsuleUuid,
    title: markup(`Lineage evidence capsule ${report.target.name}`),
    description: markup(
      capsule.capsuleDigest
        ? `The evidence capsule assessed${capsule.manifest ? ` ("${capsule.manifest.title}", capsule id ${capsule.manifest.capsuleId})` : ''}. Its digest, SHA-256 ${capsule.capsuleDigest}, is the SHA-256 of its canonical manifest (RFC 8785), which lists the SHA-256 of every file in the capsule. No OSCAL assessment plan is imported: the capsule is what was assessed.`
        : 'The evidence capsule assessed. It could not be read, so it has no digest. No OSCAL assessment plan is imported: the capsule is what was assessed.',
    ),
    ...(capsuleProps.length > 0 ? { props: capsuleProps } : {}),
    // Each segment percent-encoded whole: "#" or "?" in a file name is part of the name, not a
    // fragment or query, and "a:b.zip" is not a URI with the scheme "a".
    rlinks: [{ href: report.target.name.split('/').map(encodeURIComponent).join('/') }],
  };
  return {
    'assessment-results': {
      uuid: uuid(seed, 'assessment-results'),
      metadata: {
        title: markup(`Lineage verification of ${capsule.manifest?.title ?? report.target.name}`),
        'last-modified': at,
        version: '1',
        'oscal-version': OSCAL_VERSION,
        props: [
          { name: 'lineage-capsule-digest', ns: NS, value: capsule.capsuleDigest || 'unreadable' },
          { name: 'lineage-verdict', ns: NS, value: report.verdict },
          ...(options.verifier ? [{ name: 'lineage-verifier', ns: NS, value: options.verifier }] : []),
        ],
      },
      'import-ap': { href: `#${capsuleUuid}` },
      results: [
        {
          uuid: uuid(seed, 'result'),
          title: `Evidence capsule verification: ${report.verdict}`,
          description: `${report.summary.pass} checks passed, ${report.summary.fail} failed, ${report.summary.not_checked} not checked.`,
          start: at,
          end: at,
          'reviewed-controls': {
            // OSCAL arrays have at least one item: no controls is said in words, not with [].
            'control-selections': [
              controls.length > 0
                ? { 'include-controls': controls.map((c) => ({ 'control-id': controlId(c) })) }
                : { description: 'No controls: no event recording one could be read from the capsule.' },
            ],
          },
          ...(observations.length > 0 ? { observations } : {}),
          ...(findings.length > 0 ? { findings } : {}),
        },
      ],
      'back-matter': { resources: [capsuleResource] },
    },
  };
}
