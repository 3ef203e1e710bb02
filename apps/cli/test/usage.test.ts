import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, createSarApproval } from '@lineage/producer';
import { verifyCapsule, zipCapsuleSource } from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const cliVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('lineage usage', () => {
  it.each([['--version'], ['-V'], ['version']])(
    '%s names the version and the formats it reads',
    async (flag) => {
      const c = capture();
      expect(await runCli([flag], c.io)).toBe(0);
      expect(c.stdout()).toBe(
        `lineage ${cliVersion} (capsule format v1, report schema v1, Node ${process.versions.node})`,
      );
      expect(c.stderr()).toBe('');
    },
  );

  it('an unknown command is a usage error (exit 2) that lists the commands', async () => {
    const c = capture();
    expect(await runCli(['verfy', 'x.zip'], c.io)).toBe(2);
    expect(c.stderr()).toContain('unknown command "verfy x.zip"');
    expect(c.stderr()).toContain('lineage verify CAPSULE --trust TRUST_FILE');
    // The exit codes as the README and spec give them: incomplete is not verified.
    expect(c.stderr()).toContain(
      'Exit codes: 0 verified, 1 failed or incomplete (something could not be checked), 2 unusable input or usage.',
    );
  });

  it.each([['approval'], ['capsule'], ['checkpoint'], ['sth'], ['tlog']])(
    '%s --help shows its subcommands (it was an unknown command, exit 2)',
    async (group) => {
      for (const flag of ['--help', '-h']) {
        const c = capture();
        expect(await runCli([group, flag], c.io)).toBe(0);
        expect(c.stdout()).toMatch(new RegExp(`^usage: lineage ${group} \\S+ `));
        expect(c.stderr()).toBe('');
      }
    },
  );

  it('a group word without a subcommand is still a usage error', async () => {
    const c = capture();
    expect(await runCli(['approval'], c.io)).toBe(2);
    expect(c.stderr()).toContain('unknown command "approval"');
  });

  it('approval verify without --capsule is incomplete: exit 1, as documented', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-usage-'));
    const s = await buildFedrampSample({ dir });
    const v = await verifyCapsule(zipCapsuleSource(s.zip), s.trust, {
      verifiedAt: '2026-11-22T00:00:00Z',
      capsuleName: 'sample.zip',
    });
    const approval = createSarApproval({
      capsule: v,
      decision: 'approve',
      comment: 'ok',
      approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
      signingKey: s.keys.humans['3pao']!.secretKey,
      signedAt: '2026-11-22T00:00:00Z',
    });
    const file = join(dir, 'approval.json');
    writeFileSync(file, JSON.stringify(approval));
    const c = capture(dir);
    expect(await runCli(['approval', 'verify', file, '--trust', s.paths!.trust], c.io)).toBe(1);
    expect(c.stdout()).toMatch(/INCOMPLETE/);
  });

  it('--version with arguments is not taken for the version', async () => {
    const c = capture();
    expect(await runCli(['--version', 'extra'], c.io)).toBe(2);
  });

  it('the commands that read a passphrase say where from, and approve where it writes by default', async () => {
    for (const cmd of [['keygen'], ['approve']]) {
      const c = capture();
      expect(await runCli([...cmd, '--help'], c.io)).toBe(0);
      expect(c.stdout()).toContain('[--passphrase-file FILE]');
    }
    const c = capture();
    await runCli(['approve', '--help'], c.io);
    expect(c.stdout()).toContain('writes <capsule name>.sar-approval.json in the current directory');
  });
});
