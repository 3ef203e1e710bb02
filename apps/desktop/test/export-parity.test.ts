// The desktop's report exports are the CLI's documents: for the same capsule, trust file and
// verification time, `lineage verify --json --report-html --oscal` and the app's JSON, OSCAL and
// printable HTML exports agree (spec §5.10), apart from the verifier each names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants } from '@lineage/producer';
import type { CapsuleVerification, CheckOutcome } from '@lineage/verifier-core';
import Ajv2020 from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/src/main.js';
import { DESKTOP_VERIFIER } from '../src/shared/run-verification.js';
import { createHarness } from './support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-parity-'));
const schema = JSON.parse(
  readFileSync(new URL('../../../docs/spec/verify-report.schema.json', import.meta.url), 'utf8'),
) as object;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const cases: { name: string; capsule: string; trust: string }[] = [];

beforeAll(async () => {
  const sample = await buildFedrampSample({ dir });
  cases.push({ name: 'sample', capsule: sample.paths!.capsule, trust: sample.paths!.trust });
  for (const v of await buildTamperedVariants({ only: ['forged-event-signature', 'untrusted-log-sth'] })) {
    const capsule = join(dir, `${v.name}.capsule.zip`);
    const trust = join(dir, `${v.name}.trust.json`);
    writeFileSync(capsule, v.sample.zip);
    writeFileSync(trust, v.sample.trustText);
    cases.push({ name: v.name, capsule, trust });
  }
});

const textOf = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The lineage-verifier prop, the one place the OSCAL documents may differ. */
function withVerifier(oscal: unknown, verifier: string): unknown {
  const doc = structuredClone(oscal) as {
    'assessment-results': { metadata: { props: { name: string; value: string }[] } };
  };
  for (const p of doc['assessment-results'].metadata.props)
    if (p.name === 'lineage-verifier') p.value = verifier;
  return doc;
}

describe('desktop exports and lineage verify write the same documents', () => {
  it('for the sample and two tampered variants: JSON, OSCAL and the checks of the HTML report', async () => {
    expect(cases.map((c) => c.name)).toEqual(['sample', 'forged-event-signature', 'untrusted-log-sth']);
    const at = new Date();
    for (const c of cases) {
      const out = join(dir, c.name);
      let stdout = '';
      const code = await runCli(
        [
          'verify',
          c.capsule,
          '--trust',
          c.trust,
          '--json',
          '--report-html',
          `${out}.html`,
          '--oscal',
          `${out}.oscal.json`,
        ],
        { out: (t) => (stdout += `${t}\n`), err: () => {}, isTty: false, cwd: dir, env: {}, now: () => at },
      );
      expect(code).toBe(c.name === 'sample' ? 0 : 1);
      const cli = JSON.parse(stdout) as { verifier: string } & CapsuleVerification;

      const h = createHarness({ now: () => at });
      await h.api.trustImportStore(readFileSync(c.trust, 'utf8'));
      h.openQueue.push(c.capsule);
      const { capsuleId } = (await h.api.openCapsuleDialog())!;
      expect((await h.api.verify(capsuleId)).status).toBe('done');
      for (const format of ['json', 'oscal', 'html'] as const)
        expect((await h.api.exportFile({ capsuleId, format })).saved).toBe(true);
      const [jsonPath, oscalPath, htmlPath] = h.saved.slice(-3) as [string, string, string];

      // JSON: the same document, valid against the schema, apart from which verifier made it.
      const desk = JSON.parse(readFileSync(jsonPath, 'utf8')) as { verifier: string } & CapsuleVerification;
      expect(validate(desk) ? [] : validate.errors).toEqual([]);
      expect(desk.verifier).toBe(DESKTOP_VERIFIER);
      expect({ ...desk, verifier: cli.verifier }).toEqual(cli);
      expect(Object.keys(desk)).toEqual(Object.keys(cli));

      // OSCAL: the same structure, uuids and text; only the lineage-verifier prop differs.
      const deskOscal = JSON.parse(readFileSync(oscalPath, 'utf8')) as unknown;
      const cliOscal = JSON.parse(readFileSync(`${out}.oscal.json`, 'utf8')) as unknown;
      expect(withVerifier(deskOscal, DESKTOP_VERIFIER)).toEqual(deskOscal);
      expect(withVerifier(deskOscal, cli.verifier)).toEqual(cliOscal);

      // HTML: each renders its own layout, but lists every check with the same id and status, and
      // every failure's reason, expected and found; both name the verifier and the full digest.
      const deskHtml = readFileSync(htmlPath, 'utf8');
      const cliHtml = readFileSync(`${out}.html`, 'utf8');
      const statuses = (checks: readonly CheckOutcome[]) => checks.map((x) => `${x.status} ${x.id}`).sort();
      const deskRows = [...deskHtml.matchAll(/data-check-id="([^"]+)" data-status="([^"]+)"/g)].map(
        (m) => `${m[2]} ${m[1]}`,
      );
      const cliRows = [...cliHtml.matchAll(/<tr class="(\w+)"><td>\1<\/td><td><code>([^<]+)<\/code>/g)].map(
        (m) => `${m[1]} ${m[2]}`,
      );
      expect(deskRows.sort()).toEqual(statuses(cli.report.checks));
      expect(cliRows.sort()).toEqual(statuses(cli.report.checks));
      for (const x of cli.report.checks.filter((y) => y.status !== 'pass'))
        for (const text of [x.reason, x.expected, x.found])
          if (text !== undefined) {
            expect(textOf(deskHtml)).toContain(text);
            expect(textOf(cliHtml)).toContain(text);
          }
      expect(deskHtml).toContain(`<code>${cli.capsuleDigest}</code>`);
      expect(deskHtml).toContain(`by <code>${DESKTOP_VERIFIER}</code>`);
      expect(cliHtml).toContain(`<code>${cli.capsuleDigest}</code>`);
      expect(cliHtml).toContain(`by ${cli.verifier}`);
    }
  });
});
