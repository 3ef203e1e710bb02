// Approving offline: key in the main process, exact preview, signature, and the exported file verified
// by the CLI (`lineage approval verify`), plus the ways it must refuse.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildFedrampSample,
  buildTamperedVariants,
  createSarApproval,
  type FedrampSample,
} from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/src/main.js';
import { fromQrFrames } from '../src/shared/qr-frames.js';
import { createHarness, type Harness } from './support/harness.js';

let sample: FedrampSample;
let h: Harness;
let capsuleId: string;
const dir = mkdtempSync(join(tmpdir(), 'lineage-desktop-approval-'));
const passphrase = 'a long offline passphrase';

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(argv, {
    out: (t) => (out += `${t}\n`),
    err: (t) => (out += `${t}\n`),
    isTty: false,
    cwd: dir,
    env: {},
    // The machine's clock, as the desktop's (the harness) signs with it: an approval is refused when
    // dated after the verification that checks it (spec §5.9).
    now: () => new Date(),
  });
  return { code, out };
}

beforeAll(async () => {
  sample = await buildFedrampSample({ dir });
  h = createHarness();
  await h.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
  await h.api.keyCreate({
    approverId: 'lin:human:ao.desk',
    name: 'Dana Desk',
    role: 'authorizing_official',
    passphrase,
  });
  // The approver's own public key goes into the trust store the way a colleague would import it.
  await h.api.trustImport({ kind: 'approver', text: await h.api.keyPublicText() });
  h.openQueue.push(sample.paths!.capsule);
  capsuleId = (await h.api.openCapsuleDialog())!.capsuleId;
  const out = await h.api.verify(capsuleId);
  expect(out.status === 'done' && out.verification.report.verdict).toBe('verified');
});

