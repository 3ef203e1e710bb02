import { formatCount, LineageError } from '../result.js';
import type { CapsuleLimits } from './limits.js';

// A conservative portable alphabet: no backslashes, colons (drive letters, NTFS streams),
// spaces or control characters, so a name means the same file on every OS.
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Checks one capsule path (docs/spec/05-capsules.md "Paths"). Rejects absolute paths,
 * traversal, backslashes, empty or dot segments and anything outside the alphabet.
 * `where` names the container for the message (zip entry, directory).
 */
export function checkCapsulePath(path: string, limits: CapsuleLimits, where = 'capsule'): string {
  const shown = JSON.stringify(path.length > 80 ? `${path.slice(0, 80)}…` : path);
  const bad = (why: string) => new LineageError('capsule.path', `${where} entry ${shown} ${why}`, path);
  if (path.length === 0) throw bad('has an empty name');
  if (path.includes('\\')) throw bad('contains a backslash; capsule paths use "/"');
  if (path.startsWith('/')) throw bad('is an absolute path');
  if (/^[A-Za-z]:/.test(path)) throw bad('starts with a drive letter');
  if (path.includes('\0')) throw bad('contains a NUL character');
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) throw bad('contains a ".." segment (path traversal)');
  if (segments.some((s) => s === '.' || s === '')) throw bad('contains an empty or "." segment');
  if (path.length > limits.maxPathLength) {
    throw bad(
      `is ${formatCount(path.length)} characters long; the limit is ${formatCount(limits.maxPathLength)}`,
    );
  }
  if (segments.length > limits.maxPathDepth) {
    throw bad(`is ${segments.length} levels deep; the limit is ${limits.maxPathDepth}`);
  }
  for (const s of segments) {
    if (!SEGMENT.test(s))
      throw bad(`has segment "${s.slice(0, 40)}" outside [A-Za-z0-9._-] (or starting with "." or "-")`);
  }
  return path;
}

/**
 * Tracks names already seen. Names equal ignoring case are duplicates too: extracted on
 * a case-insensitive file system they would overwrite each other.
 */
export class PathSet {
  private readonly seen = new Map<string, string>();
  add(path: string, where = 'capsule'): void {
    const key = path.toLowerCase();
    const prev = this.seen.get(key);
    if (prev !== undefined) {
      const how = prev === path ? 'appears twice' : `collides with "${prev}" (names differ only in case)`;
      throw new LineageError('capsule.duplicate', `${where} entry "${path}" ${how}`, path);
    }
    this.seen.set(key, path);
  }
}
