// A file system without hard links (FAT or exFAT on a USB stick): fresh writes still land, and
// still never replace a file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    linkSync: () => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    },
  };
});

const { writeFileInPieces } = await import('../src/file-output.js');

describe('fresh writes where hard links are not supported', () => {
  it('writes a new file, refuses an existing one, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-nolink-'));
    const file = join(dir, 'approval.json');
    writeFileInPieces(file, (write) => write('first\n'), { fresh: true });
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(() => writeFileInPieces(file, (write) => write('second\n'), { fresh: true })).toThrow(
      /already exists/,
    );
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    writeFileSync(join(dir, 'other'), 'x');
    expect(readdirSync(dir).sort()).toEqual(['approval.json', 'other']);
  });
});