describe('SAR approval signing', () => {
  it('previews in plain language exactly what is signed, then signs that same text', async () => {
    const req = { capsuleId, decision: 'approve' as const, comment: 'Evidence reviewed; ATO recommended.' };
    const preview = await h.api.approvalPreview(req);
    expect(preview.blocked).toBeUndefined();
    const v = h.api.verificationOf(capsuleId)!;
    // The capsule named as the signed document names it (manifest title and id), not by its file name.
    expect(preview.lines[0]).toBe(
      `Dana Desk (lin:human:ao.desk), acting as Authorizing Official, APPROVES the security assessment evidence in capsule "${v.manifest!.title}" (capsule id ${v.manifest!.capsuleId}; opened here from the file "fedramp-sample.capsule.zip").`,
    );
    expect(preview.lines[1]).toBe(`The signature binds the capsule digest ${v.capsuleDigest}.`);
    // The verification result the document states is said in the sentences too.
    const s = v.report.summary;
    expect(preview.lines[2]).toBe(
      `It states that this computer's verification at ${v.report.verifiedAt} found the capsule VERIFIED: 0 checks failed, ${s.pass} passed, 0 not checked.`,
    );
    expect(preview.lines).toContain('Comment: "Evidence reviewed; ATO recommended."');
    // The preview is the document, unsigned; the signed file is that document plus its signature.
    expect(JSON.parse(preview.documentJson)).not.toHaveProperty('signature');
    const signed = await h.api.approvalSign(req);
    const { signature, ...signedDoc } = JSON.parse(signed.text) as Record<string, unknown>;
    expect(`${JSON.stringify(signedDoc, null, 2)}\n`).toBe(preview.documentJson);
    expect(signature).toMatchObject({ alg: 'Ed25519', value: expect.stringMatching(/^[0-9a-f]{128}$/) });
    const doc = JSON.parse(signed.text) as {
      capsule: { digest: string };
      cited_events: unknown[];
      relied_sths: unknown[];
    };
    expect(doc.capsule.digest).toBe(v.capsuleDigest);
    expect(doc.cited_events).toHaveLength(v.events.filter((e) => e.status === 'pass').length);
    expect(doc.relied_sths.length).toBeGreaterThan(0);
    expect(fromQrFrames(signed.qrFrames)).toBe(signed.text);

    // Saved through the host dialog, then checked by the CLI against the exported trust store.
    const saved = await h.api.exportFile({ format: 'approval', content: signed.text });
    expect(saved.saved).toBe(true);
    const trustOut = await h.api.exportFile({ format: 'trust' });
    const ok = await cli([
      'approval',
      'verify',
      saved.path!,
      '--trust',
      trustOut.path!,
      '--capsule',
      sample.paths!.capsule,
    ]);
    expect(ok.out).toMatch(/verified/i);
    expect(ok.code).toBe(0);

    // The desktop's own checker agrees, including the binding to the open capsule.
    const check = await h.api.approvalVerify(signed.text, capsuleId);
    expect(check.verdict).toBe('verified');

    // One changed character in the signed file and the CLI rejects it.
    const forged = signed.text.replace('ATO recommended', 'ATO recommendex');
    const forgedPath = join(dir, 'forged.json');
    writeFileSync(forgedPath, forged);
    expect((await cli(['approval', 'verify', forgedPath, '--trust', trustOut.path!])).code).toBe(1);
    expect((await h.api.approvalVerify(forged)).verdict).toBe('failed');
  });

  it("the preview's sentences name only the tree heads the document relies on: none for a capsule under an untrusted log", async () => {
    // Same sample, logged by a log whose key the trust store does not pin: its three tree heads fail.
    const [t] = await buildTamperedVariants({ only: ['untrusted-log-sth'] });
    const path = join(dir, 'untrusted-log.capsule.zip');
    writeFileSync(path, t!.sample.zip);
    h.openQueue.push(path);
    const id = (await h.api.openCapsuleDialog())!.capsuleId;
    const out = await h.api.verify(id);
    expect(out.status === 'done' && out.verification.sths.map((x) => x.status)).toEqual([
      'fail',
      'fail',
      'fail',
    ]);
    const preview = await h.api.approvalPreview({
      capsuleId: id,
      decision: 'reject',
      comment: 'Untrusted log.',
    });
    expect(preview.blocked).toBeUndefined();
    expect(JSON.parse(preview.documentJson).relied_sths).toEqual([]);
    expect(preview.lines.filter((l) => l.startsWith('It relies on'))).toEqual([
      "It relies on no signed tree head: none of the capsule's verified, or each is dated after this verification.",
    ]);
    // The verified sample's preview names each head its document cites.
    const good = await h.api.approvalPreview({ capsuleId, decision: 'approve', comment: 'ok' });
    const cited = JSON.parse(good.documentJson).relied_sths as {
      log_id: string;
      size: string;
      root: string;
    }[];
    expect(good.lines.filter((l) => l.startsWith('It relies on'))).toEqual(
      cited.map(
        (x) =>
          `It relies on the signed tree head of log "${x.log_id}" at size ${x.size} with root ${x.root}.`,
      ),
    );
  });

  it('a preview signs nothing: abandoned previews leave no approval, and only the last one can be signed', async () => {
    const draft = await h.api.approvalPreview({
      capsuleId,
      decision: 'approve',
      comment: 'draft - do not use',
    });
    const final = await h.api.approvalPreview({ capsuleId, decision: 'reject', comment: 'final: rejected' });
    for (const p of [draft, final]) {
      expect(JSON.parse(p.documentJson)).not.toHaveProperty('signature');
      expect((await h.api.approvalVerify(p.documentJson, capsuleId)).verdict).not.toBe('verified');
    }
    await expect(
      h.api.approvalSign({ capsuleId, decision: 'approve', comment: 'draft - do not use' }),
    ).rejects.toThrow(/preview/);
    const signed = await h.api.approvalSign({ capsuleId, decision: 'reject', comment: 'final: rejected' });
    expect((await h.api.approvalVerify(signed.text, capsuleId)).verdict).toBe('verified');
    // Signing releases the held document once.
    await expect(
      h.api.approvalSign({ capsuleId, decision: 'reject', comment: 'final: rejected' }),
    ).rejects.toThrow(/preview/);
  });

  it('signs the document as previewed, with the time it showed, even when signing comes later', async () => {
    let t = Date.parse('2026-11-22T05:00:00Z');
    const th = createHarness({ now: () => new Date(t) });
    await th.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
    await th.api.keyCreate({
      approverId: 'lin:human:ao.late',
      name: 'L',
      role: 'authorizing_official',
      passphrase,
    });
    th.openQueue.push(sample.paths!.capsule);
    const id = (await th.api.openCapsuleDialog())!.capsuleId;
    await th.api.verify(id);
    const req = { capsuleId: id, decision: 'reject' as const, comment: 'later' };
    const p = await th.api.approvalPreview(req);
    t += 5 * 60_000;
    const signed = await th.api.approvalSign(req);
    expect((JSON.parse(signed.text) as { signed_at: string }).signed_at).toBe('2026-11-22T05:00:00.000Z');
    expect(signed.text.startsWith(p.documentJson.slice(0, -3))).toBe(true);
  });

  it('re-checks at signing what may have changed since the preview', async () => {
    const req = { capsuleId, decision: 'approve' as const, comment: 're-checked' };
    // The capsule was verified again: its new verification is not the one previewed.
    await h.api.approvalPreview(req);
    await h.api.verify(capsuleId);
    await expect(h.api.approvalSign(req)).rejects.toThrow(/verified again since the preview/);
    // The key was locked: nothing is signed.
    await h.api.approvalPreview(req);
    await h.api.keyLock();
    await expect(h.api.approvalSign(req)).rejects.toThrow(/Unlock/);
    await h.api.keyUnlock(passphrase);
    // Unlocking the same key again: the preview still names it, so it may be signed.
    await h.api.approvalPreview(req);
    await h.api.keyUnlock(passphrase);
    expect((await h.api.approvalVerify((await h.api.approvalSign(req)).text, capsuleId)).verdict).toBe(
      'verified',
    );
  });

  it('the key locks itself after ten idle minutes, and then nothing is signed', async () => {
    let t = Date.parse('2026-11-22T05:00:00Z');
    const th = createHarness({ now: () => new Date(t) });
    await th.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
    await th.api.keyCreate({
      approverId: 'lin:human:ao.idle',
      name: 'I',
      role: 'authorizing_official',
      passphrase,
    });
    th.openQueue.push(sample.paths!.capsule);
    const id = (await th.api.openCapsuleDialog())!.capsuleId;
    await th.api.verify(id);
    const req = { capsuleId: id, decision: 'reject' as const, comment: 'idle' };
    await th.api.approvalPreview(req);
    t += 10 * 60_000;
    await expect(th.api.approvalSign(req)).rejects.toThrow(/Unlock/);
    expect((await th.api.keyStatus()).unlocked).toBe(false);
  });

  it('refuses to sign a request that differs from the one previewed', async () => {
    await h.api.approvalPreview({ capsuleId, decision: 'approve', comment: 'first' });
    await expect(h.api.approvalSign({ capsuleId, decision: 'approve', comment: 'second' })).rejects.toThrow(
      /preview/,
    );
  });

  it('blocks the preview while the key is locked, and unlocks only with the passphrase', async () => {
    await h.api.keyLock();
    const p = await h.api.approvalPreview({ capsuleId, decision: 'approve', comment: '' });
    expect(p.blocked).toMatch(/Unlock/);
    expect(p.documentJson).toBe('');
    // No signer yet: the statement is addressed to the reader, in the second person.
    expect(p.lines[0]).toMatch(
      /^You APPROVE the security assessment evidence in capsule "[^"]+" \(capsule id /,
    );
    await expect(h.api.approvalSign({ capsuleId, decision: 'approve', comment: '' })).rejects.toThrow(
      /Unlock/,
    );
    await expect(h.api.keyUnlock('not the passphrase')).rejects.toThrow(/wrong passphrase/);
    expect((await h.api.keyUnlock(passphrase)).unlocked).toBe(true);
  });

  it('an approval by an approver who is not pinned does not verify', async () => {
    const other = createHarness();
    await other.api.trustImportStore(readFileSync(sample.paths!.trust, 'utf8'));
    const signed = await (async () => {
      const req = { capsuleId, decision: 'reject' as const, comment: 'no' };
      await h.api.approvalPreview(req);
      return h.api.approvalSign(req);
    })();
    const r = await other.api.approvalVerify(signed.text);
    expect(r.verdict).toBe('failed');
    expect(r.lines.find((l) => l.status === 'fail')?.reason).toMatch(/not an approver in the trust store/);
  });

  it('signs a conditional approval only with its conditions stated, and the conditions are what is signed', async () => {
    const blank = await h.api.approvalPreview({ capsuleId, decision: 'conditional', comment: '  ' });
    expect(blank.blocked).toMatch(/conditional approval must state its conditions/);
    await expect(h.api.approvalSign({ capsuleId, decision: 'conditional', comment: '  ' })).rejects.toThrow(
      /state its conditions/,
    );
    const req = {
      capsuleId,
      decision: 'conditional' as const,
      comment: 'ATO conditional on closing POA&M item F-002 by 2027-02-15.',
    };
    const p = await h.api.approvalPreview(req);
    expect(p.blocked).toBeUndefined();
    expect(p.lines[0]).toMatch(/CONDITIONALLY APPROVES/);
    const signed = await h.api.approvalSign(req);
    const doc = JSON.parse(signed.text) as { decision: string; comment: string };
    expect(doc.decision).toBe('conditional');
    expect(doc.comment).toBe(req.comment);
    expect((await h.api.approvalVerify(signed.text, capsuleId)).verdict).toBe('verified');
  });

  it('cannot approve a capsule that did not verify (rejection stays possible)', async () => {
    const bad = await h.api.openCapsuleBytes('broken.zip', sample.zip.slice(0, sample.zip.length - 40));
    const out = await h.api.verify(bad.capsuleId);
    expect(out.status === 'done' && out.verification.report.verdict).toBe('failed');
    const p = await h.api.approvalPreview({ capsuleId: bad.capsuleId, decision: 'approve', comment: '' });
    expect(p.blocked).toMatch(/only a capsule that verified can be approved/);
  });

  it('a rejection of a capsule that failed says in its sentences what the document states: the failure, and the events left out', async () => {
    const forged = (await buildTamperedVariants()).find((x) => x.name === 'forged-event-signature')!;
    const bad = await h.api.openCapsuleBytes('forged.capsule.zip', forged.sample.zip);
    const out = await h.api.verify(bad.capsuleId);
    expect(out.status === 'done' && out.verification.report.verdict).toBe('failed');
    const req = { capsuleId: bad.capsuleId, decision: 'reject' as const, comment: 'Signature forged.' };
    const p = await h.api.approvalPreview(req);
    expect(p.blocked).toBeUndefined();
    const doc = JSON.parse(p.documentJson) as {
      verification: { verdict: string; fail: number; pass: number };
      cited_events: unknown[];
    };
    expect(doc.verification.verdict).toBe('failed');
    const v = h.api.verificationOf(bad.capsuleId)!;
    const left = v.events.length - doc.cited_events.length;
    expect(left).toBeGreaterThan(0);
    expect(p.lines).toContain(
      `It states that this computer's verification at ${v.report.verifiedAt} found the capsule FAILED: ${doc.verification.fail} check${doc.verification.fail === 1 ? '' : 's'} failed, ${doc.verification.pass} passed, 0 not checked.`,
    );
    expect(p.lines.find((l) => l.startsWith('It cites'))).toMatch(
      new RegExp(`; the ${left} events? that did not verify (is|are) not cited\\.$`),
    );
  });

  it('checks an approval against an open capsule that could not be read: bindings not checked, naming why, never "another capsule"', async () => {
    // The sample's 3PAO approves the verified sample; the capsule open is that sample cut to 1,000 bytes.
    const text = JSON.stringify(
      createSarApproval({
        capsule: h.api.verificationOf(capsuleId)!,
        decision: 'approve',
        comment: 'assessed',
        approver: { id: 'lin:human:3pao.sam-okafor', role: '3pao_assessor' },
        signingKey: sample.keys.humans['3pao']!.secretKey,
        signedAt: new Date().toISOString(),
      }),
    );
    const cut = await h.api.openCapsuleBytes('cut.capsule.zip', sample.zip.subarray(0, 1000));
    const out = await h.api.verify(cut.capsuleId);
    expect(out.status).toBe('done');
    const r = await h.api.approvalVerify(text, cut.capsuleId);
    expect(r.verdict).toBe('incomplete');
    expect(r.lines.filter((l) => l.status === 'fail')).toEqual([]);
    expect(r.lines.map((l) => l.status)).toEqual([
      'pass',
      'pass',
      'pass',
      'pass',
      'not_checked',
      'not_checked',
    ]);
    const why =
      "the capsule could not be read (capsule.container: cut.capsule.zip: no end-of-central-directory record: not a zip file), so the approval's binding to it cannot be checked";
    expect(r.lines.filter((l) => l.status === 'not_checked').map((l) => l.reason)).toEqual([why, why]);
    expect(JSON.stringify(r)).not.toMatch(/another capsule/);
    // Not "open and verify the capsule": one is open, and it cannot be read.
    expect(r.summary).toBe(
      'Signature and approver were checked, but the open capsule could not be read (capsule.container: cut.capsule.zip: no end-of-central-directory record: not a zip file), so whether the approval is about it is not known. Open the capsule the approval names (its digest is below) to check that binding.',
    );
    expect(r.statement?.capsule.digest).toBe(h.api.verificationOf(capsuleId)!.capsuleDigest);
  });
});
