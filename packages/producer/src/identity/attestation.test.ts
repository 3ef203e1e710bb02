import {
  type CheckOutcome,
  canonicalize,
  eventId,
  eventLeafHash,
  type JsonValue,
  type LineageEvent,
  parseStrictJsonText,
  toHex,
  verifyAttestation,
  verifyCallChain,
} from '@lineage/verifier-core';
import { describe, expect, it } from 'vitest';
import { signAttestation } from './attestation.js';
import { agentEvent, humanApproval, registerEvent, signEvent } from './event.js';
import { testKey } from './keys.js';
import { at, T0, TestLog, testbed } from './testbed.js';

const tb = testbed('lineage.example/attest-log');
const second = new TestLog('lineage.example/mirror-log');

function events(): LineageEvent[] {
  const root = humanApproval(
    tb.ao,
    { role: 'authorizing_official', decision: 'approve' },
    { timestamp: at(0), sequence: 0 },
  );
  const reg = registerEvent(tb.inventory, { timestamp: at(1), sequence: 0 });
  const list: LineageEvent[] = [root, reg];
  for (let i = 0; i < 6; i++) {
    const prev = list.at(-1)!;
    list.push(
      agentEvent(tb.inventory, {
        action: 'inventory.generate',
        timestamp: at(2 + i),
        sequence: 1 + i,
        predecessors: [eventId(i === 0 ? root : prev)],
      }),
    );
  }
  return list;
}

/** An attestation over all events: a multiproof in the first log (with a consistency proof from an older head) and inclusion proofs in the mirror. */
function build(
  evs: LineageEvent[],
  mutate?: (u: ReturnType<typeof unsigned>) => void,
  key = tb.proofServer.key,
) {
  const u = unsigned(evs);
  mutate?.(u);
  return signAttestation(u, key);
}

function unsigned(evs: LineageEvent[]) {
  const log = tb.log;
  log.append(evs.slice(0, 3));
  const oldSize = log.tree.size;
  const old = log.sth(T0 + 20 * 60_000, oldSize);
  const idx = log.append(evs);
  const size = log.tree.size;
  const idx2 = second.append(evs);
  const leaves = evs.map((e) => toHex(eventLeafHash(e)));
  return {
    type: 'lineage.attestation' as const,
    version: 1 as const,
    server: tb.proofServer.id,
    issued_at: at(40),
    leaves,
    logs: [
      {
        log_origin: log.origin,
        checkpoint: log.sth(T0 + 30 * 60_000, size),
        multiproof: {
          leaves: idx
            .map((i, k) => ({ leaf_hash: leaves[k]!, leaf_index: i }))
            .sort((a, b) => a.leaf_index - b.leaf_index),
          proof: log.tree
            .multiproof(
              [...idx].sort((a, b) => a - b),
              size,
            )
            .map(toHex),
        },
        consistency: [{ checkpoint: old, proof: log.tree.consistencyProof(oldSize, size).map(toHex) }],
      },
      {
        log_origin: second.origin,
        checkpoint: second.sth(T0 + 30 * 60_000),
        inclusion: idx2.map((i, k) => ({
          leaf_hash: leaves[k]!,
          leaf_index: i,
          proof: second.tree.inclusionProof(i, second.tree.size).map(toHex),
        })),
      },
    ],
  };
}

const trust = () =>
  tb.trust({
    logs: [
      { origin: tb.log.origin, vkey: tb.log.signer.vkey },
      { origin: second.origin, vkey: second.signer.vkey },
    ],
  });
const v = (a: unknown, expectLeaves?: string[]) =>
  verifyAttestation(a as JsonValue, trust(), expectLeaves ? { expectLeaves } : {});
const failed = (r: { checks: CheckOutcome[] }, id: string) =>
  r.checks.filter((c) => c.id === id && c.status === 'fail');

