import { lstatSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildFedrampSample,
  buildTamperedVariants,
  DEFAULT_SAMPLE_SEED,
  encryptKeyFile,
} from '@lineage/producer';
import { expectedFoundOf, formatCountOf, verifyCapsule, zipCapsuleSource } from '@lineage/verifier-core';
import { type CliIo, EXIT_FAILED, EXIT_VERIFIED, UsageError } from '../cli-types.js';
import { parseCommandArgs, stringifyJsonSafe, unusableDocument } from '../format.js';
import { verifyCapsuleFile } from './capsule.js';
import { register } from './index.js';

/**
 * Refuses, before anything is written, a --dir that already holds any of the files the demo
 * writes: they are named, and none is replaced.
 */
function refuseExisting(dir: string, files: string[]): void {
  const taken = files.filter((f) => lstatSync(f, { throwIfNoEntry: false }) !== undefined);
  if (taken.length > 0)
    throw new UsageError(
      `--dir ${dir} already has ${taken.join(', ')}; lineage demo does not replace files (choose another --dir, or move them)`,
    );
}

/** Creates a file that must not exist yet (O_EXCL: a file that appeared meanwhile is not replaced). */
function writeNew(path: string, data: string | Uint8Array, mode = 0o644): void {
  try {
    writeFileSync(path, data, { flag: 'wx', mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`${path} already exists; lineage demo does not replace files`);
    throw e;
  }
}

/** Published with the demo: the demo key protects nothing. */
const DEMO_PASSPHRASE = 'lineage-demo';

/**
 * `lineage demo`: the main job on built-in data. Builds the FedRAMP sample (deterministic
 * from a seed) into a fresh temporary directory — capsule and trust file side by side, the
 * trust file never inside the capsule — and verifies it exactly as `lineage verify` would.
 */
register({
  path: ['demo'],
  usage: 'lineage demo [--tampered] [--dir DIR] [--seed SEED] [--json]',
  summary:
    'Build the FedRAMP sample capsule and verify it; --tampered shows every attack variant being caught.',
  async run(argv, io) {
    try {
      return await runDemo(argv, io);
    } catch (e) {
      // As `verify` does: with --json, a usage error (a --dir that cannot be used, files already
      // there) is still one document on stdout; main prints the message on stderr and exits 2.
      if (e instanceof UsageError && argv.includes('--json'))
        io.out(
          stringifyJsonSafe(
            unusableDocument(
              'lineage demo',
              'usage',
              e.message,
              e.file !== undefined ? { file: e.file } : {},
            ),
          ),
        );
      throw e;
    }
  },
});

async function runDemo(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    tampered: { type: 'boolean' },
    dir: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean' },
  });
  const seed = values.seed ?? DEFAULT_SAMPLE_SEED;
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'lineage-demo-'));
  // A --dir that does not exist yet is made.
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--dir ${dir}: ${code === 'EEXIST' || code === 'ENOTDIR' ? 'is a file, not a directory' : `cannot be made (${code ?? String(e)})`}`,
    );
  }
  if (values.tampered) return tampered(io, seed, dir, values.json ?? false);
  // What the demo writes, refused before any work if any of it is already there (key files are
  // never replaced, and neither is a capsule or trust file someone kept in DIR).
  const paths = {
    capsule: join(dir, 'fedramp-sample.capsule.zip'),
    trust: join(dir, 'trust.json'),
    key: join(dir, '3pao-assessor.demo-key.json'),
  };
  refuseExisting(dir, Object.values(paths));
  const sample = await buildFedrampSample({ seed });
  writeNew(paths.capsule, sample.zip);
  writeNew(paths.trust, sample.trustText);
  // The sample 3PAO's key, so `lineage approve` can be tried on the demo capsule. A demo key
  // derived from a public seed with a published passphrase: never use it for anything real.
  const keyPath = paths.key;
  writeNew(
    keyPath,
    await encryptKeyFile(sample.keys.humans['3pao']!.secretKey, DEMO_PASSPHRASE, {
      owner: 'lin:human:3pao.sam-okafor',
      log2N: 14,
    }),
    0o600,
  );
  if (!values.json) {
    io.out(`Built the FedRAMP sample (seed "${seed}") in ${dir}:`);
    io.out(
      `  capsule  ${paths.capsule} (${formatCountOf(sample.zip.length, 'byte')}, ${formatCountOf(sample.events.length, 'event')})`,
    );
    io.out(
      `  trust    ${paths.trust} (pinned log, proof server and 6 approvers; written beside the capsule, never inside)`,
    );
    io.out(`  verify it yourself: lineage verify ${paths.capsule} --trust ${paths.trust}`);
    io.out(
      `  sign a SAR approval: LINEAGE_PASSPHRASE=${DEMO_PASSPHRASE} lineage approve ${paths.capsule} --key ${keyPath} --decision approve --comment "…" --trust ${paths.trust}`,
    );
    io.out('');
  }
  return (
    await verifyCapsuleFile(io, paths.capsule, sample.trust, paths.trust, {
      json: values.json ?? false,
    })
  ).code;
}

async function tampered(
  io: Parameters<typeof verifyCapsuleFile>[0],
  seed: string,
  dir: string,
  json: boolean,
): Promise<number> {
  const variants = await buildTamperedVariants({ seed });
  refuseExisting(
    dir,
    variants.flatMap((v) => [join(dir, `${v.name}.capsule.zip`), join(dir, `${v.name}.trust.json`)]),
  );
  const rows: {
    name: string;
    attack: string;
    checkId: string;
    caught: boolean;
    where: string;
    reason: string;
    expected?: string;
    found?: string;
    file: string;
  }[] = [];
  for (const v of variants) {
    const file = join(dir, `${v.name}.capsule.zip`);
    writeNew(file, v.sample.zip);
    writeNew(join(dir, `${v.name}.trust.json`), v.sample.trustText);
    const r = await verifyCapsule(zipCapsuleSource(v.sample.zip), v.sample.trust, {
      verifiedAt: io.now().toISOString(),
      capsuleName: `${v.name}.capsule.zip`,
    });
    const target = v.eventKey ? v.sample.eventIds[v.eventKey] : undefined;
    const hit = r.report.checks.find(
      (c) => c.id === v.checkId && c.status === 'fail' && (!target || c.subject.id === target),
    );
    const caught = r.report.verdict === 'failed' && hit !== undefined;
    const ev = hit ? r.events.find((e) => e.id === hit.subject.id) : undefined;
    rows.push({
      name: v.name,
      attack: v.attack,
      checkId: v.checkId,
      caught,
      where: ev
        ? `step ${ev.step}, event ${ev.id.slice(0, 12)}… (${ev.action})${hit!.subject.where ? ` · at ${hit!.subject.where}` : ''}${hit!.subject.field ? ` · field ${hit!.subject.field}` : ''}`
        : hit
          ? `${hit.subject.kind} ${hit.subject.id}${hit.subject.where ? ` · at ${hit.subject.where}` : ''}${hit.subject.field ? ` · field ${hit.subject.field}` : ''}`
          : '—',
      reason: hit?.reason ?? '',
      ...(hit ? expectedFoundOf(hit) : {}),
      file,
    });
  }
  const all = rows.every((r) => r.caught);
  if (json) {
    io.out(JSON.stringify({ seed, dir, allCaught: all, variants: rows }, null, 2));
  } else {
    io.out(
      `${all ? 'ALL CAUGHT' : 'NOT ALL CAUGHT'} — ${rows.filter((r) => r.caught).length} of ${rows.length} tampered capsules rejected by the documented check (capsules in ${dir})`,
    );
    for (const r of rows) {
      io.out('');
      io.out(`${r.caught ? '✓ caught' : '✗ MISSED'}  ${r.name}  →  ${r.checkId}`);
      io.out(`    attack:   ${r.attack}`);
      io.out(`    where:    ${r.where}`);
      if (r.reason) io.out(`    why:      ${r.reason}`);
      if (r.expected !== undefined) io.out(`    expected: ${r.expected}`);
      if (r.found !== undefined) io.out(`    found:    ${r.found}`);
    }
  }
  return all ? EXIT_VERIFIED : EXIT_FAILED;
}
