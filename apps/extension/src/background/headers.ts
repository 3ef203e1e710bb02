import { formatCount } from '@lineage/verifier-core';
import { type Dictionary, type InnerList, type Item, parseDictionary, parseItem } from 'structured-headers';
import { LIMITS } from './limits.js';

/**
 * Response headers as webRequest reports them: lowercase names, repeated fields kept apart. `chars`
 * is the length the site sent when the value kept was cut short (the controller caps what it keeps),
 * so that a limit's message names the size the site sent, not the size kept.
 */
export type HeaderList = ReadonlyArray<{
  name: string;
  value?: string | undefined;
  chars?: number | undefined;
}>;

export const HEADER = Object.freeze({
  checkpoint: 'lineage-checkpoint',
  inclusion: 'lineage-inclusion',
  consistency: 'lineage-consistency',
  contentDigest: 'content-digest',
  link: 'link',
});

export interface InclusionHeaderProof {
  index: number;
  treeSize: number;
  proof: Uint8Array[];
}

export interface ConsistencyHeaderProof {
  from: number;
  to: number;
  proof: Uint8Array[];
}

export interface ProofHeaders {
  /** The signed note carried by Lineage-Checkpoint, decoded as UTF-8 text. */
  checkpoint: string | null;
  card: InclusionHeaderProof | null;
  body: InclusionHeaderProof | null;
  consistency: ConsistencyHeaderProof | null;
  /** SHA-256 digest of the response body from Content-Digest, when present. */
  bodySha256: Uint8Array | null;
}

export class HeaderError extends Error {
  constructor(
    readonly code: string,
    readonly header: string,
    message: string,
  ) {
    super(`${header}: ${message}`);
    this.name = 'HeaderError';
  }
}

/**
 * RFC 9110 §5.3: repeated field lines combine with ", " — for an sf-item that makes the value
 * unparseable, which is what we want (two checkpoints are ambiguous, so neither is used).
 */
export function combinedHeader(headers: HeaderList, name: string): string | null {
  const values = headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value ?? '');
  return values.length === 0 ? null : values.join(', ');
}

/** True when the response advertises Lineage: a proof header, or a Link to an agent card. */
export function advertisesLineage(headers: HeaderList): boolean {
  if (combinedHeader(headers, HEADER.checkpoint) !== null) return true;
  if (combinedHeader(headers, HEADER.inclusion) !== null) return true;
  const link = combinedHeader(headers, HEADER.link);
  return link !== null && linkHasAgentCard(link);
}

/**
 * Finds rel="agent-card" in an RFC 8288 Link header. The target is ignored on purpose: the card is
 * only ever fetched from the visited origin's well-known path, so a header cannot redirect us.
 */
export function linkHasAgentCard(link: string): boolean {
  if (link.length > LIMITS.linkHeaderChars) return false;
  for (const m of link.matchAll(/;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/gi)) {
    const rels = (m[1] ?? m[2] ?? '').toLowerCase().split(/\s+/);
    if (rels.includes('agent-card')) return true;
  }
  return false;
}

function bytesOf(item: Item | InnerList, header: string, what: string): Uint8Array {
  const v = item[0];
  if (!(v instanceof ArrayBuffer))
    throw new HeaderError('headers.type', header, `${what} must be a byte sequence`);
  return new Uint8Array(v);
}

function intParam(params: Map<string, unknown>, key: string, header: string, member: string): number {
  const v = params.get(key);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new HeaderError(
      'headers.param',
      header,
      `member "${member}" needs parameter ${key} as a non-negative integer; found ${v === undefined ? 'none' : typeof v}`,
    );
  }
  return v;
}

function hashList(member: Item | InnerList, header: string, name: string): Uint8Array[] {
  if (!Array.isArray(member[0])) {
    throw new HeaderError('headers.type', header, `member "${name}" must be an inner list of 32-byte hashes`);
  }
  const items = member[0] as Item[];
  if (items.length > LIMITS.proofHashes) {
    throw new HeaderError(
      'headers.too_many_hashes',
      header,
      `member "${name}" has ${formatCount(items.length)} hashes; at most ${LIMITS.proofHashes} are accepted`,
    );
  }
  return items.map((it, i) => {
    const h = bytesOf(it, header, `hash ${i} of "${name}"`);
    if (h.length !== 32) {
      throw new HeaderError(
        'headers.hash_length',
        header,
        `hash ${i} of "${name}" is ${h.length} bytes; expected 32`,
      );
    }
    return h;
  });
}

function parseInclusionMember(member: Item | InnerList, name: string): InclusionHeaderProof {
  const proof = hashList(member, 'Lineage-Inclusion', name);
  const params = member[1] as Map<string, unknown>;
  return {
    proof,
    index: intParam(params, 'index', 'Lineage-Inclusion', name),
    treeSize: intParam(params, 'size', 'Lineage-Inclusion', name),
  };
}

function dictionary(value: string, header: string): Dictionary {
  try {
    return parseDictionary(value);
  } catch (e) {
    throw new HeaderError('headers.syntax', header, `not an RFC 9651 dictionary (${(e as Error).message})`);
  }
}

