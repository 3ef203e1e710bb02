// §5.3's zip container from the spec text alone: hostile zips built byte by byte (zip-build.ts), each
// breaking one rule once, read by the independent reader (zip.ts, then capsule.ts) and by the project
// verifier (@lineage/verifier-core's zipCapsuleSource + verifyCapsule, used here only to compare). Both
// must give the same verdict, failing checks, container code and entry named.
import { deflateRawSync } from 'node:zlib';
import { buildFedrampSample } from '@lineage/producer';
import { type CapsuleVerification, verifyCapsule, zipCapsuleSource } from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Obj } from './primitives.js';
import { crc32, verifyCapsuleZip, ZIP_LIMITS, type ZipLimits } from './zip.js';
import { buildZip, entriesOf, localRecord, type ZipEntrySpec, type ZipSpec } from './zip-build.js';

const verifiedAt = '2026-11-22T00:00:00Z';
const enc = new TextEncoder();
type Sample = Awaited<ReturnType<typeof buildFedrampSample>>;
let s: Sample;
beforeAll(async () => {
  s = await buildFedrampSample();
});

/** What both verifiers are compared on. */
interface Summary {
  verdict: string;
  failing: string[];
  /** The §5.3 rule broken and the entry it names (absent for the archive as a whole). */
  container?: { code: string; path?: string };
  /** Files named by the failing listing and hash checks. */
  files: Record<string, string[]>;
}
const FILE_CHECKS = ['capsule.file_listed', 'capsule.file_present', 'capsule.file_hash'];

function theirsOf(r: CapsuleVerification): Summary {
  const fails = r.report.checks.filter((c) => c.status === 'fail');
  const failing = [...new Set(fails.map((c) => c.id))].sort();
  const c = fails.find((x) => x.id === 'capsule.container');
  const files: Record<string, string[]> = {};
  for (const id of FILE_CHECKS.filter((x) => failing.includes(x)))
    files[id] = [...new Set(fails.filter((x) => x.id === id).map((x) => x.subject.id))].sort();
  return {
    verdict: r.report.verdict,
    failing,
    ...(c
      ? {
          container: {
            code: c.code ?? '',
            ...(c.subject.field === undefined ? {} : { path: c.subject.field }),
          },
        }
      : {}),
    files,
  };
}

async function both(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS) {
  const o = verifyCapsuleZip(bytes, JSON.parse(s.trustText) as Obj, limits);
  const files: Record<string, string[]> = {};
  for (const id of FILE_CHECKS.filter((x) => o.failing.includes(x))) files[id] = o.subjects[id]!;
  const ours: Summary = {
    verdict: o.verdict,
    failing: o.failing,
    ...(o.container ? { container: o.container } : {}),
    files,
  };
  const coreLimits = {
    maxEntries: limits.maxEntries,
    maxEntryBytes: limits.maxEntryBytes,
    maxTotalBytes: limits.maxTotalBytes,
  };
  const r = await verifyCapsule(zipCapsuleSource(bytes, coreLimits), s.trust, {
    verifiedAt,
    capsuleName: 'c.zip',
  });
  return { ours, theirs: theirsOf(r), report: r };
}

