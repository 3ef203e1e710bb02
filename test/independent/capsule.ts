// The independent capsule verifier: chapter 5 (docs/spec/05-capsules.md) for the directory form,
// written from the spec text. Events, cards, receipts, attestations and openings go through this
// folder's chapter-4 verifier (verify.ts); nothing here imports @lineage/*.
import {
  eventId as eventIdOf,
  eventLeaf,
  hex,
  type Json,
  jcs as jcsOf,
  type Obj,
  sha256,
} from './primitives.js';
import {
  type Outcome,
  readTrust,
  verifyAttestation,
  verifyCard,
  verifyChain,
  verifyReceipts,
} from './verify.js';

export interface CapsuleVerdict {
  verdict: 'verified' | 'failed' | 'incomplete';
  /** Ids of the checks with a `fail` outcome, sorted, once each. */
  failing: string[];
  /** Per failing check id, the subjects its failures name (sorted, once each). */
  subjects: Record<string, string[]>;
  /** SHA-256 of JCS(manifest), "" when the manifest could not be read (§5.2). */
  digest: string;
  outcomes: Outcome[];
  /** When `capsule.container` failed: the §5.3 rule's code and the entry (absent for the archive). */
  container?: { code: string; path?: string };
}

/**
 * A §5.3 container rule broken, at listing or while a file is read: `code` the rule's
 * (`capsule.zip`, `capsule.path`, …), `path` the entry, absent for the archive as a whole.
 */
export class ContainerError extends Error {
  constructor(
    readonly code: string,
    readonly path?: string,
    detail = '',
  ) {
    super(`${code}${path ? ` ${path}` : ''}: ${detail}`);
  }
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const HEX32 = /^[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const MANIFEST = 'manifest.json';
const KINDS = ['events', 'receipts', 'card', 'attestation', 'openings', 'artifact'];
const SKEW_MS = 5000; // §4.4 receipts' clock skew, used by capsule.receipt_payload (§5.5 step 7)
const MAX_ENTRIES = 10_000;

/** §5.3 path rules; the reason it breaks one, or null. */
export function pathProblem(p: string): string | null {
  if (p.length === 0 || p.length > 255) return 'length';
  if (p.includes('\\') || p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\0')) return 'form';
  const segs = p.split('/');
  if (segs.length > 8) return 'depth';
  if (segs.some((s) => !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(s))) return 'segment';
  return null;
}

/**
 * §5.4: a name that looks like a trust store, at any depth, ignoring case: a base name `trust*.json`;
 * a base name `trust`, `truststore`, `trustedkeys`, `root` or `roots` (a `-`, `_` or `.` allowed
 * before `store` / `keys`) with at most one extension of letters and digits; or a `trust/` directory.
 */
export function looksLikeTrust(path: string): boolean {
  const segs = path.toLowerCase().split('/');
  const base = segs[segs.length - 1]!;
  if (segs.slice(0, -1).includes('trust')) return true;
  if (base.startsWith('trust') && base.endsWith('.json')) return true;
  return /^(trust|trust[-_.]?store|trusted[-_.]?keys|roots?)(\.[a-z0-9]+)?$/.test(base);
}

/** Strict UTF-8 and JSON (chapter 1; duplicate member names are not detected here). */
function parseJson(bytes: Uint8Array): Json {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)) as Json;
}
const ms = (t: string): number => (TIME.test(t) ? Date.parse(t) : Number.NaN);

/** §5.2 manifest shape: closed objects; true when well-formed. */
function manifestOk(m: Json): m is Obj {
  const closed = (o: Obj, allowed: string[]) => Object.keys(o).every((k) => allowed.includes(k));
  if (!isObj(m)) return false;
  if (!closed(m, ['type', 'version', 'capsule_id', 'created_at', 'title', 'workflow', 'files'])) return false;
  if (m.type !== 'lineage.capsule' || m.version !== 1) return false;
  if (typeof m.capsule_id !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(m.capsule_id)) return false;
  if (typeof m.created_at !== 'string' || Number.isNaN(ms(m.created_at))) return false;
  if (typeof m.title !== 'string') return false;
  const w = m.workflow;
  if (!isObj(w) || !closed(w, ['name', 'steps']) || typeof w.name !== 'string' || !Array.isArray(w.steps))
    return false;
  for (const s of w.steps) {
    if (!isObj(s) || !closed(s, ['id', 'title', 'events'])) return false;
    if (typeof s.id !== 'string' || typeof s.title !== 'string' || !Array.isArray(s.events)) return false;
    if (!s.events.every((e) => typeof e === 'string' && HEX32.test(e))) return false;
  }
  if (!Array.isArray(m.files)) return false;
  const seen = new Set<string>();
  let events = 0;
  for (const f of m.files) {
    if (!isObj(f) || !closed(f, ['path', 'kind', 'size', 'sha256', 'event_id', 'media_type', 'title']))
      return false;
    if (typeof f.path !== 'string' || pathProblem(f.path) || f.path === MANIFEST) return false;
    if (seen.has(f.path.toLowerCase())) return false;
    seen.add(f.path.toLowerCase());
    if (typeof f.kind !== 'string' || !KINDS.includes(f.kind)) return false;
    if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) return false;
    if (typeof f.sha256 !== 'string' || !HEX32.test(f.sha256)) return false;
    if ((f.kind === 'artifact') !== 'event_id' in f) return false;
    if ('event_id' in f && !(typeof f.event_id === 'string' && HEX32.test(f.event_id))) return false;
    for (const k of ['media_type', 'title'] as const) if (k in f && typeof f[k] !== 'string') return false;
    if (f.kind === 'events') events++;
  }
  return events === 1;
}

