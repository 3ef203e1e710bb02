/** Recently opened capsules, persisted as JSON under the user-data dir (paths only, never contents). */
import { join } from 'node:path';
import type { RecentFile } from '../../shared/api.js';
import { readJsonFile, serialized, writeFileAtomic } from './json-file.js';

export const MAX_RECENT = 10;

export class RecentFiles {
  private readonly file: string;
  constructor(userDataDir: string) {
    this.file = join(userDataDir, 'recent-files.json');
  }

  async list(): Promise<RecentFile[]> {
    let raw: unknown;
    try {
      raw = await readJsonFile(this.file);
    } catch {
      return []; // A corrupt list is not worth failing over: start again.
    }
    if (!Array.isArray(raw)) return [];
    return raw.filter(isRecent).slice(0, MAX_RECENT);
  }

  /** Puts `entry` first; runs in the file's queue so two opens at once are both remembered. */
  add(entry: RecentFile): Promise<RecentFile[]> {
    return serialized(this.file, async () => {
      const list = (await this.list()).filter((r) => r.path !== entry.path);
      list.unshift(entry);
      const kept = list.slice(0, MAX_RECENT);
      await writeFileAtomic(this.file, `${JSON.stringify(kept, null, 2)}\n`);
      return kept;
    });
  }
}

function isRecent(v: unknown): v is RecentFile {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.path === 'string' &&
    typeof r.name === 'string' &&
    typeof r.size === 'number' &&
    typeof r.openedAt === 'string'
  );
}
