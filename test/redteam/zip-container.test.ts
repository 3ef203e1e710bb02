import { buildFedrampSample } from '@lineage/producer';
import {
  CapsuleContainerError,
  type CheckOutcome,
  LineageError,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import { deflateSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc32, extraField, rawZip } from '../capsule/support/raw-zip.js';
import { enc, repack, type Sample, verifiedAt, verifyZip } from './support.js';

/**
 * Red team, container integrity (docs/spec/05-capsules.md §5.3, §5.5 step 1): every container
 * rule — checked when the capsule is listed, or for a CRC-32, deflate stream or size only known
 * once an entry is read — fails `capsule.container` alone, naming the entry (subject field), the
 * rule (code) and what was expected and found. Corruption is never reported as a hash mismatch,
 * a withheld event or anything else that reads as evidence.
 */
let honest: Sample;
beforeAll(async () => {
  honest = await buildFedrampSample();
});

const artifact = 'artifacts/A2-inventory.json';

/** Calls `patch` with the central record's offset and the local header's offset of `path`. */
function patchEntry(
  zip: Uint8Array,
  path: string,
  patch: (dv: DataView, central: number, local: number) => void,
): Uint8Array {
  const out = zip.slice();
  const dv = new DataView(out.buffer);
  const eocd = out.length - 22;
  let p = dv.getUint32(eocd + 16, true);
  for (let n = dv.getUint16(eocd + 10, true); n > 0; n--) {
    const nameLen = dv.getUint16(p + 28, true);
    const name = new TextDecoder().decode(out.subarray(p + 46, p + 46 + nameLen));
    if (name === path) {
      patch(dv, p, dv.getUint32(p + 42, true));
      return out;
    }
    p += 46 + nameLen + dv.getUint16(p + 30, true) + dv.getUint16(p + 32, true);
  }
  throw new Error(`no entry ${path}`);
}

/** Where `path`'s data starts. */
function dataStart(zip: Uint8Array, path: string): number {
  let at = -1;
  patchEntry(zip, path, (dv, _c, local) => {
    at = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
  });
  return at;
}

/** The capsule's only outcome must be a failed capsule.container with this code and entry. */
function onlyContainerFailure(checks: CheckOutcome[], code: string, field: string | undefined): CheckOutcome {
  expect(checks.map((c) => `${c.id} ${c.status}`)).toEqual(['capsule.container fail']);
  const c = checks[0]!;
  expect(c.code).toBe(code);
  expect(c.subject.field).toBe(field);
  expect(c.subject.kind).toBe('capsule');
  expect(c.expected).toBeTruthy();
  expect(c.found).toBeTruthy();
  // The entry is named once: by the subject, not again as a prefix of the reason.
  if (field) expect(c.reason!.startsWith(`${field}:`)).toBe(false);
  return c;
}

describe('red team: corruption found while reading is a container failure, and nothing else', () => {
  const both = (crc: number) => (dv: DataView, central: number, local: number) => {
    dv.setUint32(central + 16, crc, true);
    dv.setUint32(local + 14, crc, true);
  };

  it('a wrong CRC-32 on events.jsonl (headers agree, content does not) fails the container only', async () => {
    const v = await verifyZip(patchEntry(honest.zip, 'events.jsonl', both(0x12345678)), honest.trust);
    const c = onlyContainerFailure(v.report.checks, 'capsule.zip', 'events.jsonl');
    expect(c.expected).toBe('CRC-32 12345678 (central directory)');
    expect(c.found).toMatch(/^CRC-32 [0-9a-f]{8} \(content\)$/);
    expect(c.reason).toMatch(
      /^the entry's content has CRC-32 [0-9a-f]{8}, the central directory says 12345678/,
    );
    expect(v.report.verdict).toBe('failed');
    expect(v.capsuleDigest).toBe('');
    // No follow-on: no "withheld" leaves, no missing artifacts, no events.
    expect(v.events).toEqual([]);
  });

  it('a wrong CRC-32 on a streamed artifact, and on manifest.json, fail the container only', async () => {
    const v = await verifyZip(patchEntry(honest.zip, artifact, both(0x12345678)), honest.trust);
    onlyContainerFailure(v.report.checks, 'capsule.zip', artifact);
    const m = await verifyZip(patchEntry(honest.zip, 'manifest.json', both(0x12345678)), honest.trust);
    onlyContainerFailure(m.report.checks, 'capsule.zip', 'manifest.json');
  });

  it('invalid deflate data in an artifact fails the container only', async () => {
    const z = honest.zip.slice();
    z[dataStart(z, artifact)] = 0xff; // a final block of the reserved type 3
    const v = await verifyZip(z, honest.trust);
    const c = onlyContainerFailure(v.report.checks, 'capsule.zip', artifact);
    expect(c.reason).toMatch(/^the entry is not valid deflate data: invalid block type/);
    expect(c.expected).toBe('a valid deflate stream');
  });

  it('an entry holding more than its declared size (both headers agree) fails the container only', async () => {
    const v = await verifyZip(
      patchEntry(honest.zip, artifact, (dv, central, local) => {
        const size = dv.getUint32(central + 24, true) - 100;
        dv.setUint32(central + 24, size, true);
        dv.setUint32(local + 22, size, true);
      }),
      honest.trust,
    );
    const c = onlyContainerFailure(v.report.checks, 'capsule.limit', artifact);
    expect(c.reason).toMatch(/^the entry inflates past its declared [\d,]+ bytes/);
  });

  it('a local header whose name or CRC-32 differs from the central directory is refused at listing', async () => {
    const renamed = patchEntry(honest.zip, artifact, (dv, _c, local) => {
      dv.setUint8(local + 30 + artifact.length - 6, 'z'.charCodeAt(0));
    });
    const crc = patchEntry(honest.zip, artifact, (dv, _c, local) => dv.setUint32(local + 14, 0, true));
    for (const [z, field, expected, found] of [
      [
        renamed,
        'name',
        `name "${artifact}" (central directory)`,
        'name "artifacts/A2-inventorz.json" (local header)',
      ],
      [crc, 'CRC-32', /^CRC-32 [0-9a-f]{8} \(central directory\)$/, 'CRC-32 00000000 (local header)'],
    ] as const) {
      const e = await zipCapsuleSource(z)
        .list()
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(e).toBeInstanceOf(CapsuleContainerError);
      const le = e as LineageError;
      expect(le.message).toBe(`${artifact}: local header ${field} disagrees with the central directory`);
      expect(le.expected).toMatch(expected);
      expect(le.found).toBe(found);
      const v = await verifyZip(z, honest.trust);
      onlyContainerFailure(v.report.checks, 'capsule.zip', artifact);
    }
  });

  it('a file too large for its kind is not a container failure (it is the file that fails)', async () => {
    const v = await verifyCapsule(zipCapsuleSource(honest.zip), honest.trust, {
      verifiedAt,
      capsuleName: 'x.zip',
      limits: { maxJsonBytes: 64 * 1024 * 1024 },
    });
    expect(v.report.verdict).toBe('verified');
    const src = zipCapsuleSource(honest.zip);
    const e = await src.read('events.jsonl', 10).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LineageError);
    expect(e).not.toBeInstanceOf(CapsuleContainerError);
  });

  it('a listed file over the read limit fails capsule.file_hash, naming the file and both sizes', async () => {
    // A card padded past a 16 KB limit (every other document fits): it cannot be read.
    const card = 'cards/a1-readiness-coordinator.json';
    const padded = new Uint8Array(20_000).fill(0x20);
    padded.set(honest.files.get(card)!);
    const v = await verifyCapsule(
      zipCapsuleSource(repack(new Map([...honest.files, [card, padded]]))),
      honest.trust,
      { verifiedAt, capsuleName: 'x.zip', limits: { maxJsonBytes: 16_000 } },
    );
    expect(v.report.verdict).toBe('failed');
    expect(v.report.checks.filter((c) => c.status === 'fail')).toEqual([
      expect.objectContaining({
        id: 'capsule.file_hash',
        subject: { kind: 'file', id: card },
        reason: 'the file is 20,000 bytes; the limit for this file is 16,000',
        expected: 'at most 16,000 bytes',
        found: '20,000 bytes',
      }),
    ]);
  });
});

