import { buildFedrampSample, capsuleFiles, zipCapsule } from '@lineage/producer';
import {
  bytesEqual,
  canonicalize,
  type JsonValue,
  parseStrictJson,
  sha256,
  toHex,
  verifyCapsule,
  zipCapsuleSource,
} from '@lineage/verifier-core';
import fc from 'fast-check';
import { unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Property tests: mutations of a valid capsule never verify and never crash. Runs are
 * bounded (~100 cases in all) because every case is a full verification.
 */
const verifiedAt = '2026-11-22T00:00:00Z';
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
const dec = new TextDecoder();
const enc = new TextEncoder();

beforeAll(async () => {
  sample = await buildFedrampSample();
});

async function reportOf(zip: Uint8Array) {
  // Must never throw: every problem is a failed check.
  const v = await verifyCapsule(zipCapsuleSource(zip), sample.trust, {
    verifiedAt,
    capsuleName: 'mutant.zip',
  });
  return v.report;
}

async function verdictOf(zip: Uint8Array): Promise<string> {
  return (await reportOf(zip)).verdict;
}

/** Re-lists every file in the manifest, as an attacker who can rewrite the unsigned manifest would. */
function repack(files: Map<string, Uint8Array>): Uint8Array {
  const manifest = JSON.parse(dec.decode(files.get('manifest.json')!));
  for (const f of manifest.files) {
    const b = files.get(f.path);
    if (b) {
      f.size = b.length;
      f.sha256 = toHex(sha256(b));
    }
  }
  return zipCapsule(new Map([...files, ['manifest.json', enc.encode(JSON.stringify(manifest))]]));
}

function sameMeaning(a: Map<string, Uint8Array>, b: Record<string, Uint8Array>): boolean {
  if (Object.keys(b).length !== a.size) return false;
  for (const [p, bytes] of a) {
    const other = b[p];
    if (!other) return false;
    if (p === 'manifest.json') {
      try {
        if (
          canonicalize(parseStrictJson(dec.decode(other))) !==
          canonicalize(parseStrictJson(dec.decode(bytes)))
        )
          return false;
      } catch {
        return false;
      }
    } else if (!bytesEqual(bytes, other)) return false;
  }
  return true;
}

describe('capsule mutations (fast-check)', () => {
  it('flipping bytes of the zip never crashes, and verifies only if the contents are unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (pos, x) => {
        const zip = sample.zip.slice();
        const i = pos % zip.length;
        zip[i] = zip[i]! ^ x;
        const verdict = await verdictOf(zip);
        if (verdict === 'verified') {
          // Only zip metadata (timestamps, version fields) was hit: the evidence itself is intact.
          let unpacked: Record<string, Uint8Array>;
          try {
            unpacked = unzipSync(zip);
          } catch {
            return false;
          }
          return sameMeaning(sample.files, unpacked);
        }
        return true;
      }),
      { numRuns: 35, seed: 4242 },
    );
  });

  it('flipping bytes of any evidence file (manifest rewritten to match) never verifies', async () => {
    const paths = [...sample.files.keys()].filter((p) => p !== 'manifest.json');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (path, pos, x) => {
          const files = new Map(sample.files);
          const b = files.get(path)!.slice();
          const i = pos % b.length;
          b[i] = b[i]! ^ x;
          files.set(path, b);
          return (await verdictOf(repack(files))) !== 'verified';
        },
      ),
      { numRuns: 35, seed: 777 },
    );
  });

  it('changing any field of any signed document (events, receipts, cards, attestations, openings) never verifies', async () => {
    type Doc = { path: string; line?: number };
    const docs: Doc[] = [];
    for (const [p, b] of sample.files) {
      if (p === 'manifest.json' || p.startsWith('artifacts/')) continue;
      if (p.endsWith('.jsonl')) {
        const n = dec.decode(b).trimEnd().split('\n').length;
        for (let line = 0; line < n; line++) docs.push({ path: p, line });
      } else docs.push({ path: p });
    }
    const leaves = (v: JsonValue, at: (string | number)[] = []): (string | number)[][] => {
      if (v === null || typeof v !== 'object') return [at];
      const kids = Array.isArray(v)
        ? v.map((x, i) => leaves(x, [...at, i]))
        : Object.entries(v).map(([k, x]) => leaves(x, [...at, k]));
      return kids.flat();
    };
    const mutate = (v: JsonValue, path: (string | number)[], salt: number): JsonValue => {
      if (path.length === 0) {
        if (typeof v === 'string')
          return v.length === 0
            ? 'x'
            : v.slice(0, salt % v.length) +
                (v[salt % v.length] === 'a' ? 'b' : 'a') +
                v.slice((salt % v.length) + 1);
        if (typeof v === 'number') return v + 1 + (salt % 3);
        if (typeof v === 'boolean') return !v;
        return 'mutated';
      }
      const [k, ...rest] = path;
      if (Array.isArray(v)) return v.map((x, i) => (i === k ? mutate(x, rest, salt) : x));
      const o = v as Record<string, JsonValue>;
      return { ...o, [k as string]: mutate(o[k as string]!, rest, salt) };
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...docs), fc.nat(), fc.nat(), async (doc, pick, salt) => {
        const files = new Map(sample.files);
        const text = dec.decode(files.get(doc.path)!);
        const lines = doc.line !== undefined ? text.trimEnd().split('\n') : [text];
        const value = parseStrictJson(lines[doc.line ?? 0]!);
        const all = leaves(value);
        const target = all[pick % all.length]!;
        lines[doc.line ?? 0] = JSON.stringify(mutate(value, target, salt));
        files.set(doc.path, enc.encode(doc.line !== undefined ? `${lines.join('\n')}\n` : lines[0]!));
        const report = await reportOf(repack(files));
        const where = `${doc.path}${doc.line !== undefined ? `:${doc.line + 1}` : ''} at ${JSON.stringify(target)}`;
        if (report.verdict === 'verified') throw new Error(`mutating ${where} still verified`);
        // And every failure it causes says why, what was expected and what was found.
        const bare = report.checks.filter((c) => c.status === 'fail' && !(c.reason && c.expected && c.found));
        if (bare.length > 0)
          throw new Error(
            `mutating ${where}: ${bare.map((c) => c.id).join(', ')} failed without expected/found`,
          );
        return true;
      }),
      { numRuns: 30, seed: 99 },
    );
  });

  it('rebuilding the capsule from unchanged files still verifies (the harness itself is sound)', async () => {
    expect(await verdictOf(repack(new Map(sample.files)))).toBe('verified');
    expect(capsuleFiles).toBeTypeOf('function');
  });
});
