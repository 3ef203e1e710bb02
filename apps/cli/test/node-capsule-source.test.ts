import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineageError, toHex } from '@lineage/verifier-core';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { openCapsule } from '../src/node-capsule-source.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-src-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = new Uint8Array(2_500_000).map((_, i) => (i * 31 + (i >> 9)) & 0xff);
const digest = createHash('sha256').update(data).digest('hex');

describe('openCapsule (Node)', () => {
  it('reads a zip file with positional reads and streams its hash', async () => {
    const file = join(dir, 'c.zip');
    writeFileSync(
      file,
      zipSync({ 'artifacts/a.bin': [data, { level: 1 }], 'manifest.json': new TextEncoder().encode('{}') }),
    );
    const cap = await openCapsule(file);
    try {
      expect(cap.kind).toBe('zip');
      expect((await cap.source.list()).length).toBe(2);
      expect(toHex(await cap.source.sha256('artifacts/a.bin'))).toBe(digest);
    } finally {
      await cap.close();
    }
  });

  it('reads a directory capsule and hashes files in chunks', async () => {
    const root = join(dir, 'd');
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    writeFileSync(join(root, 'artifacts', 'a.bin'), data);
    writeFileSync(join(root, 'manifest.json'), '{}');
    const cap = await openCapsule(root);
    expect(cap.kind).toBe('directory');
    expect((await cap.source.list()).map((e) => e.path)).toEqual(['artifacts/a.bin', 'manifest.json']);
    let n = 0;
    expect(toHex(await cap.source.sha256('artifacts/a.bin', (k) => (n += k)))).toBe(digest);
    expect(n).toBe(data.length);
    await expect(cap.source.read('artifacts/a.bin', 10)).rejects.toThrow(/the limit for this file is 10/);
  });

  it('refuses symlinks inside a directory capsule and as the capsule itself', async () => {
    const root = join(dir, 's');
    mkdirSync(root);
    writeFileSync(join(root, 'manifest.json'), '{}');
    symlinkSync('/etc/passwd', join(root, 'evidence.json'));
    const cap = await openCapsule(root);
    const e = await cap.source.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LineageError);
    expect((e as LineageError).code).toBe('capsule.symlink');
    expect((e as LineageError).path).toBe('evidence.json');
    symlinkSync(root, join(dir, 'link'));
    await expect(openCapsule(join(dir, 'link'))).rejects.toThrow(/symbolic link/);
  });

  it('refuses unsafe names in a directory capsule', async () => {
    const root = join(dir, 'n');
    mkdirSync(root);
    writeFileSync(join(root, 'bad name.json'), '{}');
    await expect((await openCapsule(root)).source.list()).rejects.toThrow(/outside \[A-Za-z0-9._-\]/);
  });
});
