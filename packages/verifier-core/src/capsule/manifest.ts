import { describe, Fields } from '../events/fields.js';
import { type JsonValue, parseStrictJsonBytes } from '../json/index.js';
import { formatCount, formatCountOf, LineageError } from '../result.js';
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

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const CODE = 'capsule.manifest';

/** A manifest rule beyond a field's type: the pointer is inside manifest.json. */
function broken(message: string, pointer: string, expected: string, found: string): LineageError {
  return new LineageError(CODE, message, pointer, { expected, found });
}

/** An array field of at most `max` entries. */
function bounded(f: Fields, name: string, max: number): { value: JsonValue; path: string }[] {
  const list = f.array(name);
  if (list.length > max)
    throw broken(
      `has ${formatCount(list.length)} entries; at most ${formatCount(max)} are allowed`,
      `${f.path}/${name}`,
      `at most ${formatCount(max)} entries`,
      formatCount(list.length),
    );
  return list;
}

/**
 * Parses manifest.json strictly with the same field reader as events and receipts: closed
 * objects, exact types, safe paths, no duplicate paths. Throws LineageError `capsule.manifest`
 * (or `json.*`) whose path is the pointer inside manifest.json, with expected and found.
 */
export function parseManifest(bytes: Uint8Array): CapsuleManifest {
  let doc: JsonValue;
  try {
    doc = parseStrictJsonBytes(bytes);
  } catch (e) {
    // The pointer inside manifest.json stays the error's path (the report's field); an error about
    // the whole text (not JSON at all) names the file itself.
    if (e instanceof LineageError)
      throw new LineageError(
        e.code,
        e.detail,
        e.path && e.path !== '/' ? e.path : MANIFEST_PATH,
        e.expected !== undefined && e.found !== undefined
          ? { expected: e.expected, found: e.found }
          : undefined,
      );
    throw e;
  }
  const m = Fields.of(doc, '', CODE).closed([
    'type',
    'version',
    'capsule_id',
    'created_at',
    'title',
    'workflow',
    'files',
  ]);
  m.literal('type', ['lineage.capsule']);
  const version = m.raw('version');
  if (version !== 1)
    throw broken(
      `capsule version ${describe(version)} is not supported (this verifier reads version 1)`,
      '/version',
      'version 1',
      describe(version),
    );
  const capsule_id = m.str(
    'capsule_id',
    /^[A-Za-z0-9._:-]{1,128}$/,
    'an id of 1-128 characters [A-Za-z0-9._:-]',
  );
  const created_at = m.str('created_at', RFC3339, 'an RFC 3339 UTC time');
  const title = m.str('title');
  const w = m.obj_('workflow').closed(['name', 'steps']);
  const steps = bounded(w, 'steps', 1000).map(({ value, path }): WorkflowStep => {
    const o = Fields.of(value, path, CODE).closed(['id', 'title', 'events']);
    const id = o.str('id');
    const stepTitle = o.str('title');
    bounded(o, 'events', 1_000_000);
    return { id, title: stepTitle, events: o.hexArray('events', 32) };
  });
  const seen = new Set<string>();
  const files = bounded(m, 'files', DEFAULT_CAPSULE_LIMITS.maxEntries).map(
    ({ value, path: p }): ManifestFile => {
      const o = Fields.of(value, p, CODE).closed([
        'path',
        'kind',
        'size',
        'sha256',
        'event_id',
        'media_type',
        'title',
      ]);
      const path = o.str('path');
      try {
        checkCapsulePath(path, DEFAULT_CAPSULE_LIMITS, 'manifest');
      } catch (e) {
        throw broken(
          (e as Error).message,
          `${p}/path`,
          'a safe relative path (spec §5.3)',
          JSON.stringify(path),
        );
      }
      if (path === MANIFEST_PATH)
        throw broken(
          'the manifest cannot list itself',
          `${p}/path`,
          'any file but manifest.json',
          '"manifest.json"',
        );
      if (seen.has(path))
        throw broken(
          `path "${path}" is listed twice`,
          `${p}/path`,
          'each path listed once',
          `"${path}" again`,
        );
      seen.add(path);
      const kind = o.literal('kind', CAPSULE_FILE_KINDS);
      const out: ManifestFile = { path, kind, size: o.uint('size'), sha256: o.hex('sha256', 32) };
      if (kind === 'artifact') out.event_id = o.hex('event_id', 32);
      else if (o.has('event_id'))
        throw broken(
          'only artifacts carry event_id',
          `${p}/event_id`,
          `no event_id on a file of kind "${kind}"`,
          'an event_id',
        );
      const media = o.optStr('media_type', /^[\w.+-]+\/[\w.+-]+$/, 'a media type');
      if (media !== undefined) out.media_type = media;
      const fileTitle = o.optStr('title');
      if (fileTitle !== undefined) out.title = fileTitle;
      return out;
    },
  );
  const eventsFiles = files.filter((f) => f.kind === 'events').length;
  if (eventsFiles !== 1)
    throw broken(
      'exactly one file of kind "events" is required',
      '/files',
      'exactly one file of kind "events"',
      formatCountOf(eventsFiles, 'events file'),
    );
  return {
    type: 'lineage.capsule',
    version: 1,
    capsule_id,
    created_at,
    title,
    workflow: { name: w.str('name'), steps },
    files,
  };
}