describe('red team: container failures are machine-readable', () => {
  it('a traversal name gives code capsule.path, the entry as the field, and expected/found', async () => {
    const v = await verifyZip(rawZip([{ name: '../evil.json', data: enc.encode('{}') }]), honest.trust);
    const c = onlyContainerFailure(v.report.checks, 'capsule.path', '../evil.json');
    expect(c.found).toBe('"../evil.json"');
    expect(c.reason).toBe('zip entry "../evil.json" contains a ".." segment (path traversal)');
  });

  it('symlinks, duplicates and limits keep their own codes', async () => {
    const cases: [Uint8Array, string, string][] = [
      [rawZip([{ name: 'a.json', data: enc.encode('x'), unixMode: 0o120777 }]), 'capsule.symlink', 'a.json'],
      [rawZip([{ name: 'a.json' }, { name: 'A.json' }]), 'capsule.duplicate', 'A.json'],
      [
        rawZip([{ name: 'bomb.bin', data: new Uint8Array(4 * 1024 * 1024), deflate: true }]),
        'capsule.limit',
        'bomb.bin',
      ],
    ];
    for (const [z, code, field] of cases) {
      const v = await verifyZip(z, honest.trust);
      onlyContainerFailure(v.report.checks, code, field);
    }
  });

  it('a name that is not UTF-8 names its entry once, with the bytes found', async () => {
    const z = rawZip([{ name: 'a.json', data: enc.encode('{}') }]);
    const bad = patchEntry(z, 'a.json', (dv, central) => dv.setUint8(central + 46, 0xff));
    const v = await verifyZip(bad, honest.trust);
    const c = onlyContainerFailure(v.report.checks, 'capsule.path', 'zip entry 1');
    expect(c.reason).toBe('name is not valid UTF-8');
    expect(c.found).toBe('bytes ff 2e 6a 73 6f 6e');
  });

  it('archive-level failures have no field, and still a code', async () => {
    const v = await verifyZip(enc.encode('not a zip at all, just some text'), honest.trust);
    const c = onlyContainerFailure(v.report.checks, 'capsule.zip', undefined);
    expect(c.reason).toBe('no end-of-central-directory record: not a zip file');
  });
});

