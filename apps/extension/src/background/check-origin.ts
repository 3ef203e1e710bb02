import {
  type CheckOutcome,
  type CheckResult,
  expectedFoundOr,
  formatCount,
  fromBase64,
  type TrustStore,
  toHex,
  utf8DecodeStrict,
} from '@lineage/verifier-core';
import type { EquivocationRecord, ExtensionStore, OriginCheck, ProofView } from '../storage/types.js';
import { bodyAnchorLeafHash, cardAnchorLeafHash } from './anchors.js';
import type { CoreApi, HistoryFetch, VerifiedCheckpoint } from './core-api.js';
import { type FetchBounded, FetchError, type FetchedText } from './fetch-bounded.js';
import { HeaderError, type HeaderList, type ProofHeaders, parseProofHeaders } from './headers.js';
import { LIMITS } from './limits.js';
import { cardOriginOutcome, namedOrigins, transportOutcome } from './origin-binding.js';
import { sentenceFor } from './sentences.js';
import { checkSplitView } from './split-view.js';
import { statusOf } from './verdict-policy.js';

export const CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'] as const;
export const CONSISTENCY_PATH = '/.well-known/lineage/consistency';
export const HISTORY_PATH = '/.well-known/lineage/agent-history.json';

export interface CheckOriginInput {
  origin: string;
  headers: HeaderList;
  trust: TrustStore;
  store: ExtensionStore;
  core: CoreApi;
  fetch: FetchBounded;
  now: number;
  /**
   * Runs `fn` exclusively per key. The split-view memory of a log is read, compared and written as
   * one step, so two tabs showing the same log must not interleave there; nothing else is serialized.
   */
  serialize?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
}

type CardFetch =
  | { kind: 'ok'; res: FetchedText; text: string | null }
  | { kind: 'absent' }
  | { kind: 'error'; message: string };

/** The card from the visited origin only: the modern path first, then the legacy one. */
async function fetchCard(origin: string, fetch: FetchBounded): Promise<CardFetch> {
  for (const path of CARD_PATHS) {
    let res: FetchedText;
    try {
      res = await fetch(origin + path, { maxBytes: LIMITS.cardBytes, timeoutMs: LIMITS.fetchMs });
    } catch (e) {
      return { kind: 'error', message: e instanceof FetchError ? e.message : String(e) };
    }
    if (res.status === 404 || res.status === 410) continue;
    if (res.status !== 200) return { kind: 'error', message: `${res.url} answered HTTP ${res.status}` };
    let text: string | null = null;
    try {
      text = utf8DecodeStrict(res.bytes, 'card');
    } catch {
      text = null;
    }
    return { kind: 'ok', res, text };
  }
  return { kind: 'absent' };
}

/** The agent's key history (spec §6.5), from the visited origin only. */
async function fetchHistory(origin: string, fetch: FetchBounded): Promise<HistoryFetch> {
  const url = origin + HISTORY_PATH;
  try {
    const res = await fetch(url, { maxBytes: LIMITS.historyBytes, timeoutMs: LIMITS.fetchMs });
    if (res.status === 404 || res.status === 410) return { kind: 'absent', url };
    if (res.status !== 200) return { kind: 'error', url, message: `${url} answered HTTP ${res.status}` };
    return { kind: 'ok', url, bytes: res.bytes };
  } catch (e) {
    return { kind: 'error', url, message: e instanceof FetchError ? e.message : String(e) };
  }
}

function check(
  id: string,
  status: CheckOutcome['status'],
  kind: CheckOutcome['subject']['kind'],
  subjectId: string,
  title: string,
  extra: Partial<CheckOutcome> = {},
): CheckOutcome {
  return { id, status, subject: { kind, id: subjectId }, title, ...extra };
}

/** A failed proof's expected and found (the roots, or the proof length); else which check failed. */
function inclusionValues(r: CheckResult): { expected?: string; found?: string } {
  if (r.ok) return {};
  return expectedFoundOr(r, {
    expected: 'a proof leading to the checkpoint root',
    found: `a proof that does not apply (${r.code})`,
  });
}

