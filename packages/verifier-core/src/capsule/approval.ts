import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { Fields } from '../events/fields.js';
import { verifySignatureObject } from '../events/index.js';
import { outcome, short } from '../events/outcome.js';
import type { SignatureObject } from '../events/types.js';
import { canonicalBytes, type JsonValue, parseStrictJson } from '../json/index.js';
import { parseVkey, verifyLineageSth } from '../note/index.js';
import {
  buildReport,
  type CheckOutcome,
  type CheckStatus,
  type VerificationReport,
} from '../report/model.js';
import {
  type ExpectedFound,
  errorOutcomeDetail,
  expectedFoundOf,
  formatCountOf,
  isLineageError,
  LineageError,
} from '../result.js';
import { APPROVER_ROLES, type ApproverRole, type TrustStore } from '../trust/types.js';
import type { CapsuleCheckId } from './check-ids.js';
import type { CapsuleVerification } from './types.js';

/**
 * A signed SAR approval (docs/spec/05-capsules.md §5.9): an assessor's decision bound to
 * the capsule digest, to the verified events it cites (id + leaf hash) and to the signed
 * tree heads it relied on (the full note text, so the approval can be re-checked alone).
 */
export const SAR_APPROVAL_CONTEXT = 'lineage/sar-approval/v1';
export const SAR_DECISIONS = ['approve', 'reject', 'conditional'] as const;
export type SarDecision = (typeof SAR_DECISIONS)[number];

export interface UnsignedSarApproval {
  type: 'lineage.sar_approval';
  version: 1;
  capsule: { capsule_id: string; digest: string; title: string };
  decision: SarDecision;
  comment: string;
  approver: { id: string; role: ApproverRole };
  signed_at: string;
  verification: {
    verified_at: string;
    verdict: VerificationReport['verdict'];
    pass: number;
    fail: number;
    not_checked: number;
  };
  cited_events: { event_id: string; leaf_hash: string; step: string }[];
  relied_sths: { log_id: string; size: string; root: string; timestamp: string; checkpoint: string }[];
}

export interface SarApproval extends UnsignedSarApproval {
  signature: SignatureObject;
}

