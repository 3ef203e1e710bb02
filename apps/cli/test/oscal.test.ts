// The OSCAL assessment-results `lineage verify --oscal` writes: a finding says why a control is not
// satisfied, `import-ap` points to something in the document, no array is empty (OSCAL arrays
// have at least one item), what was not checked is never presented as verified, and every document
// keeps the datatypes of the NIST OSCAL 1.1.2 JSON schema, whatever the capsule holds.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import * as semantic from '../../../test/capsule/support/semantic-cases.js';
import { lines, repack, withLines } from '../../../test/redteam/support.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-oscal-'));
let trust = '';

interface Finding {
  title: string;
  description: string;
  target: { status: { state: string } };
  'related-observations': { 'observation-uuid': string }[];
}
interface Observation {
  uuid: string;
  title: string;
  description: string;
  props: { name: string; value: string }[];
  types?: string[];
  collected: string;
}
interface AssessmentResults {
  metadata: { title: string };
  'import-ap': { href: string };
  'back-matter'?: {
    resources: { uuid: string; title: string; description: string; rlinks: { href: string }[] }[];
  };
  results: {
    'reviewed-controls': { 'control-selections': Record<string, unknown>[] };
    observations?: Observation[];
    findings?: Finding[];
  }[];
}

async function oscalOf(
  capsule: string,
  trustFile: string,
  expectCode: number | undefined,
): Promise<AssessmentResults> {
  const out = join(dir, `${capsule.split('/').pop()}.oscal.json`);
  const code = await runCli(['verify', capsule, '--trust', trustFile, '--oscal', out], capture(dir).io);
  if (expectCode !== undefined) expect(code).toBe(expectCode);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { 'assessment-results': AssessmentResults };
  expect(oscalErrors(doc)).toEqual([]);
  return doc['assessment-results'];
}

/**
 * The part of the NIST OSCAL 1.1.2 assessment-results JSON schema these documents use: its
 * required members, closed objects, and its datatypes with their patterns as NIST publishes them
 * (UUID v4/v5, date-time with a time zone and a year 1900–2999, token, a string without
 * leading or trailing space, a URI). An assessor's tooling validates against the full schema.
 */
