import { fromHex } from '../encoding/hex.js';
import { Fields } from '../events/fields.js';
import { outcome, short } from '../events/outcome.js';
import type { LineageEvent } from '../events/types.js';
import type { JsonValue } from '../json/index.js';
import type { CheckOutcome } from '../report/model.js';
import { formatSome, isLineageError, LineageError } from '../result.js';
import { pedersenCommitment, saltedCommitment } from './compute.js';
import type { Commitment, Opening } from './types.js';

/** Opening parser: `{event_id, name, scheme, value, salt | blinding}` (spec §4.5). */
export function parseOpening(v: JsonValue, path = ''): Opening {
  // The same field reader as events and receipts: each error names the field, expected and found.
  const f = Fields.of(v, path, 'commitment.opening');
  const scheme = f.literal('scheme', ['sha256-salted-v1', 'pedersen-ristretto255-v1'] as const);
  f.closed(['event_id', 'name', 'scheme', 'value', scheme === 'sha256-salted-v1' ? 'salt' : 'blinding']);
  if (!f.has('value'))
    throw new LineageError('commitment.opening', 'opening has no "value"', `${path}/value`, {
      expected: 'the disclosed "value"',
      found: 'none',
    });
  const base = { event_id: f.str('event_id'), name: f.str('name'), value: f.raw('value')! };
  return scheme === 'sha256-salted-v1'
    ? { ...base, scheme, salt: f.str('salt') }
    : { ...base, scheme, blinding: f.str('blinding') };
}

/** Recomputes the commitment an opening claims; throws LineageError on malformed salt/blinding. */
export function commitmentOf(o: Opening): string {
  return o.scheme === 'sha256-salted-v1'
    ? saltedCommitment(o.name, o.value as JsonValue, fromHex(o.salt, undefined, 'salt'))
    : pedersenCommitment(o.name, o.value as JsonValue, fromHex(o.blinding, 32, 'blinding'));
}

/** How many of an event's commitment names a failure lists (each failed opening has its own message). */
const NAMED = 8;

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
): { outcomes: CheckOutcome[]; passed: ReadonlySet<Opening> } {
  const out: CheckOutcome[] = [];
  const passed = new Set<Opening>();
  const opened = new Set<string>();
  // Each event's commitments by name, built once: a hostile capsule may pair one event of 100k
  // commitments with 100k openings, and a scan per opening is quadratic.
  const byName = new Map<LineageEvent, Map<string, Commitment>>();
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
          expected: `event ${o.event_id} in the capsule`,
          found: 'no such event',
        }),
      );
      continue;
    }
    let named = byName.get(e);
    if (!named) {
      named = new Map(e.commitments.map((x) => [x.name, x]));
      byName.set(e, named);
    }
    const c = named.get(o.name);
    if (!c) {
      // A few names, not all: every failed opening has its own message (100k × 100k names).
      const names = formatSome(e.commitments, NAMED, (x) => `"${x.name}"`, 'commitment');
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: `event ${short(o.event_id)} has no commitment named "${o.name}"`,
          expected: `a commitment named "${o.name}"`,
          found: e.commitments.length === 0 ? 'no commitments' : `commitments ${names}`,
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
      out.push(
        outcome('commitment.opening', 'fail', subj, T_OPEN, {
          reason: err.message,
          expected: `an opening of the ${c.scheme} commitment (value and its salt or blinding)`,
          found: 'an opening that cannot be computed',
        }),
      );
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
      passed.add(o);
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
  return { outcomes: out, passed };
}
