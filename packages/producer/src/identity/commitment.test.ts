import {
  eventId,
  type JsonValue,
  PEDERSEN_H_DST,
  PEDERSEN_H_MESSAGE,
  pedersenCommitment,
  pedersenGeneratorH,
  saltedCommitment,
  toHex,
  verifyCallChain,
} from '@lineage/verifier-core';
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { commitPedersen, commitSalted, openingFor } from './commitment.js';
import { agentEvent, humanApproval, registerEvent } from './event.js';
import { at, T0, testbed } from './testbed.js';

const tb = testbed('lineage.example/commit-log');
const salt = new Uint8Array(16).fill(7);
const blinding = new Uint8Array(32).fill(0);
blinding[0] = 42;

function world() {
  const ips = commitSalted('boundary.ip_ranges', ['10.0.0.0/16', '10.1.0.0/16'], salt);
  const count = commitPedersen('inventory.asset_count', 1312, blinding);
  const secret = commitSalted('boundary.admin_contact', 'ops@csp.example', new Uint8Array(32).fill(9));
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve' },
    { timestamp: at(0), sequence: 0 },
  );
  const reg = registerEvent(tb.inventory, { timestamp: at(1), sequence: 0 });
  const inv = agentEvent(tb.inventory, {
    action: 'inventory.generate',
    timestamp: at(2),
    sequence: 1,
    predecessors: [eventId(root)],
    commitments: [ips.commitment, count.commitment, secret.commitment],
  });
  return { ips, count, secret, events: [root, reg, inv], inv };
}

const run = (w: ReturnType<typeof world>, openings: unknown[], cite = true) =>
  verifyCallChain({
    events: cite
      ? tb.log.cite(w.events, T0 + 600_000)
      : w.events.map((e) => ({ event: e as unknown as JsonValue })),
    trust: tb.trust(),
    openings: openings as JsonValue[],
  });