/** Parses the well-known consistency endpoint's answer (spec §6.5) with verifier-core's strict JSON. */
export function parseConsistencyAnswer(
  core: CoreApi,
  bytes: Uint8Array,
  from: bigint,
  to: bigint,
): Uint8Array[] {
  const v = core.parseStrictJson(utf8DecodeStrict(bytes, 'consistency'));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('answer is not a JSON object');
  const o = v as Record<string, unknown>;
  if (o.from !== Number(from) || o.to !== Number(to)) {
    throw new Error(`answer is for ${String(o.from)}→${String(o.to)}, not ${from}→${to}`);
  }
  if (!Array.isArray(o.proof) || o.proof.length > LIMITS.proofHashes) {
    throw new Error(`proof must be an array of at most ${LIMITS.proofHashes} base64 hashes`);
  }
  return o.proof.map((h, i) => {
    if (typeof h !== 'string') throw new Error(`proof[${i}] is not a string`);
    return fromBase64(h, 32, `proof[${i}]`);
  });
}

/**
 * One check of one origin, from the response headers to a result (spec §6.6). Every verification
 * decision is verifier-core's (through CoreApi); this function only gathers inputs within limits.
 */
export async function checkOrigin(input: CheckOriginInput): Promise<OriginCheck> {
  const { origin, core, trust } = input;
  const checks: CheckOutcome[] = [];

  let headers: ProofHeaders | null = null;
  try {
    headers = parseProofHeaders(input.headers);
  } catch (e) {
    const he = e instanceof HeaderError ? e : new HeaderError('headers.syntax', 'Lineage-*', String(e));
    checks.push(
      check(
        'proof.headers',
        'fail',
        'sth',
        origin,
        'The Lineage proof headers are well-formed and within limits',
        {
          reason: he.message,
          found: he.code,
        },
      ),
    );
  }

  const cardFetch = await fetchCard(origin, input.fetch);
  let card: OriginCheck['card'] = null;
  let cardBytes: Uint8Array | null = null;
  if (cardFetch.kind === 'ok') {
    cardBytes = cardFetch.res.bytes;
    if (cardFetch.text === null) {
      checks.push(
        check('card.parse', 'fail', 'card', cardFetch.res.url, 'The card is a strict-JSON object', {
          reason: 'the card is not valid UTF-8',
        }),
      );
    } else {
      const r = await core.verifyCard(
        cardFetch.text,
        trust,
        await fetchHistory(origin, input.fetch),
        input.now,
      );
      checks.push(...r.checks);
      card = r.card;
      if (card) {
        // A card that parsed: does it name this origin? (A copy on another origin verifies otherwise.)
        let named: string[] = [];
        try {
          named = namedOrigins(core.parseStrictJson(cardFetch.text));
        } catch {
          named = [];
        }
        checks.push(cardOriginOutcome(origin, named));
      }
    }
  } else {
    checks.push(
      check(
        'card.fetch',
        cardFetch.kind === 'absent' ? 'not_checked' : 'fail',
        'card',
        origin,
        'The site serves an agent card',
        {
          reason:
            cardFetch.kind === 'absent' ? `no agent card at ${CARD_PATHS.join(' or ')}` : cardFetch.message,
        },
      ),
    );
  }

  let proof: ProofView | null = null;
  let verified: VerifiedCheckpoint | null = null;
  let equivocation: EquivocationRecord | null = null;
  if (headers?.checkpoint) {
    const cp = await core.verifyCheckpoint(headers.checkpoint, trust, input.now);
    if (!cp.ok) {
      checks.push(
        check(
          'proof.checkpoint',
          cp.unknownLog ? 'not_checked' : 'fail',
          'checkpoint',
          cp.log ?? origin,
          'The checkpoint is signed by a log you trust',
          {
            reason: cp.unknownLog
              ? `signed by a log you have not pinned: ${cp.message}`
              : `${cp.code}: ${cp.message}`,
            // The core's expected and found where it has them; else at least which check failed.
            ...expectedFoundOr(cp, {
              expected: 'a checkpoint signed by a log you pinned',
              found: `a checkpoint that fails ${cp.code}`,
            }),
          },
        ),
      );
    } else {
      verified = cp;
      checks.push(...cp.checks);
      proof = {
        log: cp.log,
        treeSize: cp.size.toString(),
        rootHex: toHex(cp.root),
        card: null,
        body: null,
        witnesses:
          trust.witnesses.threshold > 0
            ? { required: trust.witnesses.threshold, configured: trust.witnesses.vkeys.length }
            : null,
        previous: null,
      };
    }
  } else if (headers) {
    checks.push(
      check(
        'proof.checkpoint',
        'not_checked',
        'checkpoint',
        origin,
        'The checkpoint is signed by a log you trust',
        {
          reason: 'the site sends no Lineage-Checkpoint header',
        },
      ),
    );
  }

  if (verified && proof && headers) {
    // Card inclusion: the leaf is the anchor of the card bytes exactly as served.
    if (headers.card && cardBytes) {
      const leaf = cardAnchorLeafHash(cardBytes);
      proof.card = {
        index: String(headers.card.index),
        leafHashHex: toHex(leaf),
        auditPath: headers.card.proof.map(toHex),
      };
      const r =
        BigInt(headers.card.treeSize) !== verified.size
          ? {
              ok: false as const,
              code: 'proof.size_mismatch',
              message: `the proof is for a tree of ${formatCount(headers.card.treeSize)}, the checkpoint is of ${formatCount(verified.size)}`,
            }
          : core.verifyInclusion({
              leafHash: leaf,
              index: BigInt(headers.card.index),
              treeSize: verified.size,
              proof: headers.card.proof,
              root: verified.root,
            });
      checks.push(
        check(
          'proof.inclusion.card',
          r.ok ? 'pass' : 'fail',
          'inclusion',
          `${verified.log}#${headers.card.index}`,
          'The served agent card is in the log under this checkpoint',
          r.ok ? {} : { reason: r.message, ...inclusionValues(r) },
        ),
      );
    } else {
      checks.push(
        check(
          'proof.inclusion.card',
          'not_checked',
          'inclusion',
          verified.log,
          'The served agent card is in the log under this checkpoint',
          {
            reason: cardBytes
              ? 'the site sends no inclusion proof for its card'
              : 'there is no card to prove',
          },
        ),
      );
    }

    if (headers.body) {
      const digest = headers.bodySha256;
      proof.body = {
        index: String(headers.body.index),
        digestHex: digest ? toHex(digest) : null,
        auditPath: headers.body.proof.map(toHex),
      };
      if (!digest) {
        checks.push(
          check(
            'proof.inclusion.body',
            'not_checked',
            'inclusion',
            verified.log,
            'The Content-Digest of this page is in the log',
            {
              reason: 'a body proof was sent without a Content-Digest sha-256 value to bind it to',
            },
          ),
        );
      } else {
        const r =
          BigInt(headers.body.treeSize) !== verified.size
            ? {
                ok: false as const,
                code: 'proof.size_mismatch',
                message: `the proof is for a tree of ${formatCount(headers.body.treeSize)}, the checkpoint is of ${formatCount(verified.size)}`,
              }
            : core.verifyInclusion({
                leafHash: bodyAnchorLeafHash(digest),
                index: BigInt(headers.body.index),
                treeSize: verified.size,
                proof: headers.body.proof,
                root: verified.root,
              });
        checks.push(
          check(
            'proof.inclusion.body',
            r.ok ? 'pass' : 'fail',
            'inclusion',
            `${verified.log}#${headers.body.index}`,
            'The Content-Digest of this page is in the log',
            r.ok ? {} : { reason: r.message, ...inclusionValues(r) },
          ),
        );
      }
    }

    const serialize = input.serialize ?? ((_key, fn) => fn());
    const sv = await serialize(`log:${verified.log}`, () =>
      checkSplitView({
        current: verified,
        note: headers.checkpoint!,
        origin,
        now: input.now,
        store: input.store,
        trust,
        core,
        headerProof: headers.consistency,
        fetchConsistency: async (from, to) => {
          const url = `${origin}${CONSISTENCY_PATH}?from=${from}&to=${to}`;
          const res = await input.fetch(url, {
            maxBytes: LIMITS.consistencyBytes,
            timeoutMs: LIMITS.fetchMs,
          });
          if (res.status !== 200) throw new Error(`${url} answered HTTP ${res.status}`);
          return parseConsistencyAnswer(core, res.bytes, from, to);
        },
      }),
    );
    proof.previous = sv.previous;
    equivocation = sv.equivocation;
    if (sv.outcome) checks.push(sv.outcome);
  }

  // Plain HTTP (not loopback): the network could have served all of the above. Last, so that a
  // more specific gap names the warning first.
  checks.push(transportOutcome(origin));

  const status = statusOf(checks);
  return {
    origin,
    checkedAt: input.now,
    status,
    sentence: sentenceFor(status, checks),
    checks,
    card,
    cardUrl: cardFetch.kind === 'ok' ? cardFetch.res.url : null,
    cardText: cardFetch.kind === 'ok' ? cardFetch.text : null,
    checkpointText: headers?.checkpoint ?? null,
    proof,
    equivocation,
  };
}
