import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import { zipCapsuleSource } from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawZip } from '../capsule/support/raw-zip.js';
import { enc, type Sample, verifyZip } from './support.js';

/**
 * Red team, zip parser differentials: the verifier must read exactly the bytes every other zip
 * tool would, or refuse. A capsule that verifies here while `unzip` shows other files is a bypass.
 */
let honest: Sample;
let tampered: Sample;
beforeAll(async () => {
  const [t] = await buildTamperedVariants({ only: ['edited-artifact'] });
  tampered = t!.sample;
  honest = await buildFedrampSample();
});

const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Inserts bytes at `at` and fixes every offset the central directory and end record hold. */
function insertAt(zip: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  const out = cat(zip.subarray(0, at), bytes, zip.subarray(at));
  const dv = new DataView(out.buffer);
  const eocd = out.length - 22;
  expect(dv.getUint32(eocd, true)).toBe(0x06054b50);
  const cdOffset = dv.getUint32(eocd + 16, true) + bytes.length;
  dv.setUint32(eocd + 16, cdOffset, true);
  let p = cdOffset;
  for (let n = dv.getUint16(eocd + 10, true); n > 0; n--) {
    const off = dv.getUint32(p + 42, true);
    if (off >= at) dv.setUint32(p + 42, off + bytes.length, true);
    p += 46 + dv.getUint16(p + 28, true) + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  return out;
}

/** A stored local file header + data for `name`, with no central directory record (hidden). */
function hiddenEntry(name: string, data: Uint8Array): Uint8Array {
  const one = rawZip([{ name, data }]);
  const dv = new DataView(one.buffer, one.byteOffset);
  const cdOffset = dv.getUint32(one.length - 22 + 16, true);
  return one.slice(0, cdOffset);
}

const scanPath = 'artifacts/A3-scan-results.json';

describe('red team: zip differentials', () => {
  it('BYPASS (fixed): an honest capsule followed by a tampered one no longer verifies (unzip reads the tampered one)', async () => {
    const polyglot = cat(honest.zip, tampered.zip);
    const v = await verifyZip(polyglot, honest.trust);
    expect(v.report.verdict).toBe('failed');
    const c = v.report.checks.find((x) => x.id === 'capsule.container')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/unaccounted bytes between the central directory .* and the end record/);
  });

  it('the same polyglot, shown to unzip, extracts the tampered artifact (why it must be refused)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-redteam-'));
    try {
      const f = join(dir, 'polyglot.zip');
      writeFileSync(f, cat(honest.zip, tampered.zip));
      let out: string;
      try {
        out = execFileSync('unzip', ['-p', f, scanPath], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
      } catch {
        return; // no unzip on this machine: the verifier-side test above still stands
      }
      expect(out).toBe(new TextDecoder().decode(tampered.files.get(scanPath)!));
      expect(out).not.toBe(new TextDecoder().decode(honest.files.get(scanPath)!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a tampered capsule followed by an honest one is refused', async () => {
    const v = await verifyZip(cat(tampered.zip, honest.zip), honest.trust);
    expect(v.report.verdict).toBe('failed');
  });

  it('BYPASS (fixed): a hidden local entry before the first entry (offsets fixed up) is refused', async () => {
    const hidden = hiddenEntry(scanPath, tampered.files.get(scanPath)!);
    const v = await verifyZip(insertAt(honest.zip, 0, hidden), honest.trust);
    const c = v.report.checks.find((x) => x.id === 'capsule.container')!;
    expect(c.status).toBe('fail');
    expect(c.reason).toMatch(/unaccounted bytes before the first entry/);
  });

  it('BYPASS (fixed): a hidden local entry in a gap between two entries is refused', async () => {
    const src = zipCapsuleSource(honest.zip);
    const list = await src.list();
    expect(list.length).toBeGreaterThan(2);
    // Find the second local header: the first entry's header + name + data.
    const dv = new DataView(honest.zip.buffer, honest.zip.byteOffset);
    const secondAt = 30 + dv.getUint16(26, true) + dv.getUint16(28, true) + dv.getUint32(18, true);
    expect(dv.getUint32(secondAt, true)).toBe(0x04034b50);
    const gapped = insertAt(honest.zip, secondAt, hiddenEntry(scanPath, tampered.files.get(scanPath)!));
    const v = await verifyZip(gapped, honest.trust);
    const c = v.report.checks.find((x) => x.id === 'capsule.container' || x.id === 'capsule.file_hash');
    expect(v.report.verdict).toBe('failed');
    expect(JSON.stringify(v.report.checks.filter((x) => x.status === 'fail'))).toMatch(/unaccounted bytes/);
    expect(c).toBeDefined();
  });

  it('honest directory entries are still accepted, and data hidden after one is refused', async () => {
    const ok = zipCapsuleSource(
      rawZip([
        { name: 'manifest.json', data: enc.encode('{}') },
        { name: 'artifacts/' },
        { name: 'artifacts/a.json', data: enc.encode('[]') },
      ]),
    );
    expect((await ok.list()).map((e) => e.path)).toEqual(['manifest.json', 'artifacts/a.json']);
    expect(new TextDecoder().decode(await ok.read('artifacts/a.json', 10))).toBe('[]');
    const z = rawZip([{ name: 'artifacts/' }, { name: 'manifest.json', data: enc.encode('{}') }]);
    const afterDir = 30 + 'artifacts/'.length;
    const bad = zipCapsuleSource(insertAt(z, afterDir, hiddenEntry('artifacts/x.json', enc.encode('evil'))));
    await expect(bad.list()).rejects.toThrow(
      /^manifest\.json: \d+ unaccounted bytes before this entry, after "artifacts\/" \(hidden data/,
    );
  });

  it('refuses central-directory records no capsule writer makes, naming the entry and why', async () => {
    const data = enc.encode('{"a":1}');
    /** Patches the first central-directory record (fields at their APPNOTE offsets). */
    const central = (z: Uint8Array, patch: (dv: DataView, at: number) => void) => {
      const dv = new DataView(z.buffer, z.byteOffset);
      patch(dv, dv.getUint32(z.length - 22 + 16, true));
      return z;
    };
    const file = () => rawZip([{ name: 'manifest.json', data }]);
    const cases: [string, Uint8Array, RegExp][] = [
      [
        'encrypted',
        central(file(), (dv, at) => dv.setUint16(at + 8, 1, true)),
        /^manifest\.json: the entry is encrypted/,
      ],
      ['on another disk', central(file(), (dv, at) => dv.setUint16(at + 34, 1, true)), /starts on disk 1/],
      [
        'ZIP64 sizes',
        central(file(), (dv, at) => dv.setUint32(at + 24, 0xffffffff, true)),
        /^manifest\.json: the entry uses ZIP64 sizes/,
      ],
      [
        'another compression method',
        central(file(), (dv, at) => dv.setUint16(at + 10, 12, true)),
        /^manifest\.json: compression method 12; only stored \(0\) and deflate \(8\)/,
      ],
      [
        'a FIFO',
        rawZip([{ name: 'manifest.json', data, unixMode: 0o010644 }]),
        /^manifest\.json: the entry is a FIFO \(named pipe\); capsules contain only regular files$/,
      ],
      [
        'a directory with content',
        rawZip([
          { name: 'artifacts/', declaredSize: 5 },
          { name: 'manifest.json', data },
        ]),
        /^artifacts\/: directory entry declares 5 bytes of content/,
      ],
      [
        'a stored entry whose sizes disagree',
        rawZip([{ name: 'manifest.json', data, declaredSize: data.length + 1 }]),
        /^manifest\.json: stored entry declares 8 bytes but 7 stored bytes/,
      ],
      [
        'data running into the central directory',
        central(rawZip([{ name: 'manifest.json', data, deflate: true }]), (dv, at) =>
          dv.setUint32(at + 20, 4096, true),
        ),
        /^manifest\.json: the entry's data \(offset 0, 4,096 bytes\) runs into the central directory/,
      ],
    ];
    for (const [what, z, message] of cases) {
      await expect(zipCapsuleSource(z).list(), what).rejects.toThrow(message);
    }
  });

  it('a local header whose method or sizes differ from the central directory is refused (streaming tools read the local one)', async () => {
    for (const patch of [
      (dv: DataView) => dv.setUint16(8, 8, true), // method: stored → deflate
      (dv: DataView) => dv.setUint32(22, dv.getUint32(22, true) + 1, true), // uncompressed size
      (dv: DataView) => dv.setUint32(14, dv.getUint32(14, true) ^ 1, true), // CRC-32
    ]) {
      const z = rawZip([{ name: 'manifest.json', data: enc.encode('{"a":1}') }]);
      patch(new DataView(z.buffer, z.byteOffset));
      await expect(zipCapsuleSource(z).read('manifest.json', 100)).rejects.toThrow(
        /local header .* disagrees with the central directory/,
      );
    }
  });
});
