// The main-process services end to end in Node, on the real FedRAMP sample and its tampered variants.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, buildTamperedVariants, type FedrampSample } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphWithCheckStatus } from '../src/shared/graph-status.js';
import { createHarness, type Harness } from './support/harness.js';

let sample: FedrampSample;
let h: Harness;
const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-sample-'));

beforeAll(async () => {
  sample = await buildFedrampSample({ dir });
  h = createHarness();
});

describe('desktop services on the FedRAMP sample', () => {
  it('with an empty trust store nothing verifies', async () => {
    expect((await h.api.trustList()).entries).toEqual([]);
    h.openQueue.push(sample.paths!.capsule);
    const opened = (await h.api.openCapsuleDialog())!;
    const out = await h.api.verify(opened.capsuleId);
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.verification.report.verdict).not.toBe('verified');
  });

  it('imports the trust store and verifies the sample, with progress events', async () => {
    await h.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
    h.openQueue.push(sample.paths!.capsule);
    const opened = (await h.api.openCapsuleDialog())!;
    h.events.length = 0;
    const out = await h.api.verify(opened.capsuleId);
    expect(out.status).toBe('done');
    if (out.status !== 'done') return;
    expect(out.verification.report.verdict).toBe('verified');
    expect(out.verification.report.summary.fail).toBe(0);
    const phases = h.events.flatMap((e) => (e.type === 'verify-progress' ? [e.progress.phase] : []));
    expect(phases).toContain('verifying signatures and proofs');
    // The last word before the result arrives: the copy to the window takes seconds at scale.
    expect(phases.at(-1)).toBe('preparing the report');
    expect((await h.api.recentFiles())[0]?.path).toBe(sample.paths!.capsule);
  });

  it('opens only paths the main process chose: the dialog, the recent list, a drop resolved by the preload', async () => {
    const before = await h.api.recentFiles();
    for (const p of ['/etc/shadow', '/etc/passwd', '/root/.ssh/id_rsa', 'relative.zip']) {
      await expect(h.api.openRecent(p)).rejects.toThrow(
        `refused to open ${p}: it is not in the recent files list`,
      );
    }
    await expect(h.api.openDropped('/etc/passwd')).rejects.toThrow(/refused to open \/etc\/passwd/);
    expect(await h.api.recentFiles()).toEqual(before);
    // The page has no method that takes a path except the recent list's own entries.
    expect(h.api).not.toHaveProperty('openCapsulePath');
    const again = await h.api.openRecent(sample.paths!.capsule);
    expect(again.path).toBe(sample.paths!.capsule);
  });

  it('cancels a verification requested a moment ago', async () => {
    const opened = await h.api.openCapsuleBytes('big.zip', sample.zip);
    const p = h.api.verify(opened.capsuleId);
    await h.api.cancelVerify(opened.capsuleId);
    expect((await p).status).toBe('cancelled');
  });

  it('cancels a verification while its worker is running', async () => {
    const opened = await h.api.openCapsuleBytes('running.zip', sample.zip);
    let cancelled = false;
    h.onEvent((e) => {
      if (!cancelled && e.type === 'verify-progress' && e.capsuleId === opened.capsuleId) {
        cancelled = true;
        void h.api.cancelVerify(opened.capsuleId);
      }
    });
    const out = await h.api.verify(opened.capsuleId);
    expect(cancelled).toBe(true);
    expect(out.status).toBe('cancelled');
    // A cancelled verification leaves nothing to approve or export.
    await expect(h.api.exportFile({ capsuleId: opened.capsuleId, format: 'json' })).rejects.toThrow(
      /not been verified/,
    );
  });

  it('exports JSON, OSCAL and printable HTML of the verified report', async () => {
    h.openQueue.push(sample.paths!.capsule);
    const opened = (await h.api.openCapsuleDialog())!;
    await h.api.verify(opened.capsuleId);
    for (const format of ['json', 'oscal', 'html'] as const) {
      const r = await h.api.exportFile({ capsuleId: opened.capsuleId, format });
      expect(r.saved).toBe(true);
    }
    const { verifier, report } = JSON.parse(readFileSync(h.saved.at(-3)!, 'utf8')) as {
      verifier: string;
      report: { verdict: string; checks: unknown[] };
    };
    const json = report;
    expect(verifier).toMatch(/^lineage desktop \d+\.\d+\.\d+$/);
    expect(json.verdict).toBe('verified');
    expect(json.checks.length).toBeGreaterThan(10);
    const oscal = JSON.parse(readFileSync(h.saved.at(-2)!, 'utf8')) as Record<string, unknown>;
    expect(oscal).toHaveProperty('assessment-results');
    const desktopVersion = (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
    expect(
      (oscal['assessment-results'] as { metadata: { props: { name: string; value: string }[] } }).metadata
        .props,
    ).toContainEqual(
      expect.objectContaining({ name: 'lineage-verifier', value: `lineage desktop ${desktopVersion}` }),
    );
    const html = readFileSync(h.saved.at(-1)!, 'utf8');
    expect(html).toContain('Verified');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script/i);
    // The printout lists every check (the app's lists draw 200 rows at a time; paper cannot click "more").
    expect(html.match(/data-check-id=/g)).toHaveLength(json.checks.length);
    expect(html).not.toContain('data-testid="more-rows"');
    await expect(h.api.exportFile({ capsuleId: opened.capsuleId, format: 'pdf' })).rejects.toThrow(
      /desktop app/,
    );
  });
});

describe('tampered variants', () => {
  it('each variant fails with its documented check on its documented subject', async () => {
    const variants = await buildTamperedVariants();
    expect(variants.length).toBeGreaterThanOrEqual(10);
    const th = createHarness();
    await th.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
    for (const v of variants) {
      const opened = await th.api.openCapsuleBytes(`${v.name}.zip`, v.sample.zip);
      const out = await th.api.verify(opened.capsuleId);
      expect(out.status, v.name).toBe('done');
      if (out.status !== 'done') continue;
      const ver = out.verification;
      expect(ver.report.verdict, v.name).toBe('failed');
      const failing = ver.report.checks.filter((c) => c.status === 'fail' && c.id === v.checkId);
      expect(failing.length, `${v.name}: ${v.checkId}`).toBeGreaterThan(0);
      if (v.eventKey) {
        const eventId = v.sample.eventIds[v.eventKey]!;
        expect(
          failing.some((c) => c.subject.id === eventId),
          `${v.name} names ${v.eventKey}`,
        ).toBe(true);
        expect(graphWithCheckStatus(ver).nodes.find((n) => n.id === eventId)?.status, `${v.name} node`).toBe(
          'fail',
        );
      }
    }
  });
});
