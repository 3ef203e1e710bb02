import {
  type Attestation,
  type AttestedLog,
  bytesEqual,
  LineageError,
  parseTimestamp,
  signingInput,
  toHex,
  type UnsignedAttestation,
} from '@lineage/verifier-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { LineageStore, PublishedSth } from './store.js';

/**
 * The reference Proof Server (docs/spec/05-capsules.md §5.6): for a set of leaves it
 * finds them in one or more logs and signs one attestation carrying, per log, the latest
 * tree head, a multiproof (or single inclusion proof) and consistency proofs from the
 * older tree heads the client already holds.
 */
export interface AttestRequest {
  /** Leaf hashes (hex) to attest. Each must be in at least one of the logs. */
  leaves: string[];
  issuedAt: string;
  /** Per log origin: sizes of older tree heads to prove consistency from. */
  consistencyFrom?: Record<string, number[]>;
  /**
   * 'multiproof' (default; used when several leaves share a log), 'inclusion' (one proof per
   * leaf) or 'both' (per-leaf proofs, and a multiproof where several leaves share a log).
   */
  proofStyle?: 'multiproof' | 'inclusion' | 'both';
}

export class ProofServer {
  readonly id: string;
  readonly publicKey: Uint8Array;
  private readonly secretKey: Uint8Array;
  private readonly logs: LineageStore[];

  constructor(id: string, secretKey: Uint8Array, logs: LineageStore[]) {
    this.id = id;
    this.secretKey = secretKey;
    this.publicKey = ed25519.getPublicKey(secretKey);
    this.logs = logs;
  }

  attest(req: AttestRequest): Attestation {
    // Refused here, not signed into an attestation every verifier refuses (§4.7 schema).
    const leaves = this.checkRequest(req);
    const logs: AttestedLog[] = [];
    const found = new Set<string>();
    for (const log of this.logs) {
      const sth = log.lastSth();
      if (!sth) continue;
      const indexOf = new Map<string, number>();
      for (let i = 0; i < sth.size; i++) indexOf.set(toHex(log.leafHash(i)), i);
      const hits = leaves
        .filter((l) => indexOf.has(l))
        .map((l) => ({ leaf_hash: l, leaf_index: indexOf.get(l)! }));
      if (hits.length === 0) continue;
      for (const h of hits) found.add(h.leaf_hash);
      logs.push(this.logEntry(log, sth, hits, req));
    }
    const missing = leaves.filter((l) => !found.has(l));
    if (missing.length > 0) {
      throw new LineageError(
        'proof_server.leaf',
        `leaf ${missing[0]} is not under any published tree head of ${this.logs.map((l) => l.origin).join(', ')}`,
      );
    }
    // Consistency asked of a log that proves none of the leaves would otherwise be left out unsaid.
    for (const origin of Object.keys(req.consistencyFrom ?? {})) {
      if ((req.consistencyFrom?.[origin]?.length ?? 0) > 0 && !logs.some((l) => l.log_origin === origin))
        throw new LineageError(
          'proof_server.sth',
          `consistency was asked of log ${origin}, which ${this.logs.some((l) => l.origin === origin) ? 'holds none of the leaves' : 'this server does not serve'}: an attestation carries a log only with the leaves it proves`,
        );
    }
    return this.sign({
      type: 'lineage.attestation',
      version: 1,
      server: this.id,
      issued_at: req.issuedAt,
      leaves,
      logs,
    });
  }

  /** The request's leaves, each once, in the order given; a request no verifier would accept is refused. */
  private checkRequest(req: AttestRequest): string[] {
    const bad = (why: string) => new LineageError('proof_server.request', why);
    if (req.leaves.length === 0) throw bad('an attestation names at least one leaf; the request names none');
    for (const l of req.leaves)
      if (!/^[0-9a-f]{64}$/.test(l))
        throw bad(`leaf ${JSON.stringify(l.slice(0, 80))} is not a leaf hash: 64 lowercase hex characters`);
    try {
      parseTimestamp(req.issuedAt, 'issuedAt');
    } catch (e) {
      throw bad(e instanceof Error ? e.message : String(e));
    }
    return [...new Set(req.leaves)];
  }

  private logEntry(
    log: LineageStore,
    sth: PublishedSth,
    hits: { leaf_hash: string; leaf_index: number }[],
    req: AttestRequest,
  ): AttestedLog {
    const entry: AttestedLog = { log_origin: log.origin, checkpoint: sth.checkpoint };
    const sorted = [...hits].sort((a, b) => a.leaf_index - b.leaf_index);
    const style = req.proofStyle ?? 'multiproof';
    if (style !== 'multiproof' || sorted.length === 1) {
      entry.inclusion = sorted.map((h) => ({
        ...h,
        proof: log.inclusionProof(h.leaf_index, sth.size).map(toHex),
      }));
    }
    if (style !== 'inclusion' && sorted.length > 1) {
      entry.multiproof = {
        leaves: sorted,
        proof: log
          .multiproof(
            sorted.map((h) => h.leaf_index),
            sth.size,
          )
          .map(toHex),
      };
    }
    const older = req.consistencyFrom?.[log.origin] ?? [];
    if (older.length > 0) {
      const published = new Map(log.publishedSths().map((s) => [s.size, s]));
      entry.consistency = older.map((size) => {
        // Verifiers refuse a proof from the empty tree (it proves nothing): not one to sign.
        if (size === 0)
          throw new LineageError(
            'proof_server.sth',
            `log ${log.origin}: consistency from the empty tree (size 0) proves nothing, and verifiers refuse it; ask from a published size above 0`,
          );
        const old = published.get(size);
        if (!old)
          throw new LineageError(
            'proof_server.sth',
            `log ${log.origin} never published a tree head of size ${size}`,
          );
        if (!bytesEqual(old.rootHash, log.root(size)))
          throw new LineageError('proof_server.sth', `stored tree head ${size} does not match the log`);
        return { checkpoint: old.checkpoint, proof: log.consistencyProof(size, sth.size).map(toHex) };
      });
    }
    return entry;
  }

  /** Signs an attestation body (also used by tests to sign deliberately wrong ones). */
  sign(unsigned: UnsignedAttestation): Attestation {
    const sig = ed25519.sign(signingInput('lineage/attestation/v1', unsigned), this.secretKey);
    return {
      ...unsigned,
      signature: { alg: 'Ed25519', public_key: toHex(this.publicKey), value: toHex(sig) },
    };
  }
}
