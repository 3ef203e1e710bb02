import { fromHex } from '../encoding/hex.js';
import { describe, Fields } from '../events/fields.js';
import { type JsonValue, parseStrictJson } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { errorOutcomeDetail, formatCountOf, LineageError } from '../result.js';
import { checkPins } from './pins.js';
import {
  type ActionRule,
  APPROVER_ROLES,
  type ApprovalRequirement,
  type ApproverRole,
  type PresenceRequirement,
  type TrustedApprover,
  type TrustedCardSigner,
  type TrustStore,
  type WorkflowPolicy,
} from './types.js';

/** Trust store parser (spec §4.8). Failures are LineageError code "trust.store". */
const CODE = 'trust.store';

function readPolicy(f: Fields): WorkflowPolicy {
  f.closed(['root_roles', 'linear', 'actions', 'requires', 'must_include']);
  const p: WorkflowPolicy = {};
  if (f.has('root_roles')) {
    p.root_roles = f.array('root_roles').map(({ value, path }) => {
      if (!APPROVER_ROLES.includes(value as never)) {
        throw new LineageError(
          CODE,
          `unknown role ${JSON.stringify(value)} (known: ${APPROVER_ROLES.join(', ')})`,
          path,
          { expected: `one of ${APPROVER_ROLES.join(', ')}`, found: describe(value) },
        );
      }
      return value as (typeof APPROVER_ROLES)[number];
    });
  }
  if (f.has('linear')) {
    const v = f.raw('linear');
    if (typeof v !== 'boolean')
      throw new LineageError(CODE, 'expected true or false', `${f.path}/linear`, {
        expected: 'true or false',
        found: describe(v),
      });
    p.linear = v;
  }
  if (f.has('actions')) {
    const a = f.obj_('actions');
    // No prototype: an action named "__proto__" is a rule like any other, not the object's prototype.
    p.actions = Object.create(null) as Record<string, ActionRule>;
    for (const name of Object.keys(a.obj)) {
      const r = a.obj_(name).closed(['actors', 'actor_kinds', 'roles']);
      const rule: ActionRule = {};
      if (r.has('actors')) rule.actors = r.strArray('actors');
      if (r.has('actor_kinds')) {
        rule.actor_kinds = r.array('actor_kinds').map(({ value, path }) => {
          if (value !== 'agent' && value !== 'human')
            throw new LineageError(CODE, 'expected "agent" or "human"', path, {
              expected: '"agent" or "human"',
              found: describe(value),
            });
          return value;
        });
      }
      if (r.has('roles')) rule.roles = r.strArray('roles').map((x) => role(x, `${r.path}/roles`));
      p.actions[name] = rule;
    }
  }
  if (f.has('requires'))
    p.requires = f.array('requires').map(({ value, path }) => readRequirement(value, path));
  if (f.has('must_include'))
    p.must_include = f.array('must_include').map(({ value, path }) => {
      const r = Fields.of(value, path, CODE).closed(['action', 'approval_role', 'covers_chain']);
      const rule: PresenceRequirement = selector(r, path);
      if (r.has('covers_chain')) {
        const v = r.raw('covers_chain');
        if (typeof v !== 'boolean')
          throw new LineageError(CODE, 'expected true or false', `${path}/covers_chain`, {
            expected: 'true or false',
            found: describe(v),
          });
        rule.covers_chain = v;
      }
      return rule;
    });
  return p;
}

/** What a rule selects events by: exactly one of `action` / `approval_role`. */
function selector(r: Fields, path: string): { action?: string; approval_role?: ApproverRole } {
  const action = r.has('action') ? r.str('action') : undefined;
  const approvalRole = r.has('approval_role')
    ? role(r.str('approval_role'), `${path}/approval_role`)
    : undefined;
  if ((action === undefined) === (approvalRole === undefined))
    throw new LineageError(
      CODE,
      'a rule selects events by action or by approval role, not both or neither',
      path,
      {
        expected: 'exactly one of "action", "approval_role"',
        found: action === undefined ? 'neither' : 'both',
      },
    );
  return {
    ...(action !== undefined ? { action } : {}),
    ...(approvalRole !== undefined ? { approval_role: approvalRole } : {}),
  };
}

/** One `policy.requires` rule: exactly one of `action` / `approval_role`, and the roles it needs first. */
function readRequirement(value: JsonValue, path: string): ApprovalRequirement {
  const r = Fields.of(value, path, CODE).closed([
    'action',
    'approval_role',
    'after_approval_by',
    'approval_covers',
  ]);
  const by = r.strArray('after_approval_by').map((x) => role(x, `${path}/after_approval_by`));
  if (by.length === 0)
    throw new LineageError(CODE, 'names no role', `${path}/after_approval_by`, {
      expected: 'at least one approver role',
      found: 'an empty list',
    });
  const covers = r.has('approval_covers') ? r.strArray('approval_covers') : undefined;
  if (covers?.length === 0)
    throw new LineageError(CODE, 'names no action', `${path}/approval_covers`, {
      expected: 'at least one action',
      found: 'an empty list',
    });
  return { ...selector(r, path), after_approval_by: by, ...(covers ? { approval_covers: covers } : {}) };
}

