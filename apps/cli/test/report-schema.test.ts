// The documented JSON schema of `lineage verify --json` (docs/spec/verify-report.schema.json) holds
// for what the CLI prints: the sample (exit 0), every tampered variant and every semantic-tamper case
// (exit 1), and every kind of unusable input (exit 2), validated with a real JSON Schema 2020-12
// validator (ajv).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import { CAPSULE_CHECK_IDS, IDENTITY_CHECK_IDS } from '@lineage/verifier-core';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import * as semantic from '../../../test/capsule/support/semantic-cases.js';
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
  return (await runJson(['verify', file, '--trust', trust, '--json'])).doc;
}

/** Runs the CLI; stdout must be exactly one JSON document. */
async function runJson(argv: string[]): Promise<{ code: number; doc: Record<string, unknown> }> {
  const c = capture(dir);
  const code = await runCli(argv, c.io);
  return { code, doc: JSON.parse(c.stdout()) as Record<string, unknown> };
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

  it('for every tampered variant (exit 1)', async () => {
    for (const v of await buildTamperedVariants()) {
      const trust = join(dir, `${v.name}.trust.json`);
      writeFileSync(trust, v.sample.trustText);
      const doc = await verifyJson(v.sample.zip, trust, `${v.name}.zip`);
      expect({ variant: v.name, errors: errorsOf(doc) }).toEqual({ variant: v.name, errors: [] });
    }
  });

  it('for every semantic-tamper case (exit 1), the policy and placement checks included', async () => {
    // test/capsule/support/semantic-cases.ts: re-signed capsules that tell a wrong story. Their
    // failures are the newer check ids (chain.required_event, capsule.receipt_payload, and
    // chain.required_approval from a rule's approval_covers), which no tampered variant raises.
    const cases = {
      riskAcceptedByComplianceLead: semantic.riskAcceptedByComplianceLead(),
      rejectedRiskAcceptance: semantic.rejected('3a'),
      rejectedSar: semantic.rejected('5a'),
      rejectedBoundary: semantic.rejected('e0'),
      riskAcceptanceEarly: semantic.signedAt('3a', 140),
      atoBeforeSar: semantic.signedAt('6', 590),
      sequenceGap: semantic.baselinesSequence(4),
      sequenceReused: semantic.baselinesSequence(2),
      revokedByApprover: semantic.revokedBy({ kind: 'human', human: 'co' }),
      revokedBySelf: semantic.revokedBy({ kind: 'agent', agent: 'A3' }),
      cardLineageToA2: semantic.cardLineageToA2(),
      earlyTreeHead: semantic.earlyTreeHead(),
      receiptSignaturesSwapped: semantic.receiptSignaturesSwapped(),
      eventTwiceInStep: semantic.eventTwiceInStep(),
      sarAndAtoByCspStaff: semantic.sarAndAtoByCspStaff(),
      atoByUnpinnedApprover: semantic.atoByUnpinnedApprover(),
      riskAcceptedBeforeScan: semantic.riskAcceptedBeforeScan(),
      receiptBeforeScan: semantic.receiptBeforeScan(),
    };
    const failedIds = new Set<string>();
    const expectedOf: string[] = [];
    for (const [name, hooks] of Object.entries(cases)) {
      const s = await buildFedrampSample({ hooks });
      const trust = join(dir, `semantic-${name}.trust.json`);
      writeFileSync(trust, s.trustText);
      const doc = await verifyJson(s.zip, trust, `semantic-${name}.zip`);
      expect({ name, errors: errorsOf(doc) }).toEqual({ name, errors: [] });
      const report = doc.report as {
        verdict: string;
        checks: { id: string; status: string; expected?: string }[];
      };
      expect({ name, verdict: report.verdict }).toEqual({ name, verdict: 'failed' });
      for (const c of report.checks.filter((x) => x.status === 'fail')) {
        failedIds.add(c.id);
        if (c.expected) expectedOf.push(c.expected);
      }
    }
    expect([...failedIds]).toEqual(
      expect.arrayContaining(['chain.required_event', 'capsule.receipt_payload', 'chain.required_approval']),
    );
    // approval_covers: the approval must build on the covered work (ssp.package covers scan.run).
    expect(expectedOf).toContainEqual(
      expect.stringMatching(/, that builds on scan\.run event [0-9a-f]{64}$/),
    );
  });

  it('for every kind of unusable input (exit 2): one "unusable" shape with a structured error', async () => {
    const trust = sample.paths!.trust;
    const capsule = sample.paths!.capsule;
    const badTrust = join(dir, 'bad-trust.json');
    writeFileSync(badTrust, '{"version":1,"logs":[],"logs":[]}');
    const junk = join(dir, 'junk.zip');
    writeFileSync(junk, new Uint8Array(100).fill(7));
    const cases: [string, string[], Record<string, unknown>][] = [
      [
        'missing capsule',
        ['verify', join(dir, 'nope.zip'), '--trust', trust, '--json'],
        { code: 'capsule.open', file: join(dir, 'nope.zip') },
      ],
      [
        'missing trust file',
        ['verify', capsule, '--trust', join(dir, 'nope.json'), '--json'],
        { code: 'input.read', file: join(dir, 'nope.json') },
      ],
      [
        'bad trust file',
        ['verify', capsule, '--trust', badTrust, '--json'],
        { code: 'trust.store', file: badTrust },
      ],
      [
        'unreadable container',
        ['verify', junk, '--trust', trust, '--json'],
        { code: 'capsule.container', file: junk },
      ],
      ['no trust file', ['verify', capsule, '--json'], { code: 'usage' }],
      ['unknown option', ['verify', capsule, '--trust', trust, '--json', '--colour'], { code: 'usage' }],
      [
        'output is the capsule',
        ['verify', capsule, '--trust', trust, '--json', '--oscal', capsule],
        { code: 'usage', file: capsule },
      ],
    ];
    for (const [name, argv, error] of cases) {
      const { code, doc } = await runJson(argv);
      expect({ name, code, errors: errorsOf(doc) }).toEqual({ name, code: 2, errors: [] });
      expect(doc, name).toMatchObject({ verdict: 'unusable', error });
    }
    // The trust file's error names the field; the unreadable container keeps the checks made.
    const t = await runJson(['verify', capsule, '--trust', badTrust, '--json']);
    expect((t.doc.error as { field?: string }).field).toBeDefined();
    const j = await runJson(['verify', junk, '--trust', trust, '--json']);
    expect((j.doc.report as { checks: { id: string; status: string }[] }).checks).toContainEqual(
      expect.objectContaining({ id: 'capsule.container', status: 'fail' }),
    );
  });

  it('the three shapes are told apart: verified, failed and unusable each validate only as what they are', async () => {
    const ok = await verifyJson(sample.zip, sample.paths!.trust, 'three.zip');
    expect(errorsOf(ok)).toEqual([]);
    const unusable = (
      await runJson(['verify', join(dir, 'nope.zip'), '--trust', sample.paths!.trust, '--json'])
    ).doc;
    expect(errorsOf(unusable)).toEqual([]);
    // The shape printed before (no verifier, an error without structure) is not documented.
    expect(errorsOf({ command: 'lineage verify', verdict: 'unusable', error: 'x' })).not.toEqual([]);
    expect(errorsOf({ ...unusable, error: { message: 'no code' } })).not.toEqual([]);
    // A report cannot claim to be unusable, nor an unusable document carry the report's fields.
    expect(errorsOf({ ...ok, verdict: 'unusable' })).not.toEqual([]);
    expect(errorsOf({ ...unusable, events: [] })).not.toEqual([]);
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
