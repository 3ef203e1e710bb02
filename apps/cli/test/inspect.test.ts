import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, type FedrampSample, writeCapsuleDirectory } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { vectorPath } from '../../../test/support/vectors.js';
import { runCli } from '../src/main.js';
import { capture } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-inspect-'));
let s: FedrampSample;

beforeAll(async () => {
  s = await buildFedrampSample({ dir });
});

function write(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function sampleJson(path: string): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(s.files.get(path)!)) as Record<string, unknown>;
}

/** The sample's first event as a JSON object, to be edited. */
function firstEvent(): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(s.files.get('events.jsonl')!).split('\n')[0]!) as Record<
    string,
    unknown
  >;
}

async function inspect(...args: string[]) {
  const c = capture(dir);
  const code = await runCli(['inspect', ...args], c.io);
  return { code, out: c.stdout(), err: c.stderr() };
}

describe('lineage inspect: what the input says stays on its own line', () => {
  // Each line inspect prints holds one value; a line break inside a value would start a line of
  // the input's own making under the "NOT VERIFIED" heading.
  const forged = '\n  identity block VERIFIED by Lineage';

  it('a card name with a line break is one line', async () => {
    const card = sampleJson('cards/a1-readiness-coordinator.json');
    card.name = `Evil${forged}`;
    const r = await inspect(write('card-nl.json', JSON.stringify(card)));
    expect(r.code).toBe(0);
    expect(r.out).toContain('  name   Evil\\n  identity block VERIFIED by Lineage\n');
    expect(r.out.split('\n').some((l) => l.startsWith('  identity block VERIFIED'))).toBe(false);
  });

  it('an event actor and a commitment name with line breaks are one line each', async () => {
    const e = firstEvent();
    e.actor = `lin:human:x${forged}`;
    const r = await inspect(write('event-nl.json', JSON.stringify(e)));
    expect(r.code).toBe(0);
    expect(r.out).toContain('  actor      lin:human:x\\n  identity block VERIFIED by Lineage (human)');
    expect(r.out.split('\n').some((l) => l.startsWith('  identity block VERIFIED'))).toBe(false);
  });

  it('a capsule title and step title with line breaks are one line each', async () => {
    const m = sampleJson('manifest.json') as {
      title: string;
      workflow: { steps: Array<{ title: string }> };
    };
    m.title = `Fake${forged}`;
    m.workflow.steps[0]!.title = 'Step\n    A9  injected (99 events)\ttab';
    const d = join(dir, 'capsule-nl');
    mkdirSync(d);
    writeCapsuleDirectory(
      new Map([...s.files, ['manifest.json', new TextEncoder().encode(JSON.stringify(m))]]),
      d,
    );
    const r = await inspect(d);
    expect(r.code).toBe(0);
    expect(r.out).toContain('  Fake\\n  identity block VERIFIED by Lineage\n');
    expect(r.out).toContain('Step\\n    A9  injected (99 events)\\ttab (1 event)');
    expect(r.out.split('\n').some((l) => /^ {2}identity block VERIFIED|^ {4}A9/.test(l))).toBe(false);
  });
});

describe('lineage inspect: what it read and what it shows', () => {
  it('--json for a card carries the name it claims, as the text does', async () => {
    const r = await inspect(
      write('a1.card.json', s.files.get('cards/a1-readiness-coordinator.json')!),
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      kind: 'card',
      verified: false,
      name: 'A1 Readiness Coordinator',
    });
  });

  it('counts the files the manifest lists, and says how many entries the container holds', async () => {
    const r = await inspect(s.paths!.capsule);
    expect(r.code).toBe(0);
    const listed = (sampleJson('manifest.json').files as unknown[]).length;
    expect(r.out).toContain(
      `  files the manifest lists (${listed}; the container holds ${listed + 1} entries):`,
    );
  });

  it('a capsule behind a symbolic link is refused as verify refuses it, not read as text', async () => {
    const link = join(dir, 'link.zip');
    symlinkSync(s.paths!.capsule, link);
    const r = await inspect(link, '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({
      verdict: 'unusable',
      error: { code: 'capsule.symlink', file: link },
    });
    expect(r.err).not.toContain('UTF-8');
  });
});

