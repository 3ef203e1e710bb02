import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

describe('lineage demo', () => {
  it('builds the FedRAMP sample in a temporary directory and prints a verified report', async () => {
    const c = capture();
    expect(await runCli(['demo'], c.io)).toBe(0);
    const text = c.stdout();
    expect(text).toMatch(/Built the FedRAMP sample/);
    expect(text).toMatch(/\nVERIFIED — /);
    for (const step of ['0 ', 'A1', 'A2', '2a', 'A3', '3a', 'A4', '4a', 'A5', '5a', '6 '])
      expect(text).toContain(`✓ ${step}`);
    expect(text).toMatch(/committed, not disclosed: boundary\.ip_ranges/);
    // The printed approve command works as printed.
    const cmd =
      /LINEAGE_PASSPHRASE=(\S+) lineage approve (\S+) --key (\S+) --decision approve --comment "…" --trust (\S+)/.exec(
        text,
      )!;
    // Run where the demo wrote its files, so the default approval file lands there too.
    const a = capture(dirname(cmd[2]!), { LINEAGE_PASSPHRASE: cmd[1]! });
    expect(
      await runCli(
        [
          'approve',
          cmd[2]!,
          '--key',
          cmd[3]!,
          '--decision',
          'approve',
          '--comment',
          'demo',
          '--trust',
          cmd[4]!,
        ],
        a.io,
      ),
    ).toBe(0);
    expect(a.stdout()).toMatch(/Signed SAR approval \(approve\) by Sam Okafor/);
  });

  it('--tampered shows every attack caught by its documented check id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-demo-t-'));
    const c = capture();
    expect(await runCli(['demo', '--tampered', '--dir', dir, '--json'], c.io)).toBe(0);
    const j = JSON.parse(c.stdout());
    expect(j.allCaught).toBe(true);
    expect(j.variants).toHaveLength(12);
    const ids = Object.fromEntries(
      j.variants.map((v: { name: string; checkId: string }) => [v.name, v.checkId]),
    );
    expect(ids['forged-event-signature']).toBe('event.signature');
    expect(ids['capsule-supplied-trust-root']).toBe('capsule.embedded_trust');
    // Each catch says what the check expected and what it found.
    for (const v of j.variants as { name: string; expected?: string; found?: string }[]) {
      expect(v.expected, v.name).toEqual(expect.any(String));
      expect(v.found, v.name).toEqual(expect.any(String));
    }
  });

  it('--tampered --dir makes a directory that does not exist yet', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lineage-demo-t-')), 'new', 'nested');
    const c = capture();
    expect(await runCli(['demo', '--tampered', '--dir', dir], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/^ALL CAUGHT — 12 of 12/);
    expect(existsSync(join(dir, 'forged-event-signature.capsule.zip'))).toBe(true);
    expect(existsSync(join(dir, 'forged-event-signature.trust.json'))).toBe(true);
  });

  it('--dir naming a file is a usage error that names it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lineage-demo-f-')), 'a-file');
    writeFileSync(file, 'x');
    const c = capture();
    expect(await runCli(['demo', '--tampered', '--dir', file], c.io)).toBe(2);
    expect(c.stderr()).toContain(`--dir ${file}: is a file, not a directory`);
  });

  it('--dir never replaces files already there: names them, exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-demo-keep-'));
    writeFileSync(join(dir, 'trust.json'), 'KEEP');
    writeFileSync(join(dir, '3pao-assessor.demo-key.json'), 'KEEP');
    const c = capture();
    expect(await runCli(['demo', '--dir', dir], c.io)).toBe(2);
    expect(c.stderr()).toContain(
      `--dir ${dir} already has ${join(dir, 'trust.json')}, ${join(dir, '3pao-assessor.demo-key.json')}`,
    );
    expect(readFileSync(join(dir, 'trust.json'), 'utf8')).toBe('KEEP');
    expect(readFileSync(join(dir, '3pao-assessor.demo-key.json'), 'utf8')).toBe('KEEP');
    expect(readdirSync(dir).sort()).toEqual(['3pao-assessor.demo-key.json', 'trust.json']);
    // Likewise for the tampered capsules.
    writeFileSync(join(dir, 'edited-artifact.capsule.zip'), 'KEEP');
    const t = capture();
    expect(await runCli(['demo', '--tampered', '--dir', dir], t.io)).toBe(2);
    expect(t.stderr()).toContain(`already has ${join(dir, 'edited-artifact.capsule.zip')};`);
    expect(readFileSync(join(dir, 'edited-artifact.capsule.zip'), 'utf8')).toBe('KEEP');
    expect(readdirSync(dir)).toHaveLength(3);
  });

  it("a second demo into the same --dir is refused, the first one's files kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-demo-twice-'));
    expect(await runCli(['demo', '--dir', dir], capture().io)).toBe(0);
    const before = readFileSync(join(dir, '3pao-assessor.demo-key.json'), 'utf8');
    const c = capture();
    expect(await runCli(['demo', '--dir', dir], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/already has .*fedramp-sample\.capsule\.zip/);
    expect(readFileSync(join(dir, '3pao-assessor.demo-key.json'), 'utf8')).toBe(before);
    // With --json the refusal is still one document on stdout, as for `lineage verify`.
    const j = capture();
    expect(await runCli(['demo', '--dir', dir, '--json'], j.io)).toBe(2);
    expect(JSON.parse(j.stdout())).toMatchObject({
      command: 'lineage demo',
      verdict: 'unusable',
      error: { code: 'usage', message: expect.stringMatching(/already has .*fedramp-sample\.capsule\.zip/) },
    });
  });
});
