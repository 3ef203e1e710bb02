import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../encoding/bytes.js';
import { parseManifest } from './manifest.js';

const manifest = (steps: unknown) => ({
  type: 'lineage.capsule',
  version: 1,
  capsule_id: 'c-1',
  created_at: '2026-11-03T05:02:01.000Z',
  title: 't',
  workflow: { name: 'w', steps },
  files: [{ path: 'events.jsonl', kind: 'events', size: 0, sha256: '00'.repeat(32) }],
});
const parse = (m: unknown) => parseManifest(utf8Encode(JSON.stringify(m)));
const step = (i: number, events: string[] = []) => ({ id: String(i), title: `step ${i}`, events });

describe('manifest bounds (spec §5.2)', () => {
  it('takes 1,000 workflow steps and refuses 1,001, naming the field, the bound and the count', () => {
    expect(parse(manifest(Array.from({ length: 1_000 }, (_, i) => step(i)))).workflow.steps).toHaveLength(
      1_000,
    );
    expect(() => parse(manifest(Array.from({ length: 1_001 }, (_, i) => step(i))))).toThrow(
      expect.objectContaining({
        code: 'capsule.manifest',
        path: '/workflow/steps',
        expected: 'at most 1,000 entries',
        found: '1,001',
      }),
    );
  });

  it('refuses a step naming more than 1,000,000 events', () => {
    const ids = Array.from({ length: 1_000_001 }, () => 'ab'.repeat(32));
    expect(() => parse(manifest([step(0, ids)]))).toThrow(
      expect.objectContaining({ path: '/workflow/steps/0/events', expected: 'at most 1,000,000 entries' }),
    );
  });
});
