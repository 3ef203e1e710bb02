import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorPath } from '../../../../test/support/vectors.js';
import { toBase64 } from '../encoding/base64.js';
import { formatCheckpointBody, parseCheckpointBody } from './checkpoint-body.js';

interface BodyCase {
  id: string;
  body: string;
  expectStrict:
    | { result: 'valid'; origin: string; size: string; rootHashB64: string; extensionLines: string[] }
    | { result: 'invalid'; reason: string };
}
const cases: BodyCase[] = JSON.parse(
  readFileSync(vectorPath('c2sp-notes', 'checkpoint-body-vectors.json'), 'utf8'),
).cases;

const REASON_CODES: Record<string, string> = {
  'size not canonical decimal': 'checkpoint.size',
  'size exceeds uint64': 'checkpoint.size-range',
  'root hash not 32 bytes': 'checkpoint.root-length',
  'root not std base64': 'checkpoint.root-encoding',
  'body must end with newline': 'checkpoint.newline',
  'fewer than 3 lines': 'checkpoint.lines',
  'empty origin': 'checkpoint.origin',
  'empty extension line': 'checkpoint.extension',
  'size 0 requires empty-tree root': 'checkpoint.empty-tree',
};

describe('c2sp checkpoint body vectors (strict)', () => {
  it('covers every case in the file', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const e = c.expectStrict;
    if (e.result === 'valid') {
      const b = parseCheckpointBody(c.body);
      expect(b.origin).toBe(e.origin);
      expect(b.size).toBe(BigInt(e.size));
      expect(toBase64(b.rootHash)).toBe(e.rootHashB64);
      expect(b.extensionLines).toEqual(e.extensionLines);
      // Round trip: our serialiser reproduces the exact bytes.
      expect(formatCheckpointBody(b)).toBe(c.body);
    } else {
      const code = REASON_CODES[e.reason];
      expect(code, `unmapped reason ${e.reason}`).toBeDefined();
      expect(() => parseCheckpointBody(c.body)).toThrow(expect.objectContaining({ code }));
    }
  });

  it('refuses to serialise a body with a newline inside the origin', () => {
    expect(() => formatCheckpointBody({ origin: 'a\nb', size: 1n, rootHash: new Uint8Array(32) })).toThrow();
  });
});