describe('proof-server attestations', () => {
  it('a multiproof + consistency in one log and inclusion proofs in a second log all verify', async () => {
    const evs = events();
    const r = await v(build(evs), [toHex(eventLeafHash(evs[3]!))]);
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.checks.find((c) => c.subject.field === '/logs/0/multiproof')!.found).toMatch(
      /multiproof of 8 leaves/,
    );
    expect(r.proven.get(toHex(eventLeafHash(evs[3]!)))).toHaveLength(2);
  });

  it('verifies from its canonical text, signed as it is; a change to the text fails; other spellings re-serialize', async () => {
    const evs = events();
    const a = build(evs) as unknown as JsonValue;
    const expected = (await v(a)).checks;
    const text = `${canonicalize(a)}\n`;
    const fast = await v(parseStrictJsonText(text, { member: 'signature' }));
    expect(fast.checks).toEqual(expected);
    // Not canonical (indented), or parsed without the signature's place: the value is re-serialized.
    expect(
      (await v(parseStrictJsonText(JSON.stringify(a, null, 2), { member: 'signature' }))).checks,
    ).toEqual(expected);
    expect((await v(parseStrictJsonText(text, { member: 'server' }))).checks).toEqual(expected);
    // The same text with one leaf changed: the server signature no longer verifies.
    const leaf = (a as { leaves: string[] }).leaves[0]!;
    const altered = text.replace(leaf, `${leaf.slice(0, -1)}${leaf.endsWith('0') ? '1' : '0'}`);
    const r = await v(parseStrictJsonText(altered, { member: 'signature' }));
    expect(failed(r, 'attestation.server_signature')).toHaveLength(1);
    // A look-alike object carrying another text is not taken as parsed text.
    const lookalike = { value: a, canonicalText: altered, canonicalWithout: () => altered };
    expect((await v(lookalike)).checks.find((c) => c.id === 'attestation.schema')!.status).toBe('fail');
  });

  it('events proven through an attestation verify as a call chain without direct proofs', async () => {
    const evs = events();
    const report = await verifyCallChain({
      events: evs.map((e) => ({ event: e as unknown as JsonValue })),
      attestations: [build(evs) as unknown as JsonValue],
      trust: trust(),
    });
    expect(report.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report.checks.find((c) => c.id === 'event.inclusion')!.found).toContain(
      'attested by proofs.lineage.example',
    );
    // The report carries each attestation as the engine parsed it; an unparseable one is undefined.
    expect(report.attestations).toHaveLength(1);
    expect(report.attestations[0]!.server).toBe(tb.proofServer.id);
    const bad = await verifyCallChain({
      events: evs.map((e) => ({ event: e as unknown as JsonValue })),
      attestations: [{ type: 'lineage.attestation' }],
      trust: trust(),
    });
    expect(bad.attestations).toEqual([undefined]);
    expect(bad.checks.find((c) => c.id === 'attestation.schema')!.status).toBe('fail');
  });

  it('event.inclusion through attestations: a leaf no attestation covers fails; an unpinned proof server is not checked', async () => {
    const evs = events();
    const chain = (attestation: unknown, list = evs) =>
      verifyCallChain({
        events: list.map((e) => ({ event: e as unknown as JsonValue })),
        attestations: [attestation as JsonValue],
        trust: trust(),
      });
    // An event altered after logging: its leaf is no longer the one the attestation covers.
    const altered = signEvent(
      { ...evs[3]!, context: { ...evs[3]!.context, task_id: 'moved' } },
      tb.inventory,
    );
    const list = [...evs.slice(0, 3), altered, ...evs.slice(4)];
    const r = await chain(build(evs), list);
    const inc = r.checks.filter((c) => c.id === 'event.inclusion' && c.status !== 'pass');
    expect(inc.map((c) => [c.status, c.subject.id])).toEqual([['fail', eventId(altered)]]);
    expect(inc[0]!.expected).toBe(
      `an inclusion proof or a verified attestation covering leaf ${toHex(eventLeafHash(altered))}`,
    );
    expect(inc[0]!.found).toBe('none');
    expect(
      r.checks.filter((c) => c.id === 'event.sth_time' && c.status !== 'pass').map((c) => c.status),
    ).toEqual(['fail']);
    // The attestation covers every leaf but its server is not pinned: could not be checked.
    const unpinned = build(evs, (u) => {
      u.server = 'proofs.elsewhere.example';
    });
    const u = await chain(unpinned);
    const notChecked = u.checks.filter((c) => c.id === 'event.inclusion');
    expect(notChecked.map((c) => c.status)).toEqual(evs.map(() => 'not_checked'));
    expect(notChecked[0]!.reason).toContain('proofs.elsewhere.example" is not pinned');
    expect(u.checks.filter((c) => c.id === 'event.sth_time').every((c) => c.status === 'not_checked')).toBe(
      true,
    );
    expect(u.verdict).toBe('incomplete');
  });

  it('attestation.server_signature: altered after signing fails; an unpinned server is not checked; a wrong key fails', async () => {
    const evs = events();
    const a = build(evs);
    const altered = { ...a, issued_at: at(41) };
    expect(failed(await v(altered), 'attestation.server_signature')).toHaveLength(1);
    const unpinned = build(evs, (u) => {
      u.server = 'proofs.elsewhere.example';
    });
    const r = await v(unpinned);
    expect(r.checks.find((c) => c.id === 'attestation.server_signature')!.status).toBe('not_checked');
    expect(r.proven.size).toBe(0);
    const wrongKey = build(evs, undefined, testKey('rogue server'));
    expect(failed(await v(wrongKey), 'attestation.server_signature')[0]!.expected).toBe(
      tb.proofServer.key.publicKeyHex,
    );
  });

  it('attestation.sth_signature: a tree head signed by an unpinned key is not trusted', async () => {
    const evs = events();
    const rogue = new TestLog(tb.log.origin.replace('attest', 'rogue'));
    const a = build(evs, (u) => {
      rogue.append(evs);
      u.logs[1]!.checkpoint = rogue.sth(T0, rogue.tree.size);
      u.logs[1]!.log_origin = rogue.origin;
    });
    const r = await v(a);
    expect(r.checks.find((c) => c.id === 'attestation.sth_signature' && c.status !== 'pass')!.status).toBe(
      'not_checked',
    );
    const forgedSth = build(evs, (u) => {
      const lines = u.logs[0]!.checkpoint.split('\n');
      lines[1] = String(Number(lines[1]) + 1);
      u.logs[0]!.checkpoint = lines.join('\n');
    });
    expect(failed(await v(forgedSth), 'attestation.sth_signature')).toHaveLength(1);
  });

  it('attestation.inclusion: a wrong multiproof hash and a wrong inclusion index fail', async () => {
    const evs = events();
    const a = build(evs, (u) => {
      u.logs[0]!.multiproof!.proof[0] = '00'.repeat(32);
      u.logs[1]!.inclusion![2]!.leaf_index = 3;
    });
    const r = await v(a);
    expect(failed(r, 'attestation.inclusion').map((c) => c.subject.field)).toEqual([
      '/logs/0/multiproof',
      '/logs/1/inclusion/2',
    ]);
  });

  it('attestation.schema: issued before a tree head it carries, or after the verification, fails at /issued_at', async () => {
    const evs = events();
    const early = build(evs, (u) => {
      u.issued_at = at(15); // its tree heads are signed at T0 + 30 min
    });
    const before = failed(await v(early), 'attestation.schema');
    expect(before).toHaveLength(2); // one per log
    expect(before[0]).toMatchObject({
      subject: { field: '/issued_at' },
      reason: expect.stringMatching(
        /issued before the tree head it carries at \/logs\/0\/checkpoint was signed/,
      ),
      expected: `at or after ${at(30)} (with 10 minutes for clock differences)`,
      found: at(15),
    });
    const fine = build(evs);
    expect(failed(await v(fine), 'attestation.schema')).toEqual([]);
    const verifiedBefore = await verifyAttestation(fine as unknown as JsonValue, trust(), {
      verifiedAt: at(29),
    });
    expect(failed(verifiedBefore, 'attestation.schema')).toMatchObject([
      { subject: { field: '/issued_at' }, reason: expect.stringMatching(/issued after this verification/) },
    ]);
    expect(
      failed(
        await verifyAttestation(fine as unknown as JsonValue, trust(), { verifiedAt: at(31) }),
        'attestation.schema',
      ),
    ).toEqual([]);
  });

  it('attestation.consistency: a proof that does not connect the older tree head fails', async () => {
    const evs = events();
    const a = build(evs, (u) => {
      u.logs[0]!.consistency![0]!.proof[0] = 'ff'.repeat(32);
    });
    // Which code depends on the sizes the earlier tests left (equal sizes take no hashes); neither
    // accuses the log outright: a wrong proof cannot tell a fork from the proof's own error.
    expect(failed(await v(a), 'attestation.consistency')[0]!.reason).toMatch(
      /(root[12]_mismatch: .* — the newer tree head is not shown to extend the older one: the log forked or rewrote history, or the proof is wrong|proof_length: .* — the proof is malformed)$/,
    );
  });

  it('attestation.sth_signature: an older tree head whose note was changed fails, and its proof is not judged', async () => {
    const evs = events();
    const a = build(evs, (u) => {
      const c = u.logs[0]!.consistency![0]!;
      const lines = c.checkpoint.split('\n');
      lines[1] = String(Number(lines[1]) - 1);
      c.checkpoint = lines.join('\n');
    });
    const r = await v(a);
    expect(failed(r, 'attestation.sth_signature')).toEqual([
      expect.objectContaining({
        subject: expect.objectContaining({ field: '/logs/0/consistency/0/checkpoint' }),
        reason: expect.stringMatching(/^older tree head: note\.bad-signature: /),
        expected: expect.stringMatching(/^a signature by \S+ over this note text$/),
        found: expect.stringMatching(/^signature line \d+, which does not verify over it$/),
      }),
    ]);
    // No consistency verdict rests on a tree head that did not verify.
    expect(r.checks.filter((c) => c.id === 'attestation.consistency')).toEqual([]);
  });

  it('attestation.leaf_binding: an attestation about other leaves, or listing an unproven leaf, fails', async () => {
    const evs = events();
    const other = toHex(
      eventLeafHash(agentEvent(tb.scanner, { action: 'x.y', timestamp: at(9), sequence: 0 })),
    );
    const r = await v(build(evs), [other]);
    expect(failed(r, 'attestation.leaf_binding')[0]!.reason).toContain('about other leaves');
    const extra = build(evs, (u) => u.leaves.push(other));
    expect(failed(await v(extra), 'attestation.leaf_binding')[0]!.reason).toMatch(
      /^1 listed leaf carries no proof in any log \(first: [0-9a-f]{12}…\)$/,
    );
  });

  it('attestation.leaf_binding: a log proving a leaf that "leaves" does not list fails, and proves nothing for it', async () => {
    const evs = events();
    const dropped = toHex(eventLeafHash(evs[2]!));
    const r = await v(
      build(evs, (u) => {
        u.leaves = u.leaves.filter((l) => l !== dropped);
      }),
    );
    // Both logs prove the unlisted leaf: each is named, with the leaf it proves.
    const binding = failed(r, 'attestation.leaf_binding');
    expect(binding.map((c) => c.subject.field)).toEqual(['/logs/0', '/logs/1']);
    expect(binding[0]).toMatchObject({
      reason: expect.stringMatching(
        /proves leaf [0-9a-f]{12}…, which the attestation's "leaves" does not list$/,
      ),
      expected: 'every proven leaf listed in "leaves"',
      found: `leaf ${dropped}, proven but not listed`,
    });
    expect(r.proven.has(dropped)).toBe(false);
  });

  it('attestation.schema: a log entry without proofs is rejected with its path', async () => {
    const evs = events();
    const a = build(evs, (u) => {
      delete u.logs[1]!.inclusion;
    });
    expect(failed(await v(a), 'attestation.schema')[0]!.reason).toContain(
      'needs "inclusion", "multiproof" or both',
    );
  });
});
