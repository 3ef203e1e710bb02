import type { CryptoBackend } from '../crypto/backend.js';
import { utf8Encode } from '../encoding/bytes.js';
import { fromHex } from '../encoding/hex.js';
import { outcome, short } from '../events/outcome.js';
import { SIGNING_CONTEXTS, signingInput, verifySignatureObject, without } from '../events/signing.js';
import { CLOCK_ALLOWANCE_MS, parseTimestamp } from '../events/time.js';
import { type JsonValue, ParsedJsonText } from '../json/index.js';
import { verifyConsistency, verifyInclusion, verifyMultiproof } from '../merkle/index.js';
import type { LineageSth } from '../note/index.js';
import type { CheckOutcome, CheckSubject } from '../report/model.js';
import {
  errorOutcomeDetail,
  expectedFoundOf,
  formatCount,
  formatCountOf,
  isLineageError,
} from '../result.js';
import { OutcomeSink } from '../trust/sink.js';
import { SthVerifier } from '../trust/sth.js';
import type { TrustStore } from '../trust/types.js';
import { parseAttestation } from './parse.js';
import type { Attestation } from './types.js';

/** Where a leaf was proven by an attestation: which log, under which verified tree head. */
export interface AttestedLeafProof {
  logOrigin: string;
  leafIndex: number;
  sth: LineageSth;
  server: string;
}

export interface AttestationVerification {
  attestation?: Attestation;
  /** Leaf hash (hex) → verified proofs. Empty unless the server signature verified. */
  proven: Map<string, AttestedLeafProof[]>;
  /**
   * Leaf hash (hex) → why the attestation's evidence for it could not be checked for a reason
   * outside the document's control: its proof server or its log is not pinned in the trust store.
   */
  unverifiable: Map<string, string>;
  /**
   * Leaf hash (hex) → the check that failed on the attestation's evidence for it (its server
   * signature, its log's tree head, or its proof), so an event left unproven can name the cause.
   */
  refuted: Map<string, RefutedLeaf>;
  checks: CheckOutcome[];
}

/** Which attestation covered a leaf and which of its checks failed. */
export interface RefutedLeaf {
  attestation: string;
  check: 'attestation.server_signature' | 'attestation.sth_signature' | 'attestation.inclusion';
  reason: string;
}

/** Root mismatches whose two roots the outcome's expected and found carry: the reason says it once. */
const ROOT_MISMATCH: Readonly<Record<string, string>> = {
  'merkle.inclusion.root_mismatch': 'the proof leads to another root than the signed tree head',
  'merkle.multiproof.root_mismatch': 'the proof leads to another root than the signed tree head',
  'merkle.consistency.root1_mismatch':
    "the proof leads to another root for the older tree than its tree head's",
  // root2_mismatch keeps its message: it also covers two heads of one size with different roots.
};

/**
 * What a failed consistency proof says about the log. Only two signed heads of one size with
 * different roots prove a fork by themselves; a proof that does not reconcile two sizes may be
 * the log's doing or the proof's; a size-0 head or a malformed proof accuses no one.
 */
function consistencyMeaning(code: string, sameSize: boolean): string {
  if (code === 'merkle.consistency.from_empty')
    return 'a tree head of size 0 says nothing about what the log held';
  if (code === 'merkle.consistency.root2_mismatch' && sameSize)
    return 'two signed tree heads of one size with different roots: the log forked or rewrote history';
  if (code.endsWith('_mismatch'))
    return 'the newer tree head is not shown to extend the older one: the log forked or rewrote history, or the proof is wrong';
  return 'the proof is malformed';
}

function proofReason(r: { code: string; message: string }): string {
  return `${r.code}: ${ROOT_MISMATCH[r.code] ?? r.message}`;
}

const T = {
  schema: 'attestation is well-formed',
  server: 'attestation is signed by a pinned proof server',
  sth: 'every tree head in the attestation verifies under the pinned log key',
  inclusion: 'every inclusion proof in the attestation verifies',
  consistency: 'every consistency proof in the attestation verifies',
  binding: 'the attestation is about the leaf being verified',
};

/**
 * Verifies a proof-server attestation (spec §4.7) and reports every check to the
 * sink. Only leaves proven under a verified server signature and a verified STH are
 * returned as proven.
 */
