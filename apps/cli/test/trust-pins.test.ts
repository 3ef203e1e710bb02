// Every command that reads a trust file refuses one whose pins the core refuses (spec §4.8 "Pins"):
// exit 2 naming the file, the field, what was expected and what was found, before any verification.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { buildFedrampSample } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture, sampleWithAssessorKey } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-pins-'));
const env = { LINEAGE_PASSPHRASE: 'correct horse battery staple' };
let s: Awaited<ReturnType<typeof buildFedrampSample>>;
let key = '';
let approval = '';
let badKeyId = '';
let keyTwice = '';
let logId = '';

interface Trust {
  logs: { origin: string; vkey: string }[];
  approvers: { id: string; public_key: string; roles: string[] }[];
}

beforeAll(async () => {
  ({ s, key } = await sampleWithAssessorKey(dir, env.LINEAGE_PASSPHRASE, 'lin:human:3pao.sam-okafor'));
  approval = join(dir, 'approval.json');
  const argv = ['approve', s.paths!.capsule, '--key', key, '--decision', 'approve', '--comment', 'ok'];
  expect(await runCli([...argv, '--trust', s.paths!.trust, '--out', approval], capture(dir, env).io)).toBe(0);
  const trust = JSON.parse(readFileSync(s.paths!.trust, 'utf8')) as Trust;
  // The sample log's vkey with one digit of its key ID changed: well-formed, not this key's ID.
  // name+id+base64, and base64 may itself hold '+': split at the first two only.
  const [, name, id, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.*)$/.exec(trust.logs[0]!.vkey) as unknown as [
    string,
    string,
    string,
    string,
  ];
  logId = id;
  const wrong = `${name}+${id[0] === '0' ? '1' : '0'}${id.slice(1)}+${b64}`;
  badKeyId = join(dir, 'bad-key-id.json');
  writeFileSync(badKeyId, JSON.stringify({ ...trust, logs: [{ ...trust.logs[0]!, vkey: wrong }] }));
  // The AO's key pinned again under another id, with another role: one signature, two approvers.
  keyTwice = join(dir, 'approver-key-twice.json');
  const ao = trust.approvers[0]!;
  writeFileSync(
    keyTwice,
    JSON.stringify({
      ...trust,
      approvers: [...trust.approvers, { ...ao, id: 'lin:human:other', roles: ['agency_ao'] }],
    }),
  );
});

function commands(trust: string): [string, string[]][] {
  return [
    ['verify', ['verify', s.paths!.capsule, '--trust', trust]],
    [
      'approve',
      [
        'approve',
        s.paths!.capsule,
        '--key',
        key,
        '--decision',
        'approve',
        '--comment',
        'ok',
        '--trust',
        trust,
        '--out',
        join(dir, 'never.json'),
      ],
    ],
    ['approval verify', ['approval', 'verify', approval, '--trust', trust, '--capsule', s.paths!.capsule]],
  ];
}

describe('a trust file whose pins the core refuses is unusable input for every command', () => {
  it('a log vkey whose key ID is not its key’s: exit 2, the field, the key ID expected and the one found', async () => {
    for (const [what, argv] of commands(badKeyId)) {
      const c = capture(dir, env);
      expect(await runCli(argv, c.io), what).toBe(2);
      expect(c.stderr(), what).toContain(`trust file "${badKeyId}": /logs/0/vkey: key ID `);
      expect(c.stderr(), what).toContain(`(expected key ID ${logId}, found key ID `);
    }
  });

  it('one approver key under two ids: exit 2, naming both entries', async () => {
    for (const [what, argv] of commands(keyTwice)) {
      const c = capture(dir, env);
      expect(await runCli(argv, c.io), what).toBe(2);
      expect(c.stderr(), what).toMatch(
        /\/approvers\/\d+\/public_key: the approver key "[0-9a-f]{64}" is pinned twice \(also \/approvers\/0\/public_key\)/,
      );
    }
  });

  it('with --json the unusable document names the field', async () => {
    const c = capture(dir, env);
    expect(await runCli(['verify', s.paths!.capsule, '--trust', badKeyId, '--json'], c.io)).toBe(2);
    expect(JSON.parse(c.stdout())).toMatchObject({
      verdict: 'unusable',
      error: { code: 'trust.store', file: badKeyId, field: '/logs/0/vkey' },
    });
  });
});