const u8 = (...xs: number[]) => new Uint8Array(xs);
const text = (t: string) => enc.encode(t);
/** The sample's entries with `edit` applied to the one named `name`. */
function sampleWith(edits: Record<string, (e: ZipEntrySpec) => ZipEntrySpec>, extra: ZipEntrySpec[] = []) {
  return [
    ...entriesOf(s.files).map((e) => (edits[e.name as string] ? edits[e.name as string]!(e) : e)),
    ...extra,
  ];
}
const zipOf = (entries: ZipEntrySpec[], z?: ZipSpec) => buildZip(entries, z);
/** An extra file the manifest does not list (never read: it fails capsule.file_listed, nothing else). */
const stray = (name: string | Uint8Array, more: Partial<ZipEntrySpec> = {}): ZipEntrySpec => ({
  name,
  data: text('x'),
  ...more,
});
const extraField = (id: number, data: Uint8Array) => {
  const b = new Uint8Array(4 + data.length);
  new DataView(b.buffer).setUint16(0, id, true);
  new DataView(b.buffer).setUint16(2, data.length, true);
  b.set(data, 4);
  return b;
};
const mode = (m: number) => (m << 16) >>> 0;
const OPENINGS = 'openings.json';
const ARTIFACT = 'artifacts/A3-scan-results.json';
const unlisted = (name: string): Partial<Summary> => ({
  verdict: 'failed',
  failing: ['capsule.file_listed'],
  files: { 'capsule.file_listed': [name] },
});
const broken = (code: string, path?: string): Partial<Summary> => ({
  verdict: 'failed',
  failing: ['capsule.container'],
  container: { code, ...(path === undefined ? {} : { path }) },
});
const verified: Partial<Summary> = { verdict: 'verified', failing: [] };

type Case = [string, () => Uint8Array, Partial<Summary>];
const cases: Case[] = [];
const add = (label: string, make: () => Uint8Array, expected: Partial<Summary>) =>
  cases.push([label, make, expected]);

// Accepted layouts.
add('the sample as the producer zips it (lineage demo --dir)', () => s.zip, verified);
add('every file deflated, written here', () => zipOf(sampleWith({})), verified);
add('every file stored', () => zipOf(entriesOf(s.files).map((e) => ({ ...e, method: 0 }))), verified);
add(
  'directory entries before their files',
  () =>
    zipOf(
      [...entriesOf(s.files), { name: 'artifacts/' }, { name: 'attestations/' }, { name: 'cards/' }].sort(
        (a, b) => String(a.name).localeCompare(String(b.name)),
      ),
    ),
  verified,
);
add('an archive comment', () => zipOf(sampleWith({}), { comment: text('Acme Cloud evidence') }), verified);
add(
  'an entry comment',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, comment: text('disclosed') }) })),
  verified,
);
add(
  'data descriptors with their signature',
  () => zipOf(entriesOf(s.files).map((e) => ({ ...e, descriptor: { signed: true } }))),
  verified,
);
add(
  'data descriptors without their signature',
  () => zipOf(entriesOf(s.files).map((e) => ({ ...e, descriptor: { signed: false } }))),
  verified,
);
add(
  'an empty stored file with a data descriptor',
  () =>
    zipOf(
      sampleWith({}, [
        stray('artifacts/empty', { data: new Uint8Array(), method: 0, descriptor: { signed: true } }),
      ]),
    ),
  unlisted('artifacts/empty'),
);
add(
  'a well-formed extended-timestamp extra field, local and central',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, extra: extraField(0x5455, u8(1, 0, 0, 0, 0)) }) })),
  verified,
);
add(
  'made on MS-DOS, no attributes',
  () => zipOf(entriesOf(s.files).map((e) => ({ ...e, madeBy: 20, external: 0 }))),
  verified,
);
add(
  'Unix mode without a file type',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, external: mode(0o644) }) })),
  verified,
);
add('no entries at all', () => zipOf([]), { verdict: 'failed', failing: ['capsule.manifest'] });

// The end record.
add('no end record (the last byte cut)', () => zipOf(sampleWith({})).subarray(0, -1), broken('capsule.zip'));
add('a byte after the end record', () => zipOf(sampleWith({}), { suffix: u8(0) }), broken('capsule.zip'));
add(
  'an archive appended after the capsule',
  () => zipOf(sampleWith({}), { suffix: zipOf([stray('x.json')]) }),
  broken('capsule.zip'),
);
add(
  'an archive prepended before the capsule',
  () => {
    const first = zipOf([stray('x.json')]);
    const z = zipOf(
      sampleWith({}).map((e) => ({ ...e })),
      { prefix: first },
    );
    return z;
  },
  broken('capsule.zip', 'artifacts/0-boundary.json'),
);
for (const [x, y] of [
  [5, 6],
  [3, 4],
  [1, 2],
  [6, 6],
  [6, 7],
  [7, 8],
])
  add(
    `the archive comment holds PK ${x} ${y}`,
    () => zipOf(sampleWith({}), { comment: u8(0x20, 0x50, 0x4b, x!, y!, 0x20) }),
    broken('capsule.zip'),
  );
