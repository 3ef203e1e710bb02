import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest global setup: every temporary file the tests (and the processes they start — CLI
 * runs, Chromium profiles, demo capsules, test key files) make goes under one directory for
 * this run, removed when the run ends. os.tmpdir() reads TMPDIR, and the test workers are
 * started after this and inherit it.
 */
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'lineage-test-run-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
