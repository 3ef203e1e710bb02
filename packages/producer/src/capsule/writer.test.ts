import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCapsule, zipCapsuleSource } from '@lineage/verifier-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFedrampSample, type FedrampSample } from '../sample/index.js';
import {
  type CapsuleArtifact,
  type CapsuleContent,
  capsuleFiles,
  writeCapsuleDirectory,
  zipCapsule,
} from './writer.js';

const root = mkdtempSync(join(tmpdir(), 'lineage-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('capsule writer', () => {
  let sample: FedrampSample;
  let content: CapsuleContent;
  beforeAll(async () => {
    sample = await buildFedrampSample({
      hooks: {
        content: (c) => {
          content = structuredClone(c);
        },
      },
    });
  });
  const first = (): CapsuleArtifact => content.artifacts[0]!;
  const withArtifact = (a: Partial<CapsuleArtifact>) => () =>
    capsuleFiles({ ...content, artifacts: [...content.artifacts, { ...first(), ...a }] });

  it('writes what it was given: the sample content verifies', async () => {
    const files = capsuleFiles(content);
    const v = await verifyCapsule(zipCapsuleSource(zipCapsule(files)), sample.trust, {
      verifiedAt: '2026-11-22T00:00:00Z',
      capsuleName: 'rewritten.zip',
    });
    expect(v.report.verdict).toBe('verified');
  });

  it('refuses two files under one name instead of letting the later one replace the first', () => {
    const dup = (path: string) =>
      expect(withArtifact({ path })).toThrow(expect.objectContaining({ code: 'capsule.duplicate' }));
    dup(first().path); // listed twice, stored once
    dup(first().path.toUpperCase()); // one file on a case-insensitive file system
    dup('events.jsonl'); // the writer's own files
    dup('manifest.json'); // would have replaced the manifest itself
    expect(() =>
      capsuleFiles({ ...content, unlistedFiles: [{ path: 'Manifest.json', bytes: new Uint8Array(1) }] }),
    ).toThrow(/"Manifest\.json" collides with "manifest\.json"/);
  });

  it('refuses names the verifier refuses, saying why', () => {
    const bad = (path: string, why: RegExp) =>
      expect(withArtifact({ path })).toThrow(
        expect.objectContaining({ code: 'capsule.path', message: expect.stringMatching(why) }),
      );
    bad('artifacts/é.json', /outside \[A-Za-z0-9._-\]/);
    bad('artifacts/scan results.json', /outside \[A-Za-z0-9._-\]/);
    bad('../escape.json', /path traversal/);
    bad('artifacts/.hidden', /outside \[A-Za-z0-9._-\]/);
    bad('artifacts//x.json', /empty or "\." segment/);
    expect(withArtifact({ path: `${first().path}/inner.json` })).toThrow(
      expect.objectContaining({
        code: 'capsule.duplicate',
        message: expect.stringMatching(/is a file of the capsule/),
      }),
    );
  });

  it('a directory capsule never writes outside its directory', () => {
    const outer = join(root, 'outer');
    const dir = join(outer, 'capsule');
    mkdirSync(dir, { recursive: true });
    const files = new Map([
      ['a.json', new Uint8Array(1)],
      ['../outside.json', new Uint8Array(1)],
    ]);
    expect(() => writeCapsuleDirectory(files, dir)).toThrow(
      expect.objectContaining({
        code: 'capsule.path',
        message: expect.stringMatching(/outside the capsule directory/),
      }),
    );
    expect(existsSync(join(outer, 'outside.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // refused before anything was written
  });
});
