import {
  buildReport,
  type CheckOutcome,
  isLineageError,
  keyFingerprintHex,
  type PublicKeyInfo,
  parsePublicKey,
  parseRfc6962Sth,
  type Rfc6962Sth,
  toBase64,
  toHex,
  verifyRfc6962Sth,
} from '@lineage/verifier-core';
import { type CliIo, UsageError } from '../cli-types.js';
import {
  parseCommandArgs,
  readInputFile,
  readInputText,
  runVerifying,
  UnusableInput,
  withJsonUsage,
} from '../format.js';
import { register } from './index.js';

const COMMAND = 'lineage sth verify';

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    'log-key': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length !== 1) throw new UsageError(`expected one STH_JSON file, got ${positionals.length}`);
  if (!values['log-key']) throw new UsageError('--log-key SPKI_FILE is required');
  const file = positionals[0]!;
  const keyFile = values['log-key'];
  return runVerifying(io, COMMAND, values.json === true, async () => {
    let key: PublicKeyInfo;
    try {
      key = parsePublicKey(readInputFile(io, keyFile, 'log key'), '--log-key');
    } catch (e) {
      if (isLineageError(e))
        throw new UnusableInput(e.code, `log key "${keyFile}": ${e.message}`, { file: keyFile });
      throw e;
    }
    let sth: Rfc6962Sth;
    try {
      sth = parseRfc6962Sth(readInputText(io, file, 'STH JSON'));
    } catch (e) {
      if (isLineageError(e))
        throw new UnusableInput(e.code, `STH "${file}": ${e.message}`, {
          file,
          ...(e.path ? { field: e.path } : {}),
        });
      throw e;
    }
    const r = await verifyRfc6962Sth(sth, key);
    const check: CheckOutcome = {
      id: 'sth.signature',
      status: r.ok ? 'pass' : 'fail',
      subject: { kind: 'sth', id: file },
      title:
        'tree_head_signature is the log key’s signature over TreeHeadSignature(v1, timestamp, size, root)',
    };
    if (!r.ok) check.reason = `${r.code}: ${r.message}`;
    else check.found = `${key.algorithm} key, LogID ${toBase64(r.logId)}`;
    const report = buildReport({ kind: 'sth', name: file }, io.now().toISOString(), [check]);
    return {
      command: COMMAND,
      report,
      details: [
        ['tree size', String(sth.treeSize)],
        ['timestamp', `${sth.timestamp} (${shownDate(sth.timestamp)})`],
        ['root hash', toBase64(sth.rootHash)],
        ['log key', `${key.algorithm}, SHA-256 ${keyFingerprintHex(key)}`],
      ],
      data: {
        treeSize: sth.treeSize,
        timestamp: sth.timestamp,
        rootHash: sth.rootHash,
        logKey: { algorithm: key.algorithm, sha256: keyFingerprintHex(key) },
        logId: r.ok ? toHex(r.logId) : undefined,
      },
    };
  });
}

/**
 * The timestamp as a date. A log may sign any uint64 below 2^53, but Date ends at +275760-09-13
 * (8.64e15 ms), where toISOString throws: such a head is still verified, its time shown as a number.
 */
function shownDate(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? 'after +275760-09-13, not a date shown' : d.toISOString();
}

register({
  path: ['sth', 'verify'],
  usage: 'lineage sth verify STH_JSON --log-key SPKI_FILE [--json]',
  summary:
    'Verify an RFC 6962 v1 get-sth response against the log public key (PEM or DER SPKI; ECDSA P-256 or Ed25519).',
  run: (argv, io) => withJsonUsage(io, COMMAND, argv, () => run(argv, io)),
});
