// A report that cannot be written (here: a full disk, ENOSPC, as the file system reports it while
// writing) fails with a message that names the file; the previous file is kept and no temporary
// file is left. With --json, stdout is the schema's "unusable" document (code output.write).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample } from '@lineage/producer';
import { beforeAll, describe, expect, it, vi } from 'vitest';

/** File descriptors of the temporary report files, whose writes fail as on a full disk. */
const full = new Set<number>();
/** The disk is full only while the CLI runs (the sample is built on a healthy one). */
const disk = { full: false };
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    openSync: (...args: Parameters<typeof fs.openSync>) => {
      const fd = fs.openSync(...args);
      if (disk.full && String(args[0]).endsWith('.tmp')) full.add(fd);
      return fd;
    },
    closeSync: (fd: number) => {
      full.delete(fd);
      fs.closeSync(fd);
    },
    writeSync: (...args: Parameters<typeof fs.writeSync>) => {
      if (full.has(args[0] as number))
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
          syscall: 'write',
        });
      return (fs.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});

const main = await import('../src/main.js');
async function runCli(...args: Parameters<typeof main.runCli>): Promise<number> {
  disk.full = true;
  try {
    return await main.runCli(...args);
  } finally {
    disk.full = false;
  }
}
const { capture } = await import('./support-capsule.js');

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-enospc-'));
let capsule = '';
let trust = '';

beforeAll(async () => {
  const s = await buildFedrampSample({ dir });
  capsule = s.paths!.capsule;
  trust = s.paths!.trust;
});

describe('a report write that fails names its file', () => {
  it('--report-html on a full disk: exit 2, the path named, the old report kept, no temporary file', async () => {
    const html = join(dir, 'report.html');
    writeFileSync(html, 'previous report\n');
    const c = capture(dir);
    expect(await runCli(['verify', capsule, '--trust', trust, '--report-html', html], c.io)).toBe(2);
    expect(c.stderr()).toContain(
      `lineage verify: cannot write --report-html ${html} (no space left on device); ${html} was not changed`,
    );
    expect(readFileSync(html, 'utf8')).toBe('previous report\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--oscal with --json: the "unusable" document names the file', async () => {
    const oscal = join(dir, 'r.oscal.json');
    const c = capture(dir);
    expect(await runCli(['verify', capsule, '--trust', trust, '--json', '--oscal', oscal], c.io)).toBe(2);
    expect(JSON.parse(c.stdout())).toMatchObject({
      verdict: 'unusable',
      error: { code: 'output.write', file: oscal, message: expect.stringContaining(`--oscal ${oscal}`) },
    });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f === 'r.oscal.json')).toEqual([]);
  });
});