/** Words for §5.5 step 9: invisible characters removed, NFKC, lower case, split on non-letters/digits. */
function words(s: string): string[] {
  return s
    .replace(/[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu, '')
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter((w) => w.length > 0);
}
const carries = (card: string[], approver: string[]): boolean =>
  approver.length > 0 && card.some((_, i) => approver.every((w, j) => card[i + j] === w));

/**
 * Verifies a capsule given as its files (path → bytes, `manifest.json` included) under `trust`
 * (the trust file's JSON). Never throws for bad input.
 */
export function verifyCapsuleDir(files: Map<string, Uint8Array>, trust: Obj): CapsuleVerdict {
  try {
    return verifyFiles(files, trust);
  } catch (e) {
    // A file that cannot be read (a zip entry's deflate, size or CRC-32, §5.3 "while reading") makes
    // the whole container unusable: the report holds that one failure and nothing else (§5.5 step 1).
    if (!(e instanceof ContainerError)) throw e;
    return containerFailure(e);
  }
}

/** The verdict of a capsule whose container broke a §5.3 rule: that one failure, no digest. */
export function containerFailure(e: ContainerError): CapsuleVerdict {
  const subject = e.path ?? 'capsule';
  return {
    verdict: 'failed',
    failing: ['capsule.container'],
    subjects: { 'capsule.container': [subject] },
    digest: '',
    outcomes: [{ id: 'capsule.container', status: 'fail', subject }],
    container: { code: e.code, ...(e.path === undefined ? {} : { path: e.path }) },
  };
}

function verifyFiles(files: Map<string, Uint8Array>, trust: Obj): CapsuleVerdict {
  const out: Outcome[] = [];
  const done = (digest: string): CapsuleVerdict => {
    const failing = [...new Set(out.filter((o) => o.status === 'fail').map((o) => o.id))].sort();
    const subjects: Record<string, string[]> = {};
    for (const id of failing)
      subjects[id] = [
        ...new Set(out.filter((o) => o.id === id && o.status === 'fail').map((o) => o.subject)),
      ].sort();
    const verdict =
      failing.length > 0 ? 'failed' : out.some((o) => o.status !== 'pass') ? 'incomplete' : 'verified';
    return { verdict, failing, subjects, digest, outcomes: out };
  };

  // 1. Container (§5.3, directory form): path rules, case-insensitive duplicates, entry count.
  // (A zip capsule's names were checked when it was listed, zip.ts; these hold for it already.)
  const names = [...files.keys()];
  const lower = new Set<string>();
  if (names.length > MAX_ENTRIES) throw new ContainerError('capsule.limit', undefined, 'too many files');
  for (const p of names) {
    if (pathProblem(p)) throw new ContainerError('capsule.path', p, pathProblem(p)!);
    if (lower.has(p.toLowerCase())) throw new ContainerError('capsule.duplicate', p, 'case-insensitive twin');
    lower.add(p.toLowerCase());
    // A name that is both a file and (implied) directory.
    if (names.some((q) => q.toLowerCase().startsWith(`${p.toLowerCase()}/`)))
      throw new ContainerError('capsule.duplicate', p, 'a file and a directory');
  }
  out.push({ id: 'capsule.container', status: 'pass', subject: 'capsule' });

  // 2. Manifest.
  let manifest: Json;
  try {
    const bytes = files.get(MANIFEST);
    if (!bytes) throw new Error('missing');
    manifest = parseJson(bytes);
  } catch (e) {
    if (e instanceof ContainerError) throw e;
    out.push({ id: 'capsule.manifest', status: 'fail', subject: MANIFEST });
    return done('');
  }
  if (!manifestOk(manifest)) {
    out.push({ id: 'capsule.manifest', status: 'fail', subject: MANIFEST });
    return done('');
  }
  const digest = hex(sha256(new TextEncoder().encode(jcsOf(manifest))));
  out.push({ id: 'capsule.manifest', status: 'pass', subject: MANIFEST });
  const entries = (manifest.files as Obj[]).map((f) => ({
    path: String(f.path),
    kind: String(f.kind),
    size: Number(f.size),
    sha256: String(f.sha256),
    eventId: typeof f.event_id === 'string' ? f.event_id : undefined,
  }));

  // 3. Embedded trust: such files are never read, listed or not.
  // Container files and manifest entries alike: a listing that claims a trust store counts too.
  const trustNames = [...new Set([...names, ...entries.map((e) => e.path)])].filter(
    (p) => p !== MANIFEST && looksLikeTrust(p),
  );
  for (const p of trustNames) out.push({ id: 'capsule.embedded_trust', status: 'fail', subject: p });
  if (trustNames.length === 0) out.push({ id: 'capsule.embedded_trust', status: 'pass', subject: 'capsule' });
  const readable = (p: string) => !looksLikeTrust(p);

  // 4. Listing.
  const listed = new Set(entries.map((e) => e.path));
  // A trust-looking file is not read, but it is still a file of the container: unlisted, it fails too.
  for (const p of names)
    if (p !== MANIFEST)
      out.push({ id: 'capsule.file_listed', status: listed.has(p) ? 'pass' : 'fail', subject: p });
  for (const e of entries)
    out.push({ id: 'capsule.file_present', status: files.has(e.path) ? 'pass' : 'fail', subject: e.path });

  // 5. Files: size and SHA-256, then documents parsed strictly.
  const present = entries.filter((e) => readable(e.path) && files.has(e.path));
  for (const e of present) {
    const b = files.get(e.path)!;
    const ok = b.length === e.size && hex(sha256(b)) === e.sha256;
    out.push({ id: 'capsule.file_hash', status: ok ? 'pass' : 'fail', subject: e.path });
  }
  const parseFail = (subject: string) => out.push({ id: 'capsule.parse', status: 'fail', subject });
  const doc = (path: string): Json | undefined => {
    try {
      return parseJson(files.get(path)!);
    } catch {
      parseFail(path);
      return undefined;
    }
  };
  const jsonLines = (path: string): { value: Obj; line: number }[] => {
    const rows: { value: Obj; line: number }[] = [];
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(files.get(path)!);
    } catch {
      parseFail(path);
      return rows;
    }
    if (text.length === 0) return rows;
    const ls = text.split('\n');
    // Every line ends with \n, the last included: the final split piece is empty.
    // A last line without its \n fails capsule.parse, and is still read.
    if (ls[ls.length - 1] !== '') parseFail(path);
    else ls.pop();
    for (const [i, l] of ls.entries()) {
      try {
        // A line that is JSON but not an object is chapter 4's to refuse (event.schema, receipt.schema).
        rows.push({ value: JSON.parse(l) as Obj, line: i + 1 });
      } catch {
        parseFail(`${path}:${i + 1}`);
      }
    }
    return rows;
  };
  const ofKind = (k: string) => present.filter((e) => e.kind === k);
  const eventRows = ofKind('events').flatMap((e) => jsonLines(e.path));
  const receiptRows = ofKind('receipts').flatMap((e) => jsonLines(e.path));
  const attestations = ofKind('attestation')
    .map((e) => ({ path: e.path, doc: doc(e.path) }))
    .filter((a): a is { path: string; doc: Obj } => isObj(a.doc));
  const cards = ofKind('card')
    .map((e) => ({ path: e.path, doc: doc(e.path) }))
    .filter((c): c is { path: string; doc: Obj } => isObj(c.doc));
  const openings = ofKind('openings').flatMap((e) => {
    const v = doc(e.path);
    if (v !== undefined && !Array.isArray(v)) parseFail(e.path);
    return Array.isArray(v) ? v.filter(isObj) : [];
  });

  // 6. Chapter 4: the chain with the attestations and openings, the cards, the receipts.
  const events = eventRows.map((r) => r.value);
  const chain = verifyChain({
    trust,
    events: events.map((event) => ({ event })),
    attestations: attestations.map((a) => a.doc),
    openings,
  });
  // Attestation outcomes name their file; the rest keep chapter 4's subjects.
  const t = readTrust(trust);
  const perAttestation = attestations.map((a) => verifyAttestation(t, a.doc).outcomes.length);
  let k = 0;
  for (const [i, a] of attestations.entries())
    for (let j = 0; j < perAttestation[i]!; j++, k++) chain[k] = { ...chain[k]!, subject: a.path };
  out.push(...chain);
  const eventIds = new Set(
    chain.filter((o) => o.id === 'event.schema' && o.status === 'pass').map((o) => o.subject),
  );
  const wellFormed = events.filter((e) => isObj(e) && eventIds.has(eventIdOf(e)));
  for (const c of cards) {
    const reg = registrationOf(
      c.doc,
      wellFormed,
      attestations.map((a) => a.doc),
      t,
    );
    const res = verifyCard({
      trust,
      card: c.doc,
      events: wellFormed.map((event) => ({ event })),
      ...(reg ? { registration: reg } : {}),
    });
    out.push(...res.map((o) => ({ ...o, subject: c.path })));
  }
  const receipts = receiptRows.map((r) => r.value);
  const receiptOutcomes = verifyReceipts(trust, receipts, wellFormed);
  out.push(...receiptOutcomes);

  // 7. Artifacts, attested events, receipts placed among the events.
  const byId = new Map(wellFormed.map((e) => [eventIdOf(e), e]));
  const artifactsOf = new Map<string, string[]>();
  for (const a of entries.filter((e) => e.kind === 'artifact'))
    artifactsOf.set(a.eventId!, [...(artifactsOf.get(a.eventId!) ?? []), a.path]);
  for (const [id, paths] of artifactsOf) {
    const e = byId.get(id);
    if (!e) {
      out.push({ id: 'capsule.artifact_hash', status: 'fail', subject: paths[0]!, why: 'no such event' });
      continue;
    }
    for (const p of paths) {
      const b = files.get(p);
      if (!b) continue; // capsule.file_present has failed; the event below is not_checked
      const ok = hex(sha256(b)) === e.payload_hash;
      out.push({ id: 'capsule.artifact_hash', status: ok ? 'pass' : 'fail', subject: id });
    }
  }
  for (const [id, e] of byId)
    if (typeof e.payload_hash === 'string' && !(artifactsOf.get(id) ?? []).some((p) => files.has(p)))
      out.push({ id: 'capsule.artifact_hash', status: 'not_checked', subject: id, why: 'artifact withheld' });
  const leaves = new Set(events.map((e) => hex(eventLeaf(e))));
  for (const a of attestations) {
    const listedLeaves = Array.isArray(a.doc.leaves) ? a.doc.leaves : [];
    const ok = listedLeaves.every((l) => typeof l === 'string' && leaves.has(l));
    out.push({ id: 'capsule.attested_events', status: ok ? 'pass' : 'fail', subject: a.path });
  }
  // receipt.schema comes first, one outcome per receipt in input order (§4.4 step 1).
  const schema = receiptOutcomes.filter((o) => o.id === 'receipt.schema');
  const wellFormedReceipts = receipts.filter((_, i) => schema[i]?.status === 'pass');
  for (const r of wellFormedReceipts) {
    const carriers = wellFormed.filter((e) => e.payload_hash === r.payload_hash);
    const first = Math.min(...carriers.map((e) => ms(String(e.timestamp))));
    const ok = carriers.length === 0 || first <= ms(String(r.sent_at)) + SKEW_MS;
    out.push({ id: 'capsule.receipt_payload', status: ok ? 'pass' : 'fail', subject: String(r.handoff_id) });
  }

  // 8. Steps.
  const steps = ((manifest.workflow as Obj).steps as Obj[]) ?? [];
  const stepFails: string[] = [];
  const stepIds = new Set<string>();
  const inStep = new Set<string>();
  for (const [i, s] of steps.entries()) {
    const evs = s.events as string[];
    if (stepIds.has(String(s.id))) stepFails.push(`/workflow/steps/${i}/id`);
    stepIds.add(String(s.id));
    if (evs.length === 0) stepFails.push(`/workflow/steps/${i}/events`);
    for (const [j, id] of evs.entries()) {
      if (!byId.has(id) || inStep.has(id)) stepFails.push(`/workflow/steps/${i}/events/${j}`);
      inStep.add(id);
    }
  }
  for (const f of stepFails) out.push({ id: 'capsule.workflow_steps', status: 'fail', subject: f });
  if (stepFails.length === 0) out.push({ id: 'capsule.workflow_steps', status: 'pass', subject: 'manifest' });

  // 9. Card names against pinned approvers' names.
  const approverNames = (Array.isArray(trust.approvers) ? trust.approvers : [])
    .filter(isObj)
    .map((a) => words(typeof a.name === 'string' ? a.name : ''));
  for (const c of cards) {
    const name = typeof c.doc.name === 'string' ? words(c.doc.name) : [];
    const ok = !approverNames.some((a) => carries(name, a));
    out.push({ id: 'capsule.card_name', status: ok ? 'pass' : 'fail', subject: c.path });
  }
  return done(digest);
}

