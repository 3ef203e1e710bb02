import { fromHex, toHex } from '../encoding/hex.js';
import { Fields } from '../events/fields.js';
import type { EventInclusion } from '../events/types.js';
import type { JsonValue } from '../json/index.js';
import { verifyInclusion } from '../merkle/index.js';
import type { LineageSth } from '../note/index.js';
import { type ExpectedFound, expectedFoundOf, isLineageError } from '../result.js';
import type { SthVerifier } from '../trust/sth.js';

/** Direct inclusion of an event's leaf under a trusted Lineage STH (spec §4.2.4). */
export function parseEventInclusion(v: JsonValue, path: string): EventInclusion {
  const f = Fields.of(v, path, 'event.inclusion').closed([
    'log_origin',
    'leaf_index',
    'tree_size',
    'proof',
    'checkpoint',
  ]);
  return {
    log_origin: f.str('log_origin'),
    leaf_index: f.uint('leaf_index'),
    tree_size: f.uint('tree_size'),
    proof: f.hexArray('proof', 32),
    checkpoint: f.str('checkpoint'),
  };
}

export type DirectInclusionResult =
  | { ok: true; sth: LineageSth; detail: string; leafIndex: number; logOrigin: string }
  | ({ ok: false; untrusted: boolean; reason: string } & ExpectedFound);

export async function checkDirectInclusion(
  raw: JsonValue,
  path: string,
  leaf: Uint8Array,
  sths: SthVerifier,
): Promise<DirectInclusionResult> {
  let inc: EventInclusion;
  try {
    inc = parseEventInclusion(raw, path);
  } catch (e) {
    if (!isLineageError(e)) throw e;
    return { ok: false, untrusted: false, reason: `inclusion evidence malformed at ${e.path}: ${e.message}` };
  }
  const s = await sths.verify(inc.checkpoint, inc.log_origin);
  if (!s.ok)
    return { ok: false, untrusted: s.untrusted, reason: `tree head: ${s.reason}`, ...expectedFoundOf(s) };
  if (BigInt(inc.tree_size) !== s.sth.treeSize) {
    return {
      ok: false,
      untrusted: false,
      reason: `proof is for a tree of ${inc.tree_size} but the signed tree head has size ${s.sth.treeSize}`,
    };
  }
  const r = verifyInclusion({
    leafHash: leaf,
    index: inc.leaf_index,
    treeSize: s.sth.treeSize,
    proof: inc.proof.map((h) => fromHex(h, 32)),
    root: s.sth.rootHash,
  });
  if (!r.ok) {
    return {
      ok: false,
      untrusted: false,
      reason: `${r.code}: ${r.message} (leaf ${toHex(leaf).slice(0, 12)}…)`,
      ...expectedFoundOf(r),
    };
  }
  return {
    ok: true,
    sth: s.sth,
    leafIndex: inc.leaf_index,
    logOrigin: inc.log_origin,
    detail: `leaf ${inc.leaf_index} of ${s.sth.treeSize} in ${inc.log_origin}, tree head of ${s.sth.timestamp}`,
  };
}
