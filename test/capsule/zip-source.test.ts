import { createHash } from 'node:crypto';
import { LineageError, toHex, zipCapsuleSource } from '@lineage/verifier-core';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { rawZip } from './support/raw-zip.js';

const enc = new TextEncoder();

async function rejects(p: Promise<unknown>, code: string, text: RegExp): Promise<LineageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LineageError);
  const le = e as LineageError;
  expect(le.code).toBe(code);
  expect(le.message).toMatch(text);
  return le;
}

describe('zipCapsuleSource', () => {
  it('lists, reads and hashes a well-formed zip written by fflate', async () => {
    let x = 12345;
    const big = new Uint8Array(3_000_000).map(() => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x >>> 24;
    });
    const zip = zipSync({ 'manifest.json': enc.encode('{"a":1}'), 'artifacts/inv.bin': [big, { level: 6 }] });
    const src = zipCapsuleSource(zip);
    const list = await src.list();
    expect(list.map((e) => e.path).sort()).toEqual(['artifacts/inv.bin', 'manifest.json']);
    expect(new TextDecoder().decode(await src.read('manifest.json', 100))).toBe('{"a":1}');
    let seen = 0;
    const h = await src.sha256('artifacts/inv.bin', (n) => {
      seen += n;
    });
    expect(toHex(h)).toBe(createHash('sha256').update(big).digest('hex'));
    expect(seen).toBe(big.length);
  });

  it('refuses to read a file larger than the caller allows, naming the file', async () => {
    const src = zipCapsuleSource(zipSync({ 'manifest.json': new Uint8Array(500) }));
    const e = await rejects(
      src.read('manifest.json', 100),
      'capsule.limit',
      /^manifest\.json: the file is 500 bytes; the limit for this file is 100$/,
    );
    expect(e.path).toBe('manifest.json');
  });

  it.each([
    ['../evil.json', /path traversal/],
    ['/etc/passwd', /absolute path/],
    ['a\\b.json', /backslash/],
    ['C:/x.json', /drive letter/],
    ['a//b.json', /empty or "." segment/],
    ['./a.json', /empty or "." segment/],
    ['a/.hidden', /outside/],
  ])('rejects the unsafe entry name %s', async (name, why) => {
    const src = zipCapsuleSource(rawZip([{ name, data: enc.encode('{}') }]));
    await rejects(src.list(), 'capsule.path', why);
  });

  it('rejects symbolic links declared in external attributes', async () => {
    const src = zipCapsuleSource(
      rawZip([{ name: 'link.json', data: enc.encode('/etc/passwd'), unixMode: 0o120777 }]),
    );
    const e = await rejects(src.list(), 'capsule.symlink', /^link\.json: the entry is a symbolic link/);
    expect([e.path, e.expected, e.found]).toEqual([
      'link.json',
      'a regular file or a directory',
      'a symbolic link',
    ]);
  });

  it('rejects duplicate names, including names that differ only in case', async () => {
    await rejects(
      zipCapsuleSource(rawZip([{ name: 'a.json' }, { name: 'a.json' }])).list(),
      'capsule.duplicate',
      /"a.json" appears twice/,
    );
    await rejects(
      zipCapsuleSource(rawZip([{ name: 'A.json' }, { name: 'a.json' }])).list(),
      'capsule.duplicate',
      /differ only in case/,
    );
  });

  it('rejects more entries than the limit before reading any', async () => {
    const entries = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.json` }));
    await rejects(
      zipCapsuleSource(rawZip(entries), { maxEntries: 20 }).list(),
      'capsule.limit',
      /30 entries; the limit is 20/,
    );
  });

  it('rejects a high-ratio entry (zip bomb) from its declared sizes', async () => {
    const zeros = new Uint8Array(5 * 1024 * 1024);
    const src = zipCapsuleSource(rawZip([{ name: 'bomb.bin', data: zeros, deflate: true }]));
    await rejects(
      src.list(),
      'capsule.limit',
      /^bomb\.bin: the entry expands .* \(ratio \d+:1\); the limit is 200:1 \(zip bomb\)/,
    );
  });

  it('stops inflating when an entry exceeds its declared size (lying header)', async () => {
    const data = new Uint8Array(200_000).fill(7);
    const src = zipCapsuleSource(rawZip([{ name: 'liar.bin', data, deflate: true, declaredSize: 1000 }]));
    await rejects(src.sha256('liar.bin'), 'capsule.limit', /inflates past its declared 1,000 bytes/);
  });

  it('rejects overlapping entries (non-recursive zip bomb)', async () => {
    const src = zipCapsuleSource(
      rawZip([
        { name: 'a.bin', data: new Uint8Array(100) },
        { name: 'b.bin', reuseOffsetOf: 0 },
      ]),
    );
    await rejects(src.list(), 'capsule.zip', /overlap/);
  });

  it('rejects a total uncompressed size above the limit', async () => {
    const src = zipCapsuleSource(
      rawZip([
        { name: 'a.bin', data: new Uint8Array(600) },
        { name: 'b.bin', data: new Uint8Array(600) },
      ]),
      { maxTotalBytes: 1000 },
    );
    await rejects(
      src.list(),
      'capsule.limit',
      /^b\.bin: uncompressed contents exceed 1,000 bytes at this entry/,
    );
  });

  it('detects a CRC mismatch and a local/central name mismatch', async () => {
    await rejects(
      zipCapsuleSource(rawZip([{ name: 'a.json', data: enc.encode('{}'), crc: 1 }])).read('a.json', 10),
      'capsule.zip',
      /CRC-32/,
    );
    await rejects(
      zipCapsuleSource(rawZip([{ name: 'a.json', data: enc.encode('{}'), localName: 'b.json' }])).read(
        'a.json',
        10,
      ),
      'capsule.zip',
      /^a\.json: local header name disagrees with the central directory$/,
    );
  });

  it('rejects input that is not a zip, or is truncated', async () => {
    await rejects(
      zipCapsuleSource(enc.encode('not a zip at all, just some text')).list(),
      'capsule.zip',
      /not a zip/,
    );
    const zip = zipSync({ 'a.json': enc.encode('{}') });
    await rejects(zipCapsuleSource(zip.subarray(0, zip.length - 5)).list(), 'capsule.zip', /.+/);
  });

  it('reports a missing file by name', async () => {
    await rejects(
      zipCapsuleSource(zipSync({ 'a.json': enc.encode('{}') })).read('b.json', 10),
      'capsule.missing',
      /^b\.json: the capsule has no such file$/,
    );
  });
});
