import { fromHex } from '../encoding/hex.js';
import { isObject } from '../events/fields.js';
import { outcome, short } from '../events/outcome.js';
import type { LineageEvent } from '../events/types.js';
import type { JsonValue } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { isLineageError, LineageError } from '../result.js';
import { pedersenCommitment, saltedCommitment } from './compute.js';
import type { Opening } from './types.js';

/** Opening parser: `{event_id, name, scheme, value, salt | blinding}` (spec §4.5). */
export function parseOpening(v: JsonValue, path = ''): Opening {
  if (!isObject(v)) throw new LineageError('commitment.opening', 'an opening is an object', path || '/');
  const str = (k: string) => {
    const x = v[k];
    if (typeof x !== 'string' || x.length === 0)
      throw new LineageError('commitment.opening', `"${k}" must be a non-empty string`, `${path}/${k}`);
    return x;
  };
  if (!Object.hasOwn(v, 'value'))
    throw new LineageError('commitment.opening', 'opening has no "value"', `${path}/value`);
  const base = { event_id: str('event_id'), name: str('name'), value: v.value as JsonValue };
  const scheme = str('scheme');
  const allowed =
    scheme === 'sha256-salted-v1'
      ? ['event_id', 'name', 'scheme', 'value', 'salt']
      : ['event_id', 'name', 'scheme', 'value', 'blinding'];
  for (const k of Object.keys(v))
    if (!allowed.includes(k))
      throw new LineageError('commitment.opening', `unknown field "${k}"`, `${path}/${k}`);
  if (scheme === 'sha256-salted-v1') return { ...base, scheme, salt: str('salt') };
  if (scheme === 'pedersen-ristretto255-v1') return { ...base, scheme, blinding: str('blinding') };
  throw new LineageError('commitment.opening', `unknown scheme "${scheme}"`, `${path}/scheme`);
}

/** Recomputes the commitment an opening claims; throws LineageError on malformed salt/blinding. */
export function commitmentOf(o: Opening): string {
  return o.scheme === 'sha256-salted-v1'
    ? saltedCommitment(o.name, o.value as JsonValue, fromHex(o.salt, undefined, 'salt'))
    : pedersenCommitment(o.name, o.value as JsonValue, fromHex(o.blinding, 32, 'blinding'));
}

const T_OPEN = 'the disclosed value opens the commitment in a proven event';
const T_UNDISCLOSED = 'committed, not disclosed';

/**
 * Checks openings against the commitments of events (which the caller has proven in
 * the log: pass `proven` = ids whose call-chain checks passed). Every commitment
 * without an opening is listed as "committed, not disclosed".
 */
export function checkOpenings(
  events: ReadonlyMap<string, LineageEvent>,
  openings: readonly Opening[],
  proven: ReadonlySet<string>,
): CheckOutcome[] {
  const out: CheckOutcome[] = [];
  const opened = new Set<string>();
  for (const o of openings) {
    const subj = {
      kind: 'commitment' as const,
      id: `${short(o.event_id)}#${o.name}`,
      field: `/commitments/${o.name}`,
    };
    const e = events.get(o.event_id);
    if (!e) {
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: `the opening cites event ${short(o.event_id)}, which is not among the verified events`,
        }),
      );
      continue;
    }
    const c = e.commitments.find((x) => x.name === o.name);
    if (!c) {
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: `event ${short(o.event_id)} has no commitment named "${o.name}"`,
        }),
      );
      continue;
    }
    if (c.scheme !== o.scheme) {
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: 'the opening is for another scheme',
          expected: c.scheme,
          found: o.scheme,
        }),
      );
      continue;
    }
    opened.add(`${o.event_id}#${o.name}`);
    let recomputed: string;
    try {
      recomputed = commitmentOf(o);
    } catch (err) {
      if (!isLineageError(err)) throw err;
      out.push(outcome('commitment.opening', 'fail', subj, T_OPEN, { reason: err.message }));
      continue;
    }
    if (recomputed !== c.value) {
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: 'the disclosed value (or salt/blinding) does not open the commitment',
          expected: c.value,
          found: recomputed,
        }),
      );
    } else if (!proven.has(o.event_id)) {
      out.push(
        outcome('commitment.opening', 'not_checked', subj, T_OPEN, {
          reason: 'the opening matches, but the event carrying the commitment is not proven in the log',
          expected: `event ${short(o.event_id)} proven in a trusted log`,
          found: `event ${short(o.event_id)} not proven (see its event.inclusion)`,
        }),
      );
    } else {
      out.push(
        outcome('commitment.opening', 'pass', subj, T_OPEN, {
          found: `${o.name} = ${JSON.stringify(o.value).slice(0, 80)}`,
        }),
      );
    }
  }
  for (const [id, e] of events) {
    for (const c of e.commitments) {
      if (opened.has(`${id}#${c.name}`)) continue;
      out.push(
        outcome(
          'commitment.undisclosed',
          'pass',
          { kind: 'commitment', id: `${short(id)}#${c.name}`, field: `/commitments/${c.name}` },
          T_UNDISCLOSED,
          {
            found: `${c.scheme} ${short(c.value)}`,
          },
        ),
      );
    }
  }
  return out;
}