const DT = {
  uuid: {
    type: 'string',
    pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$',
  },
  dateTime: {
    type: 'string',
    pattern:
      '^(((2000|2400|2800|(19|2[0-9](0[48]|[2468][048]|[13579][26])))-02-29)|(((19|2[0-9])[0-9]{2})-02-(0[1-9]|1[0-9]|2[0-8]))|(((19|2[0-9])[0-9]{2})-(0[13578]|10|12)-(0[1-9]|[12][0-9]|3[01]))|(((19|2[0-9])[0-9]{2})-(0[469]|11)-(0[1-9]|[12][0-9]|30)))T(2[0-3]|[01][0-9]):([0-5][0-9]):([0-5][0-9])(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
  },
  string: { type: 'string', pattern: '^\\S(.*\\S)?$' },
  token: { type: 'string', pattern: '^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$' },
  uri: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9+\\-.]+:.+$' },
  // A URI reference: no space, no control character, "#" at most once (a fragment), no "%" that is
  // not an escape.
  uriRef: { type: 'string', pattern: '^([^\\s%#]|%[0-9A-Fa-f]{2})*(#([^\\s%#]|%[0-9A-Fa-f]{2})*)?$' },
  markup: { type: 'string' },
};
const arr = (items: object) => ({ type: 'array', minItems: 1, items });
const obj = (properties: Record<string, object>, required: string[]) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const prop = obj({ name: DT.token, ns: DT.uri, value: DT.string }, ['name', 'value']);
const oscalSchema = obj(
  {
    'assessment-results': obj(
      {
        uuid: DT.uuid,
        metadata: obj(
          {
            title: DT.markup,
            'last-modified': DT.dateTime,
            version: DT.string,
            'oscal-version': { const: '1.1.2' },
            props: arr(prop),
          },
          ['title', 'last-modified', 'version', 'oscal-version'],
        ),
        'import-ap': obj({ href: DT.uriRef }, ['href']),
        results: arr(
          obj(
            {
              uuid: DT.uuid,
              title: DT.markup,
              description: DT.markup,
              start: DT.dateTime,
              end: DT.dateTime,
              'reviewed-controls': obj(
                {
                  'control-selections': arr(
                    obj(
                      {
                        description: DT.markup,
                        'include-controls': arr(obj({ 'control-id': DT.token }, ['control-id'])),
                      },
                      [],
                    ),
                  ),
                },
                ['control-selections'],
              ),
              observations: arr(
                obj(
                  {
                    uuid: DT.uuid,
                    title: DT.markup,
                    description: DT.markup,
                    props: arr(prop),
                    methods: arr({ enum: ['EXAMINE', 'INTERVIEW', 'TEST', 'UNKNOWN'] }),
                    types: arr({
                      enum: ['ssp-statement-issue', 'control-objective', 'mitigation', 'finding', 'historic'],
                    }),
                    'relevant-evidence': arr(
                      obj({ href: DT.uriRef, description: DT.markup }, ['description']),
                    ),
                    collected: DT.dateTime,
                  },
                  ['uuid', 'description', 'methods', 'collected'],
                ),
              ),
              findings: arr(
                obj(
                  {
                    uuid: DT.uuid,
                    title: DT.markup,
                    description: DT.markup,
                    target: obj(
                      {
                        type: { enum: ['statement-id', 'objective-id'] },
                        'target-id': DT.token,
                        status: obj({ state: { enum: ['satisfied', 'not-satisfied'] }, remarks: DT.markup }, [
                          'state',
                        ]),
                      },
                      ['type', 'target-id', 'status'],
                    ),
                    'related-observations': arr(obj({ 'observation-uuid': DT.uuid }, ['observation-uuid'])),
                  },
                  ['uuid', 'title', 'description', 'target'],
                ),
              ),
            },
            ['uuid', 'title', 'description', 'start', 'reviewed-controls'],
          ),
        ),
        'back-matter': obj(
          {
            resources: arr(
              obj(
                {
                  uuid: DT.uuid,
                  title: DT.markup,
                  description: DT.markup,
                  props: arr(prop),
                  rlinks: arr(obj({ href: DT.uriRef }, ['href'])),
                },
                ['uuid'],
              ),
            ),
          },
          ['resources'],
        ),
      },
      ['uuid', 'metadata', 'import-ap', 'results'],
    ),
  },
  ['assessment-results'],
);
const validateOscal = new Ajv2020({ allErrors: true, strict: true }).compile(oscalSchema);