/**
 * §4.1.2 `card.lineage` in a capsule: the registration event its pointers name, with an inclusion
 * proof in §4.2.4's direct form taken from a verified attestation's per-leaf proof for that leaf.
 */
function registrationOf(
  card: Obj,
  events: Obj[],
  attestations: Obj[],
  trust: ReturnType<typeof readTrust>,
): { event: Obj; inclusion?: Obj } | undefined {
  const caps = isObj(card.capabilities) ? card.capabilities : {};
  const ext = (Array.isArray(caps.extensions) ? caps.extensions : [])
    .filter(isObj)
    .find((e) => isObj(e.params));
  const lin = ext && isObj(ext.params) && isObj(ext.params.lineage) ? ext.params.lineage : undefined;
  if (!lin) return undefined;
  const event = events.find((e) => eventIdOf(e) === lin.registration_event_id);
  if (!event) return undefined;
  const leaf = hex(eventLeaf(event));
  for (const a of attestations) {
    if (!verifyAttestation(trust, a).serverOk) continue;
    for (const log of (Array.isArray(a.logs) ? a.logs : []).filter(isObj)) {
      if (log.log_origin !== lin.log_origin || typeof log.checkpoint !== 'string') continue;
      const inc = (Array.isArray(log.inclusion) ? log.inclusion : [])
        .filter(isObj)
        .find((x) => x.leaf_hash === leaf);
      if (!inc) continue;
      const size = Number(String(log.checkpoint).split('\n')[1]);
      return {
        event,
        inclusion: {
          log_origin: String(log.log_origin),
          checkpoint: log.checkpoint,
          leaf_index: inc.leaf_index ?? null,
          tree_size: size,
          proof: inc.proof ?? [],
        },
      };
    }
  }
  return { event };
}
