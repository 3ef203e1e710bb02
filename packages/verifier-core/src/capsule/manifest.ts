import { type JsonValue, parseStrictJsonBytes } from '../json/index.js';
import { LineageError } from '../result.js';
import { DEFAULT_CAPSULE_LIMITS } from './limits.js';
import { checkCapsulePath } from './paths.js';

/** Capsule manifest wire format (docs/spec/05-capsules.md §5.2). */

export const MANIFEST_PATH = 'manifest.json';
export const CAPSULE_FILE_KINDS = [
  'events',
  'receipts',
  'card',
  'attestation',
  'openings',
  'artifact',
] as const;
export type CapsuleFileKind = (typeof CAPSULE_FILE_KINDS)[number];

export interface ManifestFile {
  path: string;
  kind: CapsuleFileKind;
  size: number;
  sha256: string;
  /** Artifacts only: the event whose payload_hash this file's SHA-256 must equal. */
  event_id?: string;
  media_type?: string;
  title?: string;
}

export interface WorkflowStep {
  /** Short label shown to the assessor: "0", "A2", "2a"… */
  id: string;
  title: string;
  /** Ids of the events that belong to this step (presentation only: grouping of the report). */
  events: string[];
}

export interface CapsuleManifest {
  type: 'lineage.capsule';
  version: 1;
  capsule_id: string;
  created_at: string;
  title: string;
  workflow: { name: string; steps: WorkflowStep[] };
  files: ManifestFile[];
}

const HEX32 = /^[0-9a-f]{64}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

type Obj = { [k: string]: JsonValue };

function err(message: string, pointer: string): LineageError {
  // The path is the pointer inside manifest.json (the check's subject already names the file).
  return new LineageError('capsule.manifest', `${MANIFEST_PATH} ${pointer}: ${message}`, pointer);
}

function obj(
  v: JsonValue | undefined,
  pointer: string,
  allowed: readonly string[],
  required: readonly string[],
): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw err(`expected an object, found ${describe(v)}`, pointer);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k))
      throw err(`unknown field "${k}" (allowed: ${allowed.join(', ')})`, `${pointer}/${k}`);
  }
  for (const k of required) if (!(k in v)) throw err(`missing required field "${k}"`, `${pointer}/${k}`);
  return v;
}

function describe(v: JsonValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

function str(v: JsonValue | undefined, pointer: string, re?: RegExp, what = 'a string'): string {
  if (typeof v !== 'string' || (re && !re.test(v)))
    throw err(`expected ${what}, found ${describe(v)}`, pointer);
  return v;
}

function arr(v: JsonValue | undefined, pointer: string, max: number): JsonValue[] {
  if (!Array.isArray(v)) throw err(`expected an array, found ${describe(v)}`, pointer);
  if (v.length > max) throw err(`has ${v.length} entries; at most ${max} are allowed`, pointer);
  return v;
}

/**
 * Parses manifest.json strictly: closed objects, exact types, safe paths, no duplicate
 * paths. Throws LineageError `capsule.manifest` (or `json.*`) naming the field.
 */
export function parseManifest(bytes: Uint8Array): CapsuleManifest {
  let doc: JsonValue;
  try {
    doc = parseStrictJsonBytes(bytes);
  } catch (e) {
    if (e instanceof LineageError)
      throw new LineageError(e.code, `${MANIFEST_PATH}: ${e.message}`, MANIFEST_PATH);
    throw e;
  }
  const m = obj(
    doc,
    '',
    ['type', 'version', 'capsule_id', 'created_at', 'title', 'workflow', 'files'],
    ['type', 'version', 'capsule_id', 'created_at', 'title', 'workflow', 'files'],
  );
  if (m.type !== 'lineage.capsule')
    throw err(`expected "lineage.capsule", found ${describe(m.type)}`, '/type');
  if (m.version !== 1)
    throw err(
      `capsule version ${describe(m.version)} is not supported (this verifier reads version 1)`,
      '/version',
    );
  const capsule_id = str(
    m.capsule_id,
    '/capsule_id',
    /^[A-Za-z0-9._:-]{1,128}$/,
    'an id of 1-128 characters [A-Za-z0-9._:-]',
  );
  const created_at = str(m.created_at, '/created_at', RFC3339, 'an RFC 3339 UTC time');
  const title = str(m.title, '/title');
  const w = obj(m.workflow, '/workflow', ['name', 'steps'], ['name', 'steps']);
  const steps = arr(w.steps, '/workflow/steps', 1000).map((s, i) => {
    const p = `/workflow/steps/${i}`;
    const o = obj(s, p, ['id', 'title', 'events'], ['id', 'title', 'events']);
    return {
      id: str(o.id, `${p}/id`),
      title: str(o.title, `${p}/title`),
      events: arr(o.events, `${p}/events`, 1_000_000).map((e, j) =>
        str(e, `${p}/events/${j}`, HEX32, 'a hex32 event id'),
      ),
    };
  });
  const seen = new Set<string>();
  const files = arr(m.files, '/files', DEFAULT_CAPSULE_LIMITS.maxEntries).map((f, i): ManifestFile => {
    const p = `/files/${i}`;
    const o = obj(
      f,
      p,
      ['path', 'kind', 'size', 'sha256', 'event_id', 'media_type', 'title'],
      ['path', 'kind', 'size', 'sha256'],
    );
    const path = str(o.path, `${p}/path`);
    try {
      checkCapsulePath(path, DEFAULT_CAPSULE_LIMITS, 'manifest');
    } catch (e) {
      throw err((e as Error).message, `${p}/path`);
    }
    if (path === MANIFEST_PATH) throw err('the manifest cannot list itself', `${p}/path`);
    if (seen.has(path)) throw err(`path "${path}" is listed twice`, `${p}/path`);
    seen.add(path);
    const kind = str(o.kind, `${p}/kind`) as CapsuleFileKind;
    if (!CAPSULE_FILE_KINDS.includes(kind))
      throw err(`unknown kind "${kind}" (expected one of ${CAPSULE_FILE_KINDS.join(', ')})`, `${p}/kind`);
    const size = o.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
      throw err(`expected a non-negative integer, found ${describe(size)}`, `${p}/size`);
    const out: ManifestFile = {
      path,
      kind,
      size,
      sha256: str(o.sha256, `${p}/sha256`, HEX32, 'lowercase hex SHA-256'),
    };
    if (kind === 'artifact')
      out.event_id = str(
        o.event_id,
        `${p}/event_id`,
        HEX32,
        'the hex32 id of the event that produced the artifact',
      );
    else if (o.event_id !== undefined) throw err('only artifacts carry event_id', `${p}/event_id`);
    if (o.media_type !== undefined)
      out.media_type = str(o.media_type, `${p}/media_type`, /^[\w.+-]+\/[\w.+-]+$/, 'a media type');
    if (o.title !== undefined) out.title = str(o.title, `${p}/title`);
    return out;
  });
  if (files.filter((f) => f.kind === 'events').length !== 1)
    throw err('exactly one file of kind "events" is required', '/files');
  return {
    type: 'lineage.capsule',
    version: 1,
    capsule_id,
    created_at,
    title,
    workflow: { name: str(w.name, '/workflow/name'), steps },
    files,
  };
}