/** ASCII(context) ‖ 0x0A ‖ JCS(approval without signature). */
export function sarApprovalSigningInput(unsigned: UnsignedSarApproval): Uint8Array {
  return concatBytes(
    utf8Encode(`${SAR_APPROVAL_CONTEXT}\n`),
    canonicalBytes(unsigned as unknown as JsonValue),
  );
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const CODE = 'approval.schema';

/**
 * Strict parser with the same field reader as events and manifests: closed objects, exact
 * types. Throws LineageError `approval.schema` naming the field, with expected and found.
 */
export function parseSarApproval(text: string): SarApproval {
  let v: JsonValue;
  try {
    v = parseStrictJson(text);
  } catch (e) {
    throw new LineageError(CODE, isLineageError(e) ? e.detail : String(e), isLineageError(e) ? e.path : '/');
  }
  const o = Fields.of(v, '', CODE).closed([
    'type',
    'version',
    'capsule',
    'decision',
    'comment',
    'approver',
    'signed_at',
    'verification',
    'cited_events',
    'relied_sths',
    'signature',
  ]);
  o.literal('type', ['lineage.sar_approval']);
  o.literal('version', [1]);
  const cap = o.obj_('capsule').closed(['capsule_id', 'digest', 'title']);
  const ap = o.obj_('approver').closed(['id', 'role']);
  const ver = o.obj_('verification').closed(['verified_at', 'verdict', 'pass', 'fail', 'not_checked']);
  const sig = o.obj_('signature').closed(['alg', 'public_key', 'value']);
  return {
    type: 'lineage.sar_approval',
    version: 1,
    capsule: { capsule_id: cap.str('capsule_id'), digest: cap.hex('digest', 32), title: cap.text('title') },
    decision: o.literal('decision', SAR_DECISIONS),
    comment: o.text('comment'),
    approver: { id: ap.str('id'), role: ap.literal('role', APPROVER_ROLES) },
    signed_at: o.str('signed_at', TIME, 'an RFC 3339 UTC time'),
    verification: {
      verified_at: ver.str('verified_at', TIME, 'an RFC 3339 UTC time'),
      verdict: ver.literal('verdict', ['verified', 'failed', 'incomplete'] as const),
      pass: ver.uint('pass'),
      fail: ver.uint('fail'),
      not_checked: ver.uint('not_checked'),
    },
    cited_events: o.array('cited_events').map(({ value, path }) => {
      const c = Fields.of(value, path, CODE).closed(['event_id', 'leaf_hash', 'step']);
      return { event_id: c.hex('event_id', 32), leaf_hash: c.hex('leaf_hash', 32), step: c.text('step') };
    }),
    relied_sths: o.array('relied_sths').map(({ value, path }) => {
      const c = Fields.of(value, path, CODE).closed(['log_id', 'size', 'root', 'timestamp', 'checkpoint']);
      return {
        log_id: c.str('log_id'),
        size: c.str('size', /^(0|[1-9][0-9]*)$/, 'a decimal tree size'),
        root: c.hex('root', 32),
        timestamp: c.text('timestamp'),
        checkpoint: c.str('checkpoint'),
      };
    }),
    signature: {
      alg: sig.literal('alg', ['Ed25519'] as const),
      public_key: sig.hex('public_key', 32),
      value: sig.hex('value', 64),
    },
  };
}

export interface VerifySarApprovalOptions {
  verifiedAt: string;
  /** The verified capsule the approval claims to be about; without it the bindings are not checked. */
  capsule?: CapsuleVerification;
  name?: string;
}

/** Verifies a SAR approval: shape, signature, approver and role, and its bindings (§5.9). */
export async function verifySarApproval(
  approvalText: string,
  trust: TrustStore,
  options: VerifySarApprovalOptions,
): Promise<{ report: VerificationReport; approval?: SarApproval }> {
  const checks: CheckOutcome[] = [];
  const name = options.name ?? 'SAR approval';
  const subj = (field?: string) => ({ kind: 'approval' as const, id: name, ...(field ? { field } : {}) });
  const push = (
    id: CapsuleCheckId,
    status: CheckStatus,
    title: string,
    field?: string,
    d: { reason?: string; expected?: string; found?: string } = {},
  ) => checks.push(outcome(id, status, subj(field), title, d));
  const target = { kind: 'sar-approval', name };
  let a: SarApproval;
  try {
    a = parseSarApproval(approvalText);
  } catch (e) {
    push(
      'approval.schema',
      'fail',
      'the approval is well-formed',
      isLineageError(e) ? e.path : undefined,
      isLineageError(e) ? errorOutcomeDetail(e) : { reason: String(e) },
    );
    return { report: buildReport(target, options.verifiedAt, checks) };
  }
  push('approval.schema', 'pass', 'the approval is well-formed', undefined, {
    found: `${a.decision} by ${a.approver.id} as ${a.approver.role}`,
  });
  const { signature, ...unsigned } = a;
  const sigOk = await verifySignatureObject(signature, sarApprovalSigningInput(unsigned));
  push(
    'approval.signature',
    sigOk ? 'pass' : 'fail',
    "the approver's signature over the approval verifies",
    '/signature/value',
    sigOk
      ? {}
      : {
          reason: 'the approval was altered after signing, or signed by another key',
          expected: `an Ed25519 signature by ${short(signature.public_key)} over this approval`,
          found: `signature ${short(signature.value)}, which does not verify`,
        },
  );

  const approver = trust.approvers.find((x) => x.id === a.approver.id);
  if (!approver) {
    push(
      'approval.approver_role',
      'fail',
      'the approver is pinned in the trust store and holds the role',
      '/approver/id',
      {
        reason: `${a.approver.id} is not an approver in the trust store`,
        expected: 'an approver pinned in the trust store',
        found: `${a.approver.id}, not pinned`,
      },
    );
  } else if (approver.public_key !== signature.public_key) {
    push(
      'approval.approver_role',
      'fail',
      'the approver is pinned in the trust store and holds the role',
      '/signature/public_key',
      {
        reason: `signed by a key other than the one pinned for ${approver.name}`,
        expected: approver.public_key,
        found: signature.public_key,
      },
    );
  } else if (!approver.roles.includes(a.approver.role)) {
    push(
      'approval.approver_role',
      'fail',
      'the approver is pinned in the trust store and holds the role',
      '/approver/role',
      {
        reason: `${approver.name} signs as ${a.approver.role} but holds ${approver.roles.join(', ') || 'no roles'}`,
        expected: a.approver.role,
        found: approver.roles.join(', '),
      },
    );
  } else {
    push(
      'approval.approver_role',
      'pass',
      'the approver is pinned in the trust store and holds the role',
      undefined,
      { found: `${approver.name}, ${a.approver.role}` },
    );
  }

  // Relied-on tree heads are re-verified from their note text against the pinned log keys.
  let sthProblems = 0;
  for (const [i, s] of a.relied_sths.entries()) {
    const pinned = trust.logs.filter((l) => l.origin === s.log_id);
    let reason: string | undefined;
    let values: ExpectedFound = {};
    if (pinned.length === 0) {
      reason = `no log key pinned for "${s.log_id}"`;
      values = { expected: `a log key pinned for ${s.log_id}`, found: 'none in the trust store' };
    } else {
      try {
        const r = await verifyLineageSth(s.checkpoint, {
          logId: s.log_id,
          logKeys: pinned.map((l) => parseVkey(l.vkey)),
          // The same witness policy the capsule's tree heads were accepted under.
          witnesses: trust.witnesses.vkeys.map((v) => parseVkey(v)),
          witnessThreshold: trust.witnesses.threshold,
        });
        if (!r.ok) {
          reason = `${r.code}: ${r.message}`;
          values = r;
        } else if (r.sth.treeSize.toString() !== s.size) {
          reason = `the note says size ${r.sth.treeSize}, the approval says ${s.size}`;
          values = {
            expected: `size ${s.size}, as the approval says`,
            found: `size ${r.sth.treeSize} in the signed note`,
          };
        }
      } catch (e) {
        reason = isLineageError(e) ? e.message : String(e);
      }
    }
    if (reason) {
      sthProblems++;
      push(
        'approval.sths',
        'fail',
        'every tree head the approval relied on verifies under the pinned log key',
        `/relied_sths/${i}`,
        { reason, ...expectedFoundOf(values) },
      );
    }
  }
  if (sthProblems === 0)
    push(
      'approval.sths',
      a.relied_sths.length > 0 ? 'pass' : 'fail',
      'every tree head the approval relied on verifies under the pinned log key',
      '/relied_sths',
      a.relied_sths.length > 0
        ? { found: formatCountOf(a.relied_sths.length, 'tree head') }
        : {
            reason: 'the approval cites no tree head',
            expected: 'at least one relied-on tree head',
            found: 'none',
          },
    );

  const cap = options.capsule;
  if (!cap) {
    push('approval.capsule_digest', 'not_checked', 'the approval is about this capsule', '/capsule/digest', {
      reason: 'no capsule supplied: pass the capsule to check the binding',
    });
    push(
      'approval.cited_events',
      'not_checked',
      'every cited event is verified in the capsule',
      '/cited_events',
      { reason: 'no capsule supplied' },
    );
  } else {
    push(
      'approval.capsule_digest',
      cap.capsuleDigest === a.capsule.digest ? 'pass' : 'fail',
      'the approval is about this capsule',
      '/capsule/digest',
      cap.capsuleDigest === a.capsule.digest
        ? {}
        : {
            reason: 'the approval was made for another capsule (or the capsule changed since)',
            expected: a.capsule.digest,
            found: cap.capsuleDigest,
          },
    );
    const byId = new Map(cap.events.map((e) => [e.id, e]));
    let bad = 0;
    for (const [i, c] of a.cited_events.entries()) {
      const e = byId.get(c.event_id);
      const reason = !e
        ? 'the cited event is not in the capsule'
        : e.leafHash !== c.leaf_hash
          ? 'the event in the capsule has another leaf hash'
          : e.status !== 'pass'
            ? `the event does not verify in the capsule (${e.failedChecks.join(', ') || e.status})`
            : undefined;
      if (reason) {
        bad++;
        push(
          'approval.cited_events',
          'fail',
          'every cited event is verified in the capsule',
          `/cited_events/${i}`,
          { reason, expected: c.leaf_hash, found: e?.leafHash ?? 'missing' },
        );
      }
    }
    if (bad === 0)
      push('approval.cited_events', 'pass', 'every cited event is verified in the capsule', '/cited_events', {
        found: formatCountOf(a.cited_events.length, 'event'),
      });
  }
  return { report: buildReport(target, options.verifiedAt, checks), approval: a };
}
