import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputFile } from '../src/format.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-file-input-'));
const io = capture(dir).io;

describe('input files are read only when they are regular files within the limit', () => {
  it('reads a file at the limit, refuses one byte more (naming the file and the limit)', () => {
    writeFileSync(join(dir, 'ten'), '0123456789');
    writeFileSync(join(dir, 'eleven'), '0123456789A');
    expect(new TextDecoder().decode(readInputFile(io, 'ten', 'note', 10))).toBe('0123456789');
    expect(() => readInputFile(io, 'eleven', 'note', 10)).toThrow(
      expect.objectContaining({
        code: 'input.size',
        message: 'note "eleven" is larger than 10 bytes, the limit for input files',
      }),
    );
  });

  it('refuses a device, a directory and a FIFO without waiting on them', () => {
    for (const p of ['/dev/zero', dir])
      expect(() => readInputFile(io, p, 'trust file')).toThrow(`trust file "${p}" is not a regular file`);
    if (process.platform === 'linux') {
      const fifo = join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      // A blocking open would wait here for a writer, forever.
      expect(() => readInputFile(io, fifo, 'trust file')).toThrow(
        `trust file "${fifo}" is not a regular file`,
      );
    }
  });

  it('says "no such file", not an errno string', () => {
    expect(() => readInputFile(io, 'missing.json', 'trust file')).toThrow(
      'cannot read trust file "missing.json" (no such file)',
    );
  });

  it('lineage verify --trust /dev/zero ends at once with exit 2', async () => {
    const c = capture(dir);
    expect(await runCli(['verify', join(dir, 'x.zip'), '--trust', '/dev/zero'], c.io)).toBe(2);
    expect(c.stderr()).toContain('trust file "/dev/zero" is not a regular file');
  });
});
