import { toBase64 } from '../encoding/base64.js';
import { bytesEqual } from '../encoding/bytes.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import { leafHash, rootFromInclusionProof } from '../merkle/index.js';
import { type VerifiedCheckpoint, verifyCheckpoint } from '../note/checkpoint.js';
import {
  asArray,
  asObject,
  getBase64,
  getString,
  getUint64String,
  type JsonObject,
} from '../note/json-read.js';
import type { NoteVerifierKey } from '../note/vkey.js';
import type { CheckOutcome } from '../report/model.js';
import { formatCount, formatCountOf, LineageError } from '../result.js';
import { findTlog, type TrustedRoot } from './trusted-root.js';

/**
 * The transparency-log part of a Sigstore bundle (docs/spec/03-checkpoints.md
 * "Sigstore"): for every tlog entry, the leaf is SHA-256(0x00 ‖ canonicalizedBody),
 * the inclusion proof uses the shard-relative `inclusionProof.logIndex`, the
 * checkpoint is signed by the log key from the trusted root, and the checkpoint is
 * bound to the proof's tree size and to the root the proof recomputes.
 * Certificates, SETs, RFC 3161 timestamps and the artifact signature are out of scope.
 */
export const SIGSTORE_BUNDLE_MEDIA_TYPES: readonly string[] = [
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json',
];

export interface BundleTlogEntry {
  path: string;
  logIndex: bigint;
  logId: Uint8Array;
  kind: string;
  version: string;
  canonicalizedBody: Uint8Array;
  inclusionProof?: {
    logIndex: bigint;
    treeSize: bigint;
    rootHash: Uint8Array;
    hashes: Uint8Array[];
    checkpoint: string;
  };
}

function parseEntry(v: JsonValue, path: string): BundleTlogEntry {
  const code = 'sigstore.bundle';
  const e = asObject(v, path, code);
  const kv = asObject(e.kindVersion, `${path}/kindVersion`, code);
  const entry: BundleTlogEntry = {
    path,
    logIndex: getUint64String(e, 'logIndex', path, code),
    logId: getBase64(asObject(e.logId, `${path}/logId`, code), 'keyId', `${path}/logId`, code, 32),
    kind: getString(kv, 'kind', `${path}/kindVersion`, code),
    version: getString(kv, 'version', `${path}/kindVersion`, code),
    canonicalizedBody: getBase64(e, 'canonicalizedBody', path, code),
  };
  if (e.inclusionProof !== undefined) {
    const pp = `${path}/inclusionProof`;
    const p: JsonObject = asObject(e.inclusionProof, pp, code);
    entry.inclusionProof = {
      logIndex: getUint64String(p, 'logIndex', pp, code),
      treeSize: getUint64String(p, 'treeSize', pp, code),
      rootHash: getBase64(p, 'rootHash', pp, code, 32),
      hashes: asArray(p.hashes, `${pp}/hashes`, code).map((h, i) => {
        if (typeof h !== 'string')
          throw new LineageError(code, 'expected a base64 string', `${pp}/hashes/${i}`);
        return getBase64({ h }, 'h', `${pp}/hashes/${i}`, code, 32);
      }),
      checkpoint: getString(
        asObject(p.checkpoint, `${pp}/checkpoint`, code),
        'envelope',
        `${pp}/checkpoint`,
        code,
      ),
    };
  }
  return entry;
}

/** Reads the tlog entries of a bundle (strict JSON). */
export function parseBundleTlogEntries(json: string | JsonValue): {
  mediaType: string;
  entries: BundleTlogEntry[];
} {
  const code = 'sigstore.bundle';
  const b = asObject(typeof json === 'string' ? parseStrictJson(json) : json, '', code);
  const mediaType = getString(b, 'mediaType', '', code);
  if (!SIGSTORE_BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    throw new LineageError(code, `unsupported bundle mediaType "${mediaType}"`, '/mediaType');
  }
  const vm = asObject(b.verificationMaterial, '/verificationMaterial', code);
  const list = asArray(vm.tlogEntries, '/verificationMaterial/tlogEntries', code);
  if (list.length === 0)
    throw new LineageError(code, 'bundle has no tlog entries', '/verificationMaterial/tlogEntries');
  return { mediaType, entries: list.map((e, i) => parseEntry(e, `/verificationMaterial/tlogEntries/${i}`)) };
}