/** Schema errors, and what the schema cannot say: UUIDs unique, every observation reference resolves. */
function oscalErrors(doc: { 'assessment-results': AssessmentResults }): string[] {
  const errors = validateOscal(doc)
    ? []
    : (validateOscal.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  const uuids: string[] = [];
  JSON.stringify(doc, (k, v: unknown) => {
    if (k === 'uuid') uuids.push(v as string);
    return v;
  });
  const seen = new Set<string>();
  for (const u of uuids) if (seen.has(u) || !seen.add(u)) errors.push(`uuid ${u} used twice`);
  const result = doc['assessment-results'].results[0]!;
  const observations = new Set((result.observations ?? []).map((o) => o.uuid));
  for (const f of result.findings ?? [])
    for (const r of f['related-observations'])
      if (!observations.has(r['observation-uuid'])) errors.push(`finding relates ${r['observation-uuid']}`);
  return [...new Set(errors)];
}

/** Every title, description and remarks (OSCAL markup: Markdown). */
function markupTexts(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(markupTexts);
  if (v && typeof v === 'object')
    return Object.entries(v).flatMap(([k, x]) =>
      typeof x === 'string' ? (['title', 'description', 'remarks'].includes(k) ? [x] : []) : markupTexts(x),
    );
  return [];
}

/** JSON pointers of every empty array in `v`. */
function emptyArrays(v: unknown, at = ''): string[] {
  if (Array.isArray(v)) return v.length === 0 ? [at] : v.flatMap((x, i) => emptyArrays(x, `${at}/${i}`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => emptyArrays(x, `${at}/${k}`));
  return [];
}

/** import-ap's href is a fragment naming a back-matter resource (no dangling reference). */
function importedResource(ar: AssessmentResults) {
  expect(ar['import-ap'].href).toMatch(/^#[0-9a-f-]{36}$/);
  return ar['back-matter']?.resources.find((r) => `#${r.uuid}` === ar['import-ap'].href);
}

beforeAll(async () => {
  const s = await buildFedrampSample({ dir });
  trust = s.paths!.trust;
});

describe('lineage verify --oscal', () => {
  it('the verified sample: import-ap resolves to the capsule in back-matter, with its digest; no empty array', async () => {
    const capsule = join(dir, 'fedramp-sample.capsule.zip');
    const ar = await oscalOf(capsule, trust, 0);
    const res = importedResource(ar);
    expect(res).toBeDefined();
    expect(res!.title).toBe('Lineage evidence capsule fedramp-sample.capsule.zip');
    expect(res!.description).toMatch(/SHA-256 [0-9a-f]{64}, is the SHA-256 of its canonical manifest/);
    expect(emptyArrays(ar)).toEqual([]);
  });

  it('edited artifact: a control whose events all verified names the check that failed elsewhere', async () => {
    const v = (await buildTamperedVariants()).find((x) => x.name === 'edited-artifact')!;
    const capsule = join(dir, 'edited-artifact.capsule.zip');
    const t = join(dir, 'edited-artifact.trust.json');
    writeFileSync(capsule, v.sample.zip);
    writeFileSync(t, v.sample.trustText);
    const ar = await oscalOf(capsule, t, 1);
    const result = ar.results[0]!;
    const au10 = result.findings!.find((f) => f.title.startsWith('AU-10:'))!;
    expect(au10.target.status.state).toBe('not-satisfied');
    expect(au10.title).toBe('AU-10: evidence verified, but the capsule did not verify');
    expect(au10.description).toMatch(
      /^8 events in the capsule record AU-10; 8 verified, but the capsule as a whole did not verify: capsule\.artifact_hash failed for step A3 scan\.run \(event [0-9a-f]{12}…\)\.$/,
    );
    // The failing event's observation is related to the finding, so the reason can be followed.
    const a3Obs = result.observations!.find((o) => o.title.startsWith('Step A3: scan.run'))!;
    expect(au10['related-observations'].map((r) => r['observation-uuid'])).toContain(a3Obs.uuid);
    // A control the failing event records says which of its events did not verify.
    const ra5 = result.findings!.find((f) => f.title.startsWith('RA-5:'))!;
    expect(ra5.description).toMatch(/; 1 verified, 1 did not \(step A3\)\.$/);
    expect(importedResource(ar)).toBeDefined();
    expect(emptyArrays(ar)).toEqual([]);
  });

  it('an unreadable capsule: no empty arrays (no findings, controls said in words), import-ap still resolves', async () => {
    const junk = join(dir, 'junk.zip');
    writeFileSync(junk, 'this is not a zip file at all');
    const ar = await oscalOf(junk, trust, 2);
    expect(emptyArrays(ar)).toEqual([]);
    const result = ar.results[0]!;
    expect(result.findings).toBeUndefined();
    expect(result['reviewed-controls']['control-selections']).toEqual([
      { description: expect.stringMatching(/^No controls/) },
    ]);
    expect(importedResource(ar)!.description).toMatch(/could not be read/);
  });

  it('the sample and every tampered variant keep the OSCAL datatypes; the same verification gives the same bytes', async () => {
    const capsule = join(dir, 'fedramp-sample.capsule.zip');
    const out = (n: string) => join(dir, `same-${n}.oscal.json`);
    for (const n of ['1', '2'])
      expect(await runCli(['verify', capsule, '--trust', trust, '--oscal', out(n)], capture(dir).io)).toBe(0);
    expect(readFileSync(out('1'), 'utf8')).toBe(readFileSync(out('2'), 'utf8'));
    for (const v of await buildTamperedVariants()) {
      const c = join(dir, `dt-${v.name}.capsule.zip`);
      const t = join(dir, `dt-${v.name}.trust.json`);
      writeFileSync(c, v.sample.zip);
      writeFileSync(t, v.sample.trustText);
      await oscalOf(c, t, 1);
    }
  });

  it('an incomplete verification presents nothing it did not check as verified', async () => {
    // The proof server is not pinned: no event's inclusion can be checked (nothing failed).
    const t = join(dir, 'no-proof-server.trust.json');
    writeFileSync(t, JSON.stringify({ ...JSON.parse(readFileSync(trust, 'utf8')), proof_servers: [] }));
    const ar = await oscalOf(join(dir, 'fedramp-sample.capsule.zip'), t, 1);
    const result = ar.results[0]!;
    const events = result.observations!.filter((o) => o.props.some((p) => p.name === 'lineage-event-id'));
    expect(events).toHaveLength(18);
    for (const o of events) {
      expect(o.props).toContainEqual(
        expect.objectContaining({ name: 'lineage-status', value: 'not_checked' }),
      );
      expect(o.description).not.toMatch(/verified:|passed/);
      expect(o.description).toMatch(
        /^Event [0-9a-f]{64} was not fully verified, not checked: the event is in a log under a verified tree head \(at events\.jsonl:\d+\) — the attestation covering leaf [0-9a-f]{12}… could not be checked: attestations\/000\.json: proof server "proofs\.lineage\.example" is not pinned in the trust store; /,
      );
      expect(o.props).toContainEqual(expect.objectContaining({ name: 'lineage-location' }));
    }
    // What is not checked outside the events has its own observation, and is no finding.
    const server = result.observations!.find((o) => o.title.startsWith('attestation.server_signature'))!;
    expect(server.title).toBe(
      'attestation.server_signature not checked for attestation attestations/000.json',
    );
    expect(server.props).toContainEqual(
      expect.objectContaining({ name: 'lineage-status', value: 'not_checked' }),
    );
    expect(server.types).toBeUndefined();
    for (const f of result.findings!) {
      expect(f.target.status.state).toBe('not-satisfied');
      expect(f.title).toMatch(/: evidence not fully checked$/);
    }
    // The checks not made outside the events are named by every finding, and related to it.
    const ra5 = result.findings!.find((f) => f.title.startsWith('RA-5:'))!;
    expect(ra5.description).toBe(
      '2 events in the capsule record RA-5; 0 verified, 2 could not be fully checked (step A3, 3a); elsewhere in the capsule: attestation.server_signature not checked for attestation attestations/000.json /server; commitment.opening not checked for commitment dac9b1cf3e42…#boundary.system_owner /commitments/boundary.system_owner.',
    );
    expect(ra5['related-observations'].map((r) => r['observation-uuid'])).toContain(server.uuid);
  });

  it('an event signed at a time OSCAL cannot date is collected at the verification time, its own time named', async () => {
    const start = Date.parse('2026-11-02T14:00:00.000Z');
    const s = await buildFedrampSample({
      hooks: {
        specs: (specs) => {
          // The whole workflow a thousand years on (year 3026): OSCAL dates end at 2999.
          for (const x of specs) x.at += (Date.parse('3026-01-01T00:00:00.000Z') - start) / 60_000;
        },
      },
    });
    const c = join(dir, 'year-3026.capsule.zip');
    const t = join(dir, 'year-3026.trust.json');
    writeFileSync(c, s.zip);
    writeFileSync(t, s.trustText);
    const ar = await oscalOf(c, t, undefined);
    const first = ar.results[0]!.observations![0]!;
    expect(first.collected).toBe('2026-11-22T00:00:00.000Z');
    expect(first.description).toMatch(
      /\(signed time 3026-01-01T00:00:00\.000Z, outside what OSCAL dates can hold: collected at the verification time\)$/,
    );
  });

  it('text from the capsule cannot become markup (an image, HTML, a heading) nor a link to another file', async () => {
    const evil = '<img src=https://evil.example/x.png> ![t](https://evil.example/t.png) *b* \u202e\n# h';
    const s = await buildFedrampSample({
      hooks: {
        content: (x) => {
          x.title = evil;
        },
      },
    });
    const c = join(dir, 'evidence #1?.zip');
    const t = join(dir, 'evil-title.trust.json');
    writeFileSync(c, s.zip);
    writeFileSync(t, s.trustText);
    const ar = await oscalOf(c, t, 0);
    expect(ar.metadata.title).toBe(
      'Lineage verification of \\<img src=https://evil.example/x.png\\> !\\[t\\](https://evil.example/t.png) \\*b\\* ⟨U+202E⟩⟨U+000A⟩# h',
    );
    for (const text of markupTexts(ar)) {
      expect(text).not.toMatch(/(^|[^\\])[<[*]/);
      expect(text).not.toMatch(/[\n\u202e]/);
    }
    // The link names the capsule file: "#" and "?" are part of its name, not a fragment or a query.
    const href = importedResource(ar)!.rlinks[0]!.href;
    expect(href).toBe('evidence%20%231%3F.zip');
    expect(decodeURIComponent(href)).toBe('evidence #1?.zip');
  });

  it('two failures outside the events that differ only in where they are get two observations (no uuid twice)', async () => {
    // Receipt handoff-01 replayed twice (receipts.jsonl:6 and :7): receipt.replay fails for the
    // handoff id and for the channel sequence at each line — same receipt, field and reason.
    const s = await buildFedrampSample();
    const rc = lines(s.files, 'receipts.jsonl');
    const c = join(dir, 'replayed-twice.capsule.zip');
    const t = join(dir, 'replayed-twice.trust.json');
    writeFileSync(c, repack(withLines(s.files, 'receipts.jsonl', [...rc, rc[0]!, rc[0]!])));
    writeFileSync(t, s.trustText);
    const ar = await oscalOf(c, t, 1); // oscalErrors: every uuid once
    const replays = ar.results[0]!.observations!.filter((o) => o.title.startsWith('receipt.replay'));
    expect(replays.map((o) => o.props.find((p) => p.name === 'lineage-location')?.value)).toEqual([
      'receipts.jsonl:6',
      'receipts.jsonl:7',
      'receipts.jsonl:6',
      'receipts.jsonl:7',
    ]);
  });

  it('a failure outside the events is related to every finding it keeps from being satisfied, even one whose own events failed', async () => {
    // The log's tree head is signed by a key not in the trust file: every event fails its
    // inclusion, and the cause (attestation.sth_signature) and the cards' lineage fail outside them.
    const v = (await buildTamperedVariants()).find((x) => x.name === 'untrusted-log-sth')!;
    const c = join(dir, 'related-untrusted-log-sth.capsule.zip');
    const t = join(dir, 'related-untrusted-log-sth.trust.json');
    writeFileSync(c, v.sample.zip);
    writeFileSync(t, v.sample.trustText);
    const result = (await oscalOf(c, t, 1)).results[0]!;
    const outside = result.observations!.filter(
      (o) => o.types?.includes('finding') && !o.props.some((p) => p.name === 'lineage-event-id'),
    );
    expect(outside.map((o) => o.title.split(' ')[0])).toEqual([
      'attestation.sth_signature',
      ...Array(5).fill('card.lineage'),
    ]);
    for (const f of result.findings!) {
      expect(f.target.status.state).toBe('not-satisfied');
      const related = f['related-observations'].map((r) => r['observation-uuid']);
      expect({ finding: f.title, related: outside.filter((o) => !related.includes(o.uuid)) }).toEqual({
        finding: f.title,
        related: [],
      });
      expect(f.description).toMatch(
        /did not \(step [^)]+\); elsewhere in the capsule: attestation\.sth_signature failed for attestation attestations\/000\.json \/logs\/0\/checkpoint; card\.lineage failed for card lin:agent:[0-9a-f]{64} /,
      );
    }
  });

  it('every semantic-tamper case keeps the OSCAL datatypes, and no control it records is satisfied', async () => {
    for (const [name, hooks] of Object.entries({
      sarAndAtoByCspStaff: semantic.sarAndAtoByCspStaff(),
      riskAcceptedBeforeScan: semantic.riskAcceptedBeforeScan(),
      receiptBeforeScan: semantic.receiptBeforeScan(),
      earlyTreeHead: semantic.earlyTreeHead(),
      eventTwiceInStep: semantic.eventTwiceInStep(),
    })) {
      const s = await buildFedrampSample({ hooks });
      const c = join(dir, `semantic-${name}.capsule.zip`);
      const t = join(dir, `semantic-${name}.trust.json`);
      writeFileSync(c, s.zip);
      writeFileSync(t, s.trustText);
      const result = (await oscalOf(c, t, 1)).results[0]!;
      expect(result.findings!.map((f) => f.target.status.state)).toEqual(Array(9).fill('not-satisfied'));
    }
  });
});