function role(x: string, path: string): (typeof APPROVER_ROLES)[number] {
  if (!APPROVER_ROLES.includes(x as never))
    throw new LineageError(CODE, `unknown role "${x}"`, path, {
      expected: `one of ${APPROVER_ROLES.join(', ')}`,
      found: `"${x}"`,
    });
  return x as (typeof APPROVER_ROLES)[number];
}

/** Parses and validates a trust store; a document under verification never supplies one. */
export function parseTrustStore(input: string | JsonValue): TrustStore {
  const f = Fields.of(typeof input === 'string' ? parseStrictJson(input) : input, '', CODE);
  f.closed(['version', 'logs', 'witnesses', 'proof_servers', 'approvers', 'card_signers', 'policy']);
  f.literal('version', [1] as const);
  const logs = f.has('logs')
    ? f.array('logs').map(({ value, path }) => {
        const l = Fields.of(value, path, CODE).closed(['origin', 'vkey']);
        return { origin: l.str('origin'), vkey: l.str('vkey') };
      })
    : [];
  let witnesses = { vkeys: [] as string[], threshold: 0 };
  if (f.has('witnesses')) {
    const w = f.obj_('witnesses').closed(['vkeys', 'threshold']);
    witnesses = { vkeys: w.strArray('vkeys'), threshold: w.uint('threshold') };
    if (witnesses.threshold > witnesses.vkeys.length) {
      throw new LineageError(
        CODE,
        `witness threshold ${witnesses.threshold} exceeds the ${witnesses.vkeys.length} witness keys`,
        '/witnesses/threshold',
        { expected: `at most ${witnesses.vkeys.length}`, found: String(witnesses.threshold) },
      );
    }
  }
  const proof_servers = f.has('proof_servers')
    ? f.array('proof_servers').map(({ value, path }) => {
        const s = Fields.of(value, path, CODE).closed(['id', 'public_key']);
        return { id: s.str('id'), public_key: s.hex('public_key', 32) };
      })
    : [];
  const approvers: TrustedApprover[] = f.has('approvers')
    ? f.array('approvers').map(({ value, path }) => {
        const a = Fields.of(value, path, CODE).closed(['id', 'name', 'public_key', 'roles']);
        return {
          id: a.str('id'),
          name: a.str('name'),
          public_key: a.hex('public_key', 32),
          roles: a.strArray('roles').map((x) => role(x, `${path}/roles`)),
        };
      })
    : [];
  const card_signers: TrustedCardSigner[] = f.has('card_signers')
    ? f.array('card_signers').map(({ value, path }) => {
        const c = Fields.of(value, path, CODE).closed(['kid', 'alg', 'public_key']);
        const alg = c.literal('alg', ['EdDSA', 'ES256'] as const);
        const public_key = alg === 'EdDSA' ? c.hex('public_key', 32) : c.hex('public_key', 65);
        if (alg === 'ES256' && fromHex(public_key)[0] !== 4) {
          throw new LineageError(
            CODE,
            'an ES256 key is a 65-byte uncompressed SEC1 point starting 04',
            `${path}/public_key`,
            { expected: 'a point starting 04', found: `a point starting ${public_key.slice(0, 2)}` },
          );
        }
        return { kid: c.str('kid'), alg, public_key };
      })
    : [];
  const policy = f.has('policy') ? readPolicy(f.obj_('policy')) : {};
  const trust: TrustStore = { version: 1, logs, witnesses, proof_servers, approvers, card_signers, policy };
  // The schema holds; now the pins as keys, so every host refuses the same files (spec §4.8 "Pins").
  checkPins(trust);
  return trust;
}

/** An empty trust store: nothing is trusted, so every trust-dependent check reports not_checked or fail. */
export function emptyTrustStore(): TrustStore {
  return {
    version: 1,
    logs: [],
    witnesses: { vkeys: [], threshold: 0 },
    proof_servers: [],
    approvers: [],
    card_signers: [],
    policy: {},
  };
}

/**
 * Parses a trust store and reports it as the `trust.store` check, for hosts that put
 * the trust store's own validity in the report. Never throws.
 */
export function checkTrustStore(input: string | JsonValue): { trust?: TrustStore; outcome: CheckOutcome } {
  const title = 'the trust store parsed and is well-formed';
  try {
    const trust = parseTrustStore(input);
    return {
      trust,
      outcome: {
        id: 'trust.store',
        status: 'pass',
        subject: { kind: 'trust', id: 'trust store' },
        title,
        found: `${formatCountOf(trust.logs.length, 'log key')}, ${trust.witnesses.threshold}-of-${trust.witnesses.vkeys.length} witnesses, ${formatCountOf(trust.proof_servers.length, 'proof server')}, ${formatCountOf(trust.approvers.length, 'approver')}, ${formatCountOf(trust.card_signers.length, 'card signer')}`,
      },
    };
  } catch (e) {
    const le = e instanceof LineageError ? e : new LineageError(CODE, String(e));
    const subject: CheckOutcome['subject'] = { kind: 'trust', id: 'trust store' };
    if (le.path) subject.field = le.path;
    return { outcome: { id: 'trust.store', status: 'fail', subject, title, ...errorOutcomeDetail(le) } };
  }
}
