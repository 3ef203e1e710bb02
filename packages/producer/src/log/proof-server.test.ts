import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Attestation, type TrustStore, toHex, verifyAttestation } from '@lineage/verifier-core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Ed25519Key, ed25519KeyFromSeed } from '../identity/index.js';
import { lineageLogVkey, lineageSthSigner } from '../sample/sth-signer.js';
import { LineageStore, ProofServer } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'lineage-proof-server-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const enc = new TextEncoder();
const serverKey = ed25519KeyFromSeed(new Uint8Array(32).fill(9));
const issuedAt = '2030-01-01T00:00:00Z';
const open: LineageStore[] = [];
afterAll(() => {
  for (const l of open) l.close();
});

/** A store of `n` entries with a real signed tree head every `every` appends. */
async function store(
  origin: string,
  n: number,
  every: number,
): Promise<{ log: LineageStore; key: Ed25519Key }> {
  const key = ed25519KeyFromSeed(new Uint8Array(32).fill(3));
  let clock = 1_700_000_000_000;
  const log = LineageStore.open(join(root, origin.replace(/\W/g, '_')), {
    origin,
    signer: lineageSthSigner(origin, key, () => (clock += 1000)),
    sthEvery: every,
    fsync: false,
  });
  open.push(log);
  for (let i = 0; i < n; i++) await log.append(enc.encode(`${origin} entry ${i}`));
  return { log, key };
}

function trustFor(logs: { log: LineageStore; key: Ed25519Key }[]): TrustStore {
  return {
    version: 1,
    logs: logs.map(({ log, key }) => ({ origin: log.origin, vkey: lineageLogVkey(log.origin, key) })),
    witnesses: { vkeys: [], threshold: 0 },
    proof_servers: [{ id: 'ps.example', public_key: serverKey.publicKeyHex }],
    approvers: [],
    card_signers: [],
    policy: {},
  };
}