describe('red team: special files are capsule.symlink and say what they are', () => {
  it.each([
    [0o010644, 'a FIFO (named pipe)'],
    [0o020644, 'a character device'],
    [0o060644, 'a block device'],
    [0o140644, 'a socket'],
  ])('mode %o', async (mode, kind) => {
    const e = (await zipCapsuleSource(rawZip([{ name: 'x.bin', data: enc.encode('x'), unixMode: mode }]))
      .list()
      .catch((err: unknown) => err)) as LineageError;
    expect(e.code).toBe('capsule.symlink');
    expect(e.message).toBe(`x.bin: the entry is ${kind}; capsules contain only regular files`);
    expect(e.found).toBe(kind);
  });
});

describe('red team: directory entries', () => {
  const refuse = async (z: Uint8Array, code: string, message: RegExp) => {
    const e = (await zipCapsuleSource(z)
      .list()
      .catch((err: unknown) => err)) as LineageError;
    expect(e).toBeInstanceOf(CapsuleContainerError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  };

  it('a directory and a file of the same name collide (events.jsonl/ next to events.jsonl)', async () => {
    await refuse(
      rawZip([{ name: 'events.jsonl', data: enc.encode('x') }, { name: 'events.jsonl/' }]),
      'capsule.duplicate',
      /^events\.jsonl: zip entry "events\.jsonl" appears twice/,
    );
    await refuse(
      rawZip([{ name: 'Events.jsonl/' }, { name: 'events.jsonl', data: enc.encode('x') }]),
      'capsule.duplicate',
      /differ only in case/,
    );
  });

  it('a file collides with the directory another entry implies (a and a/b)', async () => {
    for (const entries of [
      [
        { name: 'a', data: enc.encode('x') },
        { name: 'a/b.json', data: enc.encode('y') },
      ],
      [
        { name: 'a/b.json', data: enc.encode('y') },
        { name: 'A', data: enc.encode('x') },
      ],
      [{ name: 'a/b/' }, { name: 'a', data: enc.encode('x') }],
    ]) {
      await refuse(
        rawZip(entries),
        'capsule.duplicate',
        /a file has the name of a directory in the archive$/,
      );
    }
  });

  it('a DOS or Unix directory attribute needs a name ending in "/", and a name ending in "/" is no regular file', async () => {
    const dosDir = patchEntry(
      rawZip([{ name: 'artifacts', data: new Uint8Array(0) }]),
      'artifacts',
      (dv, c) => dv.setUint32(c + 38, 0x10, true),
    );
    await refuse(
      dosDir,
      'capsule.zip',
      /^artifacts: the entry is marked as a directory but its name does not end in "\/"$/,
    );
    await refuse(
      rawZip([{ name: 'artifacts', unixMode: 0o040755 }]),
      'capsule.zip',
      /marked as a directory but its name does not end/,
    );
    await refuse(
      rawZip([{ name: 'artifacts/', unixMode: 0o100644 }]),
      'capsule.zip',
      /^artifacts\/: the name ends in "\/" \(a directory\) but its Unix mode says regular file$/,
    );
    // Honest directories (with or without attributes) are still fine.
    const ok = rawZip([
      { name: 'artifacts/', unixMode: 0o040755 },
      { name: 'artifacts/a.json', data: enc.encode('{}') },
    ]);
    expect((await zipCapsuleSource(ok).list()).map((e) => e.path)).toEqual(['artifacts/a.json']);
  });
});

// ---- data descriptors -------------------------------------------------------------------------

interface DdEntry {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
  /** Bytes after the data (a descriptor, or anything). */
  after?: Uint8Array;
  localFlags?: number;
  centralFlags?: number;
  /** Local header CRC and sizes: zero (as streaming writers do) unless given. */
  localZero?: boolean;
}

function descriptor(crc: number, csize: number, size: number, signed = true): Uint8Array {
  const d = new Uint8Array(signed ? 16 : 12);
  const dv = new DataView(d.buffer);
  let o = 0;
  if (signed) {
    dv.setUint32(0, 0x08074b50, true);
    o = 4;
  }
  dv.setUint32(o, crc, true);
  dv.setUint32(o + 4, csize, true);
  dv.setUint32(o + 8, size, true);
  return d;
}

/** A zip whose entries carry data descriptors (by default) and any flags, local and central. */
function ddZip(entries: DdEntry[]): Uint8Array {
  return rawZip(
    entries.map((e) => {
      const body = e.deflate ? deflateSync(e.data) : e.data;
      const flags = e.localFlags ?? 0x8;
      return {
        name: e.name,
        data: e.data,
        body,
        deflate: e.deflate ?? false,
        localFlags: flags,
        centralFlags: e.centralFlags ?? flags,
        localZero: e.localZero ?? true,
        after: e.after ?? descriptor(crc32(e.data), body.length, e.data.length),
      };
    }),
  );
}

describe('red team: data descriptors', () => {
  const a = enc.encode('{"a":1}'.repeat(50));
  const b = enc.encode('[1,2,3]');
  const refuse = async (z: Uint8Array, message: RegExp, expected?: string) => {
    const e = (await zipCapsuleSource(z)
      .list()
      .catch((err: unknown) => err)) as LineageError;
    expect(e).toBeInstanceOf(CapsuleContainerError);
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toMatch(message);
    if (expected) expect(e.expected).toBe(expected);
    return e;
  };

  it('honest descriptors, with and without their signature, are read', async () => {
    for (const signed of [true, false]) {
      const csize = deflateSync(a).length;
      const z = ddZip([
        { name: 'a.json', data: a, deflate: true, after: descriptor(crc32(a), csize, a.length, signed) },
        { name: 'b.json', data: b, deflate: true },
      ]);
      const src = zipCapsuleSource(z);
      expect((await src.list()).map((e) => e.path)).toEqual(['a.json', 'b.json']);
      expect(await src.read('a.json', 1000)).toEqual(a);
      expect(await src.read('b.json', 1000)).toEqual(b);
    }
  });

  it('a descriptor that disagrees with the central directory is refused (CRC, sizes)', async () => {
    const csize = deflateSync(a).length;
    for (const lie of [
      descriptor(0xdeadbeef, csize, a.length),
      descriptor(crc32(a), csize + 1, a.length),
      descriptor(crc32(a), csize, 999_999, false),
    ]) {
      const e = await refuse(
        ddZip([{ name: 'a.json', data: a, deflate: true, after: lie }]),
        /^a\.json: data descriptor disagrees with the central directory$/,
      );
      expect(e.expected).toMatch(/\(central directory\)$/);
      expect(e.found).toMatch(/\(data descriptor\)$/);
    }
  });

  it('bytes after an entry are refused unless a descriptor flag (set in both headers) accounts for them', async () => {
    const hidden = enc.encode('HIDDEN-DATA-24-BYTES!!!!');
    // Flag only in the local header: the flags disagree.
    await refuse(
      ddZip([
        { name: 'a.json', data: a, deflate: true, after: hidden, localFlags: 0x8, centralFlags: 0 },
        { name: 'b.json', data: b, deflate: true },
      ]),
      /^a\.json: local header general-purpose flags disagrees with the central directory$/,
      'general-purpose flags 0x0000 (central directory)',
    );
    // Flag in both: 24 bytes are no descriptor of capsule version 1 (no ZIP64), and they lie.
    await refuse(
      ddZip([
        { name: 'a.json', data: a, deflate: true, after: hidden },
        { name: 'b.json', data: b, deflate: true },
      ]),
      /^a\.json: data descriptor disagrees with the central directory$/,
    );
    // A true descriptor followed by 8 more bytes: unaccounted.
    const csize = deflateSync(a).length;
    await refuse(
      ddZip([
        {
          name: 'a.json',
          data: a,
          deflate: true,
          after: new Uint8Array([...descriptor(crc32(a), csize, a.length), 1, 2, 3, 4, 5, 6, 7, 8]),
        },
        { name: 'b.json', data: b, deflate: true },
      ]),
      /^b\.json: 8 unaccounted bytes before this entry, after "a\.json" \(hidden data/,
    );
    // No flag at all, bytes after the data: unaccounted.
    await refuse(
      ddZip([
        { name: 'a.json', data: a, deflate: true, after: hidden, localFlags: 0, localZero: false },
        { name: 'b.json', data: b, deflate: true, localFlags: 0, localZero: false, after: new Uint8Array(0) },
      ]),
      /^b\.json: 24 unaccounted bytes before this entry/,
    );
  });

  it('local CRC and sizes with a descriptor are zero or the central values', async () => {
    const z = ddZip([{ name: 'a.json', data: a, deflate: true, localZero: false }]);
    expect((await zipCapsuleSource(z).list()).length).toBe(1);
    const lying = patchEntry(z, 'a.json', (dv, _c, local) => dv.setUint32(local + 22, 5, true));
    await refuse(
      lying,
      /^a\.json: local header uncompressed size disagrees with the central directory$/,
      `uncompressed size ${a.length} (central directory)`,
    );
  });

  it('a stored entry with a data descriptor is refused (readers going forward cannot find its end)', async () => {
    await refuse(
      ddZip([{ name: 'a.json', data: a }]),
      /^a\.json: stored entry with a data descriptor/,
      'sizes in the local header of a stored entry',
    );
  });
});

describe('red team: size-only mismatch and message composition', () => {
  it('a manifest size that differs while the SHA-256 matches names the size field', async () => {
    const files = new Map(honest.files);
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!));
    const f = manifest.files.find((x: { path: string }) => x.path === artifact);
    f.size += 1;
    files.set('manifest.json', enc.encode(JSON.stringify(manifest)));
    const { zipCapsule } = await import('@lineage/producer');
    const v = await verifyZip(zipCapsule(files), honest.trust);
    const c = v.report.checks.filter((x) => x.status === 'fail');
    expect(c.map((x) => x.id)).toEqual(['capsule.file_hash']);
    expect(c[0]!.subject).toMatchObject({ kind: 'artifact', id: artifact, field: 'size' });
    expect(c[0]!.expected).toBe(`${(f.size as number).toLocaleString('en-US')} bytes`);
    expect(c[0]!.found).toBe(`${(f.size - 1).toLocaleString('en-US')} bytes`);
  });

  it('a manifest that is not strict JSON names manifest.json once', async () => {
    const files = new Map(honest.files);
    const text = new TextDecoder().decode(files.get('manifest.json')!);
    files.set('manifest.json', enc.encode(text.replace('{', '{"type":"x",')));
    const { zipCapsule } = await import('@lineage/producer');
    const v = await verifyZip(zipCapsule(files), honest.trust);
    const c = v.report.checks.find((x) => x.id === 'capsule.manifest')!;
    expect(c.status).toBe('fail');
    // The pointer is the field; the reason says what is wrong there, naming neither again.
    expect(c.subject).toMatchObject({ id: 'manifest.json', field: '/type' });
    expect(c.reason).toMatch(/^duplicate member name "type" at byte \d+$/);
  });
});

