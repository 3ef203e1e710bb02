import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFedrampSample, encryptKeyFile } from '@lineage/producer';
import type { CliIo } from '../src/cli-types.js';

/** A CliIo that records what the command printed (the same fixed clock for every test). */
export function capture(cwd = process.cwd(), env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    isTty: false,
    cwd,
    env,
    now: () => new Date('2026-11-22T00:00:00Z'),
  };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}

/**
 * The FedRAMP sample written to `dir`, and its 3PAO assessor's key as a passphrase-protected key
 * file there (cheap scrypt for tests): what `lineage approve` tests sign with.
 */
export async function sampleWithAssessorKey(dir: string, passphrase: string, owner?: string) {
  const s = await buildFedrampSample({ dir });
  const key = join(dir, '3pao.key.json');
  writeFileSync(
    key,
    await encryptKeyFile(s.keys.humans['3pao']!.secretKey, passphrase, {
      ...(owner !== undefined ? { owner } : {}),
      log2N: 10,
    }),
  );
  return { s, key };
}
