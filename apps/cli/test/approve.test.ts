import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildFedrampSample, decryptKeyFile, encryptKeyFile } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/main.js';
import { capture, sampleWithAssessorKey } from './support-capsule.js';

const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-approve-'));
const env = { LINEAGE_PASSPHRASE: 'correct horse battery staple' };
let s: Awaited<ReturnType<typeof buildFedrampSample>>;
let key = '';

beforeAll(async () => {
  ({ s, key } = await sampleWithAssessorKey(dir, env.LINEAGE_PASSPHRASE, 'lin:human:3pao.sam-okafor'));
});

/** `lineage approve` of the sample capsule with the 3PAO's key. */
function approveArgv(decision: string, comment: string, out: string): string[] {
  return [
    'approve',
    s.paths!.capsule,
    '--key',
    key,
    '--decision',
    decision,
    '--comment',
    comment,
    '--trust',
    s.paths!.trust,
    '--out',
    out,
  ];
}

describe('lineage approve / approval verify', () => {
  it('signs an approval bound to the capsule digest, the verified events and the tree heads, and verifies it', async () => {
    const out = join(dir, 'sar.json');
    const c = capture(dir, env);
    const argv = approveArgv('approve', 'Evidence complete.', out);
    expect(await runCli(argv, c.io)).toBe(0);
    const a = JSON.parse(readFileSync(out, 'utf8'));
    expect(a.approver).toEqual({ id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' });
    expect(a.cited_events).toHaveLength(s.events.length);
    expect(a.relied_sths.length).toBeGreaterThan(0);
    const v = capture(dir);
    expect(
      await runCli(
        ['approval', 'verify', out, '--trust', s.paths!.trust, '--capsule', s.paths!.capsule],
        v.io,
      ),
    ).toBe(0);
    expect(v.stdout()).toMatch(/VERIFIED/);
    // Without the capsule the binding cannot be checked: incomplete, exit 1.
    expect(await runCli(['approval', 'verify', out, '--trust', s.paths!.trust], capture(dir).io)).toBe(1);
  });

  it('rejects an edited approval and one checked against another capsule', async () => {
    const out = join(dir, 'sar2.json');
    await runCli(approveArgv('conditional', 'POA&M', out), capture(dir, env).io);
    const a = JSON.parse(readFileSync(out, 'utf8'));
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify({ ...a, decision: 'approve' }));
    const c = capture(dir);
    expect(await runCli(['approval', 'verify', edited, '--trust', s.paths!.trust, '--json'], c.io)).toBe(1);
    expect(
      JSON.parse(c.stdout()).checks.find((x: { id: string }) => x.id === 'approval.signature').status,
    ).toBe('fail');
    const other = await buildFedrampSample({ seed: 'other', dir: join(dir, 'other') });
    const o = capture(dir);
    await runCli(
      ['approval', 'verify', out, '--trust', s.paths!.trust, '--capsule', other.paths!.capsule, '--json'],
      o.io,
    );
    expect(
      JSON.parse(o.stdout()).checks.find((x: { id: string }) => x.id === 'approval.capsule_digest').status,
    ).toBe('fail');
  });

  it('approval verify --capsule with a capsule that cannot be read is unusable input (exit 2), not a capsule it was not made for', async () => {
    const out = join(dir, 'sar-for-unreadable.json');
    expect(await runCli(approveArgv('approve', 'ok', out), capture(dir, env).io)).toBe(0);
    const cut = join(dir, 'cut.capsule.zip');
    writeFileSync(cut, readFileSync(s.paths!.capsule).subarray(0, 1000));
    const c = capture(dir);
    expect(await runCli(['approval', 'verify', out, '--trust', s.paths!.trust, '--capsule', cut], c.io)).toBe(
      2,
    );
    expect(c.stderr()).toContain(
      `lineage approval verify: unusable input (capsule.container): the capsule ${cut} cannot be read (no end-of-central-directory record: not a zip file), so the approval's binding to it cannot be checked`,
    );
    expect(c.stdout()).not.toMatch(/another capsule/);
    const j = capture(dir);
    await runCli(['approval', 'verify', out, '--trust', s.paths!.trust, '--capsule', cut, '--json'], j.io);
    expect(JSON.parse(j.stdout())).toMatchObject({
      verdict: 'unusable',
      error: { code: 'capsule.container', file: cut },
    });
  });

  it("shows a signed comment's later lines indented under it, never at the margin where they could pass for the verifier's own lines", async () => {
    // A rejection whose comment, signed by the pinned 3PAO, goes on with lines shaped like ours.
    const out = join(dir, 'sar-multiline.json');
    const comment =
      'Evidence incomplete.\n  decision:  approve\n  approver:  lin:human:agency-ao.lee-park (agency_ao)';
    expect(await runCli(approveArgv('reject', comment, out), capture(dir, env).io)).toBe(0);
    const v = capture(dir);
    await runCli(['approval', 'verify', out, '--trust', s.paths!.trust, '--capsule', s.paths!.capsule], v.io);
    const lines = v.stdout().split('\n');
    expect(lines.filter((l) => /^ {2}[a-z][a-z ]*: /.test(l))).toEqual([
      '  decision:  reject',
      '  approver:  lin:human:3pao.sam-okafor (3pao_assessor)',
      '  comment:   Evidence incomplete.',
      expect.stringMatching(/^ {2}capsule: {3}fedramp-/),
      expect.stringMatching(/^ {2}signed at: /),
    ]);
    const at = lines.indexOf('  comment:   Evidence incomplete.');
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '               decision:  approve',
      '               approver:  lin:human:agency-ao.lee-park (agency_ao)',
    ]);
  });

  it('refuses a conditional approval whose conditions are blank: a usage error (exit 2) before any work, nothing written', async () => {
    const out = join(dir, 'sar-blank.json');
    const c = capture(dir, env);
    const code = await runCli(approveArgv('conditional', '   ', out), c.io);
    expect(code).toBe(2);
    expect(c.stderr()).toMatch(
      /--decision conditional needs its conditions in --comment .*the comment is blank/,
    );
    expect(c.stderr()).toMatch(/usage: lineage approve/);
    // Nothing was verified.
    expect(c.stdout()).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a --role that is no role: a usage error before any work (the key is not opened), nothing written', async () => {
    const out = join(dir, 'sar-bogus-role.json');
    const c = capture(dir, env);
    expect(await runCli([...approveArgv('reject', 'no', out), '--role', 'bogus'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/--role must be one of authorizing_official, .*; found "bogus"/);
    expect(c.stderr()).toMatch(/usage: lineage approve/);
    expect(c.stdout()).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a comment longer than an approval may carry (64 KiB of UTF-8): a usage error before any work', async () => {
    const out = join(dir, 'sar-long.json');
    const c = capture(dir, env);
    expect(await runCli(approveArgv('reject', 'x'.repeat(65_537), out), c.io)).toBe(2);
    expect(c.stderr()).toMatch(
      /--comment is too long: 65,537 bytes, a comment of at most 65,536 bytes \(UTF-8\)/,
    );
    expect(c.stdout()).toBe('');
    expect(existsSync(out)).toBe(false);
    // At the limit it signs.
    const at = capture(dir, env);
    expect(
      await runCli(approveArgv('reject', 'x'.repeat(65_536), join(dir, 'sar-at-limit.json')), at.io),
    ).toBe(0);
  });

  it('a capsule that cannot be read is unusable input (exit 2), even for reject: nothing to bind a decision to', async () => {
    const junk = join(dir, 'junk.capsule.zip');
    writeFileSync(junk, 'this is not a zip file at all');
    const out = join(dir, 'sar-junk.json');
    const argv = approveArgv('reject', 'Unreadable.', out);
    argv[1] = junk;
    const c = capture(dir, env);
    expect(await runCli(argv, c.io)).toBe(2);
    expect(c.stderr()).toContain(
      `lineage approve: the capsule ${junk} cannot be read, so no decision (not even reject) can be bound to its manifest digest; nothing was signed`,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a readable capsule that failed verification can be rejected (exit 0), but not approved (exit 1)', async () => {
    const edited = new Map(s.files);
    const art = [...edited.keys()].find((k) => k.startsWith('artifacts/A3'))!;
    edited.set(art, new TextEncoder().encode('{"edited":true}'));
    const capDir = join(dir, 'edited-capsule');
    for (const [p, bytes] of edited) {
      mkdirSync(dirname(join(capDir, p)), { recursive: true });
      writeFileSync(join(capDir, p), bytes);
    }
    const rejectOut = join(dir, 'sar-reject.json');
    const argv = approveArgv('reject', 'Artifact A3 edited.', rejectOut);
    argv[1] = capDir;
    expect(await runCli(argv, capture(dir, env).io)).toBe(0);
    expect(JSON.parse(readFileSync(rejectOut, 'utf8')).decision).toBe('reject');
    const approveOut = join(dir, 'sar-approve-edited.json');
    const a = approveArgv('approve', 'ok', approveOut);
    a[1] = capDir;
    const c = capture(dir, env);
    expect(await runCli(a, c.io)).toBe(1);
    expect(c.stderr()).toMatch(/cannot approve a capsule whose verification failed/);
    expect(existsSync(approveOut)).toBe(false);
  });

  it('fails clearly on a wrong passphrase, and keygen writes a key file that decrypts', async () => {
    const c = capture(dir, { LINEAGE_PASSPHRASE: 'wrong' });
    expect(
      await runCli(
        [
          'approve',
          s.paths!.capsule,
          '--key',
          key,
          '--decision',
          'approve',
          '--comment',
          'x',
          '--trust',
          s.paths!.trust,
        ],
        c.io,
      ),
    ).toBe(2);
    expect(c.stderr()).toMatch(/wrong passphrase/);
    const k = capture(dir, env);
    expect(
      await runCli(['keygen', '--out', join(dir, 'new.key.json'), '--owner', 'lin:human:new'], k.io),
    ).toBe(0);
    expect(k.stdout()).toMatch(/public key [0-9a-f]{64}/);
    expect(JSON.parse(readFileSync(join(dir, 'new.key.json'), 'utf8')).kdf.name).toBe('scrypt');
    expect(statSync(join(dir, 'new.key.json')).mode & 0o777).toBe(0o600);
  });

  it('signs with a key file made cheaper to guess than keygen makes them, but says so', async () => {
    // The suite's key file (log2_n 10, 1 MiB and a few milliseconds a guess) as someone else's tool made it.
    const weak = capture(dir, env);
    expect(await runCli(approveArgv('approve', 'ok', join(dir, 'sar-weak.json')), weak.io)).toBe(0);
    expect(weak.stderr()).toContain(
      `lineage approve: warning: the key file ${key} is protected by scrypt with log2_n 10, below the 17 lineage keygen uses: a copy of it can be guessed 128 times faster; make a new key with lineage keygen and pin it in place of this one`,
    );
    const strong = join(dir, 'strong.key.json');
    writeFileSync(
      strong,
      await encryptKeyFile(s.keys.humans['3pao']!.secretKey, env.LINEAGE_PASSPHRASE, { log2N: 17 }),
    );
    const argv = approveArgv('approve', 'ok', join(dir, 'sar-strong.json'));
    argv[argv.indexOf(key)] = strong;
    const ok = capture(dir, env);
    expect(await runCli(argv, ok.io)).toBe(0);
    expect(ok.stderr()).not.toMatch(/warning/);
  });

  it('keygen refuses a passphrase too short to protect a signing key, and writes nothing', async () => {
    const file = join(dir, 'weak.key.json');
    const k = capture(dir, { LINEAGE_PASSPHRASE: 'short-11ch!' });
    expect(await runCli(['keygen', '--out', file], k.io)).toBe(2);
    expect(k.stderr()).toContain(
      'the passphrase must be at least 12 characters to protect a new signing key',
    );
    expect(existsSync(file)).toBe(false);
    // Twelve characters, counted as characters (not UTF-16 units): accepted.
    const ok = capture(dir, { LINEAGE_PASSPHRASE: 'twelve chars' });
    expect(await runCli(['keygen', '--out', file], ok.io)).toBe(0);
  });

  it('keygen refuses an owner longer than a key file may carry, before any work', async () => {
    const file = join(dir, 'long-owner.key.json');
    const k = capture(dir, env);
    expect(await runCli(['keygen', '--out', file, '--owner', 'a'.repeat(70_000)], k.io)).toBe(2);
    expect(k.stderr()).toContain("--owner is 70,000 characters; a key file's owner is at most 1,024");
    expect(existsSync(file)).toBe(false);
  });

  it('takes the passphrase from a pipe (--passphrase-file <(…), /dev/stdin), so it need not be stored in a file', async () => {
    const fifo = join(dir, 'passphrase.fifo');
    execFileSync('mkfifo', [fifo]);
    // What `--passphrase-file <(pass show lineage)` hands over: a pipe another process writes.
    const writer = spawn('sh', ['-c', 'printf "%s\\n" "$PW" > "$FIFO"'], {
      env: { ...process.env, PW: env.LINEAGE_PASSPHRASE, FIFO: fifo },
    });
    const written = new Promise((res) => writer.once('exit', res));
    const file = join(dir, 'piped.key.json');
    const k = capture(dir, {});
    expect(await runCli(['keygen', '--out', file, '--passphrase-file', fifo], k.io)).toBe(0);
    await written;
    await expect(decryptKeyFile(readFileSync(file, 'utf8'), env.LINEAGE_PASSPHRASE)).resolves.toBeDefined();
    // A device that never ends is refused at the limit, not read for ever.
    const z = capture(dir, {});
    expect(
      await runCli(['keygen', '--out', join(dir, 'zero.key.json'), '--passphrase-file', '/dev/zero'], z.io),
    ).toBe(2);
    expect(z.stderr()).toContain('passphrase file "/dev/zero" is longer than 65,536 bytes');
  });

  it('never replaces a key file or a signed approval, and says so before any work', async () => {
    const keyFile = join(dir, 'kept.key.json');
    const k1 = capture(dir, env);
    expect(await runCli(['keygen', '--out', keyFile], k1.io)).toBe(0);
    const before = readFileSync(keyFile, 'utf8');
    const k2 = capture(dir, env);
    expect(await runCli(['keygen', '--out', keyFile], k2.io)).toBe(2);
    expect(k2.stderr()).toContain(`key file ${keyFile} already exists; lineage does not replace it`);
    expect(readFileSync(keyFile, 'utf8')).toBe(before);

    const out = join(dir, 'kept-sar.json');
    expect(await runCli(approveArgv('approve', 'first', out), capture(dir, env).io)).toBe(0);
    const signed = readFileSync(out, 'utf8');
    const again = capture(dir, env);
    expect(await runCli(approveArgv('reject', 'second', out), again.io)).toBe(2);
    expect(again.stderr()).toContain(`approval file ${out} already exists`);
    // Refused before verifying or signing: nothing printed, the first decision intact.
    expect(again.stdout()).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(signed);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('inspect shows a capsule and an event without verifying them', async () => {
    const c = capture(dir);
    expect(await runCli(['inspect', s.paths!.capsule], c.io)).toBe(0);
    expect(c.stdout()).toMatch(/NOT VERIFIED/);
    const ev = join(dir, 'event.json');
    writeFileSync(ev, JSON.stringify(s.events[0]));
    const e = capture(dir);
    expect(await runCli(['inspect', ev], e.io)).toBe(0);
    expect(e.stdout()).toContain(s.eventIds.e0!);
    const card = join(dir, 'a3.card.json');
    writeFileSync(card, s.files.get('cards/a3-scanner-orchestrator.json')!);
    const k = capture(dir);
    expect(await runCli(['inspect', card, '--json'], k.io)).toBe(0);
    const j = JSON.parse(k.stdout());
    expect(j.shape).toBe('a2a-v1.0');
    expect(j.identity.agent_id).toBe(s.keys.agents.A3!.agentId);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"hello":1}');
    expect(await runCli(['inspect', junk], capture(dir).io)).toBe(2);
    // The card in plain lines, each claimed field on its own.
    const t = capture(dir);
    expect(await runCli(['inspect', card], t.io)).toBe(0);
    expect(t.stdout()).toMatch(new RegExp(`\\n {4}agent_id +${s.keys.agents.A3!.agentId}\\n`));
    expect(t.stdout()).toMatch(/\n {4}lineage\.registration_event_id +[0-9a-f]{64}\n/);
  });

  it('inspect knows a capsule by its zip signature, whatever its name', async () => {
    for (const name of ['CAPSULE.ZIP', 'evidence.bin']) {
      const file = join(dir, name);
      writeFileSync(file, readFileSync(s.paths!.capsule));
      const c = capture(dir);
      expect(await runCli(['inspect', file], c.io)).toBe(0);
      expect(c.stdout()).toMatch(new RegExp(`^capsule .*${name.replace('.', '\\.')} — NOT VERIFIED`));
    }
    const c = capture(dir);
    expect(await runCli(['inspect', join(dir, 'nothere.zip')], c.io)).toBe(2);
    expect(c.stderr()).toContain('(no such file)');
  });
});
