import { Fields } from '../events/fields.js';
import { readSignatureObject } from '../events/signing.js';
import type { JsonValue } from '../json/index.js';
import { LineageError } from '../result.js';
import type { Attestation, AttestedLog } from './types.js';

/** Attestation parser (spec §4.7). Failures are LineageError code "attestation.schema". */
const CODE = 'attestation.schema';

function readLog(f: Fields): AttestedLog {
  f.closed(['log_origin', 'checkpoint', 'inclusion', 'multiproof', 'consistency']);
  const log: AttestedLog = { log_origin: f.str('log_origin'), checkpoint: f.str('checkpoint') };
  if (f.has('inclusion')) {
    log.inclusion = f.array('inclusion').map(({ value, path }) => {
      const i = Fields.of(value, path, CODE).closed(['leaf_hash', 'leaf_index', 'proof']);
      return {
        leaf_hash: i.hex('leaf_hash', 32),
        leaf_index: i.uint('leaf_index'),
        proof: i.hexArray('proof', 32),
      };
    });
  }
  if (f.has('multiproof')) {
    const m = f.obj_('multiproof').closed(['leaves', 'proof']);
    log.multiproof = {
      leaves: m.array('leaves').map(({ value, path }) => {
        const l = Fields.of(value, path, CODE).closed(['leaf_hash', 'leaf_index']);
        return { leaf_hash: l.hex('leaf_hash', 32), leaf_index: l.uint('leaf_index') };
      }),
      proof: m.hexArray('proof', 32),
    };
  }
  if (!log.inclusion && !log.multiproof) {
    throw new LineageError(CODE, 'a log entry needs "inclusion", "multiproof" or both', f.path, {
      expected: '"inclusion", "multiproof" or both',
      found: 'neither',
    });
  }
  if (f.has('consistency')) {
    log.consistency = f.array('consistency').map(({ value, path }) => {
      const c = Fields.of(value, path, CODE).closed(['checkpoint', 'proof']);
      return { checkpoint: c.str('checkpoint'), proof: c.hexArray('proof', 32) };
    });
  }
  return log;
}

export function parseAttestation(value: JsonValue, path = ''): Attestation {
  const f = Fields.of(value, path, CODE).closed([
    'type',
    'version',
    'server',
    'issued_at',
    'leaves',
    'logs',
    'signature',
  ]);
  const a: Attestation = {
    type: f.literal('type', ['lineage.attestation'] as const),
    version: f.literal('version', [1] as const),
    server: f.str('server'),
    issued_at: f.time('issued_at'),
    leaves: f.hexArray('leaves', 32),
    logs: f.array('logs').map(({ value: v, path: p }) => readLog(Fields.of(v, p, CODE))),
    signature: readSignatureObject(f.obj_('signature')),
  };
  if (a.leaves.length === 0)
    throw new LineageError(CODE, 'an attestation names at least one leaf', `${path}/leaves`, {
      expected: 'at least one leaf',
      found: 'none',
    });
  if (a.logs.length === 0)
    throw new LineageError(CODE, 'an attestation covers at least one log', `${path}/logs`, {
      expected: 'at least one log',
      found: 'none',
    });
  return a;
}