/** Every check that did not pass, as "id: reason". */
async function problems(a: Attestation, trust: TrustStore): Promise<string[]> {
  const r = await verifyAttestation(a as never, trust);
  return r.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.reason}`);
}

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('ProofServer', () => {
  // Size 1, powers of two, and sizes just past them; every leaf including index size-1.
  for (const [n, every] of [
    [1, 1],
    [2, 2],
    [4, 4],
    [5, 5],
    [7, 3],
    [8, 8],
    [16, 4],
    [17, 17],
  ] as const) {
    it(`serves proofs the core verifies for a log of ${n} (tree head every ${every}), in every proof style`, async () => {
      const s = await store(`example.test/log-${n}-${every}`, n, every);
      const server = new ProofServer('ps.example', serverKey.secretKey, [s.log]);
      const trust = trustFor([s]);
      const size = s.log.lastSth()!.size;
      const leaves = [...Array(size).keys()].map((i) => toHex(s.log.leafHash(i)));
      const older = s.log.publishedSths().map((x) => x.size);
      for (const style of ['multiproof', 'inclusion', 'both'] as const) {
        const a = server.attest({
          leaves,
          issuedAt,
          consistencyFrom: { [s.log.origin]: older },
          proofStyle: style,
        });
        expect(await problems(a, trust), style).toEqual([]);
        const last = server.attest({ leaves: [leaves.at(-1)!], issuedAt, proofStyle: style });
        expect(await problems(last, trust), `${style}, last leaf`).toEqual([]);
        expect(last.logs[0]!.inclusion?.[0]?.leaf_index).toBe(size - 1);
      }
    });
  }

  it("'both' carries per-leaf proofs and a multiproof, as the sample's attestation promises", async () => {
    const s = await store('example.test/both', 6, 3);
    const server = new ProofServer('ps.example', serverKey.secretKey, [s.log]);
    const leaves = [0, 2, 5].map((i) => toHex(s.log.leafHash(i)));
    const a = server.attest({ leaves, issuedAt, proofStyle: 'both' });
    expect(a.logs[0]!.inclusion?.map((x) => x.leaf_index)).toEqual([0, 2, 5]);
    expect(a.logs[0]!.multiproof?.leaves.map((x) => x.leaf_index)).toEqual([0, 2, 5]);
    expect(await problems(a, trustFor([s]))).toEqual([]);
    const m = server.attest({ leaves, issuedAt });
    expect(m.logs[0]!.inclusion).toBeUndefined();
    const i = server.attest({ leaves, issuedAt, proofStyle: 'inclusion' });
    expect(i.logs[0]!.multiproof).toBeUndefined();
  });

  it('attests leaves across several logs, each under its own tree head', async () => {
    const a = await store('example.test/first', 5, 5);
    const b = await store('example.test/second', 3, 3);
    const server = new ProofServer('ps.example', serverKey.secretKey, [a.log, b.log]);
    const leaves = [toHex(a.log.leafHash(4)), toHex(b.log.leafHash(0)), toHex(b.log.leafHash(2))];
    const att = server.attest({ leaves, issuedAt, consistencyFrom: { [b.log.origin]: [3] } });
    expect(att.logs.map((l) => l.log_origin)).toEqual([a.log.origin, b.log.origin]);
    expect(await problems(att, trustFor([a, b]))).toEqual([]);
  });

  it('refuses requests it could only answer with an attestation verifiers refuse', async () => {
    const s = await store('example.test/refusals', 6, 3);
    const server = new ProofServer('ps.example', serverKey.secretKey, [s.log]);
    const l0 = toHex(s.log.leafHash(0));
    expect(codeOf(() => server.attest({ leaves: [], issuedAt }))).toBe('proof_server.request');
    expect(codeOf(() => server.attest({ leaves: [l0], issuedAt: 'yesterday' }))).toBe('proof_server.request');
    expect(() => server.attest({ leaves: [l0.toUpperCase()], issuedAt })).toThrow(
      /is not a leaf hash: 64 lowercase hex characters/,
    );
    // Consistency is proven only from tree heads the log published, never from the empty tree.
    expect(
      codeOf(() => server.attest({ leaves: [l0], issuedAt, consistencyFrom: { [s.log.origin]: [4] } })),
    ).toBe('proof_server.sth');
    expect(() => server.attest({ leaves: [l0], issuedAt, consistencyFrom: { [s.log.origin]: [0] } })).toThrow(
      /consistency from the empty tree/,
    );
    // Asked of a log the server does not serve: refused, not silently left out.
    expect(() =>
      server.attest({ leaves: [l0], issuedAt, consistencyFrom: { 'example.test/other': [3] } }),
    ).toThrow(/log example\.test\/other, which this server does not serve/);
    // A leaf appended after the last tree head is not under any.
    await s.log.append(enc.encode('tail'));
    expect(codeOf(() => server.attest({ leaves: [toHex(s.log.leafHash(6))], issuedAt }))).toBe(
      'proof_server.leaf',
    );
  });

  it('proves a leaf listed twice once, whatever the proof style', async () => {
    const s = await store('example.test/twice', 4, 4);
    const server = new ProofServer('ps.example', serverKey.secretKey, [s.log]);
    const [l0, l1] = [0, 1].map((i) => toHex(s.log.leafHash(i)));
    for (const style of ['multiproof', 'inclusion', 'both'] as const) {
      const a = server.attest({ leaves: [l1!, l0!, l1!], issuedAt, proofStyle: style });
      expect(a.leaves).toEqual([l1, l0]);
      expect(await problems(a, trustFor([s])), style).toEqual([]);
    }
  });

  it('a published empty tree head is not offered as a consistency origin', async () => {
    const s = await store('example.test/from-empty', 0, 100);
    await s.log.publish();
    await s.log.append(enc.encode('first'));
    await s.log.publish();
    const server = new ProofServer('ps.example', serverKey.secretKey, [s.log]);
    expect(s.log.publishedSths().map((x) => x.size)).toEqual([0, 1]);
    expect(
      codeOf(() =>
        server.attest({
          leaves: [toHex(s.log.leafHash(0))],
          issuedAt,
          consistencyFrom: { [s.log.origin]: [0] },
        }),
      ),
    ).toBe('proof_server.sth');
  });
});
