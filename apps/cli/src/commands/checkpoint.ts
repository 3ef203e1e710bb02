import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildReport,
  type CheckOutcome,
  type CheckpointResult,
  isLineageError,
  type NoteVerifierKey,
  parseVkey,
  toBase64,
  verifyCheckpoint,
} from '@lineage/verifier-core';
import { type CliIo, UsageError } from '../cli-types.js';
import {
  type CommandResult,
  parseCommandArgs,
  readInputFile,
  readInputText,
  runVerifying,
  UnusableInput,
  withJsonUsage,
} from '../format.js';
import { register } from './index.js';

const COMMAND = 'lineage checkpoint verify';

/**
 * A --vkey / --witness value: a vkey string, or a file holding one vkey per line
 * (blank lines and lines starting with # ignored).
 */
export function readVkeys(io: CliIo, values: readonly string[], option: string): NoteVerifierKey[] {
  const out: NoteVerifierKey[] = [];
  for (const v of values) {
    const isFile = !v.includes('+') && existsSync(resolve(io.cwd, v));
    const lines = isFile
      ? readInputText(io, v, `${option} file`)
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
      : [v];
    for (const line of lines) {
      try {
        out.push(parseVkey(line, option));
      } catch (e) {
        if (isLineageError(e))
          throw new UnusableInput(
            e.code,
            `${option} ${isFile ? `file "${v}" ` : ''}"${line}": ${e.message}`,
            isFile ? { file: v } : {},
          );
        throw e;
      }
    }
  }
  return out;
}

/** Which check a failure code belongs to, in the order the checks run. */
const STAGES = [
  'note.parse',
  'checkpoint.body',
  'note.signatures',
  'checkpoint.log-signature',
  'checkpoint.witness-quorum',
] as const;
type Stage = (typeof STAGES)[number];

const TITLES: Record<Stage, string> = {
  'note.parse': 'the file is a well-formed signed note',
  'checkpoint.body': 'the note text is a C2SP checkpoint (origin, size, 32-byte root)',
  'note.signatures': 'every signature from a configured key verifies',
  'checkpoint.log-signature': "the log's own key signed the checkpoint",
  'checkpoint.witness-quorum': 'enough distinct witnesses cosigned',
};

function stageOf(code: string): Stage {
  if (code === 'note.malformed') return 'note.parse';
  if (code === 'note.bad-signature' || code === 'note.ambiguous-key') return 'note.signatures';
  if (code === 'checkpoint.log-signature' || code === 'checkpoint.log-key') return 'checkpoint.log-signature';
  if (code === 'checkpoint.witness-quorum' || code === 'checkpoint.witness-policy')
    return 'checkpoint.witness-quorum';
  return 'checkpoint.body';
}

/**
 * One CheckOutcome per stage: stages before a failure pass, the failing one
 * carries the code and message, later ones are not checked.
 */
