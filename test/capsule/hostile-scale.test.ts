// Capsules shaped to make verification quadratic, within the default limits: each must finish in
// about the time its size takes to read (the figures are in the commits; the test timeout is the
// guard, never a measured time).
import { buildFedrampSample } from '@lineage/producer';
import { describe, expect, it } from 'vitest';
import { dec, failedIds, repack, verifyZip, withText } from '../redteam/support.js';

describe('hostile scale', () => {
  it('an attestation with 40k consistency checkpoints of distinct tree sizes fails, each head listed once, in linear time', async () => {
    // Each distinct tree head was looked up in the list of those already seen: 8k took 5.9 s and
    // 32k 92 s; one map lookup each now (32k: 3 s, most of it checking the checkpoints).
    const s = await buildFedrampSample();
    const at = JSON.parse(dec.decode(s.files.get('attestations/000.json')!));
    const c0 = at.logs[0].consistency[0];
    const forged = Array.from({ length: 40_000 }, (_, i) => ({
      ...c0,
      checkpoint: c0.checkpoint.replace(/\n6\n/, `\n${7 + i}\n`),
    }));
    at.logs[0].consistency = [...at.logs[0].consistency, ...forged];
    const r = await verifyZip(
      repack(withText(s.files, 'attestations/000.json', JSON.stringify(at))),
      s.trust,
    );
    expect(r.report.verdict).toBe('failed');
    // The edited attestation's signature no longer holds, and no forged head verifies.
    expect(failedIds(r)).toEqual(
      expect.arrayContaining(['attestation.server_signature', 'attestation.sth_signature']),
    );
    expect(r.sths.length).toBeGreaterThan(40_000);
  });
});
