import {
  type CapsuleVerification,
  type CheckOutcome,
  formatCount,
  formatCountOf,
  revealHidden,
} from '@lineage/verifier-core';
import { oneLine } from '../terminal-text.js';
import { VERIFIER } from '../version.js';

/**
 * Human renderings of a capsule verification: the verdict first, then failures grouped
 * by workflow step (event, field, expected, found), then what passed, then what was not
 * checked. Also a self-contained HTML report (no scripts, no external resources).
 */
const VERDICT: Record<string, string> = {
  verified: 'VERIFIED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
};

/** Events by id, built once per report: a capsule of 100k failing events must not take n² lookups. */
type EventIndex = ReadonlyMap<string, CapsuleVerification['events'][number]>;

function subjectLine(c: CheckOutcome, events: EventIndex): string {
  const ev = events.get(c.subject.id);
  const what = ev
    ? `event ${ev.id.slice(0, 12)}… (${ev.action} by ${ev.actorLabel}, ${ev.timestamp})`
    : `${c.subject.kind} ${c.subject.id}`;
  const at = c.subject.where ? `${what} · at ${c.subject.where}` : what;
  return c.subject.field ? `${at} · field ${c.subject.field}` : at;
}

/** Failures shown in full per workflow step (and unchecked items in all) before the rest is counted. */
const MAX_LISTED = 50;

/** "event.signature ×1,200, event.inclusion ×3" for outcomes not listed one by one. */
function countsById(rest: readonly CheckOutcome[]): string {
  const n = new Map<string, number>();
  for (const c of rest) n.set(c.id, (n.get(c.id) ?? 0) + 1);
  return [...n].map(([id, k]) => `${id} ×${formatCount(k)}`).join(', ');
}

function stepOrder(cap: CapsuleVerification): string[] {
  const seen = new Set<string>();
  for (const e of cap.events) if (e.step) seen.add(`${e.step} ${e.stepTitle}`);
  return [...seen];
}