export function checkpointChecks(
  r: CheckpointResult,
  subjectId: string,
  witnessCount: number,
  threshold: number,
): CheckOutcome[] {
  const failed = r.ok ? undefined : stageOf(r.code);
  const failedAt = failed ? STAGES.indexOf(failed) : STAGES.length;
  const checks: CheckOutcome[] = [];
  STAGES.forEach((id, i) => {
    if (id === 'checkpoint.witness-quorum' && witnessCount === 0) return;
    const c: CheckOutcome = {
      id,
      status: i < failedAt ? 'pass' : i === failedAt ? 'fail' : 'not_checked',
      subject: { kind: 'checkpoint', id: subjectId },
      title: TITLES[id],
    };
    if (!r.ok && i === failedAt) c.reason = `${r.code}: ${r.message}`;
    if (!r.ok && i > failedAt) c.reason = `not checked: ${failed} failed`;
    if (r.ok && id === 'checkpoint.log-signature')
      c.found = `${r.logSigner.key.name}+${r.logSigner.key.keyIdHex} (${r.logSigner.key.type})`;
    if (r.ok && id === 'checkpoint.witness-quorum')
      c.found = `${r.witnessSigners.length} of ${witnessCount} cosigned; ${threshold} required`;
    checks.push(c);
  });
  return checks;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    vkey: { type: 'string', multiple: true },
    witness: { type: 'string', multiple: true },
    witnesses: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one NOTE_FILE, got ${positionals.length}`);
  if (!values.vkey?.length) throw new UsageError('at least one --vkey (the log key) is required');
  const witnessValues = values.witness ?? [];
  let threshold: number | undefined;
  if (values.witnesses !== undefined) {
    if (!/^(0|[1-9][0-9]{0,5})$/.test(values.witnesses)) {
      throw new UsageError(`--witnesses must be a non-negative integer, got "${values.witnesses}"`);
    }
    threshold = Number(values.witnesses);
    if (witnessValues.length === 0 && threshold > 0)
      throw new UsageError('--witnesses K needs --witness keys');
  }
  const file = positionals[0]!;
  const json = values.json === true;
  return runVerifying(io, COMMAND, json, async () => {
    const logKeys = readVkeys(io, values.vkey ?? [], '--vkey');
    const witnessKey = logKeys.find((key) => key.type === 'cosignature-v1');
    if (witnessKey) {
      throw new UsageError(
        `--vkey ${witnessKey.name}+${witnessKey.keyIdHex} is a cosignature/v1 witness key; pass it with --witness`,
      );
    }
    const witnesses = readVkeys(io, witnessValues, '--witness');
    const k = threshold ?? witnesses.length;
    if (k > witnesses.length) {
      throw new UsageError(`--witnesses ${k} can never be met with ${witnesses.length} --witness key(s)`);
    }
    const bytes = readInputFile(io, file, 'checkpoint note');
    const r = await verifyCheckpoint(bytes, {
      logKeys,
      witnesses,
      witnessThreshold: k,
      nowSeconds: BigInt(Math.floor(io.now().getTime() / 1000)),
    });
    // A file that is not a signed note at all is unusable input, not a failed verification.
    if (!r.ok && r.code === 'note.malformed')
      throw new UnusableInput(r.code, `checkpoint note "${file}": ${r.message}`, { file });
    return checkpointResult(file, r, witnesses.length, k, io);
  });
}

function checkpointResult(
  file: string,
  r: CheckpointResult,
  witnessCount: number,
  k: number,
  io: CliIo,
): CommandResult {
  const checks = checkpointChecks(r, file, witnessCount, k);
  const report = buildReport({ kind: 'checkpoint', name: file }, io.now().toISOString(), checks);
  const details: Array<[string, string]> = [];
  const data: Record<string, unknown> = {};
  const cp = r.checkpoint;
  if (cp) {
    details.push(
      ['origin', cp.origin],
      ['tree size', cp.size.toString()],
      ['root hash', toBase64(cp.rootHash)],
    );
    for (const ext of cp.extensionLines) details.push(['extension', ext]);
    data.checkpoint = {
      origin: cp.origin,
      size: cp.size,
      rootHash: cp.rootHash,
      extensionLines: cp.extensionLines,
    };
  }
  if (r.ok) {
    details.push(['log signer', `${r.logSigner.key.name}+${r.logSigner.key.keyIdHex}`]);
    for (const w of r.witnessSigners) {
      const ts = w.timestamp !== undefined ? ` at ${new Date(Number(w.timestamp) * 1000).toISOString()}` : '';
      details.push(['witness', `${w.key.name}+${w.key.keyIdHex}${ts}`]);
    }
    for (const x of r.rejectedWitnesses)
      details.push(['witness not counted', `${x.signer.key.name}: ${x.reason}`]);
    if (r.unverified.length) {
      details.push(['ignored signatures', r.unverified.map((u) => `${u.name}+${u.keyIdHex}`).join(', ')]);
    }
    data.logSigner = {
      name: r.logSigner.key.name,
      keyId: r.logSigner.key.keyIdHex,
      type: r.logSigner.key.type,
    };
    data.witnesses = r.witnessSigners.map((w) => ({
      name: w.key.name,
      keyId: w.key.keyIdHex,
      timestamp: w.timestamp,
    }));
    data.ignoredSignatures = r.unverified.map((u) => ({ name: u.name, keyId: u.keyIdHex }));
  } else {
    data.error = { code: r.code, message: r.message };
  }
  return { command: COMMAND, report, details, data };
}

register({
  path: ['checkpoint', 'verify'],
  usage:
    'lineage checkpoint verify NOTE_FILE --vkey VKEY [--vkey VKEY …] [--witness VKEY …] [--witnesses K] [--json]',
  summary:
    'Verify a C2SP checkpoint: the log key (--vkey) must have signed it; with --witness keys, at least K (default: all) distinct witnesses must have cosigned. VKEY may be a file of vkeys.',
  run: (argv, io) => withJsonUsage(io, COMMAND, argv, () => run(argv, io)),
});