add(
  'an entry comment holds PK 01 02',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, comment: u8(0x50, 0x4b, 1, 2) }) })),
  broken('capsule.zip', OPENINGS),
);

// Multi-disk and ZIP64.
add('end record on disk 1', () => zipOf(sampleWith({}), { end: { disk: 1 } }), broken('capsule.zip'));
add('directory on disk 1', () => zipOf(sampleWith({}), { end: { cdDisk: 1 } }), broken('capsule.zip'));
add(
  'entries on this disk differ from the total',
  () => zipOf(sampleWith({}), { end: { onDisk: 1 } }),
  broken('capsule.zip'),
);
add(
  'an entry starting on disk 1',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, diskStart: 1 }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'ZIP64 entry count 0xffff in the end record',
  () => zipOf(sampleWith({}), { end: { onDisk: 0xffff, total: 0xffff } }),
  broken('capsule.zip'),
);
add(
  'ZIP64 directory offset 0xffffffff',
  () => zipOf(sampleWith({}), { end: { cdOffset: 0xffffffff } }),
  broken('capsule.zip'),
);
add(
  'ZIP64 size marker in a central header',
  () => zipOf(sampleWith({}, [stray('artifacts/z64', { usize: 0xffffffff })])),
  broken('capsule.zip', 'artifacts/z64'),
);
add(
  'a ZIP64 extra field in both headers',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, extra: extraField(1, new Uint8Array(16)) }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a ZIP64 extra field in the local header only',
  () =>
    zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { extra: extraField(1, new Uint8Array(16)) } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a ZIP64 end-record locator before the end record',
  () => {
    const loc = new Uint8Array(20);
    new DataView(loc.buffer).setUint32(0, 0x07064b50, true);
    return zipOf(sampleWith({}), { beforeEnd: loc });
  },
  broken('capsule.zip'),
);

// Extra fields.
add(
  'a central extra field running past its block',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, extra: u8(0x55, 0x54, 9, 0, 1) }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a local extra field cut short',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { extra: u8(0x55, 0x54, 0) } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'an Info-ZIP Unicode path field renaming an entry',
  () =>
    zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, extra: extraField(0x7075, u8(1, 0, 0, 0, 0, 0x78)) }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'an Info-ZIP Unicode comment field in the local header',
  () =>
    zipOf(
      sampleWith({
        [OPENINGS]: (e) => ({ ...e, local: { extra: extraField(0x6375, u8(1, 0, 0, 0, 0, 0x78)) } }),
      }),
    ),
  broken('capsule.zip', OPENINGS),
);

// Count, encryption, method.
add(
  '10,001 entries claimed by the end record (counted before the directory is read)',
  () => zipOf(sampleWith({}), { end: { onDisk: 10_001, total: 10_001 } }),
  broken('capsule.limit'),
);
for (const bit of [0, 6, 13])
  add(
    `general-purpose flag bit ${bit} (encryption)`,
    () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, flags: 1 << bit }) })),
    broken('capsule.zip', OPENINGS),
  );
add(
  'compression method 12 (bzip2)',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, method: 12, compressed: e.data }) })),
  broken('capsule.zip', OPENINGS),
);

// Names.
for (const name of [
  '../escape.json',
  'artifacts/../../escape.json',
  '/etc/passwd',
  'artifacts\\evil.json',
  'C:/evil.json',
  'artifacts//a.json',
  './a.json',
  'artifacts/.hidden',
  'artifacts/a b.json',
  'artifacts/a\0.json',
  'artifacts/ctl\u0007',
  `artifacts/${'a'.repeat(246)}`,
  'a/b/c/d/e/f/g/h/i',
  'artifacts/é.json',
])
  add(
    `name ${JSON.stringify(name)}`,
    () => zipOf(sampleWith({}, [stray(name)])),
    broken('capsule.path', name),
  );
