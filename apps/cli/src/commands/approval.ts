import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { isatty } from 'node:tty';
import {
  createSarApproval,
  decryptKeyFile,
  encryptKeyFile,
  generateEd25519Key,
  keyFileCostShortfall,
  MAX_KEYFILE_OWNER_CHARS,
  newPassphraseRefusal,
} from '@lineage/producer';
import {
  APPROVER_ROLES,
  type ApproverRole,
  type CapsuleVerification,
  formatCount,
  isLineageError,
  SAR_DECISIONS,
  type SarDecision,
  sarCommentTooLong,
  toHex,
  verifySarApproval,
} from '@lineage/verifier-core';
import { type CliIo, EXIT_FAILED, EXIT_USAGE, EXIT_VERIFIED, UsageError } from '../cli-types.js';
import { checkDistinctPaths, checkOutputPath, writeFileInPieces } from '../file-output.js';
import {
  emitResult,
  emitUnusable,
  parseCommandArgs,
  readInputText,
  UnusableInput,
  withJsonUsage,
} from '../format.js';
import { fsReason } from '../fs-reason.js';
import { loadTrust, verifyCapsuleFile } from './capsule.js';
import { register } from './index.js';

/**
 * Key files, SAR approvals and their verification. The passphrase comes from
 * LINEAGE_PASSPHRASE or --passphrase-file (never from the command line, where it would
 * land in shell history and process listings).
 */
function passphrase(io: CliIo, file: string | undefined): string {
  if (file) {
    const p = readPassphraseFile(io, file).replace(/\r?\n$/, '');
    if (!p) throw new UsageError(`passphrase file "${file}" is empty`);
    return p;
  }
  const env = io.env.LINEAGE_PASSPHRASE;
  if (env) return env;
  throw new UsageError('no passphrase: set LINEAGE_PASSPHRASE or pass --passphrase-file FILE');
}

/** A passphrase is short: a file or pipe longer than this holds something else (or never ends: /dev/zero). */
const MAX_PASSPHRASE_BYTES = 64 * 1024;

/**
 * Reads --passphrase-file: a regular file, or a pipe (`--passphrase-file <(pass show …)`,
 * `/dev/stdin`), the way to hand a passphrase over without storing it on disk or in the
 * environment. Other inputs are opened non-blocking and refuse pipes (one without a writer would
 * wait for ever); here the pipe's writer is the user's own command, so the read waits for it. A
 * terminal is refused (what is typed there is echoed), and nothing is read past the limit.
 */
