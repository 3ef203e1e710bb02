/**
 * Capsules the user has opened in this session. Opening only stats the file and
 * checks it is a regular file within the size limit: nothing in it is parsed,
 * executed or rendered until verification reads it as data.
 *
 * Two limits: a capsule opened by path is read positionally by the verifier (never whole), so
 * it may be as large as the core allows a capsule's contents to be (as for `lineage verify`: a
 * capsule carrying a 1 GiB artifact opens); dropped bytes arrive whole over IPC, so they are
 * held to what is sensible in memory.
 *
 * Paths: the main process opens only paths it chose — its own open dialog's answer, an entry of
 * its recent-files list (named by its exact path), or a file the preload resolved from a drop.
 * Anything else the window sends is refused with a structured error (code `open.refused`).
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, extname, isAbsolute } from 'node:path';
import { DEFAULT_CAPSULE_LIMITS, formatCount, LineageError } from '@lineage/verifier-core';
import type { OpenedCapsule } from '../../shared/api.js';
import type { RecentFiles } from './recent-files.js';

export const MAX_CAPSULE_FILE_BYTES = DEFAULT_CAPSULE_LIMITS.maxTotalBytes;
export const MAX_CAPSULE_BYTES_IN_MEMORY = 512 * 1024 * 1024;

export interface OpenCapsule extends OpenedCapsule {
  bytes?: Uint8Array;
}

/** Extensions a dropped file must have to be opened from disk (the dialog lets the user pick any). */
export const DROPPED_CAPSULE_EXTENSIONS = ['.zip', '.capsule'];

/** A path the window asked for that the main process did not choose. */
export class OpenRefused extends LineageError {
  constructor(detail: string, path: string) {
    super('open.refused', `refused to open ${path}: ${detail}`);
    this.name = 'OpenRefused';
  }
}

export class CapsuleStore {
  private readonly open = new Map<string, OpenCapsule>();
  constructor(
    private readonly recent: RecentFiles,
    private readonly now: () => Date,
  ) {}

  /** Reopens a recent file: only an exact entry of the list this process wrote. */
  async openRecent(path: string): Promise<OpenedCapsule> {
    const known = (await this.recent.list()).some((r) => r.path === path);
    if (!known) {
      throw new OpenRefused('it is not in the recent files list; open it with "Open capsule…"', path);
    }
    return this.openPath(path);
  }

  /** A file dropped on the window, as resolved by the preload (never a path the page wrote). */
  async openDropped(path: string): Promise<OpenedCapsule> {
    if (!DROPPED_CAPSULE_EXTENSIONS.includes(extname(path).toLowerCase())) {
      throw new OpenRefused(
        `a dropped capsule is a ${DROPPED_CAPSULE_EXTENSIONS.join(' or ')} file; open others with "Open capsule…"`,
        path,
      );
    }
    return this.openPath(path);
  }

  /** Opens a path the main process chose (its dialog's answer); the window never calls this directly. */
  async openPath(path: string): Promise<OpenedCapsule> {
    if (!isAbsolute(path)) throw new Error(`not an absolute path: ${path}`);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(path);
    } catch {
      throw new Error(`cannot open ${path}: the file does not exist or cannot be read`);
    }
    if (!st.isFile()) throw new Error(`cannot open ${path}: not a regular file`);
    if (st.size > MAX_CAPSULE_FILE_BYTES) {
      throw new Error(
        `cannot open ${path}: ${formatCount(st.size)} bytes exceeds the ${formatCount(MAX_CAPSULE_FILE_BYTES)}-byte capsule limit`,
      );
    }
    const cap: OpenCapsule = { capsuleId: randomUUID(), name: basename(path), size: st.size, path };
    this.open.set(cap.capsuleId, cap);
    await this.recent.add({ path, name: cap.name, size: cap.size, openedAt: this.now().toISOString() });
    return { capsuleId: cap.capsuleId, name: cap.name, size: cap.size, path };
  }

  openBytes(name: string, bytes: Uint8Array): OpenedCapsule {
    if (bytes.byteLength > MAX_CAPSULE_BYTES_IN_MEMORY) {
      throw new Error(
        `${formatCount(bytes.byteLength)} bytes exceeds the ${formatCount(MAX_CAPSULE_BYTES_IN_MEMORY)}-byte limit for a dropped capsule; open it from disk instead`,
      );
    }
    const cap: OpenCapsule = { capsuleId: randomUUID(), name: basename(name), size: bytes.byteLength, bytes };
    this.open.set(cap.capsuleId, cap);
    return { capsuleId: cap.capsuleId, name: cap.name, size: cap.size };
  }

  get(capsuleId: string): OpenCapsule {
    const c = this.open.get(capsuleId);
    if (!c) throw new Error(`no open capsule with id ${capsuleId}`);
    return c;
  }
}
