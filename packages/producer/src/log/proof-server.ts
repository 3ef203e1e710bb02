import {
  type Attestation,
  type AttestedLog,
  bytesEqual,
  LineageError,
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
  /** 'multiproof' (default when several leaves share a log) or 'inclusion' (one proof per leaf). */
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
    const logs: AttestedLog[] = [];
    const found = new Set<string>();
    for (const log of this.logs) {
      const sth = log.lastSth();
      if (!sth) continue;
      const indexOf = new Map<string, number>();
      for (let i = 0; i < sth.size; i++) indexOf.set(toHex(log.leafHash(i)), i);
      const hits = req.leaves
        .filter((l) => indexOf.has(l))
        .map((l) => ({ leaf_hash: l, leaf_index: indexOf.get(l)! }));
      if (hits.length === 0) continue;
      for (const h of hits) found.add(h.leaf_hash);
      logs.push(this.logEntry(log, sth, hits, req));
    }
    const missing = req.leaves.filter((l) => !found.has(l));
    if (missing.length > 0) {
      throw new LineageError(
        'proof_server.leaf',
        `leaf ${missing[0]} is not under any published tree head of ${this.logs.map((l) => l.origin).join(', ')}`,
      );
    }
    return this.sign({
      type: 'lineage.attestation',
      version: 1,
      server: this.id,
      issued_at: req.issuedAt,
      leaves: req.leaves,
      logs,
    });
  }

  private logEntry(
    log: LineageStore,
    sth: PublishedSth,
    hits: { leaf_hash: string; leaf_index: number }[],
    req: AttestRequest,
  ): AttestedLog {
    const entry: AttestedLog = { log_origin: log.origin, checkpoint: sth.checkpoint };
    const sorted = [...hits].sort((a, b) => a.leaf_index - b.leaf_index);
    if ((req.proofStyle ?? 'multiproof') === 'multiproof' && sorted.length > 1) {
      entry.multiproof = {
        leaves: sorted,
        proof: log
          .multiproof(
            sorted.map((h) => h.leaf_index),
            sth.size,
          )
          .map(toHex),
      };
    } else {
      entry.inclusion = sorted.map((h) => ({
        ...h,
        proof: log.inclusionProof(h.leaf_index, sth.size).map(toHex),
      }));
    }
    const older = req.consistencyFrom?.[log.origin] ?? [];
    if (older.length > 0) {
      const published = new Map(log.publishedSths().map((s) => [s.size, s]));
      entry.consistency = older.map((size) => {
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
