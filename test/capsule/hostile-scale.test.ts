// Capsules shaped to make verification quadratic, within the default limits: each must finish in
// about the time its size takes to read (the figures are in the commits; the test timeout is the
// guard, never a measured time).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addIdentityBlock,
  agentEvent,
  asAgentKey,
  baseAgentCard,
  buildFedrampSample,
  capsuleFiles,
  humanApproval,
  LineageStore,
  lineageLogVkey,
  lineageSthSigner,
  ProofServer,
  registerEvent,
  signAgentCard,
  testKey,
  zipCapsule,
} from '@lineage/producer';
import {
  type Attestation,
  eventEntryBytes,
  eventId,
  formatTimestamp,
  type TrustStore,
  toHex,
} from '@lineage/verifier-core';
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

describe('hostile scale: agent cards', () => {
  it('4,000 copies of a card pointing to one 1 MB registration event examine the event once', async () => {
    // Each card's card.lineage parsed, hashed and canonicalized the registration event again:
    // 100 cards took 2.2 s and 400 took 8 s on a 1 MB registration (hours at the entry limit).
    const T0 = Date.parse('2026-11-02T14:00:00.000Z');
    const at = (s: number) => formatTimestamp(T0 + s * 1000);
    const logId = 'scale.example/log';
    const [logKey, psKey, ao] = [testKey('scale:log'), testKey('scale:ps'), testKey('scale:ao')];
    const agent = asAgentKey(testKey('scale:agent'));
    const root = humanApproval(
      { id: 'lin:human:ao', key: ao },
      { role: 'authorizing_official', decision: 'approve' },
      { timestamp: at(0), sequence: 0, context: { task_id: 'scale', controls: ['CA-6'] } },
    );
    // About 1 MB of distinct control ids (a repeated one would compress past the zip-bomb ratio).
    const controls = Array.from({ length: 100_000 }, (_, i) => `AU-${i}`);
    const reg = registerEvent(agent, {
      timestamp: at(1),
      sequence: 0,
      predecessors: [eventId(root)],
      context: { task_id: 'scale', controls },
    });
    const work = agentEvent(agent, {
      action: 'evidence.collect',
      timestamp: at(2),
      sequence: 1,
      predecessors: [eventId(reg)],
      context: { task_id: 'scale', controls: ['AU-10'] },
    });
    const events = [root, reg, work];
    const dir = mkdtempSync(join(tmpdir(), 'lineage-scale-cards-'));
    let attestation: Attestation;
    try {
      const store = LineageStore.open(dir, {
        origin: logId,
        signer: lineageSthSigner(logId, logKey, () => T0 + 10_000),
        sthEvery: 1_000_000,
        fsync: false,
      });
      for (const e of events) await store.append(eventEntryBytes(e));
      await store.publish();
      attestation = new ProofServer('ps.example', psKey.secretKey, [store]).attest({
        leaves: events.map((_, i) => toHex(store.leafHash(i))),
        issuedAt: at(20),
        proofStyle: 'inclusion',
      });
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const card = signAgentCard(
      addIdentityBlock(
        baseAgentCard('Scale Agent', [{ id: 's', name: 'scan', description: 'scans', tags: ['t'] }]),
        agent,
        { lineage: { log_origin: logId, registration_event_id: eventId(reg), registration_leaf_index: 1 } },
      ),
      { alg: 'EdDSA', kid: agent.agentId, key: agent },
    );
    const files = capsuleFiles({
      capsuleId: 'scale-cards',
      createdAt: at(30),
      title: 'cards',
      workflow: { name: 'cards', steps: [] },
      events,
      cards: Array.from({ length: 4_000 }, (_, i) => ({ stem: `card-${i}`, card })),
      receipts: [],
      attestations: [attestation],
      openings: [],
      artifacts: [],
    });
    const trust: TrustStore = {
      version: 1,
      logs: [{ origin: logId, vkey: lineageLogVkey(logId, logKey) }],
      witnesses: { vkeys: [], threshold: 0 },
      proof_servers: [{ id: 'ps.example', public_key: psKey.publicKeyHex }],
      approvers: [
        { id: 'lin:human:ao', name: 'A. O.', public_key: ao.publicKeyHex, roles: ['authorizing_official'] },
      ],
      card_signers: [],
      policy: {},
    };
    const r = await verifyZip(zipCapsule(files), trust);
    expect(failedIds(r)).toEqual([]);
    const lineage = r.report.checks.filter((c) => c.id === 'card.lineage');
    expect(lineage).toHaveLength(4_000);
    expect(lineage.every((c) => c.status === 'pass')).toBe(true);
  });
});

describe('hostile sizes: long ids', () => {
  it('a receipt with a 1 MB handoff id fails receipt.schema with a short message, and names no report subject after it', async () => {
    // A megabyte id became a megabyte reason, and the subject of every check of its receipt.
    const s = await buildFedrampSample();
    const [first, ...rest] = dec.decode(s.files.get('receipts.jsonl')!).trimEnd().split('\n');
    const long = { ...JSON.parse(first!), handoff_id: 'h'.repeat(1_000_000) };
    const text = `${[JSON.stringify(long), ...rest].join('\n')}\n`;
    const r = await verifyZip(repack(withText(s.files, 'receipts.jsonl', text)), s.trust);
    const schema = r.report.checks.filter((c) => c.id === 'receipt.schema' && c.status === 'fail');
    expect(schema).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ id: 'receipt 0', field: '/handoff_id' }),
        expected: 'an id of 1 to 256 characters',
      }),
    ]);
    expect(JSON.stringify(r.report).length).toBeLessThan(1_000_000);
  });
});

describe('hostile sizes: the reference producer', () => {
  it('builds (and the verifier reads) a sample whose event carries a 1 MB action', async () => {
    // The sample's leaf hashes spread the event's bytes into a call's arguments: a stack overflow
    // past ~100 KB, so no test could build such a capsule through the sample's own hooks.
    const s = await buildFedrampSample({
      hooks: {
        specs: (specs) => {
          specs.find((x) => x.key === 'A2-inventory')!.action = 'a'.repeat(1_000_000);
        },
      },
    });
    const r = await verifyZip(s.zip, s.trust);
    const actions = r.events.map((e) => e.action.length);
    expect(Math.max(...actions)).toBe(1_000_000);
    // A signed action the policy does not restrict is allowed to anyone (spec 4.3): it verifies.
    expect(r.report.verdict).toBe('verified');
  });
});