// What other tools read that the listing must not ignore: signatures hidden in comments (a second
// end record, a ZIP64 locator) and extra fields that rename an entry.
describe('red team: records hidden where other tools look', () => {
  const sig = (kind: number) => new Uint8Array([0x50, 0x4b, kind & 0xff, kind >> 8]);
  const refused = async (z: Uint8Array, message: RegExp) => {
    const e = (await zipCapsuleSource(z)
      .list()
      .catch((err: unknown) => err)) as LineageError;
    expect(e).toBeInstanceOf(CapsuleContainerError);
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toMatch(message);
    expect(e.expected).toBeDefined();
    expect(e.found).toBeDefined();
  };
  /** The zip with `comment` as its archive comment. */
  const withArchiveComment = (zip: Uint8Array, comment: Uint8Array) => {
    const out = new Uint8Array(zip.length + comment.length);
    out.set(zip);
    out.set(comment, zip.length);
    new DataView(out.buffer).setUint16(zip.length - 2, comment.length, true);
    return out;
  };
  const entry = { name: 'a.json', data: enc.encode('{"a":1}') };

  it('an archive comment holding an end record (a second archive for tools that take the last one)', async () => {
    const fake = new Uint8Array(23);
    fake.set(sig(0x0605));
    await refused(withArchiveComment(rawZip([entry]), fake), /archive comment holds zip record signatures/);
    // A plain comment is fine.
    expect(
      await zipCapsuleSource(withArchiveComment(rawZip([entry]), enc.encode('made by lineage'))).list(),
    ).toHaveLength(1);
  });

  it('a ZIP64 locator in the last entry comment, right before the end record', async () => {
    const comment = new Uint8Array(20);
    comment.set(sig(0x0706));
    await refused(
      rawZip([entry, { ...entry, name: 'b.json', comment }]),
      /ZIP64 end-of-central-directory locator|entry comment holds zip record signatures/,
    );
  });

  it('an Info-ZIP Unicode path extra field (other tools extract under that name), central or local', async () => {
    const upath = extraField(0x7075, new Uint8Array([1, 0, 0, 0, 0, ...enc.encode('trust.json')]));
    await refused(
      rawZip([{ ...entry, centralExtra: upath }]),
      /central directory carries an Info-ZIP Unicode path/,
    );
    await refused(rawZip([{ ...entry, localExtra: upath }]), /local header carries an Info-ZIP Unicode path/);
    // An extended-timestamp field (0x5455, as zip writes) is fine.
    const ut = extraField(0x5455, new Uint8Array([1, 0, 0, 0, 0]));
    expect(
      await zipCapsuleSource(rawZip([{ ...entry, localExtra: ut, centralExtra: ut }])).list(),
    ).toHaveLength(1);
  });

  it('an empty stored entry with a data descriptor (what zip - and streaming writers make) is accepted', async () => {
    const empty = rawZip([
      {
        name: 'empty.txt',
        data: new Uint8Array(0),
        localFlags: 0x8,
        localZero: true,
        after: new Uint8Array(16).fill(0).map((_, i) => (i < 4 ? [0x50, 0x4b, 7, 8][i]! : 0)),
      },
    ]);
    const s = zipCapsuleSource(empty);
    expect(await s.list()).toEqual([{ path: 'empty.txt', size: 0 }]);
  });
});