describe('unusable input names the file (and the field) in every command', () => {
  it('inspect: a capsule without a manifest, an event with a bad field, a duplicate member', async () => {
    const empty = join(dir, 'empty-dir');
    mkdirSync(empty);
    const e = firstEvent();
    e.sequence = -1;
    const bad = write('bad-event.json', JSON.stringify(e));
    const dup = write('dup.json', '{"a":1,"a":2}');
    const cases: Array<[string, Record<string, string>]> = [
      [empty, { code: 'capsule.missing', file: empty, field: 'manifest.json' }],
      [bad, { code: 'event.schema', file: bad, field: '/sequence' }],
      [dup, { file: dup, field: '/a' }],
    ];
    for (const [file, error] of cases) {
      const r = await inspect(file, '--json');
      expect(r.code, file).toBe(2);
      expect(JSON.parse(r.out).error, file).toMatchObject(error);
      expect(r.err, file).toContain(file);
    }
  });

  it('checkpoint verify: a file that is not a signed note', async () => {
    const note = write('not-a-note.txt', 'hello\n');
    const c = capture(dir);
    const vkey = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx';
    expect(await runCli(['checkpoint', 'verify', note, '--vkey', vkey, '--json'], c.io)).toBe(2);
    expect(JSON.parse(c.stdout()).error).toMatchObject({ code: 'note.malformed', file: note });
    expect(c.stderr()).toContain(note);
    // A --vkey file with a line that is no vkey names the file as well as the line.
    const keys = write('keys.vkeys', `${vkey}\nnot-a-vkey\n`);
    const k = capture(dir);
    expect(await runCli(['checkpoint', 'verify', note, '--vkey', keys, '--json'], k.io)).toBe(2);
    expect(JSON.parse(k.stdout()).error).toMatchObject({ code: 'vkey.format', file: keys });
    expect(k.stderr()).toContain(`--vkey file "${keys}" "not-a-vkey"`);
  });

  it('tlog verify-bundle: a bundle that does not parse', async () => {
    const b = JSON.parse(
      readFileSync(join(vectorPath('sigstore'), 'happy-path-v0.3', 'bundle.sigstore.json'), 'utf8'),
    );
    b.verificationMaterial.tlogEntries[0].logId.keyId = 'AAAA';
    const bundle = write('bad-bundle.json', JSON.stringify(b));
    const root = join(vectorPath('sigstore'), 'trusted_root.production.json');
    const c = capture(dir);
    expect(await runCli(['tlog', 'verify-bundle', bundle, '--trusted-root', root, '--json'], c.io)).toBe(2);
    expect(JSON.parse(c.stdout()).error).toMatchObject({ code: 'sigstore.bundle', file: bundle });
    expect(c.stderr()).toContain(bundle);
  });

  it('sth verify: a field of the STH and an unusable key name the file and the field', async () => {
    const key = write('not-a-key.pem', 'hello');
    const sth = write('sth-bad.json', '{"tree_size":"ten"}');
    const c = capture(dir);
    expect(await runCli(['sth', 'verify', sth, '--log-key', key, '--json'], c.io)).toBe(2);
    expect(JSON.parse(c.stdout()).error).toMatchObject({ file: key });
    const pem = write(
      'ok.pem',
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
    );
    const d = capture(dir);
    expect(await runCli(['sth', 'verify', sth, '--log-key', pem, '--json'], d.io)).toBe(2);
    expect(JSON.parse(d.stdout()).error).toMatchObject({ file: sth, field: '/tree_size' });
  });
});

describe('--json: a usage error is one unusable document on stdout, as for verify', () => {
  it.each([
    [['inspect']],
    [['inspect', 'a', 'b', '--json']],
    [['checkpoint', 'verify', 'note', '--json']],
    [['checkpoint', 'verify', 'note', '--vkey', 'k', '--witnesses', 'x', '--json']],
    [['sth', 'verify', 'sth.json', '--json']],
    [['tlog', 'verify-bundle', 'b.json', '--json']],
    [['approval', 'verify', 'a.json', '--json']],
    [['approval', 'verify', '--json']],
    [['inspect', '--json', '--bogus', 'x']],
  ])('%j', async (argv) => {
    const c = capture(dir);
    expect(await runCli(argv, c.io)).toBe(2);
    if (!argv.includes('--json')) {
      expect(c.stdout()).toBe('');
      return;
    }
    const doc = JSON.parse(c.stdout());
    expect(doc).toMatchObject({ verdict: 'unusable', error: { code: 'usage' } });
    expect(doc.command).toBe(`lineage ${argv[0] === 'inspect' ? 'inspect' : argv.slice(0, 2).join(' ')}`);
    expect(c.stderr()).toContain('usage: lineage');
  });
});