add('an empty name (no entry named)', () => zipOf([stray(''), ...sampleWith({})]), broken('capsule.path'));
add(
  `name of 255 characters`,
  () => zipOf(sampleWith({}, [stray(`artifacts/${'a'.repeat(245)}`)])),
  unlisted(`artifacts/${'a'.repeat(245)}`),
);
add(
  'a name that is not UTF-8',
  () => zipOf(sampleWith({}, [stray(u8(0x61, 0xff, 0x62))])),
  broken('capsule.path', 'zip entry 19'),
);
add(
  'a name that is not UTF-8, first (entries counted from 1)',
  () => zipOf([stray(u8(0x61, 0xff, 0x62)), ...sampleWith({})]),
  broken('capsule.path', 'zip entry 1'),
);

// Links, special files, directories.
for (const [t, m] of [
  ['symbolic link', 0o120777],
  ['FIFO', 0o010644],
  ['socket', 0o140644],
  ['character device', 0o020644],
  ['block device', 0o060644],
] as const)
  add(
    `a ${t} (Unix mode in the external attributes)`,
    () => zipOf(sampleWith({}, [stray('artifacts/link', { external: mode(m) })])),
    broken('capsule.symlink', 'artifacts/link'),
  );
add(
  'a listed file that is a symbolic link',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, external: mode(0o120777) }) })),
  broken('capsule.symlink', OPENINGS),
);
add(
  'a symbolic link made on MS-DOS (unzip extracts it as a link)',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, madeBy: 20, external: mode(0o120600) }) })),
  broken('capsule.symlink', OPENINGS),
);
add(
  'a file of unknown type (mode 0o030000)',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: mode(0o030644) })])),
  broken('capsule.symlink', 'artifacts/d'),
);
add(
  'a whiteout (mode 0o160000)',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: mode(0o160644) })])),
  broken('capsule.symlink', 'artifacts/d'),
);
add(
  'a file name with the DOS directory attribute, made on MS-DOS',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: 0x10, madeBy: 20 })])),
  broken('capsule.zip', 'artifacts/d'),
);
add(
  'a file name with the Unix directory mode, made on MS-DOS',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: mode(0o040755), madeBy: 20 })])),
  broken('capsule.zip', 'artifacts/d'),
);
add(
  'a file name with the DOS directory attribute',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: 0x10 })])),
  broken('capsule.zip', 'artifacts/d'),
);
add(
  'a file name with the Unix directory mode',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { external: mode(0o040755) })])),
  broken('capsule.zip', 'artifacts/d'),
);
add(
  'a directory name with the regular-file mode',
  () => zipOf(sampleWith({}, [{ name: 'extra/', external: mode(0o100644) }])),
  broken('capsule.zip', 'extra/'),
);
add(
  'a directory entry that declares bytes',
  () => zipOf(sampleWith({}, [{ name: 'extra/', data: text('hidden'), method: 0 }])),
  broken('capsule.zip', 'extra/'),
);
add(
  "a deflated directory holding the empty stream, with a data descriptor (Java's ZipOutputStream)",
  () => zipOf(sampleWith({}, [{ name: 'extra/', method: 8, descriptor: { signed: true } }])),
  verified,
);
add(
  'a directory holding 1,000 compressed bytes that declare none',
  () =>
    zipOf(
      sampleWith({}, [{ name: 'extra/', method: 8, compressed: new Uint8Array(1000).fill(7), usize: 0 }]),
    ),
  broken('capsule.zip', 'extra/'),
);
add(
  'a stored entry whose sizes differ (refused at listing, never read)',
  () => zipOf(sampleWith({}, [stray('artifacts/d', { method: 0, usize: 5 })])),
  broken('capsule.zip', 'artifacts/d'),
);