export function renderCapsuleHuman(cap: CapsuleVerification, trustName: string): string {
  const r = cap.report;
  const s = r.summary;
  const out: string[] = [];
  const headline =
    r.verdict === 'verified'
      ? `every cited piece of evidence is authentic, complete and in order (${formatCountOf(s.pass, 'check')} passed)`
      : r.verdict === 'failed'
        ? `${formatCountOf(s.fail, 'check')} failed, ${formatCount(s.pass)} passed, ${formatCount(s.not_checked)} not checked`
        : `nothing failed, but ${formatCountOf(s.not_checked, 'check')} ${s.not_checked === 1 ? 'was' : 'were'} not performed`;
  const unreadable = r.checks.find(
    (c) => (c.id === 'capsule.container' || c.id === 'capsule.manifest') && c.status === 'fail',
  );
  // Where it broke: file and pointer (a manifest that is not JSON at all names only the file, as its
  // field; a zip entry the reason already quotes is not named twice).
  const why = unreadable ? (unreadable.reason ?? unreadable.title) : '';
  const field = unreadable?.subject.field;
  const at =
    field && field !== unreadable.subject.id && !why.includes(JSON.stringify(field)) ? ` ${field}` : '';
  out.push(
    unreadable
      ? `UNUSABLE INPUT — the capsule cannot be read: ${unreadable.subject.id}${at}: ${why}`
      : `${VERDICT[r.verdict]} — ${headline}`,
  );
  out.push('');
  out.push(`  capsule   ${r.target.name}${cap.manifest ? ` — ${cap.manifest.title}` : ''}`);
  if (cap.capsuleDigest) out.push(`  digest    sha256:${cap.capsuleDigest}`);
  if (cap.manifest)
    out.push(
      `  workflow  ${cap.manifest.workflow}, ${formatCountOf(cap.events.length, 'event')}, created ${cap.manifest.createdAt} (title, workflow name and date as the capsule labels itself: unsigned)`,
    );
  out.push(`  trust     ${trustName} (trust roots come only from this file)`);
  for (const t of cap.sths) {
    out.push(
      `  tree head ${t.logId} size ${t.size} root ${t.rootHex.slice(0, 16)}… at ${t.timestamp || '?'} [${t.status}]`,
    );
  }

  if (cap.events.length > 0) {
    out.push(
      '',
      'Evidence in log order (✓ verified, ✗ failed, ? not checked):',
      "  (steps, their titles and file names are the capsule's own unsigned labels; actions, actors, controls and the artifacts' contents are signed)",
    );
    const MAX_ROWS = 60;
    // In log order (the leaf index a verified proof gives), not the order of the capsule's file,
    // which the capsule chooses; events without a verified position follow, by their signed time.
    const logOrder = [...cap.events].sort(
      (a, b) =>
        (a.inclusion?.index ?? Number.POSITIVE_INFINITY) - (b.inclusion?.index ?? Number.POSITIVE_INFINITY) ||
        a.timestamp.localeCompare(b.timestamp),
    );
    for (const e of logOrder.slice(0, MAX_ROWS)) {
      const c = e.commitments.filter((x) => !x.disclosed && !x.rejected).map((x) => x.name);
      const r = e.commitments.filter((x) => x.rejected).map((x) => x.name);
      out.push(
        `  ${e.status === 'pass' ? '✓' : e.status === 'fail' ? '✗' : '?'} ${e.step.padEnd(3)} ${e.action.padEnd(26)} ${e.actorLabel.padEnd(40)} ${e.controls.join(' ').padEnd(16)}${e.artifactPath ? ` ${e.artifactPath}` : ''}${c.length ? ` [committed, not disclosed: ${c.join(', ')}]` : ''}${r.length ? ` [opening not accepted: ${r.join(', ')}]` : ''}`,
      );
    }
    if (cap.events.length > MAX_ROWS)
      out.push(
        `  … and ${formatCount(cap.events.length - MAX_ROWS)} more events (see --json or --report-html)`,
      );
  }
  // One pass over the outcomes (700k for a 100k-event capsule).
  const failures: CheckOutcome[] = [];
  const skipped: CheckOutcome[] = [];
  const passedById = new Map<string, { count: number; title: string }>();
  let passedCount = 0;
  for (const c of r.checks) {
    if (c.status === 'fail') failures.push(c);
    else if (c.status === 'not_checked') skipped.push(c);
    else {
      passedCount++;
      const p = passedById.get(c.id);
      if (p) p.count++;
      else passedById.set(c.id, { count: 1, title: c.title });
    }
  }
  const events: EventIndex =
    failures.length + skipped.length > 0 ? new Map(cap.events.map((e) => [e.id, e])) : new Map();
  const more = (rest: readonly CheckOutcome[], what: string) =>
    `  … and ${formatCount(rest.length)} more ${what} (${countsById(rest)}); --json or --report-html lists every one`;
  if (failures.length > 0) {
    out.push('', `Failures (${formatCount(failures.length)}), by workflow step:`);
    const groups = new Map<string, CheckOutcome[]>();
    const WIDE = '';
    for (const c of failures) {
      const k = c.subject.step ?? WIDE;
      const list = groups.get(k);
      if (list) list.push(c);
      else groups.set(k, [c]);
    }
    const known = stepOrder(cap);
    const knownSet = new Set(known);
    // Capsule-wide failures (container, attestations, tree heads) first: they are often the cause
    // of the step failures below (an untrusted tree head fails every event's inclusion).
    const order = [WIDE, ...known, ...[...groups.keys()].filter((k) => k !== WIDE && !knownSet.has(k))];
    for (const step of order) {
      const list = groups.get(step);
      if (!list) continue;
      out.push(
        '',
        step === WIDE
          ? '  Capsule-wide (container, attestations, tree heads, cards, receipts; often the cause of what follows)'
          : `  Step ${step}`,
      );
      for (const c of list.slice(0, MAX_LISTED)) {
        out.push(`    ✗ ${c.id} — ${c.title}`);
        out.push(`        ${subjectLine(c, events)}`);
        if (c.reason) out.push(`        ${c.reason}`);
        if (c.expected !== undefined) out.push(`        expected: ${c.expected}`);
        if (c.found !== undefined) out.push(`        found:    ${c.found}`);
      }
      if (list.length > MAX_LISTED) out.push(`  ${more(list.slice(MAX_LISTED), 'failures in this step')}`);
    }
  }

  if (passedCount > 0) {
    out.push('', `Passed (${formatCount(passedCount)}):`);
    const w = Math.max(...[...passedById.keys()].map((k) => k.length));
    // Counts padded to the widest so the titles stay in one column at 100k events too.
    const cw = Math.max(3, ...[...passedById.values()].map((p) => formatCount(p.count).length));
    for (const [id, p] of passedById) {
      const title = p.count > 1 ? p.title.replace(/ \([^)]*\)$/, '') : p.title;
      out.push(`  ✓ ${id.padEnd(w)}  ×${formatCount(p.count).padEnd(cw)} ${title}`);
    }
  }
  if (unreadable) {
    out.push('', 'Nothing else was checked: a capsule that cannot be read proves nothing.');
    return asLines(out);
  }
  out.push(
    '',
    `Not checked (${formatCount(skipped.length)})${skipped.length === 0 ? ': nothing — every check was performed.' : ':'}`,
  );
  for (const c of skipped.slice(0, MAX_LISTED))
    out.push(`  ? ${c.id} — ${subjectLine(c, events)}: ${c.reason ?? c.title}`);
  if (skipped.length > MAX_LISTED) out.push(more(skipped.slice(MAX_LISTED), 'not checked'));
  out.push(
    '',
    `${VERDICT[r.verdict]}: ${formatCount(s.pass)} passed, ${formatCount(s.fail)} failed, ${formatCount(s.not_checked)} not checked.`,
  );
  return asLines(out);
}

