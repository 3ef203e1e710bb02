import { deflateSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { rawZip } from '../../../../test/capsule/support/raw-zip.js';
import { bytesEqual } from '../encoding/bytes.js';
import { formatCount, LineageError } from '../result.js';
import { nativeInflateRaw } from './native-inflate.node.js';
import { type RawInflater, zipCapsuleSource } from './zip.js';

/**
 * read() through an injected native inflater (node:zlib, as the CLI and desktop pass) must return
 * the same bytes and refuse the same hostile entries with the same error codes as fflate's
 * streaming path, which browsers keep using.
 */

const enc = new TextEncoder();

// The adapter the CLI and desktop use (node:zlib), so its contract is what is tested.
const zlibInflate: RawInflater = nativeInflateRaw!;

/** Counts calls so tests can tell which path actually ran. */
function counting(): { inflateRaw: RawInflater; calls: number } {
  const spy = {
    calls: 0,
    inflateRaw: (c: Uint8Array, max: number) => {
      spy.calls++;
      return zlibInflate(c, max);
    },
  };
  return spy;
}

function eventsJsonl(n: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(
      JSON.stringify({
        seq: i,
        type: i % 7 === 0 ? 'approval' : 'evidence',
        agent: `did:web:agents.example#A${(i % 5) + 1}`,
        payloadHash: (i * 2654435761).toString(16).padStart(64, '0'),
        sig: (i * 40503).toString(36).repeat(6),
      }),
    );
  }
  return enc.encode(`${lines.join('\n')}\n`);
}

const data = eventsJsonl(3_000);
const deflated = deflateSync(data, { level: 6 });

async function errorOfAsync(p: Promise<unknown>): Promise<LineageError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof LineageError)) throw new Error(`expected a LineageError, got ${String(e)}`);
  return e;
}

const paths = [
  ['fflate (streaming; what browsers use)', null],
  ['node:zlib (injected)', zlibInflate],
  ['the platform default (node:zlib here, through #native-inflate)', undefined],
] as const;

describe.each(paths)('zip read() via %s', (_name, inflateRaw) => {
  const open = (zip: Uint8Array) =>
    zipCapsuleSource(zip, undefined, inflateRaw === undefined ? undefined : { inflateRaw });

  it('returns the exact bytes of deflated, stored and empty entries', async () => {
    const src = open(
      zipSync({
        'events.jsonl': [data, { level: 6 }],
        'manifest.json': [enc.encode('{"version":1}'), { level: 0 }],
      }),
    );
    expect(bytesEqual(await src.read('events.jsonl', data.length), data)).toBe(true);
    expect(new TextDecoder().decode(await src.read('manifest.json', 100))).toBe('{"version":1}');
    const empty = open(rawZip([{ name: 'empty.json', data: new Uint8Array(0), deflate: true }]));
    expect(await empty.read('empty.json', 10)).toEqual(new Uint8Array(0));
  });

  it.each([
    ['far past', 1_000],
    ['one byte past', data.length - 1],
  ])('refuses an entry that inflates %s its declared size (bomb)', async (_how, declaredSize) => {
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, declaredSize }]));
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.limit');
    expect(e.path).toBe('events.jsonl');
    expect(e.message).toBe(
      `events.jsonl: the entry inflates past its declared ${formatCount(declaredSize)} bytes (zip bomb or corrupt archive)`,
    );
  });

  it('refuses corrupt deflate data, naming the entry', async () => {
    const body = deflated.slice();
    body[0] = 0xff; // final block of the reserved type 3
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, body }]));
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.zip');
    expect(e.path).toBe('events.jsonl');
    expect(e.message).toMatch(/^events\.jsonl: the entry is not valid deflate data: invalid block type/);
  });

  it('refuses a truncated deflate stream', async () => {
    const body = deflated.subarray(0, deflated.length >> 1);
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, body }]));
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.zip');
    expect(e.path).toBe('events.jsonl');
    expect(e.message).toMatch(
      /^events\.jsonl: the entry is not valid deflate data: unexpected (EOF|end of file)/,
    );
  });

  it('treats a method-8 entry with no compressed bytes as empty, as fflate always has', async () => {
    // fflate ends an empty final push cleanly; the native path must not disagree with it.
    const empty = (declaredSize: number) =>
      open(rawZip([{ name: 'a.json', deflate: true, body: new Uint8Array(0), declaredSize, crc: 0 }]));
    expect(await empty(0).read('a.json', 10)).toEqual(new Uint8Array(0));
    const e = await errorOfAsync(empty(5).read('a.json', 10));
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toBe('a.json: the entry declares 5 bytes but holds 0');
  });

  it('refuses a CRC-32 mismatch', async () => {
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, crc: 0x1234 }]));
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toMatch(
      /^events\.jsonl: the entry's content has CRC-32 [0-9a-f]{8}, the central directory says 00001234 \(corrupt entry\)$/,
    );
  });

  it('refuses an entry declaring more bytes than it holds', async () => {
    const declaredSize = data.length + 500;
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, declaredSize }]));
    const e = await errorOfAsync(src.read('events.jsonl', declaredSize));
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toBe(
      `events.jsonl: the entry declares ${formatCount(declaredSize)} bytes but holds ${formatCount(data.length)}`,
    );
  });

  it('still refuses a local header that disagrees with the central directory', async () => {
    const src = open(rawZip([{ name: 'events.jsonl', data, deflate: true, localName: 'eventz.jsonl' }]));
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toBe('events.jsonl: local header name disagrees with the central directory');
    expect(e.found).toBe('name "eventz.jsonl" (local header)');
  });
});

