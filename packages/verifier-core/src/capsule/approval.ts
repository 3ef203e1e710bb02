import { concatBytes, utf8Encode } from '../encoding/bytes.js';
import { toHex } from '../encoding/hex.js';
import { Fields } from '../events/fields.js';
import { verifySignatureObject } from '../events/index.js';
import { outcome, short } from '../events/outcome.js';
import { CLOCK_ALLOWANCE_MS, parseTimestamp } from '../events/time.js';
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
  formatCount,
  formatCountOf,
  isLineageError,
  LineageError,
} from '../result.js';
import { APPROVER_ROLES, type ApproverRole, type TrustStore } from '../trust/types.js';
import type { CapsuleCheckId } from './check-ids.js';
import type { CapsuleVerification, EventDetail, EventInclusionDetail } from './types.js';
import { describeUnreadableCapsule, unreadableCapsuleCheck } from './unreadable.js';

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

const CODE = 'approval.schema';

/**
 * An RFC 3339 UTC time that is a real instant, read with the core's parser (the shape alone
 * lets 2026-02-30 or 25:61 through). Returns the text as signed and its epoch ms.
 */
function instant(f: Fields, name: string): { text: string; ms: number } {
  const text = f.str(name, undefined, 'an RFC 3339 UTC time');
  const path = `${f.path}/${name}`;
  try {
    return { text, ms: parseTimestamp(text, path) };
  } catch (e) {
    if (!isLineageError(e)) throw e;
    throw new LineageError(CODE, e.detail, path, {
      expected: e.expected ?? 'an RFC 3339 UTC time',
      found: e.found ?? JSON.stringify(text),
    });
  }
}

/**
 * The longest comment an approval may carry, in UTF-8 bytes (spec §5.9): room for pages of
 * conditions, while a reviewer is never handed megabytes to read as the decision's reasons.
 */
export const MAX_SAR_COMMENT_BYTES = 64 * 1024;

