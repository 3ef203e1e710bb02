import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../test/support/vectors.js';
import { IDENTITY_CHECK_IDS } from './check-ids.js';

describe('chapter-4 check ids', () => {
  it('the code list and the spec table (§4.10) are the same closed list', () => {
    const spec = readFileSync(resolve(repoRoot, 'docs/spec/04-identity-and-lineage.md'), 'utf8');
    const section = spec.slice(spec.indexOf('## 4.10 Check ids'), spec.indexOf('## 4.11'));
    const documented = [...section.matchAll(/^\| `([a-z0-9_.]+)`/gm)].map((m) => m[1]);
    expect(documented).toEqual([...IDENTITY_CHECK_IDS]);
  });
});