/** The length of a field as the site sent it: its lines combined with ", " (as combinedHeader does). */
function sentChars(headers: HeaderList, name: string): number {
  const lines = headers.filter((h) => h.name.toLowerCase() === name);
  // A stored record is untrusted: only a number counts as a sent length.
  const len = (h: HeaderList[number]) => (typeof h.chars === 'number' ? h.chars : (h.value ?? '').length);
  return lines.reduce((n, h) => n + Math.max(len(h), (h.value ?? '').length), 2 * (lines.length - 1));
}

function checkSize(chars: number, header: string): void {
  if (chars > LIMITS.headerChars) {
    throw new HeaderError(
      'headers.too_large',
      header,
      `value is ${formatCount(chars)} characters; at most ${formatCount(LIMITS.headerChars)} are accepted`,
    );
  }
}

/**
 * Parses the Lineage proof headers of one response (docs/spec/06-proof-headers.md). Throws
 * HeaderError on the first header that breaks the format or a limit; absent headers are null.
 */
export function parseProofHeaders(headers: HeaderList): ProofHeaders {
  for (const [key, name] of [
    ['Checkpoint', HEADER.checkpoint],
    ['Inclusion', HEADER.inclusion],
    ['Consistency', HEADER.consistency],
  ] as const) {
    const lines = headers.filter((h) => h.name.toLowerCase() === name).length;
    if (lines > LIMITS.headerLines) {
      throw new HeaderError(
        'headers.too_many_lines',
        `Lineage-${key}`,
        `sent on ${formatCount(lines)} lines; at most ${LIMITS.headerLines} are accepted`,
      );
    }
  }
  const raw = {
    checkpoint: combinedHeader(headers, HEADER.checkpoint),
    inclusion: combinedHeader(headers, HEADER.inclusion),
    consistency: combinedHeader(headers, HEADER.consistency),
  };
  let total = 0;
  for (const [key, v] of Object.entries(raw)) {
    if (v === null) continue;
    const chars = sentChars(headers, HEADER[key as keyof typeof raw]);
    checkSize(chars, `Lineage-${key[0]!.toUpperCase()}${key.slice(1)}`);
    total += chars;
  }
  if (total > LIMITS.totalHeaderChars) {
    throw new HeaderError(
      'headers.too_large',
      'Lineage-*',
      `headers total ${formatCount(total)} characters; at most ${formatCount(LIMITS.totalHeaderChars)} are accepted`,
    );
  }

  const out: ProofHeaders = { checkpoint: null, card: null, body: null, consistency: null, bodySha256: null };

  if (raw.checkpoint !== null) {
    let item: Item;
    try {
      item = parseItem(raw.checkpoint);
    } catch (e) {
      throw new HeaderError(
        'headers.syntax',
        'Lineage-Checkpoint',
        `not an RFC 9651 item (${(e as Error).message})`,
      );
    }
    const note = bytesOf(item, 'Lineage-Checkpoint', 'the value');
    if (note.length > LIMITS.checkpointBytes) {
      throw new HeaderError(
        'headers.too_large',
        'Lineage-Checkpoint',
        `checkpoint is ${formatCount(note.length)} bytes; at most ${formatCount(LIMITS.checkpointBytes)} are accepted`,
      );
    }
    try {
      out.checkpoint = new TextDecoder('utf-8', { fatal: true }).decode(note);
    } catch {
      throw new HeaderError('headers.utf8', 'Lineage-Checkpoint', 'checkpoint is not valid UTF-8');
    }
  }

  if (raw.inclusion !== null) {
    const dict = dictionary(raw.inclusion, 'Lineage-Inclusion');
    const card = dict.get('card');
    const body = dict.get('body');
    if (card) out.card = parseInclusionMember(card, 'card');
    if (body) out.body = parseInclusionMember(body, 'body');
  }

  if (raw.consistency !== null) {
    const dict = dictionary(raw.consistency, 'Lineage-Consistency');
    const proof = dict.get('proof');
    const from = dict.get('from');
    const to = dict.get('to');
    if (!proof || !from || !to) {
      throw new HeaderError('headers.member', 'Lineage-Consistency', 'needs members from, to and proof');
    }
    const asInt = (m: Item | InnerList, key: string): number => {
      const v = m[0];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw new HeaderError('headers.type', 'Lineage-Consistency', `${key} must be a non-negative integer`);
      }
      return v;
    };
    out.consistency = {
      from: asInt(from, 'from'),
      to: asInt(to, 'to'),
      proof: hashList(proof, 'Lineage-Consistency', 'proof'),
    };
  }

  const digest = combinedHeader(headers, HEADER.contentDigest);
  const digestLines = headers.filter((h) => h.name.toLowerCase() === HEADER.contentDigest).length;
  if (digest !== null && digest.length <= LIMITS.headerChars && digestLines <= LIMITS.headerLines) {
    // RFC 9530: only sha-256 binds the body proof; other algorithms are ignored, not trusted.
    try {
      const sha = parseDictionary(digest).get('sha-256');
      if (sha && sha[0] instanceof ArrayBuffer && sha[0].byteLength === 32)
        out.bodySha256 = new Uint8Array(sha[0]);
    } catch {
      out.bodySha256 = null;
    }
  }
  return out;
}