// Duplicates.
add(
  'the same name twice',
  () => zipOf(sampleWith({}, [stray(OPENINGS)])),
  broken('capsule.duplicate', OPENINGS),
);
add(
  'names equal ignoring case',
  () => zipOf(sampleWith({}, [stray('Openings.json')])),
  broken('capsule.duplicate', 'Openings.json'),
);
// The entry named: the later one, without a directory's "/"; for a file that is also a directory, the file.
add(
  'a file and a named directory',
  () => zipOf(sampleWith({}, [{ name: 'openings.json/' }])),
  broken('capsule.duplicate', OPENINGS),
);
add(
  'a file and an implied directory',
  () => zipOf(sampleWith({}, [stray('openings.json/x')])),
  broken('capsule.duplicate', OPENINGS),
);
add(
  'a file and an implied directory, ignoring case',
  () => zipOf(sampleWith({}, [stray('OPENINGS.JSON/x')])),
  broken('capsule.duplicate', OPENINGS),
);
add(
  'a directory named twice',
  () => zipOf(sampleWith({}, [{ name: 'extra/' }, { name: 'EXTRA/' }])),
  broken('capsule.duplicate', 'EXTRA'),
);
add(
  'a file after a directory of its name',
  () => zipOf(sampleWith({}, [{ name: 'extra/' }, stray('Extra')])),
  broken('capsule.duplicate', 'Extra'),
);
add(
  'a file before an implied directory of its name',
  () => zipOf(sampleWith({}, [stray('Extra'), stray('extra/x')])),
  broken('capsule.duplicate', 'Extra'),
);
add(
  'a file after an implied directory of its name',
  () => zipOf(sampleWith({}, [stray('extra/x'), stray('Extra')])),
  broken('capsule.duplicate', 'Extra'),
);

// Sizes and ratios (declared sizes, at listing: the stray files are never inflated).
const MiB = 1024 * 1024;
const declared = (usize: number, csize: number) =>
  stray('artifacts/bomb', { method: 8, compressed: new Uint8Array(csize), usize, crc: 0 });
add(
  '1 MiB at 1000:1 (at the floor: exempt)',
  () => zipOf(sampleWith({}, [declared(MiB, MiB / 1000)])),
  unlisted('artifacts/bomb'),
);
add(
  '1 MiB + 1 at 1000:1',
  () => zipOf(sampleWith({}, [declared(MiB + 1, 1049)])),
  broken('capsule.limit', 'artifacts/bomb'),
);
add(
  '2 MiB at exactly 200:1',
  () => zipOf(sampleWith({}, [declared(200 * 10_486, 10_486)])),
  unlisted('artifacts/bomb'),
);
add(
  '2 MiB at just over 200:1',
  () => zipOf(sampleWith({}, [declared(200 * 10_486 + 1, 10_486)])),
  broken('capsule.limit', 'artifacts/bomb'),
);
add(
  '2 MiB declared over 0 bytes',
  () => zipOf(sampleWith({}, [declared(2 * MiB, 0)])),
  broken('capsule.limit', 'artifacts/bomb'),
);
add(
  'more than 8 GiB declared in all (three 2.9 GiB entries at 181:1)',
  () =>
    zipOf(
      sampleWith({}, [
        { ...declared(2.9e9, 16 * MiB), name: 'artifacts/b1' },
        { ...declared(2.9e9, 16 * MiB), name: 'artifacts/b2' },
        { ...declared(2.9e9, 16 * MiB), name: 'artifacts/b3' },
      ]),
    ),
  broken('capsule.limit', 'artifacts/b3'),
);