describe('zip read() with an injected inflater', () => {
  it('refuses, like fflate, bytes after the final deflate block', async () => {
    // A forward-reading zip tool ends the data where the stream ends and reads on from there.
    const body = new Uint8Array([...deflated, 1, 2, 3]);
    const zip = rawZip([{ name: 'events.jsonl', data, deflate: true, body }]);
    const spy = counting();
    const native = await errorOfAsync(
      zipCapsuleSource(zip, undefined, spy).read('events.jsonl', data.length),
    );
    const js = await errorOfAsync(
      zipCapsuleSource(zip, undefined, { inflateRaw: null }).read('events.jsonl', data.length),
    );
    expect(spy.calls).toBe(1);
    expect(native.code).toBe('capsule.zip');
    expect(native.message).toBe("events.jsonl: 3 bytes after the end of the entry's deflate stream");
    expect(js.message).toBe(native.message);
  });

  it('is used only by read(): sha256() keeps streaming, and still catches a bomb', async () => {
    const spy = counting();
    const src = zipCapsuleSource(
      rawZip([
        { name: 'events.jsonl', data, deflate: true },
        { name: 'liar.bin', data, deflate: true, declaredSize: 1_000 },
      ]),
      undefined,
      spy,
    );
    await src.sha256('events.jsonl');
    const e = await errorOfAsync(src.sha256('liar.bin'));
    expect(e.code).toBe('capsule.limit');
    expect(spy.calls).toBe(0);
    expect(bytesEqual(await src.read('events.jsonl', data.length), data)).toBe(true);
    expect(spy.calls).toBe(1);
  });

  it('streams instead when the compressed stream is far longer than its output could need', async () => {
    // 64 KiB of junk after a 300-byte output: whole-entry buffering would read all of it.
    const small = data.subarray(0, 300);
    const body = new Uint8Array([...deflateSync(small), ...new Uint8Array(64 * 1024)]);
    const spy = counting();
    const src = zipCapsuleSource(
      rawZip([{ name: 'a.jsonl', data: small, deflate: true, body }]),
      undefined,
      spy,
    );
    // (and the junk is refused: the stream must end at the compressed size)
    expect((await errorOfAsync(src.read('a.jsonl', 300))).code).toBe('capsule.zip');
    expect(spy.calls).toBe(0);
  });

  it('maps a plain error from the inflater to a zip error naming the entry', async () => {
    const src = zipCapsuleSource(rawZip([{ name: 'events.jsonl', data, deflate: true }]), undefined, {
      inflateRaw: () => {
        throw new Error('inflater exploded');
      },
    });
    const e = await errorOfAsync(src.read('events.jsonl', data.length));
    expect(e.code).toBe('capsule.zip');
    expect(e.message).toBe('events.jsonl: the entry is not valid deflate data: inflater exploded');
  });
});