export interface BundleTlogOptions {
  /** Witness keys for the checkpoint (not part of Sigstore's trust root). */
  witnesses?: readonly NoteVerifierKey[];
  witnessThreshold?: number;
}

export interface BundleTlogResult {
  ok: boolean;
  checks: CheckOutcome[];
  entries: Array<{ entry: BundleTlogEntry; checkpoint?: VerifiedCheckpoint }>;
}

const TITLES: Record<string, string> = {
  'sigstore.bundle': 'bundle parses and has tlog entries',
  'sigstore.tlog-key': "entry's log is in the trusted root",
  'sigstore.inclusion-proof': 'entry carries an inclusion proof with a checkpoint',
  'sigstore.checkpoint-signature': 'checkpoint is signed by the log key from the trusted root',
  'sigstore.checkpoint-size': 'checkpoint tree size equals the proof tree size',
  'sigstore.inclusion': 'canonicalizedBody is included in the checkpointed tree',
  'sigstore.root-binding': "proof's rootHash equals the checkpoint root",
};

/**
 * Verifies the transparency-log part of a bundle against a trusted root. Every
 * check is reported (pass, fail, or not_checked when a prerequisite failed).
 */
export async function verifyBundleTlog(
  bundle: string | JsonValue,
  trustedRoot: TrustedRoot,
  options: BundleTlogOptions = {},
): Promise<BundleTlogResult> {
  const checks: CheckOutcome[] = [];
  const add = (
    id: string,
    subjectId: string,
    status: CheckOutcome['status'],
    extra: Partial<CheckOutcome> = {},
  ) => {
    const kind =
      id === 'sigstore.inclusion'
        ? 'inclusion'
        : id.startsWith('sigstore.checkpoint')
          ? 'checkpoint'
          : 'trust';
    checks.push({ id, status, subject: { kind, id: subjectId }, title: TITLES[id] ?? id, ...extra });
  };
  let parsed: ReturnType<typeof parseBundleTlogEntries>;
  try {
    parsed = parseBundleTlogEntries(bundle);
  } catch (e) {
    if (!(e instanceof LineageError)) throw e;
    add('sigstore.bundle', 'bundle', 'fail', { reason: e.message });
    return { ok: false, checks, entries: [] };
  }
  add('sigstore.bundle', 'bundle', 'pass', {
    found: `${parsed.entries.length} tlog entr${parsed.entries.length === 1 ? 'y' : 'ies'}`,
  });
  const entries: BundleTlogResult['entries'] = [];
  for (const entry of parsed.entries) {
    const sid = `tlogEntries[${entry.path.split('/').pop()}]`;
    const result: BundleTlogResult['entries'][number] = { entry };
    entries.push(result);
    const later = [
      'sigstore.checkpoint-signature',
      'sigstore.checkpoint-size',
      'sigstore.inclusion',
      'sigstore.root-binding',
    ];
    const skipRest = (why: string) => {
      for (const id of later) add(id, sid, 'not_checked', { reason: why });
    };
    const tlog = findTlog(trustedRoot, entry.logId);
    if (!tlog) {
      add('sigstore.tlog-key', sid, 'fail', {
        reason: 'no log in the trusted root has this logId',
        found: toBase64(entry.logId),
        expected: trustedRoot.tlogs.map((t) => `${t.baseUrl} ${toBase64(t.logId)}`).join('; '),
      });
      add('sigstore.inclusion-proof', sid, 'not_checked', { reason: 'log unknown' });
      skipRest('log unknown');
      continue;
    }
    add('sigstore.tlog-key', sid, 'pass', {
      found: `${tlog.baseUrl} (${tlog.noteKey.type}, key ID ${tlog.noteKey.keyIdHex})`,
    });
    const ip = entry.inclusionProof;
    if (!ip) {
      add('sigstore.inclusion-proof', sid, 'fail', {
        reason:
          'entry has no inclusionProof; an inclusion promise alone cannot be verified against a checkpoint',
      });
      skipRest('no inclusion proof');
      continue;
    }
    add('sigstore.inclusion-proof', sid, 'pass', {
      found: `index ${formatCount(ip.logIndex)} of ${formatCount(ip.treeSize)}, ${formatCountOf(ip.hashes.length, 'hash', 'hashes')}`,
    });
    const policy: Parameters<typeof verifyCheckpoint>[1] = { logKeys: [tlog.noteKey] };
    if (options.witnesses) policy.witnesses = options.witnesses;
    if (options.witnessThreshold !== undefined) policy.witnessThreshold = options.witnessThreshold;
    const cp = await verifyCheckpoint(ip.checkpoint, policy);
    if (!cp.ok) {
      add('sigstore.checkpoint-signature', sid, 'fail', { reason: `${cp.code}: ${cp.message}` });
      for (const id of later.slice(1)) add(id, sid, 'not_checked', { reason: 'checkpoint not verified' });
      continue;
    }
    result.checkpoint = cp;
    const witnessNote = cp.witnessSigners.length
      ? `, ${formatCountOf(cp.witnessSigners.length, 'witness cosignature')}`
      : '';
    add('sigstore.checkpoint-signature', sid, 'pass', {
      found: `${cp.checkpoint.origin} signed by ${cp.logSigner.key.name}+${cp.logSigner.key.keyIdHex}${witnessNote}`,
    });
    const sizeOk = cp.checkpoint.size === ip.treeSize;
    add('sigstore.checkpoint-size', sid, sizeOk ? 'pass' : 'fail', {
      expected: formatCount(ip.treeSize),
      found: formatCount(cp.checkpoint.size),
      ...(sizeOk
        ? {}
        : {
            reason: `checkpoint is for a tree of ${formatCount(cp.checkpoint.size)}, the proof for ${formatCount(ip.treeSize)}`,
          }),
    });
    const leaf = leafHash(entry.canonicalizedBody);
    let recomputed: Uint8Array | undefined;
    let proofError: string | undefined;
    try {
      recomputed = rootFromInclusionProof({
        leafHash: leaf,
        index: ip.logIndex,
        treeSize: ip.treeSize,
        proof: ip.hashes,
      });
    } catch (e) {
      if (!(e instanceof LineageError)) throw e;
      proofError = e.message;
    }
    if (!recomputed) {
      add('sigstore.inclusion', sid, 'fail', { reason: proofError ?? 'proof could not be evaluated' });
    } else {
      const inclOk = sizeOk && bytesEqual(recomputed, cp.checkpoint.rootHash);
      add('sigstore.inclusion', sid, inclOk ? 'pass' : 'fail', {
        expected: `checkpoint root ${toBase64(cp.checkpoint.rootHash)}`,
        found: `recomputed root ${toBase64(recomputed)} (leaf index ${formatCount(ip.logIndex)}, tree size ${formatCount(ip.treeSize)})`,
        ...(inclOk
          ? {}
          : {
              reason: sizeOk
                ? 'the proof does not lead to the signed root'
                : 'the proof is for a different tree size than the checkpoint',
            }),
      });
    }
    const rootOk = bytesEqual(ip.rootHash, cp.checkpoint.rootHash);
    add('sigstore.root-binding', sid, rootOk ? 'pass' : 'fail', {
      expected: toBase64(cp.checkpoint.rootHash),
      found: toBase64(ip.rootHash),
      ...(rootOk ? {} : { reason: "inclusionProof.rootHash is not the checkpoint's root" }),
    });
  }
  return { ok: checks.every((c) => c.status === 'pass'), checks, entries };
}
