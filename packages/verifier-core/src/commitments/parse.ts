import { Fields } from '../events/fields.js';
import type { JsonValue } from '../json/index.js';
import type { Commitment } from './types.js';

export const COMMITMENT_SCHEMES = ['sha256-salted-v1', 'pedersen-ristretto255-v1'] as const;

export function readCommitment(v: JsonValue, path: string, code: string): Commitment {
  const f = Fields.of(v, path, code).closed(['name', 'scheme', 'value']);
  return { name: f.str('name'), scheme: f.literal('scheme', COMMITMENT_SCHEMES), value: f.hex('value', 32) };
}