function readPassphraseFile(io: CliIo, file: string): string {
  const what = `passphrase file "${file}"`;
  let fd: number;
  try {
    fd = openSync(resolve(io.cwd, file), 'r');
  } catch (e) {
    throw new UnusableInput('input.read', `cannot read ${what} (${fsReason(e)})`, { file });
  }
  try {
    const st = fstatSync(fd);
    if (isatty(fd))
      throw new UsageError(
        `${what} is a terminal, where the passphrase would be echoed: use LINEAGE_PASSPHRASE, a file or a pipe`,
      );
    if (!st.isFile() && !st.isFIFO() && !st.isSocket() && !st.isCharacterDevice())
      throw new UnusableInput('input.read', `${what} is not a file or a pipe`, { file });
    const buf = new Uint8Array(MAX_PASSPHRASE_BYTES + 1);
    let n = 0;
    for (;;) {
      let k: number;
      try {
        k = readSync(fd, buf, n, buf.length - n, null);
      } catch (e) {
        // A pipe shared non-blocking with another process (macOS /dev/fd): wait for its writer.
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (k === 0) break;
      n += k;
      if (n > MAX_PASSPHRASE_BYTES)
        throw new UnusableInput(
          'input.size',
          `${what} is longer than ${formatCount(MAX_PASSPHRASE_BYTES)} bytes: not a passphrase`,
          { file },
        );
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch {
      throw new UnusableInput('input.utf8', `${what} is not valid UTF-8`, { file });
    }
  } catch (e) {
    if (e instanceof UnusableInput || e instanceof UsageError) throw e;
    throw new UnusableInput('input.read', `cannot read ${what} (${fsReason(e)})`, { file });
  } finally {
    closeSync(fd);
  }
}

register(
  {
    path: ['keygen'],
    usage: 'lineage keygen --out KEYFILE [--owner ID] [--passphrase-file FILE]',
    summary:
      'Create a passphrase-encrypted Ed25519 key file (scrypt + XChaCha20-Poly1305) and print its public key.',
    async run(argv, io) {
      const { values } = parseCommandArgs(argv, {
        out: { type: 'string' },
        owner: { type: 'string' },
        'passphrase-file': { type: 'string' },
      });
      if (!values.out) throw new UsageError('--out KEYFILE is required');
      if (values.owner !== undefined && values.owner.length > MAX_KEYFILE_OWNER_CHARS)
        throw new UsageError(
          `--owner is ${formatCount(values.owner.length)} characters; a key file's owner is at most ${formatCount(MAX_KEYFILE_OWNER_CHARS)}`,
        );
      const keyPath = resolve(io.cwd, values.out);
      if (values['passphrase-file'])
        checkDistinctPaths(
          [{ path: keyPath, given: values.out, what: 'key file' }],
          [
            {
              path: resolve(io.cwd, values['passphrase-file']),
              given: values['passphrase-file'],
              what: 'passphrase file',
            },
          ],
        );
      checkOutputPath(keyPath, 'key file', { fresh: true, given: values.out });
      const pw = passphrase(io, values['passphrase-file']);
      const refusal = newPassphraseRefusal(pw);
      if (refusal) throw new UsageError(`${refusal} to protect a new signing key`);
      const k = generateEd25519Key();
      const text = await encryptKeyFile(
        k.secretKey,
        pw,
        values.owner !== undefined ? { owner: values.owner } : {},
      );
      writeFileInPieces(keyPath, (write) => write(text), { fresh: true, mode: 0o600 });
      const pub = k.publicKeyHex;
      io.out(`wrote ${values.out} (encrypted; keep the passphrase separately)`);
      io.out(`public key ${pub}`);
      io.out('trust file entry for an approver (add the roles they hold):');
      io.out(
        JSON.stringify(
          {
            id: values.owner ?? 'lin:human:<name>',
            name: '<full name>',
            public_key: pub,
            roles: ['3pao_assessor'],
          },
          null,
          2,
        ),
      );
      return 0;
    },
  },
  {
    path: ['approve'],
    usage:
      'lineage approve CAPSULE --key KEYFILE --decision approve|reject|conditional --comment TEXT --trust TRUST_FILE [--role ROLE] [--out FILE] [--passphrase-file FILE]',
    summary:
      'Verify CAPSULE, then sign a SAR approval bound to its digest, the verified events it cites and the tree heads relied on; without --out, writes <capsule name>.sar-approval.json in the current directory.',
    async run(argv, io) {
      const { values, positionals } = parseCommandArgs(argv, {
        key: { type: 'string' },
        decision: { type: 'string' },
        comment: { type: 'string' },
        trust: { type: 'string' },
        role: { type: 'string' },
        out: { type: 'string' },
        'passphrase-file': { type: 'string' },
      });
      if (positionals.length !== 1) throw new UsageError('expected exactly one CAPSULE');
      if (!values.key) throw new UsageError('--key KEYFILE is required');
      const decision = values.decision as SarDecision;
      if (!SAR_DECISIONS.includes(decision))
        throw new UsageError(`--decision must be one of ${SAR_DECISIONS.join(', ')}`);
      if (values.comment === undefined)
        throw new UsageError('--comment TEXT is required (it is part of what you sign)');
      // A usage problem, found before any work: the conditions are what a conditional approval signs.
      if (decision === 'conditional' && values.comment.trim() === '')
        throw new UsageError(
          '--decision conditional needs its conditions in --comment (they are signed with it); the comment is blank',
        );
      const long = sarCommentTooLong(values.comment);
      if (long) throw new UsageError(`--comment is too long: ${long.found}, ${long.expected}`);
      // Not a role at all is a usage error, found before the key's scrypt work; whether the
      // approver holds it is known only once the key is open.
      if (values.role !== undefined && !APPROVER_ROLES.includes(values.role as ApproverRole))
        throw new UsageError(`--role must be one of ${APPROVER_ROLES.join(', ')}; found "${values.role}"`);
      const trustPath = values.trust ?? io.env.LINEAGE_TRUST;
      if (!trustPath) throw new UsageError('--trust TRUST_FILE is required');
      // A signed approval is a record: never replaced, and its path checked before anything is signed.
      const out = values.out ?? `${basename(positionals[0]!).replace(/\.zip$/, '')}.sar-approval.json`;
      const outPath = resolve(io.cwd, out);
      checkDistinctPaths(
        [{ path: outPath, given: out, what: 'approval file' }],
        [
          { path: resolve(io.cwd, positionals[0]!), given: positionals[0]!, what: 'capsule being approved' },
          { path: resolve(io.cwd, values.key), given: values.key, what: 'key file' },
          { path: resolve(io.cwd, trustPath), given: trustPath, what: 'trust file' },
          ...(values['passphrase-file']
            ? [
                {
                  path: resolve(io.cwd, values['passphrase-file']),
                  given: values['passphrase-file'],
                  what: 'passphrase file',
                },
              ]
            : []),
        ],
      );
      checkOutputPath(outPath, 'approval file', { fresh: true, given: out });
      try {
        const trust = loadTrust(io, trustPath);
        let key: Awaited<ReturnType<typeof decryptKeyFile>>;
        try {
          key = await decryptKeyFile(
            readInputText(io, values.key, 'key file'),
            passphrase(io, values['passphrase-file']),
          );
        } catch (e) {
          if (e instanceof UsageError || e instanceof UnusableInput) throw e;
          throw new UnusableInput(
            isLineageError(e) ? e.code : 'keyfile',
            `key file "${values.key}": ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        // Said once the passphrase opened it: the warning is about this key, not a file that only looks like one.
        const weak = keyFileCostShortfall(key.log2N);
        if (weak)
          io.err(
            `lineage approve: warning: the key file ${values.key} is ${weak}; make a new key with lineage keygen and pin it in place of this one`,
          );
        const pub = toHex(key.publicKey);
        const approver = trust.approvers.find((a) => a.public_key === pub);
        if (!approver)
          throw new UnusableInput(
            'approval.approver',
            `the key ${pub.slice(0, 16)}… is not pinned for any approver in ${trustPath}`,
          );
        const role = (values.role ?? approver.roles[0]) as ApproverRole;
        if (!APPROVER_ROLES.includes(role) || !approver.roles.includes(role)) {
          throw new UnusableInput(
            'approval.role',
            `${approver.name} holds ${approver.roles.join(', ')}; cannot sign as ${values.role}`,
          );
        }
        const { code, result } = await verifyCapsuleFile(io, positionals[0]!, trust, trustPath, {});
        // An approval, a rejection included, is bound to the manifest's digest: a capsule whose
        // container or manifest cannot be read is unusable input, with nothing to bind a decision to.
        if (code === EXIT_USAGE) {
          io.err(
            `lineage approve: the capsule ${positionals[0]} cannot be read, so no decision (not even reject) can be bound to its manifest digest; nothing was signed`,
          );
          return EXIT_USAGE;
        }
        let approval: ReturnType<typeof createSarApproval>;
        try {
          approval = createSarApproval({
            capsule: result!,
            decision,
            comment: values.comment,
            approver: { id: approver.id, role },
            signingKey: key.secretKey,
            signedAt: io.now().toISOString(),
          });
        } catch (e) {
          io.err(`lineage approve: ${e instanceof Error ? e.message : String(e)}`);
          return EXIT_FAILED;
        }
        writeFileInPieces(outPath, (write) => write(`${JSON.stringify(approval, null, 2)}\n`), {
          fresh: true,
        });
        io.out('');
        io.out(`Signed SAR approval (${decision}) by ${approver.name} as ${role}: ${out}`);
        io.out(
          `  bound to capsule digest ${approval.capsule.digest}, ${approval.cited_events.length} verified events, ${approval.relied_sths.length} tree heads`,
        );
        return code === EXIT_VERIFIED || decision === 'reject' ? EXIT_VERIFIED : code;
      } catch (e) {
        if (e instanceof UnusableInput) return emitUnusable(io, 'lineage approve', e.code, e.message, false);
        throw e;
      }
    },
  },
  {
    path: ['approval', 'verify'],
    usage: 'lineage approval verify APPROVAL --trust TRUST_FILE [--capsule CAPSULE] [--json]',
    summary:
      "Verify a SAR approval's signature, approver role and tree heads, and (with --capsule) its binding to the capsule.",
    // With --json, a usage error still prints the unusable document (spec 3.9), as verify does.
    run: (argv, io) => withJsonUsage(io, 'lineage approval verify', argv, () => verifyApproval(argv, io)),
  },
);

async function verifyApproval(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    trust: { type: 'string' },
    capsule: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError('expected exactly one APPROVAL file');
  const trustPath = values.trust ?? io.env.LINEAGE_TRUST;
  if (!trustPath) throw new UsageError('--trust TRUST_FILE is required');
  const json = values.json ?? false;
  try {
    const trust = loadTrust(io, trustPath);
    const text = readInputText(io, positionals[0]!, 'approval');
    let capsule: CapsuleVerification | undefined;
    if (values.capsule) {
      const quiet: CliIo = { ...io, out: () => {}, isTty: false };
      const r = await verifyCapsuleFile(quiet, values.capsule, trust, trustPath, {});
      // A capsule whose container or manifest cannot be read has no digest: checked against it,
      // the approval would fail as one "made for another capsule", which it may well not be.
      if (r.code === EXIT_USAGE) {
        const why = r.result?.report.checks.find((c) => c.status === 'fail');
        throw new UnusableInput(
          why?.id ?? 'capsule.open',
          `the capsule ${values.capsule} cannot be read${why?.reason ? ` (${why.reason})` : ''}, so the approval's binding to it cannot be checked`,
          { file: values.capsule },
        );
      }
      capsule = r.result;
    }
    const { report, approval } = await verifySarApproval(text, trust, {
      verifiedAt: io.now().toISOString(),
      name: basename(positionals[0]!),
      ...(capsule ? { capsule } : {}),
    });
    const details: Array<[string, string]> = approval
      ? [
          ['decision', approval.decision],
          ['approver', `${approval.approver.id} (${approval.approver.role})`],
          ['comment', approval.comment],
          ['capsule', `${approval.capsule.capsule_id} sha256:${approval.capsule.digest}`],
          ['signed at', approval.signed_at],
        ]
      : [];
    return emitResult(io, { command: 'lineage approval verify', report, details, data: { approval } }, json);
  } catch (e) {
    if (e instanceof UnusableInput)
      return emitUnusable(io, 'lineage approval verify', e.code, e.message, json, e.where);
    throw e;
  }
}