export async function checkAttestation(
  document: JsonValue | ParsedJsonText,
  label: string,
  trust: TrustStore,
  sink: OutcomeSink,
  opts: {
    backend?: CryptoBackend;
    sths?: SthVerifier;
    expectLeaves?: readonly string[];
    /** The verification time (RFC 3339): an attestation may not be issued after it (plus the allowance). */
    verifiedAt?: string;
  } = {},
): Promise<AttestationVerification> {
  const proven = new Map<string, AttestedLeafProof[]>();
  const unverifiable = new Map<string, string>();
  const refuted = new Map<string, RefutedLeaf>();
  // The first failure found for a leaf is the one reported (the server signature is checked first).
  const refute = (leaf: string, check: RefutedLeaf['check'], reason: string) => {
    if (!refuted.has(leaf)) refuted.set(leaf, { attestation: label, check, reason });
  };
  const subj = (field?: string): CheckSubject => ({
    kind: 'attestation',
    id: label,
    ...(field ? { field } : {}),
  });
  const start = sink.outcomes.length;
  const result = (attestation?: Attestation): AttestationVerification => {
    const r: AttestationVerification = { proven, unverifiable, refuted, checks: sink.outcomes.slice(start) };
    if (attestation) r.attestation = attestation;
    return r;
  };
  // Only a ParsedJsonText the parser made counts as text: its value and text agree.
  const text = ParsedJsonText.isParsed(document) ? document : undefined;
  const value = text ? text.value : (document as JsonValue);
  let a: Attestation;
  try {
    a = parseAttestation(value);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    sink.push(outcome('attestation.schema', 'fail', subj(e.path), T.schema, errorOutcomeDetail(e)));
    return result();
  }
  sink.push(outcome('attestation.schema', 'pass', subj(), T.schema));
  const sths = opts.sths ?? new SthVerifier(trust);
  // Its issuing time is a signed claim too: not after the verification, not before a tree head it carries.
  const issuedMs = parseTimestamp(a.issued_at, '/issued_at');
  const allowance = `with ${CLOCK_ALLOWANCE_MS / 60_000} minutes for clock differences`;
  if (
    opts.verifiedAt !== undefined &&
    issuedMs > parseTimestamp(opts.verifiedAt, 'verifiedAt') + CLOCK_ALLOWANCE_MS
  )
    sink.push(
      outcome('attestation.schema', 'fail', subj('/issued_at'), T.schema, {
        reason:
          "the attestation says it was issued after this verification: no proof server signs in the future — its clock or key was misused, or this machine's clock is behind",
        expected: `at or before ${opts.verifiedAt} (the verification time, ${allowance})`,
        found: a.issued_at,
      }),
    );
  const issuedBefore = (sth: LineageSth, field: string) => {
    if (issuedMs >= sth.timestampMs - CLOCK_ALLOWANCE_MS) return;
    sink.push(
      outcome('attestation.schema', 'fail', subj('/issued_at'), T.schema, {
        reason: `the attestation says it was issued before the tree head it carries at ${field} was signed: no proof server can attest to a tree head that does not exist yet`,
        expected: `at or after ${sth.timestamp} (${allowance})`,
        found: a.issued_at,
      }),
    );
  };

  const server = trust.proof_servers.find((s) => s.id === a.server);
  let serverOk = false;
  if (!server) {
    const reason = `proof server "${a.server}" is not pinned in the trust store`;
    for (const l of a.leaves) unverifiable.set(l, `${label}: ${reason}`);
    sink.push(outcome('attestation.server_signature', 'not_checked', subj('/server'), T.server, { reason }));
  } else if (server.public_key !== a.signature.public_key) {
    for (const l of a.leaves)
      refute(l, 'attestation.server_signature', 'signed by a key other than the pinned one');
    sink.push(
      outcome('attestation.server_signature', 'fail', subj('/signature/public_key'), T.server, {
        reason: `attestation is signed by a key other than the one pinned for "${a.server}"`,
        expected: server.public_key,
        found: a.signature.public_key,
      }),
    );
  } else {
    // A canonical text is signed as it is (a 100k-leaf attestation is megabytes to re-serialize).
    const unsigned = text?.canonicalWithout('signature');
    const message =
      unsigned === undefined
        ? signingInput(SIGNING_CONTEXTS.attestation, without(a, 'signature'))
        : utf8Encode(`${SIGNING_CONTEXTS.attestation}\n${unsigned}`);
    serverOk = await verifySignatureObject(a.signature, message, opts.backend);
    if (!serverOk)
      for (const l of a.leaves) refute(l, 'attestation.server_signature', 'the signature does not verify');
    sink.push(
      serverOk
        ? outcome('attestation.server_signature', 'pass', subj('/signature'), T.server, {
            found: `server ${a.server}`,
          })
        : outcome('attestation.server_signature', 'fail', subj('/signature'), T.server, {
            reason: 'server signature does not verify: the attestation was altered after signing',
            expected: `an Ed25519 signature by ${a.server}'s pinned key over this attestation`,
            found: `signature ${short(a.signature.value)}, which does not verify`,
          }),
    );
  }

  const leafSet = new Set(a.leaves);
  for (const [li, log] of a.logs.entries()) {
    const base = `/logs/${li}`;
    const sthR = await sths.verify(log.checkpoint, log.log_origin);
    if (!sthR.ok) {
      for (const x of [...(log.inclusion ?? []), ...(log.multiproof?.leaves ?? [])]) {
        if (sthR.untrusted)
          unverifiable.set(x.leaf_hash, `${label}: tree head of ${log.log_origin}: ${sthR.reason}`);
        // The code only: the attestation's own outcome carries the whole reason.
        else
          refute(
            x.leaf_hash,
            'attestation.sth_signature',
            `tree head of ${log.log_origin}${sthR.code ? `: ${sthR.code}` : ' did not verify'}`,
          );
      }
      sink.push(
        outcome(
          'attestation.sth_signature',
          sthR.untrusted ? 'not_checked' : 'fail',
          subj(`${base}/checkpoint`),
          T.sth,
          {
            reason: sthR.reason,
            ...expectedFoundOf(sthR),
          },
        ),
      );
      continue;
    }
    const sth = sthR.sth;
    sink.push(
      outcome('attestation.sth_signature', 'pass', subj(`${base}/checkpoint`), T.sth, {
        found: `${log.log_origin} size ${sth.treeSize} at ${sth.timestamp}`,
      }),
    );
    issuedBefore(sth, `${base}/checkpoint`);
    // The proven leaves' own wire objects (a multiproof proves 100k+: no copies of them).
    const provenHere: Array<{ leaf_hash: string; leaf_index: number }> = [];
    for (const [ii, inc] of (log.inclusion ?? []).entries()) {
      const r = verifyInclusion({
        leafHash: fromHex(inc.leaf_hash, 32),
        index: inc.leaf_index,
        treeSize: sth.treeSize,
        proof: inc.proof.map((h) => fromHex(h, 32)),
        root: sth.rootHash,
      });
      sink.push(
        r.ok
          ? outcome('attestation.inclusion', 'pass', subj(`${base}/inclusion/${ii}`), T.inclusion, {
              found: `leaf ${short(inc.leaf_hash)} at index ${inc.leaf_index} of ${sth.treeSize}`,
            })
          : outcome('attestation.inclusion', 'fail', subj(`${base}/inclusion/${ii}`), T.inclusion, {
              reason: proofReason(r),
              ...expectedFoundOf(r),
            }),
      );
      if (r.ok) provenHere.push(inc);
      else refute(inc.leaf_hash, 'attestation.inclusion', `${base}/inclusion/${ii}: ${r.code}`);
    }
    if (log.multiproof) {
      const m = log.multiproof;
      const r = verifyMultiproof({
        leaves: m.leaves.map((l) => ({ index: l.leaf_index, leafHash: fromHex(l.leaf_hash, 32) })),
        treeSize: sth.treeSize,
        proof: m.proof.map((h) => fromHex(h, 32)),
        root: sth.rootHash,
      });
      sink.push(
        r.ok
          ? outcome('attestation.inclusion', 'pass', subj(`${base}/multiproof`), T.inclusion, {
              found: `multiproof of ${formatCountOf(m.leaves.length, 'leaf', 'leaves')} with ${formatCountOf(m.proof.length, 'hash', 'hashes')} in a tree of ${formatCount(sth.treeSize)}`,
            })
          : outcome('attestation.inclusion', 'fail', subj(`${base}/multiproof`), T.inclusion, {
              reason: proofReason(r),
              ...expectedFoundOf(r),
            }),
      );
      if (r.ok) for (let i = 0; i < m.leaves.length; i++) provenHere.push(m.leaves[i]!);
      else
        for (const l of m.leaves)
          refute(l.leaf_hash, 'attestation.inclusion', `${base}/multiproof: ${r.code}`);
    }
    for (const [ci, c] of (log.consistency ?? []).entries()) {
      const old = await sths.verify(c.checkpoint, log.log_origin);
      if (!old.ok) {
        sink.push(
          outcome(
            'attestation.sth_signature',
            old.untrusted ? 'not_checked' : 'fail',
            subj(`${base}/consistency/${ci}/checkpoint`),
            T.sth,
            {
              reason: `older tree head: ${old.reason}`,
              ...expectedFoundOf(old),
            },
          ),
        );
        continue;
      }
      sink.push(
        outcome('attestation.sth_signature', 'pass', subj(`${base}/consistency/${ci}/checkpoint`), T.sth, {
          found: `${log.log_origin} size ${old.sth.treeSize} at ${old.sth.timestamp}`,
        }),
      );
      const r = verifyConsistency({
        size1: old.sth.treeSize,
        size2: sth.treeSize,
        root1: old.sth.rootHash,
        root2: sth.rootHash,
        proof: c.proof.map((h) => fromHex(h, 32)),
      });
      const timeOk = old.sth.timestampMs <= sth.timestampMs;
      sink.push(
        r.ok && timeOk
          ? outcome('attestation.consistency', 'pass', subj(`${base}/consistency/${ci}`), T.consistency, {
              found: `size ${old.sth.treeSize} → ${sth.treeSize}`,
            })
          : outcome('attestation.consistency', 'fail', subj(`${base}/consistency/${ci}`), T.consistency, {
              reason: r.ok
                ? `older tree head is timestamped ${old.sth.timestamp}, after the newer one (${sth.timestamp})`
                : `${proofReason(r)} — ${consistencyMeaning(r.code, old.sth.treeSize === sth.treeSize)}`,
              ...(r.ok
                ? {
                    expected: `an older tree head timestamped at or before ${sth.timestamp}`,
                    found: old.sth.timestamp,
                  }
                : expectedFoundOf(r)),
            }),
      );
    }
    for (let i = 0; i < provenHere.length; i++) {
      const p = provenHere[i]!;
      if (!leafSet.has(p.leaf_hash)) {
        sink.push(
          outcome('attestation.leaf_binding', 'fail', subj(base), T.binding, {
            reason: `log ${log.log_origin} proves leaf ${short(p.leaf_hash)}, which the attestation's "leaves" does not list`,
            expected: 'every proven leaf listed in "leaves"',
            found: `leaf ${p.leaf_hash}, proven but not listed`,
          }),
        );
        continue;
      }
      if (!serverOk) continue;
      const proof = { logOrigin: log.log_origin, leafIndex: p.leaf_index, sth, server: a.server };
      const list = proven.get(p.leaf_hash);
      if (list) list.push(proof);
      else proven.set(p.leaf_hash, [proof]);
    }
  }
  // One set of every leaf some log proves: a per-leaf scan of every proof is quadratic at 100k leaves.
  const provenAnywhere = new Set<string>();
  for (const log of a.logs) {
    for (const x of log.inclusion ?? []) provenAnywhere.add(x.leaf_hash);
    const leaves = log.multiproof?.leaves ?? [];
    for (let i = 0; i < leaves.length; i++) provenAnywhere.add(leaves[i]!.leaf_hash);
  }
  const listed = a.leaves.filter((l) => !provenAnywhere.has(l));
  const expected = Array.isArray(opts.expectLeaves) ? opts.expectLeaves : [];
  const missingExpected = expected.filter((l) => !leafSet.has(l));
  if (listed.length > 0) {
    sink.push(
      outcome('attestation.leaf_binding', 'fail', subj('/leaves'), T.binding, {
        reason: `${formatCountOf(listed.length, 'listed leaf', 'listed leaves')} ${listed.length === 1 ? 'carries' : 'carry'} no proof in any log (first: ${short(listed[0]!)})`,
        expected: 'a proof in some log for every listed leaf',
        found: `${formatCountOf(listed.length, 'leaf', 'leaves')} without one (first: ${listed[0]!})`,
      }),
    );
  } else if (missingExpected.length > 0) {
    sink.push(
      outcome('attestation.leaf_binding', 'fail', subj('/leaves'), T.binding, {
        reason: 'the attestation is about other leaves than the one being verified',
        expected: missingExpected[0]!,
        found: a.leaves.map(short).join(', '),
      }),
    );
  } else {
    sink.push(
      outcome('attestation.leaf_binding', 'pass', subj('/leaves'), T.binding, {
        found: formatCountOf(a.leaves.length, 'leaf', 'leaves'),
      }),
    );
  }
  return result(a);
}

/** Standalone: verifies an attestation, optionally about specific leaves (hex), reporting every check. */
export async function verifyAttestation(
  value: JsonValue | ParsedJsonText,
  trust: TrustStore,
  opts: {
    backend?: CryptoBackend;
    expectLeaves?: readonly string[];
    label?: string;
    verifiedAt?: string;
  } = {},
): Promise<AttestationVerification> {
  const sink = new OutcomeSink();
  const o: Parameters<typeof checkAttestation>[4] = {};
  if (opts.backend) o.backend = opts.backend;
  if (opts.expectLeaves) o.expectLeaves = opts.expectLeaves;
  if (opts.verifiedAt !== undefined) o.verifiedAt = opts.verifiedAt;
  return checkAttestation(value, opts.label ?? 'attestation', trust, sink, o);
}