// Every byte accounted for; overlaps.
add(
  '4 bytes before the first entry',
  () => zipOf(sampleWith({}), { prefix: new Uint8Array(4) }),
  broken('capsule.zip', 'artifacts/0-boundary.json'),
);
add(
  'a gap between two entries (names the entry after it)',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, pad: new Uint8Array(3) }) })),
  broken('capsule.zip', 'receipts.jsonl'),
);
add(
  'a gap before the central directory (names the last entry)',
  () => zipOf(sampleWith({}), { gap: new Uint8Array(3) }),
  broken('capsule.zip', 'receipts.jsonl'),
);
add(
  'bytes between the directory and the end record',
  () => zipOf(sampleWith({}), { beforeEnd: new Uint8Array(4) }),
  broken('capsule.zip'),
);
add(
  'central headers in another order than the local records',
  () => zipOf(sampleWith({}), { order: sampleWith({}).map((_, i, a) => a.length - 1 - i) }),
  verified,
);
add(
  'an entry hidden inside another stored entry (overlap: names the one running over)',
  () => {
    const inner: ZipEntrySpec = { name: 'artifacts/inner', data: text('inner') };
    const outerData = localRecord(inner);
    const outer: ZipEntrySpec = { name: 'artifacts/outer', data: outerData, method: 0 };
    const es = sampleWith({}, [outer]);
    const at = es.length - 1;
    return zipOf([...es, { ...inner, noLocal: true, offset: (o) => o[at]! + 30 + 'artifacts/outer'.length }]);
  },
  broken('capsule.zip', 'artifacts/outer'),
);
add(
  'two central headers for one local record',
  () => {
    const es = sampleWith({});
    const i = es.findIndex((e) => e.name === OPENINGS);
    return zipOf([...es, { ...es[i]!, noLocal: true, offset: (o) => o[i]! }]);
  },
  broken('capsule.duplicate', OPENINGS),
);
add(
  'the directory offset points one header late',
  () => {
    const z = zipOf(sampleWith({}));
    const v = new DataView(z.buffer, z.byteOffset);
    v.setUint32(z.length - 6, v.getUint32(z.length - 6, true) + 46, true);
    return z;
  },
  broken('capsule.zip'),
);
add(
  'the directory size one byte short',
  () => {
    const z = zipOf(sampleWith({}));
    const v = new DataView(z.buffer, z.byteOffset);
    v.setUint32(z.length - 10, v.getUint32(z.length - 10, true) - 1, true);
    return z;
  },
  broken('capsule.zip'),
);

// Local headers against the central directory.
add(
  'local name differs in case',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { name: text('Openings.json') } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'local flags differ (bit 11)',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { flags: 1 << 11 } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'local method differs',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { method: 0 } }) })),
  broken('capsule.zip', OPENINGS),
);
for (const field of ['crc', 'csize', 'usize'] as const)
  add(
    `local ${field} differs`,
    () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { [field]: 7 } }) })),
    broken('capsule.zip', OPENINGS),
  );
add(
  'local CRC-32 and sizes 0 without a data descriptor',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, local: { crc: 0, csize: 0, usize: 0 } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'data descriptor flag, local CRC-32 and sizes kept',
  () =>
    zipOf(
      sampleWith({
        [OPENINGS]: (e) => {
          const d = e.data!;
          return { ...e, descriptor: { signed: true }, local: { crc: crc32(d), usize: d.length } };
        },
      }),
    ),
  verified,
);

// Data descriptors.
add(
  'a data descriptor whose CRC-32 differs',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, descriptor: { signed: true, crc: 1 } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a data descriptor whose size differs',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, descriptor: { signed: false, usize: 1 } }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'flag bit 3 and no data descriptor',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, flags: 8 }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a data descriptor after a non-empty stored entry',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, method: 0, descriptor: { signed: true } }) })),
  broken('capsule.zip', OPENINGS),
);

// While reading: only what the data shows, and only for a file that is read.
const deflated = (d: Uint8Array) => new Uint8Array(deflateRawSync(d));
/**
 * The entry's deflate stream, then what a forward-reading tool takes for its data descriptor and
 * the next entry (an openings.json of its own), all inside the compressed size the directory gives.
 */
