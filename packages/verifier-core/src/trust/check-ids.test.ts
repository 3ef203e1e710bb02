import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../../test/support/vectors.js';
import { CAPSULE_CHECK_IDS } from '../capsule/check-ids.js';
import { IDENTITY_CHECK_IDS } from './check-ids.js';

/** The ids in the first column of a spec section's check-id table. */
function documentedIds(file: string, from: string, to: string): string[] {
  const spec = readFileSync(resolve(repoRoot, file), 'utf8');
  const section = spec.slice(spec.indexOf(from), spec.indexOf(to));
  return [...section.matchAll(/^\| `([a-z0-9_.]+)`/gm)].map((m) => m[1]!);
}

describe('check ids: the code lists and the spec tables are the same closed lists', () => {
  it('chapter 4 (§4.10)', () => {
    expect(documentedIds('docs/spec/04-identity-and-lineage.md', '## 4.10 Check ids', '## 4.11')).toEqual([
      ...IDENTITY_CHECK_IDS,
    ]);
  });

  it('chapter 5: capsules and approvals (§5.8)', () => {
    expect(documentedIds('docs/spec/05-capsules.md', '## 5.8 Check ids', '## 5.9')).toEqual([
      ...CAPSULE_CHECK_IDS,
    ]);
  });
});