/**
 * Each entry is one line of the report. Many hold the capsule's own text (its title, step titles,
 * card names, values quoted in reasons): a line break in one would start a line of the capsule's
 * making at the margin ("VERIFIED — …" under a failed verdict), so breaks and tabs are shown as \n, \t.
 */
function asLines(out: string[]): string {
  return out.map(oneLine).join('\n');
}

/** HTML-escaped, hidden characters shown as ⟨U+XXXX⟩ (text from the capsule must not reorder the page). */
function esc(s: string): string {
  return revealHidden(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The self-contained HTML report (no scripts, no external resources), written in pieces of
 * about a thousand rows: a 100k-event capsule's report is ~200 MB, more than is sensible to
 * hold as one string. Failures first, then passes, then what was not checked.
 */
export function writeCapsuleHtml(cap: CapsuleVerification, write: (piece: string) => void): void {
  const r = cap.report;
  const row = (c: CheckOutcome) =>
    `<tr class="${c.status}"><td>${c.status}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.subject.step ?? '')}</td><td>${esc(`${c.subject.kind} ${c.subject.id}${c.subject.where ? ` · at ${c.subject.where}` : ''}${c.subject.field ? ` · field ${c.subject.field}` : ''}`)}</td><td>${esc(c.title)}${c.reason ? `<br><small>${esc(c.reason)}</small>` : ''}</td><td>${c.expected === undefined ? '' : `<code>${esc(c.expected)}</code>`}</td><td>${c.found === undefined ? '' : `<code>${esc(c.found)}</code>`}</td></tr>`;
  const rows = <T>(items: readonly T[], render: (x: T) => string, keep: (x: T) => boolean = () => true) => {
    let batch: string[] = [];
    for (const x of items) {
      if (!keep(x)) continue;
      batch.push(render(x));
      if (batch.length === 1000) {
        write(`${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) write(`${batch.join('\n')}\n`);
  };
  write(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lineage report: ${esc(r.target.name)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font:14px system-ui,sans-serif;margin:2em}h1.verified{color:#0a6b2c}h1.failed{color:#a00}h1.incomplete{color:#8a6100}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left;overflow-wrap:anywhere}
table.checks{table-layout:fixed}table.checks th:nth-child(1){width:5%}table.checks th:nth-child(2){width:13%}table.checks th:nth-child(3){width:9%}table.checks th:nth-child(4){width:16%}table.checks th:nth-child(6),table.checks th:nth-child(7){width:18%}
tr.fail{background:#fde8e8}tr.not_checked{background:#fff6d6}code{font-size:12px}small{color:#555}</style></head>
<body><h1 class="${r.verdict}">${VERDICT[r.verdict]}</h1>
<p>${esc(cap.manifest?.title ?? r.target.name)}<br>capsule digest <code>${esc(cap.capsuleDigest)}</code><br>verified at ${esc(r.verifiedAt)} by ${esc(VERIFIER)} — ${formatCount(r.summary.fail)} failed, ${formatCount(r.summary.not_checked)} not checked, ${formatCount(r.summary.pass)} passed</p>
<h2>Events</h2><table><tr><th>step</th><th>action</th><th>actor</th><th>controls</th><th>artifact</th><th>status</th></tr>
`);
  rows(
    cap.events,
    (e) =>
      `<tr class="${e.status}"><td>${esc(e.step)}</td><td>${esc(e.action)}</td><td>${esc(e.actorLabel)}</td><td>${esc(e.controls.join(' '))}</td><td>${esc(e.artifactPath ?? '')}</td><td>${e.status}</td></tr>`,
  );
  write(`</table><h2>Checks</h2><table class="checks"><tr><th>status</th><th>check</th><th>step</th><th>subject</th><th>what</th><th>expected</th><th>found</th></tr>
`);
  for (const status of ['fail', 'pass', 'not_checked'] as const)
    rows(r.checks, row, (c) => c.status === status);
  write(`</table></body></html>
`);
}
