import { readFileSync } from 'node:fs';
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
  });

  it('--version with arguments is not taken for the version', async () => {
    const c = capture();
    expect(await runCli(['--version', 'extra'], c.io)).toBe(2);
  });
});
