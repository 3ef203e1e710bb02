// The documented JSON schema of `lineage verify --json` (docs/spec/verify-report.schema.json) holds
// for what the CLI prints: the sample, every tampered variant, an unreadable capsule.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import { CAPSULE_CHECK_IDS, IDENTITY_CHECK_IDS } from '@lineage/verifier-core';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test/support/vectors.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'docs/spec/verify-report.schema.json'), 'utf8')) as {
  $defs: { checkId: { enum: string[] } };
};
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-schema-'));
let sample: Awaited<ReturnType<typeof buildFedrampSample>>;

async function verifyJson(zip: Uint8Array, trust: string, name: string): Promise<Record<string, unknown>> {
  const file = join(dir, name);
  writeFileSync(file, zip);
  const c = capture(dir);
  await runCli(['verify', file, '--trust', trust, '--json'], c.io);
  return JSON.parse(c.stdout()) as Record<string, unknown>;
}

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

beforeAll(async () => {
  sample = await buildFedrampSample({ dir });
});

describe('lineage verify --json follows its documented schema', () => {
  it('the schema names exactly the closed lists of check ids', () => {
    expect(schema.$defs.checkId.enum).toEqual([...IDENTITY_CHECK_IDS, ...CAPSULE_CHECK_IDS]);
  });

  it('for the verified sample', async () => {
    const doc = await verifyJson(sample.zip, sample.paths!.trust, 'sample.zip');
    expect(errorsOf(doc)).toEqual([]);
    expect((doc.report as { verdict: string }).verdict).toBe('verified');
  });

  it('for every tampered variant, and for an unreadable capsule', async () => {
    for (const v of await buildTamperedVariants()) {
      const trust = join(dir, `${v.name}.trust.json`);
      writeFileSync(trust, v.sample.trustText);
      const doc = await verifyJson(v.sample.zip, trust, `${v.name}.zip`);
      expect({ variant: v.name, errors: errorsOf(doc) }).toEqual({ variant: v.name, errors: [] });
    }
    const junk = await verifyJson(new Uint8Array(100).fill(7), sample.paths!.trust, 'junk.zip');
    expect(errorsOf(junk)).toEqual([]);
    expect(junk.capsuleDigest).toBe('');
  });

  it('and refuses what it does not document', async () => {
    const doc = await verifyJson(sample.zip, sample.paths!.trust, 'again.zip');
    const report = doc.report as { checks: { id: string }[]; summary?: unknown };
    const unknownId = structuredClone(doc);
    (unknownId.report as typeof report).checks[0]!.id = 'capsule.looks_fine';
    expect(errorsOf(unknownId).join('\n')).toMatch(
      /checks\/0\/id must be equal to one of the allowed values/,
    );
    const noSummary = structuredClone(doc);
    delete (noSummary.report as typeof report).summary;
    expect(errorsOf(noSummary).join('\n')).toMatch(/must have required property 'summary'/);
    expect(errorsOf({ ...doc, extra: 1 }).join('\n')).toMatch(/must NOT have additional properties/);
  });
});
