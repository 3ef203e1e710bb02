/**
 * Capsules the user has opened in this session. Opening only stats the file and
 * checks it is a regular file within the size limit: nothing in it is parsed,
 * executed or rendered until verification reads it as data.
 *
 * Two limits: a capsule opened by path is read positionally by the verifier (never whole), so
 * it may be as large as the core allows a capsule's contents to be (as for `lineage verify`: a
 * capsule carrying a 1 GiB artifact opens); dropped bytes arrive whole over IPC, so they are
 * held to what is sensible in memory.
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import { DEFAULT_CAPSULE_LIMITS, formatCount } from '@lineage/verifier-core';
import type { OpenedCapsule } from '../../shared/api.js';
import type { RecentFiles } from './recent-files.js';

export const MAX_CAPSULE_FILE_BYTES = DEFAULT_CAPSULE_LIMITS.maxTotalBytes;
export const MAX_CAPSULE_BYTES_IN_MEMORY = 512 * 1024 * 1024;

export interface OpenCapsule extends OpenedCapsule {
  bytes?: Uint8Array;
}

export class CapsuleStore {
  private readonly open = new Map<string, OpenCapsule>();
  constructor(
    private readonly recent: RecentFiles,
    private readonly now: () => Date,
  ) {}

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