describe('commitments and selective disclosure', () => {
  it('the Pedersen generator H is the documented hash-to-curve point, independent of G', () => {
    const H = pedersenGeneratorH();
    // RFC 9380 App. B: H = ristretto255 one-way map of expand_message_xmd(SHA-512, msg, DST, 64 bytes).
    const te = new TextEncoder();
    const uniform = expand_message_xmd(te.encode(PEDERSEN_H_MESSAGE), te.encode(PEDERSEN_H_DST), 64, sha512);
    expect(ristretto255_hasher.deriveToCurve!(uniform).equals(H)).toBe(true);
    expect(toHex(H.toBytes())).toBe('8e08403be06051bb41a446438666dc9002ba6678685acbcb2ba3ea2b14cc163f');
    expect(H.equals(ristretto255.Point.BASE)).toBe(false);
  });

  it('salted and Pedersen openings verify against a proven event; the rest is "committed, not disclosed"', async () => {
    const w = world();
    const r = await run(w, [openingFor(w.ips, eventId(w.inv)), openingFor(w.count, eventId(w.inv))]);
    expect(r.verdict).toBe('verified');
    const opened = r.checks.filter((c) => c.id === 'commitment.opening');
    expect(opened.map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(opened[1]!.found).toBe('inventory.asset_count = 1312');
    const undisclosed = r.checks.filter((c) => c.id === 'commitment.undisclosed');
    expect(undisclosed).toHaveLength(1);
    expect(undisclosed[0]!.title).toBe('committed, not disclosed');
    expect(undisclosed[0]!.subject.id).toContain('boundary.admin_contact');
  });

  it('a wrong disclosed value fails with both commitments shown (salted and Pedersen)', async () => {
    const w = world();
    const lie = { ...openingFor(w.ips, eventId(w.inv)), value: ['10.0.0.0/8'] };
    const lie2 = { ...openingFor(w.count, eventId(w.inv)), value: 1311 };
    const r = await run(w, [lie, lie2]);
    const f = r.checks.filter((c) => c.id === 'commitment.opening' && c.status === 'fail');
    expect(f).toHaveLength(2);
    expect(f[0]!.expected).toBe(w.ips.commitment.value);
    expect(f[1]!.expected).toBe(w.count.commitment.value);
  });

  it('a wrong salt or blinding fails; a short salt is rejected by the scheme', async () => {
    const w = world();
    const o = openingFor(w.ips, eventId(w.inv));
    const r = await run(w, [
      { ...o, salt: '08'.repeat(16) },
      { ...o, salt: '07'.repeat(8) },
    ]);
    const f = r.checks.filter((c) => c.id === 'commitment.opening' && c.status === 'fail');
    expect(f).toHaveLength(2);
    expect(f[1]!.reason).toContain('≥128 bits');
    expect(() => saltedCommitment('x', 1, new Uint8Array(15))).toThrow(/16\.\.255 bytes/);
    const p = openingFor(w.count, eventId(w.inv));
    const b2 = new Uint8Array(32).fill(0);
    b2[0] = 43;
    const r2 = await run(w, [{ ...p, blinding: toHex(b2) }]);
    expect(r2.checks.find((c) => c.id === 'commitment.opening')!.status).toBe('fail');
  });

  it('an opening that matches but whose event is not proven in the log is not checked', async () => {
    const w = world();
    const r = await run(w, [openingFor(w.ips, eventId(w.inv))], false);
    const c = r.checks.find((x) => x.id === 'commitment.opening')!;
    expect(c.status).toBe('not_checked');
    expect(c.reason).toContain('not proven in the log');
  });

  it("an opening that matches on a logged event whose key is not shown to be the agent's is not checked", async () => {
    const w = world();
    // Without its registration the inventory agent's key has no history: the event is not authentic.
    const events = w.events.filter((e) => e !== w.events[1]);
    const r = await verifyCallChain({
      events: tb.log.cite(events, T0 + 600_000),
      trust: tb.trust(),
      openings: [openingFor(w.ips, eventId(w.inv))] as unknown as JsonValue[],
    });
    expect(
      r.checks.find((x) => x.id === 'event.actor_key_valid_at_time' && x.subject.id === eventId(w.inv))!
        .status,
    ).toBe('not_checked');
    const c = r.checks.find((x) => x.id === 'commitment.opening')!;
    expect(c.status).toBe('not_checked');
    expect(c.reason).toContain('not proven in the log');
  });

  it('an opening for an unknown event or name fails', async () => {
    const w = world();
    const r = await run(w, [
      openingFor(w.ips, '00'.repeat(32)),
      { ...openingFor(w.ips, eventId(w.inv)), name: 'nope' },
    ]);
    const f = r.checks.filter((c) => c.id === 'commitment.opening' && c.status === 'fail');
    expect(f.map((c) => c.reason)).toEqual([
      expect.stringContaining('not among the verified events'),
      expect.stringContaining('no commitment named "nope"'),
    ]);
    expect(f[1]).toMatchObject({
      expected: 'a commitment named "nope"',
      found: `commitments "boundary.ip_ranges", "inventory.asset_count", "${w.secret.commitment.name}"`,
    });
  });

  it('an opening for another scheme than the commitment fails, naming both', async () => {
    const w = world();
    // The salted commitment opened as if it were a Pedersen one (with a blinding).
    const salted = openingFor(w.ips, eventId(w.inv)) as Record<string, unknown>;
    const { salt: _salt, ...rest } = salted;
    const r = await run(w, [{ ...rest, scheme: 'pedersen-ristretto255-v1', blinding: '01'.repeat(32) }]);
    expect(r.checks.filter((c) => c.id === 'commitment.opening' && c.status === 'fail')).toEqual([
      expect.objectContaining({
        reason: 'the opening is for another scheme',
        expected: 'sha256-salted-v1',
        found: 'pedersen-ristretto255-v1',
      }),
    ]);
  });

  it('a malformed opening (no value, or a field the scheme does not have) fails, naming its path', async () => {
    const w = world();
    const { value: _value, ...noValue } = openingFor(w.ips, eventId(w.inv)) as Record<string, unknown>;
    const extra = { ...openingFor(w.count, eventId(w.inv)), salt: '00' };
    const r = await run(w, [noValue, extra]);
    expect(r.verdict).toBe('failed');
    expect(r.checks.filter((c) => c.id === 'commitment.opening' && c.status === 'fail')).toEqual([
      expect.objectContaining({
        subject: { kind: 'commitment', id: 'opening 0', field: '/openings/0/value' },
        reason: 'opening has no "value"',
      }),
      expect.objectContaining({
        subject: expect.objectContaining({ kind: 'commitment', id: 'opening 1' }),
      }),
    ]);
  });

  it('Pedersen commitments hide the value (different blindings) and bind it (m changes C)', () => {
    const b1 = new Uint8Array(32).fill(1);
    const b2 = new Uint8Array(32).fill(2);
    expect(pedersenCommitment('n', 5, b1)).not.toBe(pedersenCommitment('n', 5, b2));
    expect(pedersenCommitment('n', 5, b1)).not.toBe(pedersenCommitment('n', 6, b1));
    expect(pedersenCommitment('n', 5, b1)).not.toBe(pedersenCommitment('m', 5, b1));
    expect(() => pedersenCommitment('n', 5, new Uint8Array(32).fill(0xff))).toThrow(/canonical/);
  });
});
