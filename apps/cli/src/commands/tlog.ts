import {
  buildReport,
  isLineageError,
  parseTrustedRoot,
  type TrustedRoot,
  verifyBundleTlog,
} from '@lineage/verifier-core';
import { type CliIo, UsageError } from '../cli-types.js';
import { parseCommandArgs, readInputText, runVerifying, UnusableInput, withJsonUsage } from '../format.js';
import { readVkeys } from './checkpoint.js';
import { register } from './index.js';

const COMMAND = 'lineage tlog verify-bundle';

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'trusted-root': { type: 'string' },
    witness: { type: 'string', multiple: true },
    witnesses: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1)
    throw new UsageError(`expected one BUNDLE_JSON file, got ${positionals.length}`);
  if (!values['trusted-root']) throw new UsageError('--trusted-root TRUSTED_ROOT_JSON is required');
  let threshold: number | undefined;
  if (values.witnesses !== undefined) {
    if (!/^(0|[1-9][0-9]{0,5})$/.test(values.witnesses)) {
      throw new UsageError(`--witnesses must be a non-negative integer, got "${values.witnesses}"`);
    }
    threshold = Number(values.witnesses);
  }
  const file = positionals[0]!;
  const rootFile = values['trusted-root'];
  return runVerifying(io, COMMAND, values.json === true, async () => {
    let root: TrustedRoot;
    try {
      root = parseTrustedRoot(readInputText(io, rootFile, 'trusted root'));
    } catch (e) {
      if (isLineageError(e))
        throw new UnusableInput(e.code, `trusted root "${rootFile}": ${e.message}`, {
          file: rootFile,
          ...(e.path ? { field: e.path } : {}),
        });
      throw e;
    }
    const witnesses = readVkeys(io, values.witness ?? [], '--witness');
    if (threshold !== undefined && threshold > witnesses.length) {
      throw new UsageError(
        `--witnesses ${threshold} can never be met with ${witnesses.length} --witness key(s)`,
      );
    }
    const options: Parameters<typeof verifyBundleTlog>[2] = {
      witnesses,
      witnessThreshold: threshold ?? witnesses.length,
    };
    const r = await verifyBundleTlog(readInputText(io, file, 'bundle'), root, options);
    const parse = r.checks.find((c) => c.id === 'sigstore.bundle');
    if (parse?.status === 'fail')
      throw new UnusableInput('sigstore.bundle', `bundle "${file}": ${parse.reason ?? 'does not parse'}`, {
        file,
      });
    const report = buildReport({ kind: 'sigstore-bundle', name: file }, io.now().toISOString(), r.checks);
    const details: Array<[string, string]> = [];
    for (const { entry, checkpoint } of r.entries) {
      // kindVersion and logIndex are the bundle's word: only canonicalizedBody is what the proof covers.
      details.push([
        'entry',
        `${entry.kind} ${entry.version}, logIndex ${entry.logIndex} (as the bundle states them)`,
      ]);
      if (entry.inclusionProof) {
        details.push([
          'proof',
          `index ${entry.inclusionProof.logIndex} of tree size ${entry.inclusionProof.treeSize}`,
        ]);
      }
      if (checkpoint)
        details.push(['checkpoint', `${checkpoint.checkpoint.origin} @ ${checkpoint.checkpoint.size}`]);
    }
    for (const s of root.skipped) details.push(['trusted root: skipped log', `${s.baseUrl}: ${s.reason}`]);
    details.push([
      'scope',
      // The list of spec 3.7's out-of-scope checks, all of it.
      'transparency-log part only (no certificate chain, SET, RFC 3161 timestamp, artifact signature, body-vs-bundle or validFor checks)',
    ]);
    return {
      command: COMMAND,
      report,
      details,
      data: {
        entries: r.entries.map(({ entry, checkpoint }) => ({
          kind: entry.kind,
          version: entry.version,
          logIndex: entry.logIndex,
          proofIndex: entry.inclusionProof?.logIndex,
          treeSize: entry.inclusionProof?.treeSize,
          checkpointOrigin: checkpoint?.checkpoint.origin,
          witnesses: checkpoint?.witnessSigners.map((w) => w.key.name),
        })),
      },
    };
  });
}

register({
  path: ['tlog', 'verify-bundle'],
  usage:
    'lineage tlog verify-bundle BUNDLE_JSON --trusted-root TRUSTED_ROOT_JSON [--witness VKEY …] [--witnesses K] [--json]',
  summary:
    "Verify the transparency-log part of a Sigstore bundle: the leaf from canonicalizedBody is in the tree the log's checkpoint (signed with the trusted root's key) commits to.",
  run: (argv, io) => withJsonUsage(io, COMMAND, argv, () => run(argv, io)),
});
