import { buildFedrampSample, zipCapsule } from '@lineage/producer';
import { beforeAll, describe, expect, it } from 'vitest';
import { enc, failed, repack, type Sample, verifyZip } from './support.js';

/**
 * Red team, embedded trust (docs/spec/05-capsules.md §5.4): any file whose base name starts with
 * "trust" and ends ".json", at any depth, is a trust store the capsule must not carry — listed in
 * the manifest or not, it is never read and fails capsule.embedded_trust naming it.
 */
let honest: Sample;
beforeAll(async () => {
  honest = await buildFedrampSample();
});

const planted = enc.encode('{"logs":[{"log_id":"attacker","public_key":"00"}]}');

describe('red team: trust stores under other names', () => {
  it.each([
    'trust-anchors.json',
    'trust2.json',
    'trusted.json',
    'TRUST_x.json',
    'artifacts/trust-roots.json',
    'cards/truststore.json',
    'trusted-keys.pem',
    'roots.pem',
    'trust/keys.txt',
  ])('%s, listed in the manifest, fails capsule.embedded_trust', async (name) => {
    const v = await verifyZip(repack(new Map([...honest.files, [name, planted]])), honest.trust);
    const c = failed(v).find((x) => x.id === 'capsule.embedded_trust');
    expect(c, name).toBeDefined();
    expect(c!.subject.field).toBe(name);
    expect(c!.expected).toBe('no trust material inside the capsule');
    expect(c!.found).toBe(name);
  });

  it('an unlisted trust-anchors.json fails it too (and capsule.file_listed)', async () => {
    const v = await verifyZip(
      zipCapsule(new Map([...honest.files, ['trust-anchors.json', planted]])),
      honest.trust,
    );
    expect(
      failed(v)
        .map((c) => c.id)
        .sort(),
    ).toEqual(['capsule.embedded_trust', 'capsule.file_listed']);
  });

  it.each(['artifacts/entrust-report.json', 'artifacts/trust-report.txt', 'artifacts/distrust.json'])(
    '%s is not a trust store name',
    async (name) => {
      const v = await verifyZip(repack(new Map([...honest.files, [name, planted]])), honest.trust);
      expect(v.report.checks.find((x) => x.id === 'capsule.embedded_trust')!.status).toBe('pass');
    },
  );
});
