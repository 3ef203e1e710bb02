import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CapsuleContainerError, type LineageError } from '@lineage/verifier-core';
import { afterAll, describe, expect, it } from 'vitest';
import { directoryCapsuleSource } from '../src/node-capsule-source.js';

/**
 * Directory capsules are listed once and read later: anything swapped in between — a directory
 * above a file replaced by a link or by another directory, the file replaced — must be refused as
 * a container error naming the file, never read (docs/spec/05-capsules.md §5.3 "Directories").
 */
const base = mkdtempSync(join(tmpdir(), 'lineage-swap-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

function capsuleDir(): string {
  const root = join(base, `c${n++}`);
  mkdirSync(join(root, 'artifacts'), { recursive: true });
  writeFileSync(join(root, 'manifest.json'), '{}');
  writeFileSync(join(root, 'artifacts', 'a.json'), '{"honest":true}');
  return root;
}

async function refusal(p: Promise<unknown>): Promise<LineageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CapsuleContainerError);
  return e as LineageError;
}

describe('directory capsule: swaps after listing', () => {
  it('a directory swapped for a symbolic link to outside the capsule is refused (capsule.symlink)', async () => {
    const root = capsuleDir();
    const evil = join(base, `evil${n}`);
    mkdirSync(evil);
    writeFileSync(join(evil, 'a.json'), 'OUTSIDE THE CAPSULE');
    const src = directoryCapsuleSource(root);
    await src.list();
    renameSync(join(root, 'artifacts'), join(root, 'artifacts.orig'));
    symlinkSync(evil, join(root, 'artifacts'));
    for (const read of [() => src.read('artifacts/a.json', 1000), () => src.sha256('artifacts/a.json')]) {
      const e = await refusal(read());
      expect(e.code).toBe('capsule.symlink');
      expect(e.path).toBe('artifacts/a.json');
      expect(e.detail).toBe('the directory "artifacts" was replaced by a symbolic link after listing');
      expect(e.expected).toMatch(/^directory "artifacts" as listed \(device \d+, inode \d+\)$/);
      expect(e.found).toBe('a symbolic link');
    }
  });

  it('a directory swapped for another real directory is refused (capsule.changed)', async () => {
    const root = capsuleDir();
    const src = directoryCapsuleSource(root);
    await src.list();
    renameSync(join(root, 'artifacts'), join(root, 'artifacts.orig'));
    mkdirSync(join(root, 'artifacts'));
    writeFileSync(join(root, 'artifacts', 'a.json'), '{"honest":false}');
    const e = await refusal(src.read('artifacts/a.json', 1000));
    expect(e.code).toBe('capsule.changed');
    expect(e.detail).toBe('the directory "artifacts" was replaced after listing');
    expect(e.found).toMatch(/^device \d+, inode \d+$/);
  });

  it('a file replaced by another file, or by a link, is refused', async () => {
    const root = capsuleDir();
    const src = directoryCapsuleSource(root);
    await src.list();
    writeFileSync(join(root, 'artifacts', 'b.json'), '{"honest":!!}');
    renameSync(join(root, 'artifacts', 'b.json'), join(root, 'artifacts', 'a.json'));
    const e = await refusal(src.sha256('artifacts/a.json'));
    expect(e.code).toBe('capsule.changed');
    expect(e.detail).toBe('the file is not the file listed (another inode): replaced after listing');
    rmSync(join(root, 'artifacts', 'a.json'));
    symlinkSync(join(root, 'manifest.json'), join(root, 'artifacts', 'a.json'));
    const l = await refusal(src.read('artifacts/a.json', 1000));
    expect(l.code).toBe('capsule.symlink');
    expect(l.found).toBe('a symbolic link');
  });

  it('a file that changed size after listing is refused', async () => {
    const root = capsuleDir();
    const src = directoryCapsuleSource(root);
    await src.list();
    writeFileSync(join(root, 'artifacts', 'a.json'), '{"honest":true, "more": 1}');
    const e = await refusal(src.read('artifacts/a.json', 1000));
    expect(e.code).toBe('capsule.changed');
    expect(e.detail).toMatch(/^the file changed after listing \(15 bytes listed, 26 now\)$/);
  });
});

describe('directory capsule: a FIFO swapped in after listing', () => {
  it('is refused at once, never blocks the read (nobody ever writes to it)', async () => {
    const root = capsuleDir();
    const src = directoryCapsuleSource(root);
    await src.list();
    rmSync(join(root, 'artifacts', 'a.json'));
    try {
      execFileSync('mkfifo', [join(root, 'artifacts', 'a.json')]);
    } catch {
      return; // no mkfifo here
    }
    const e = await refusal(src.read('artifacts/a.json', 1000));
    expect(e.code).toBe('capsule.changed');
    expect(await refusal(src.sha256('artifacts/a.json'))).toBeInstanceOf(CapsuleContainerError);
  });

  it('a trailing separator does not make a symbolic-link root acceptable', async () => {
    const root = capsuleDir();
    const link = join(base, `link${n++}`);
    symlinkSync(root, link);
    const e = await refusal(directoryCapsuleSource(`${link}/`).list());
    expect(e.code).toBe('capsule.symlink');
  });
});

describe('directory capsule: special files', () => {
  it('a FIFO is capsule.symlink, named as a FIFO', async () => {
    const root = capsuleDir();
    try {
      execFileSync('mkfifo', [join(root, 'artifacts', 'pipe')]);
    } catch {
      return; // no mkfifo here
    }
    const e = await refusal(directoryCapsuleSource(root).list());
    expect(e.code).toBe('capsule.symlink');
    expect(e.message).toBe('artifacts/pipe: a FIFO (named pipe); capsules contain only regular files');
    expect(e.found).toBe('a FIFO (named pipe)');
  });

  it('a symbolic link inside the capsule is refused when listing', async () => {
    const root = capsuleDir();
    symlinkSync('/etc/hostname', join(root, 'artifacts', 'l.json'));
    const e = await refusal(directoryCapsuleSource(root).list());
    expect(e.code).toBe('capsule.symlink');
    expect(e.path).toBe('artifacts/l.json');
  });
});
