import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import {
  type Attestation,
  type CapsuleManifest,
  canonicalBytes,
  canonicalize,
  checkCapsulePath,
  DEFAULT_CAPSULE_LIMITS,
  formatCount,
  type HandoffReceipt,
  type JsonValue,
  LineageError,
  type LineageEvent,
  type ManifestFile,
  type Opening,
  PathSet,
  sha256,
  toHex,
  utf8Encode,
  type WorkflowStep,
} from '@lineage/verifier-core';
import { zipSync } from 'fflate';

/**
 * The capsule writer (docs/spec/05-capsules.md §5.1): lays out events, cards, receipts,
 * attestations, openings and artifacts, lists every file with its size and SHA-256 in
 * manifest.json, and packs the result as a deterministic zip or a directory.
 */
export interface CapsuleArtifact {
  path: string;
  bytes: Uint8Array;
  eventId: string;
  mediaType?: string;
  title?: string;
}

export interface CapsuleContent {
  capsuleId: string;
  createdAt: string;
  title: string;
  workflow: { name: string; steps: WorkflowStep[] };
  events: LineageEvent[];
  /** Agent cards, keyed by file stem (`cards/<stem>.json`). */
  cards: { stem: string; card: JsonValue }[];
  receipts: HandoffReceipt[];
  attestations: Attestation[];
  openings: Opening[];
  artifacts: CapsuleArtifact[];
  /** Extra files listed in the manifest as-is (tests use this to plant hostile content). */
  extraFiles?: { path: string; bytes: Uint8Array; kind: ManifestFile['kind'] }[];
  /** Files put in the container without a manifest entry (hostile-content tests). */
  unlistedFiles?: { path: string; bytes: Uint8Array }[];
}

/** One JSON value per line, each in RFC 8785 form: diffable, streamable, and line numbers name errors. */
export function jsonLines(values: readonly unknown[]): Uint8Array {
  return utf8Encode(values.map((v) => `${canonicalize(v as JsonValue)}\n`).join(''));
}

/** A signed document in its RFC 8785 form and a newline: the bytes a verifier hashes as they are. */
function canonicalFile(v: unknown): Uint8Array {
  return utf8Encode(`${canonicalize(v as JsonValue)}\n`);
}

function pretty(v: unknown): Uint8Array {
  return utf8Encode(`${JSON.stringify(v, null, 2)}\n`);
}

/**
 * Every file of the capsule, manifest included, in the order they are written. A name the
 * verifier refuses (§5.5 "Paths": outside the alphabet, traversal, a file named like a directory)
 * or two files under one name (ignoring case: a later one would silently replace the first, the
 * manifest included) are refused here, not written into a capsule that cannot verify. Only
 * `extraFiles` and `unlistedFiles`, hostile content on purpose, skip the path rules.
 */
export function capsuleFiles(c: CapsuleContent): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const listed: ManifestFile[] = [];
  const names = new PathSet();
  names.add('manifest.json');
  const name = (path: string, checked: boolean) => {
    if (checked) checkCapsulePath(path, DEFAULT_CAPSULE_LIMITS);
    names.add(path);
  };
  const add = (
    path: string,
    bytes: Uint8Array,
    kind: ManifestFile['kind'],
    extra: Partial<ManifestFile> = {},
    checked = true,
  ) => {
    name(path, checked);
    files.set(path, bytes);
    listed.push({ path, kind, size: bytes.length, sha256: toHex(sha256(bytes)), ...extra });
  };
  add('events.jsonl', jsonLines(c.events), 'events');
  for (const { stem, card } of c.cards) add(`cards/${stem}.json`, pretty(card), 'card');
  if (c.receipts.length > 0) add('receipts.jsonl', jsonLines(c.receipts), 'receipts');
  for (const [i, a] of c.attestations.entries()) {
    add(`attestations/${String(i).padStart(3, '0')}.json`, canonicalFile(a), 'attestation');
  }
  if (c.openings.length > 0) add('openings.json', pretty(c.openings), 'openings');
  for (const a of c.artifacts) {
    add(a.path, a.bytes, 'artifact', {
      event_id: a.eventId,
      ...(a.mediaType ? { media_type: a.mediaType } : {}),
      ...(a.title ? { title: a.title } : {}),
    });
  }
  for (const x of c.extraFiles ?? []) add(x.path, x.bytes, x.kind, {}, false);
  const manifest: CapsuleManifest = {
    type: 'lineage.capsule',
    version: 1,
    capsule_id: c.capsuleId,
    created_at: c.createdAt,
    title: c.title,
    workflow: c.workflow,
    files: listed,
  };
  for (const x of c.unlistedFiles ?? []) {
    name(x.path, false);
    files.set(x.path, x.bytes);
  }
  const all = new Map([['manifest.json', pretty(manifest)], ...files]);
  checkLayout([...all.keys()]);
  return all;
}

/** No name is both a file and a directory (`a` and `a/b`, ignoring case), and not too many files. */
function checkLayout(paths: string[]): void {
  const max = DEFAULT_CAPSULE_LIMITS.maxEntries;
  if (paths.length > max)
    throw new LineageError(
      'capsule.limit',
      `a capsule holds at most ${formatCount(max)} files; this one would hold ${formatCount(paths.length)}`,
    );
  const files = new Set(paths.map((p) => p.toLowerCase()));
  for (const p of paths) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) {
      const dir = segs.slice(0, i).join('/');
      if (files.has(dir.toLowerCase()))
        throw new LineageError(
          'capsule.duplicate',
          `"${p}" would make "${dir}" a directory, but it is a file of the capsule`,
          p,
        );
    }
  }
}

/** The capsule digest (§5.2): SHA-256 over the canonical manifest. */
export function manifestDigest(manifest: CapsuleManifest): string {
  return toHex(sha256(canonicalBytes(manifest as unknown as JsonValue)));
}

// A fixed timestamp keeps zips byte-identical for identical content (zip stores DOS local time).
const ZIP_MTIME = new Date('2026-01-01T00:00:00Z');

/**
 * Packs files into a deterministic zip: sorted names, fixed mtime, deflate level 6 — except
 * files `store` selects (already-compressed or random data), which are stored uncompressed.
 */
export function zipCapsule(
  files: Map<string, Uint8Array>,
  store: (path: string) => boolean = () => false,
): Uint8Array {
  const z: Record<string, [Uint8Array, { mtime: Date; level: 6 | 0 }]> = {};
  for (const path of [...files.keys()].sort())
    z[path] = [files.get(path)!, { mtime: ZIP_MTIME, level: store(path) ? 0 : 6 }];
  return zipSync(z);
}

/** Lays the files out under `dir`; a name that would land outside it ("..", "/etc/x") is refused before anything is written. */
export function writeCapsuleDirectory(files: Map<string, Uint8Array>, dir: string): void {
  const top = resolve(dir);
  for (const path of files.keys()) {
    const p = resolve(top, ...path.split('/'));
    if (!p.startsWith(top + sep) || path.split('/').includes('..'))
      throw new LineageError(
        'capsule.path',
        `"${path}" would be written outside the capsule directory ${dir}`,
        path,
      );
  }
  for (const [path, bytes] of files) {
    const p = join(dir, ...path.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, bytes);
  }
}
