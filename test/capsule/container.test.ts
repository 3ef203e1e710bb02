import { buildFedrampSample, zipCapsule } from '@lineage/producer';
import { type CapsuleSource, verifyCapsule, zipCapsuleSource } from '@lineage/verifier-core';
import { beforeAll, describe, expect, it } from 'vitest';

const verifiedAt = '2026-11-22T00:00:00Z';
const enc = new TextEncoder();
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;
beforeAll(async () => {
  sample = await buildFedrampSample();
});

async function run(files: Map<string, Uint8Array>) {
  return verifyCapsule(zipCapsuleSource(zipCapsule(files)), sample.trust, {
    verifiedAt,
    capsuleName: 'c.zip',
  });
}
const failing = (v: Awaited<ReturnType<typeof run>>, id: string) =>
  v.report.checks.filter((c) => c.id === id && c.status === 'fail');

describe('capsule container checks', () => {
  it('reports a listed file that is missing, naming it', async () => {
    const files = new Map(sample.files);
    files.delete('artifacts/A2-inventory.json');
    const v = await run(files);
    const f = failing(v, 'capsule.file_present');
    expect(f).toHaveLength(1);
    expect(f[0]!.subject.id).toBe('artifacts/A2-inventory.json');
    expect(v.report.verdict).toBe('failed');
  });

  it('reports a file whose bytes differ from the manifest with both digests', async () => {
    const files = new Map(sample.files);
    files.set('openings.json', enc.encode(`${new TextDecoder().decode(files.get('openings.json')!)} `));
    const f = failing(await run(files), 'capsule.file_hash');
    expect(f.map((c) => c.subject.id)).toEqual(['openings.json']);
    expect(f[0]!.expected).toMatch(/287 bytes, SHA-256 [0-9a-f]{64}/);
    expect(f[0]!.found).toMatch(/288 bytes/);
    // The same size, other bytes (a trailing newline turned into a space): the digest alone differs.
    const text = new TextDecoder().decode(sample.files.get('openings.json')!);
    const sameSize = new Map(sample.files);
    sameSize.set(
      'openings.json',
      enc.encode(`${text.trimEnd()}${' '.repeat(text.length - text.trimEnd().length)}`),
    );
    expect(sameSize.get('openings.json')!.length).toBe(287);
    const g = failing(await run(sameSize), 'capsule.file_hash');
    expect(g).toEqual([
      expect.objectContaining({
        subject: { kind: 'file', id: 'openings.json', field: 'sha256' },
        reason: 'the file is not the one manifest.json lists',
      }),
    ]);
  });

  it('names the file, line and JSON pointer of a malformed document line', async () => {
    const files = new Map(sample.files);
    const lines = new TextDecoder().decode(files.get('events.jsonl')!).split('\n');
    lines[2] = lines[2]!.replace('"type":"lineage.event"', '"type":"lineage.event","type":"x"');
    files.set('events.jsonl', enc.encode(lines.join('\n')));
    const f = failing(await run(files), 'capsule.parse');
    expect(f).toHaveLength(1);
    expect(f[0]!.subject).toMatchObject({ kind: 'file', id: 'events.jsonl:3', field: '/type' });
    // The subject says where; the reason says what is wrong there, without repeating it.
    expect(f[0]!.reason).toMatch(/^duplicate/i);
  });

  it('stops with an unusable-container failure when the manifest is not strict JSON', async () => {
    const files = new Map(sample.files);
    files.set('manifest.json', enc.encode('{"type":"lineage.capsule","type":"lineage.capsule"}'));
    const v = await run(files);
    expect(failing(v, 'capsule.manifest')).toHaveLength(1);
    expect(v.capsuleDigest).toBe('');
    expect(v.events).toEqual([]);
  });

  it('names the manifest field that is wrong as a pointer inside manifest.json', async () => {
    const files = new Map(sample.files);
    const m = JSON.parse(new TextDecoder().decode(files.get('manifest.json')!));
    m.files[1].kind = 'spreadsheet';
    files.set('manifest.json', enc.encode(JSON.stringify(m)));
    const [f] = failing(await run(files), 'capsule.manifest');
    expect(f!.subject).toMatchObject({ kind: 'manifest', id: 'manifest.json', field: '/files/1/kind' });
    expect(f).toMatchObject({
      reason:
        'expected one of "events", "receipts", "card", "attestation", "openings", "artifact", found the string "spreadsheet"',
      expected: 'one of "events", "receipts", "card", "attestation", "openings", "artifact"',
      found: 'the string "spreadsheet"',
    });
  });

  it('a capsule whose files cannot be listed (an I/O error, not a LineageError) fails capsule.container', async () => {
    const honest = zipCapsuleSource(zipCapsule(sample.files));
    const source: CapsuleSource = {
      ...honest,
      list: async () => {
        throw new Error('EIO: i/o error, scandir');
      },
    };
    const v = await verifyCapsule(source, sample.trust, { verifiedAt, capsuleName: 'c.zip' });
    expect(v.report.verdict).toBe('failed');
    expect(v.report.checks).toEqual([
      expect.objectContaining({
        id: 'capsule.container',
        status: 'fail',
        subject: { kind: 'capsule', id: 'c.zip' },
        reason: 'EIO: i/o error, scandir',
      }),
    ]);
  });
});