function smuggling(e: ZipEntrySpec): ZipEntrySpec {
  const real = deflated(e.data!);
  const d = new DataView(new ArrayBuffer(16));
  d.setUint32(0, 0x08074b50, true);
  d.setUint32(4, crc32(e.data!), true);
  d.setUint32(8, real.length, true);
  d.setUint32(12, e.data!.length, true);
  const hidden = localRecord({ name: OPENINGS, data: text('[]\n'), descriptor: { signed: true } });
  return {
    ...e,
    compressed: new Uint8Array([...real, ...new Uint8Array(d.buffer), ...hidden]),
    descriptor: { signed: true },
  };
}
add(
  'a listed document whose deflate stream is invalid',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, compressed: u8(0xff, 0xff, 0xff, 0xff) }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a listed document whose deflate stream ends early',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, compressed: deflated(e.data!).subarray(0, 20) }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a listed document with a wrong CRC-32 in both headers',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, crc: 1 }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a listed artifact with a wrong CRC-32 in both headers',
  () => zipOf(sampleWith({ [ARTIFACT]: (e) => ({ ...e, crc: 1 }) })),
  broken('capsule.zip', ARTIFACT),
);
add(
  'a listed document inflating past its declared size',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, usize: e.data!.length - 1 }) })),
  broken('capsule.limit', OPENINGS),
);
add(
  'a listed artifact inflating past its declared size',
  () => zipOf(sampleWith({ [ARTIFACT]: (e) => ({ ...e, usize: e.data!.length - 1 }) })),
  broken('capsule.limit', ARTIFACT),
);
add(
  'a listed document inflating short of its declared size',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, usize: e.data!.length + 1 }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  'a stored document with more data than its declared size',
  () => zipOf(sampleWith({ [OPENINGS]: (e) => ({ ...e, method: 0, usize: e.data!.length - 1 }) })),
  broken('capsule.zip', OPENINGS),
);
add(
  "bytes after the end of a document's deflate stream, inside its compressed size",
  () =>
    zipOf(
      sampleWith({
        [OPENINGS]: (e) => ({ ...e, compressed: new Uint8Array([...deflated(e.data!), 1, 2, 3]) }),
      }),
    ),
  broken('capsule.zip', OPENINGS),
);
add(
  "bytes after the end of an artifact's deflate stream (hashed streaming)",
  () =>
    zipOf(
      sampleWith({
        [ARTIFACT]: (e) => ({ ...e, compressed: new Uint8Array([...deflated(e.data!), 1, 2, 3]) }),
      }),
    ),
  broken('capsule.zip', ARTIFACT),
);
add(
  "one byte after the end of an artifact's deflate stream",
  () =>
    zipOf(
      sampleWith({ [ARTIFACT]: (e) => ({ ...e, compressed: new Uint8Array([...deflated(e.data!), 0]) }) }),
    ),
  broken('capsule.zip', ARTIFACT),
);
add(
  'an entry smuggled after a deflate stream, for readers that go forward (Java ZipInputStream)',
  () => zipOf(sampleWith({ 'receipts.jsonl': smuggling }, [])),
  broken('capsule.zip', 'receipts.jsonl'),
);
add(
  "an entry smuggled after an artifact's deflate stream",
  () => zipOf(sampleWith({ [ARTIFACT]: smuggling })),
  broken('capsule.zip', ARTIFACT),
);
add(
  'an unlisted file with a wrong CRC-32 (never read)',
  () => zipOf(sampleWith({}, [stray('artifacts/stray', { crc: 1 })])),
  unlisted('artifacts/stray'),
);
add(
  'trust.json with an invalid deflate stream (never read)',
  () => zipOf(sampleWith({}, [stray('trust.json', { compressed: u8(0xff, 0xff) })])),
  { verdict: 'failed', failing: ['capsule.embedded_trust', 'capsule.file_listed'] },
);

describe('zip capsules: the independent reader and the project verifier agree', () => {
  it.each(cases)('%s', async (_label, make, expected) => {
    const { ours, theirs } = await both(make());
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject(expected);
  });

  it('an entry above maxEntryBytes (limits lowered in both)', async () => {
    const { ours, theirs } = await both(zipOf(sampleWith({})), { ...ZIP_LIMITS, maxEntryBytes: 10_000 });
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject(broken('capsule.limit', 'attestations/000.json'));
  });
});