/** Why `comment` is too long for an approval, or undefined. */
export function sarCommentTooLong(comment: string): { expected: string; found: string } | undefined {
  // UTF-8 is at most 3 bytes per UTF-16 code unit: short comments need no encoding.
  if (comment.length * 3 <= MAX_SAR_COMMENT_BYTES) return undefined;
  const bytes = utf8Encode(comment).length;
  return bytes > MAX_SAR_COMMENT_BYTES
    ? {
        expected: `a comment of at most ${formatCount(MAX_SAR_COMMENT_BYTES)} bytes (UTF-8)`,
        found: `${formatCount(bytes)} bytes`,
      }
    : undefined;
}

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
  const signedAt = instant(o, 'signed_at');
  const verifiedAt = instant(ver, 'verified_at');
  // An approval relies on a verification made before it was signed, never after.
  if (verifiedAt.ms > signedAt.ms) {
    throw new LineageError(
      CODE,
      `signed at ${signedAt.text}, before the verification it reports (${verifiedAt.text})`,
      '/signed_at',
      { expected: `a time at or after verification.verified_at ${verifiedAt.text}`, found: signedAt.text },
    );
  }
  const comment = o.text('comment');
  const long = sarCommentTooLong(comment);
  if (long) throw new LineageError(CODE, 'the comment is too long', '/comment', long);
  const cited = o.array('cited_events').map(({ value, path }) => {
    const c = Fields.of(value, path, CODE).closed(['event_id', 'leaf_hash', 'step']);
    return { event_id: c.hex('event_id', 32), leaf_hash: c.hex('leaf_hash', 32), step: c.text('step') };
  });
  const seen = new Set<string>();
  for (const [i, c] of cited.entries()) {
    if (seen.has(c.event_id)) {
      throw new LineageError(CODE, `event ${c.event_id} is cited twice`, `/cited_events/${i}`, {
        expected: 'each event cited once',
        found: `event ${c.event_id} again`,
      });
    }
    seen.add(c.event_id);
  }
  return {
    type: 'lineage.sar_approval',
    version: 1,
    capsule: { capsule_id: cap.str('capsule_id'), digest: cap.hex('digest', 32), title: cap.text('title') },
    decision: o.literal('decision', SAR_DECISIONS),
    comment,
    approver: { id: ap.str('id'), role: ap.literal('role', APPROVER_ROLES) },
    signed_at: signedAt.text,
    verification: {
      verified_at: verifiedAt.text,
      verdict: ver.literal('verdict', ['verified', 'failed', 'incomplete'] as const),
      pass: ver.uint('pass'),
      fail: ver.uint('fail'),
      not_checked: ver.uint('not_checked'),
    },
    cited_events: cited,
    relied_sths: o.array('relied_sths').map(({ value, path }) => {
      const c = Fields.of(value, path, CODE).closed(['log_id', 'size', 'root', 'timestamp', 'checkpoint']);
      return {
        log_id: c.str('log_id'),
        size: c.str('size', /^(0|[1-9][0-9]*)$/, 'a decimal tree size'),
        root: c.hex('root', 32),
        timestamp: instant(c, 'timestamp').text,
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
  // Times against this verification (the parser reads no clock): an approval is signed before
  // anyone checks it, with the same 10 minutes for clock differences a tree head gets (§4.2.4).
  const nowMs = parseTimestamp(options.verifiedAt, 'verifiedAt');
  const allowance = `with ${CLOCK_ALLOWANCE_MS / 60_000} minutes for clock differences`;
  if (parseTimestamp(a.signed_at) > nowMs + CLOCK_ALLOWANCE_MS) {
    push('approval.schema', 'fail', 'the approval is well-formed', '/signed_at', {
      reason:
        "the approval is dated after this verification: no one signs a decision in the future — the approver's clock was wrong or the date was set by hand, or this machine's clock is behind",
      expected: `a signing time at or before ${options.verifiedAt} (the verification time, ${allowance})`,
      found: a.signed_at,
    });
  } else
    push('approval.schema', 'pass', 'the approval is well-formed', undefined, {
      found: `${a.decision} by ${a.approver.id} as ${a.approver.role}`,
    });
  const verifiedAtMs = parseTimestamp(a.verification.verified_at);
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

  // Relied-on tree heads are re-verified from their note text against the pinned log keys; what
  // the approval says of each (size, root, time) must be what its signed note says, and with the
  // capsule, each must be a tree head the capsule verified.
  // A capsule whose container or manifest could not be read has no digest, events or tree heads:
  // checked against it, the approval would fail as one made for another capsule, which it may well
  // not be. Its bindings are not checked (saying why); the approval's own checks still are.
  const unreadable = options.capsule ? unreadableCapsuleCheck(options.capsule.report) : undefined;
  const cap = unreadable ? undefined : options.capsule;
  // Without the capsule, a pass says only what was checked: not that the capsule verified them.
  const STHS = cap
    ? 'every tree head the approval relied on verifies under the pinned log key and is one the capsule verified'
    : 'every tree head the approval relied on verifies under the pinned log key';
  let sthProblems = 0;
  const sthFail = (field: string, reason: string, values: ExpectedFound) => {
    sthProblems++;
    push('approval.sths', 'fail', STHS, field, { reason, ...expectedFoundOf(values) });
  };
  const capsuleSths = cap?.sths.filter((t) => t.status === 'pass') ?? [];
  for (const [i, s] of a.relied_sths.entries()) {
    const at = `/relied_sths/${i}`;
    const pinned = trust.logs.filter((l) => l.origin === s.log_id);
    if (pinned.length === 0) {
      sthFail(at, `no log key pinned for "${s.log_id}"`, {
        expected: `a log key pinned for ${s.log_id}`,
        found: 'none in the trust store',
      });
      continue;
    }
    let r: Awaited<ReturnType<typeof verifyLineageSth>>;
    try {
      r = await verifyLineageSth(s.checkpoint, {
        logId: s.log_id,
        logKeys: pinned.map((l) => parseVkey(l.vkey)),
        // The same witness policy the capsule's tree heads were accepted under.
        witnesses: trust.witnesses.vkeys.map((v) => parseVkey(v)),
        witnessThreshold: trust.witnesses.threshold,
      });
    } catch (e) {
      sthFail(at, isLineageError(e) ? e.message : String(e), isLineageError(e) ? e : {});
      continue;
    }
    if (!r.ok) {
      sthFail(at, `${r.code}: ${r.message}`, r);
      continue;
    }
    const noteRoot = toHex(r.sth.rootHash);
    // [field, what the approval says, what the signed note says]
    const said: [string, string, string, boolean][] = [
      ['size', s.size, r.sth.treeSize.toString(), r.sth.treeSize.toString() === s.size],
      ['root', s.root, noteRoot, noteRoot === s.root],
      ['timestamp', s.timestamp, r.sth.timestamp, parseTimestamp(s.timestamp) === r.sth.timestampMs],
    ];
    const wrong = said.filter(([, , , same]) => !same);
    for (const [field, claimed, actual] of wrong) {
      sthFail(`${at}/${field}`, `the note says ${field} ${actual}, the approval says ${claimed}`, {
        expected: `${field} ${claimed}, as the approval says`,
        found: `${field} ${actual} in the signed note`,
      });
    }
    if (wrong.length > 0) continue;
    // A verification cannot have relied on a tree head the log signed after it: the approval was
    // dated back, or made on a machine whose clock was behind (its verification then failed too).
    if (r.sth.timestampMs > verifiedAtMs + CLOCK_ALLOWANCE_MS)
      sthFail(
        `${at}/timestamp`,
        `the approval relies on a tree head dated after the verification it reports (${a.verification.verified_at})`,
        {
          expected: `a tree head dated at or before ${a.verification.verified_at} (verification.verified_at, ${allowance})`,
          found: `tree head of size ${s.size} dated ${r.sth.timestamp}`,
        },
      );
    if (!cap) continue;
    const sameTreeHead = (t: (typeof capsuleSths)[number]) =>
      t.logId === s.log_id &&
      t.size === s.size &&
      t.rootHex === s.root &&
      t.timestamp !== '' &&
      parseTimestamp(t.timestamp) === r.sth.timestampMs;
    if (!capsuleSths.some(sameTreeHead)) {
      const ofLog = capsuleSths.filter((t) => t.logId === s.log_id);
      sthFail(at, `the capsule did not verify this tree head of ${s.log_id}`, {
        expected: `a tree head the capsule verified: ${s.log_id} size ${s.size}, root ${short(s.root)}, ${s.timestamp}`,
        found:
          ofLog.length === 0
            ? `no verified tree head of ${s.log_id} in the capsule`
            : `the capsule's verified tree heads of ${s.log_id}: ${ofLog.map((t) => `size ${t.size}, root ${short(t.rootHex)}, ${t.timestamp}`).join('; ')}`,
      });
    }
  }
  // As with cited events, a rejection may rely on no tree head: a capsule whose tree heads all
  // failed (an untrusted log) or are dated after the verification can still be rejected.
  const citesNoTreeHead = a.relied_sths.length === 0 && a.decision !== 'reject';
  if (sthProblems === 0)
    push(
      'approval.sths',
      citesNoTreeHead ? 'fail' : 'pass',
      STHS,
      '/relied_sths',
      citesNoTreeHead
        ? {
            reason: `an approval that says ${a.decision} must cite the tree heads it relied on`,
            expected: 'at least one relied-on tree head',
            found: 'none',
          }
        : { found: formatCountOf(a.relied_sths.length, 'tree head') },
    );

  const CITED = 'every cited event is verified in the capsule';
  // What an approval relied on is what it cites: approving or conditionally approving with
  // nothing cited is not an assessment. (A rejection may cite nothing: a capsule in which no
  // event verified can still be rejected.)
  const citesNothing = a.cited_events.length === 0 && a.decision !== 'reject';
  if (citesNothing) {
    push('approval.cited_events', 'fail', CITED, '/cited_events', {
      reason: `an approval that says ${a.decision} must cite the verified events it relied on`,
      expected: 'at least one cited event',
      found: 'none',
    });
  }
  const BINDING = "the approval is about this capsule and states this capsule's verification result";
  if (!cap) {
    const why = unreadable
      ? `the capsule could not be read (${describeUnreadableCapsule(unreadable)}), so the approval's binding to it cannot be checked`
      : undefined;
    push('approval.capsule_digest', 'not_checked', BINDING, '/capsule/digest', {
      reason: why ?? 'no capsule supplied: pass the capsule to check the binding',
    });
    if (!citesNothing)
      push('approval.cited_events', 'not_checked', CITED, '/cited_events', {
        reason: why ?? 'no capsule supplied',
      });
    return { report: buildReport(target, options.verifiedAt, checks), approval: a };
  }

  if (cap.capsuleDigest !== a.capsule.digest) {
    push('approval.capsule_digest', 'fail', BINDING, '/capsule/digest', {
      reason: 'the approval was made for another capsule (or the capsule changed since)',
      expected: a.capsule.digest,
      found: cap.capsuleDigest,
    });
  } else {
    // Same digest, same manifest: the capsule's identity, and its result, are what the
    // approver signed — or the approval misstates them.
    let bindingProblems = 0;
    const bindingFail = (field: string, reason: string, expected: string, found: string) => {
      bindingProblems++;
      push('approval.capsule_digest', 'fail', BINDING, field, { reason, expected, found });
    };
    const m = cap.manifest;
    if (m && m.capsuleId !== a.capsule.capsule_id)
      bindingFail(
        '/capsule/capsule_id',
        'the approval names another capsule id than this capsule’s manifest',
        `capsule id ${a.capsule.capsule_id}, as the approval says`,
        `capsule id ${m.capsuleId} in the manifest`,
      );
    if (m && m.title !== a.capsule.title)
      bindingFail(
        '/capsule/title',
        'the approval names another title than this capsule’s manifest',
        `title ${JSON.stringify(a.capsule.title)}, as the approval says`,
        `title ${JSON.stringify(m.title)} in the manifest`,
      );
    const v = a.verification;
    const real = cap.report;
    const result = (verdict: string, n: { pass: number; fail: number; not_checked: number }) =>
      `verdict ${verdict}: ${n.pass} pass, ${n.fail} fail, ${n.not_checked} not checked`;
    if (
      v.verdict !== real.verdict ||
      v.pass !== real.summary.pass ||
      v.fail !== real.summary.fail ||
      v.not_checked !== real.summary.not_checked
    )
      bindingFail(
        '/verification',
        'the verification result the approval states is not this capsule’s',
        `${result(v.verdict, v)}, as the approval says`,
        `${result(real.verdict, real.summary)} when this capsule is verified`,
      );
    // A verification at verified_at fails every event logged under a tree head dated more than the
    // allowance after it (event.sth_time), and an event is dated at or before its tree head: so a
    // capsule holding an event dated after that cannot have verified then. The approval was dated
    // back (before the SAR it approves existed, say), whatever the events and tree heads it cites.
    if (v.verdict === 'verified') {
      const latest = cap.events.reduce<EventDetail | undefined>(
        (l, e) => (l === undefined || parseTimestamp(e.timestamp) > parseTimestamp(l.timestamp) ? e : l),
        undefined,
      );
      if (latest && parseTimestamp(latest.timestamp) > verifiedAtMs + CLOCK_ALLOWANCE_MS)
        bindingFail(
          '/verification/verified_at',
          `the approval says this capsule verified at ${v.verified_at}, but it holds an event dated after that: a verification then would have failed it (the tree head that logs it is dated later still)`,
          `every event of the capsule dated at or before ${v.verified_at} (verification.verified_at, ${allowance})`,
          `event ${short(latest.id)} (step ${JSON.stringify(latest.step)}, ${latest.action}) dated ${latest.timestamp}`,
        );
    }
    if (a.decision !== 'reject' && real.verdict !== 'verified')
      bindingFail(
        '/decision',
        `only a capsule that verified can be approved; this one ${real.verdict === 'failed' ? `failed ${formatCountOf(real.summary.fail, 'check')}` : 'is incomplete'} (a rejection is always possible)`,
        `a capsule that verifies, to ${a.decision} it`,
        `a capsule whose verification ${real.verdict === 'failed' ? 'failed' : 'is incomplete'}`,
      );
    if (bindingProblems === 0)
      push('approval.capsule_digest', 'pass', BINDING, '/capsule/digest', {
        found: `${short(cap.capsuleDigest)}, ${result(real.verdict, real.summary)}`,
      });
  }

  const byId = new Map(cap.events.map((e) => [e.id, e]));
  const coveredByReliedSth = (inc: EventInclusionDetail) =>
    a.relied_sths.some((s) => s.log_id === inc.logId && BigInt(s.size) > BigInt(inc.index));
  const late: [number, EventDetail][] = [];
  const uncovered: [number, EventDetail, EventInclusionDetail][] = [];
  let bad = 0;
  for (const [i, c] of a.cited_events.entries()) {
    const e = byId.get(c.event_id);
    let problem: { reason: string; field: string; expected: string; found: string } | undefined;
    if (!e)
      problem = {
        reason: 'the cited event is not in the capsule',
        field: '/event_id',
        expected: `event ${c.event_id} in the capsule`,
        found: 'no such event',
      };
    else if (e.leafHash !== c.leaf_hash)
      problem = {
        reason: 'the event in the capsule has another leaf hash',
        field: '/leaf_hash',
        expected: `leaf hash ${c.leaf_hash}, as the approval says`,
        found: `leaf hash ${e.leafHash} in the capsule`,
      };
    else if (e.status !== 'pass')
      problem = {
        reason: `the event does not verify in the capsule (${e.failedChecks.join(', ') || e.status})`,
        field: '',
        expected: 'an event whose checks all pass',
        found: e.failedChecks.length > 0 ? `failed ${e.failedChecks.join(', ')}` : `status ${e.status}`,
      };
    else if (e.step !== c.step)
      problem = {
        reason: 'the event is in another step of the capsule',
        field: '/step',
        expected: `step ${JSON.stringify(c.step)}, as the approval says`,
        found: `step ${JSON.stringify(e.step)} in the capsule`,
      };
    if (problem) {
      bad++;
      const { reason, field, expected, found } = problem;
      push('approval.cited_events', 'fail', CITED, `/cited_events/${i}${field}`, { reason, expected, found });
    } else if (e) {
      // A verified event is dated at or before the tree head that logs it, and that head at or
      // before the verification (with the allowance): an event dated later was not relied on then.
      if (parseTimestamp(e.timestamp) > verifiedAtMs + CLOCK_ALLOWANCE_MS) late.push([i, e]);
      // The tree heads relied on are the log as the approver saw it: one too small to hold a cited
      // event (an older head of the same log) is not the view that event was verified in.
      if (e.inclusion && !coveredByReliedSth(e.inclusion)) uncovered.push([i, e, e.inclusion]);
    }
  }
  // One failure for each of these, at the first such event: when the approval was dated back or
  // cites an older tree head, every later event shares the cause.
  const lateFirst = late[0];
  if (lateFirst) {
    const [i, e] = lateFirst;
    bad++;
    push('approval.cited_events', 'fail', CITED, `/cited_events/${i}`, {
      reason: `${formatCountOf(late.length, 'cited event')} ${late.length === 1 ? 'is' : 'are'} dated after the verification the approval reports (${a.verification.verified_at}): the approval was dated back before the evidence it cites`,
      expected: `cited events dated at or before ${a.verification.verified_at} (verification.verified_at, ${allowance})`,
      found: `event ${short(e.id)} (step ${JSON.stringify(e.step)}, ${e.action}) dated ${e.timestamp}`,
    });
  }
  const uncoveredFirst = uncovered[0];
  if (uncoveredFirst) {
    const [i, e, { logId, index }] = uncoveredFirst;
    const ofLog = a.relied_sths.filter((s) => s.log_id === logId);
    bad++;
    push('approval.cited_events', 'fail', CITED, `/cited_events/${i}`, {
      reason: `${formatCountOf(uncovered.length, 'cited event')} ${uncovered.length === 1 ? 'is' : 'are'} in no tree head the approval relied on: the tree heads it cites are not the view of the log its events were verified in (an older one, or none of that log)`,
      expected: `a relied-on tree head of ${logId} of size greater than ${index} (event ${short(e.id)} is its leaf ${index})`,
      found:
        ofLog.length === 0
          ? `no relied-on tree head of ${logId}`
          : `relied-on tree heads of ${logId}: ${ofLog.map((s) => `size ${s.size}`).join(', ')}`,
    });
  }
  if (bad === 0 && !citesNothing)
    push('approval.cited_events', 'pass', CITED, '/cited_events', {
      found: formatCountOf(a.cited_events.length, 'event'),
    });
  return { report: buildReport(target, options.verifiedAt, checks), approval: a };
}
