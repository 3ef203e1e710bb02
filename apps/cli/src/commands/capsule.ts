import { basename, resolve } from 'node:path';
import {
  type CapsuleVerification,
  detailWithValues,
  isLineageError,
  parseTrustStore,
  type TrustStore,
  toCapsuleReportJson,
  toOscalAssessmentResults,
  verifyCapsule,
} from '@lineage/verifier-core';
import { type CliIo, EXIT_FAILED, EXIT_USAGE, EXIT_VERIFIED, UsageError } from '../cli-types.js';
import { checkDistinctPaths, checkOutputPath, OutputWriteError, writeFileInPieces } from '../file-output.js';
import {
  emitUnusable,
  parseCommandArgs,
  readInputText,
  stringifyJsonSafe,
  UnusableInput,
  unusableDocument,
} from '../format.js';
import { writeJsonSafe } from '../json-stream.js';
import { openCapsule } from '../node-capsule-source.js';
import { VERIFIER } from '../version.js';
import { renderCapsuleHuman, writeCapsuleHtml } from './capsule-report.js';
import { register } from './index.js';

/** Reads and parses the verifier's own trust file (never anything from the capsule). */
export function loadTrust(io: CliIo, path: string): TrustStore {
  const text = readInputText(io, path, 'trust file');
  try {
    return parseTrustStore(text);
  } catch (e) {
    // Expected and found too: a refused pin says which key ID its key has (spec §4.8).
    const why = isLineageError(e) ? `${e.path ? `${e.path}: ` : ''}${detailWithValues(e)}` : String(e);
    throw new UnusableInput('trust.store', `trust file "${path}": ${why}`, {
      file: path,
      ...(isLineageError(e) && e.path ? { field: e.path } : {}),
    });
  }
}

/** A one-line progress bar on stderr, redrawn at most every 100 ms, only on a terminal. */
function progressBar(io: CliIo): {
  update: (p: { phase: string; done: number; total: number }) => void;
  done: () => void;
} {
  const draw = io.progress;
  if (!io.isTty || !draw) return { update: () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update: (p) => {
      const now = Date.now();
      if (now - last < 100 && p.done < p.total) return;
      last = now;
      const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      const width = 30;
      const fill = Math.round(frac * width);
      draw(
        `\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(Math.round(frac * 100)).padStart(3)}% ${p.phase.padEnd(34)}`,
      );
      drawn = true;
    },
    done: () => {
      if (drawn) draw(`\r${' '.repeat(78)}\r`);
    },
  };
}

export interface VerifyOutputs {
  json?: boolean;
  reportHtml?: string;
  oscal?: string;
}

/** Verifies CAPSULE against TRUST and writes the requested outputs; returns the exit code. */
export async function verifyCapsuleFile(
  io: CliIo,
  capsulePath: string,
  trust: TrustStore,
  trustName: string,
  outputs: VerifyOutputs,
): Promise<{ code: number; result?: CapsuleVerification }> {
  // Output paths are checked first: a typo must not cost a long verification.
  if (outputs.reportHtml)
    checkOutputPath(resolve(io.cwd, outputs.reportHtml), '--report-html', { given: outputs.reportHtml });
  if (outputs.oscal) checkOutputPath(resolve(io.cwd, outputs.oscal), '--oscal', { given: outputs.oscal });
  const cap = await openCapsule(resolve(io.cwd, capsulePath)).catch((e: unknown) => {
    throw new UnusableInput(
      isLineageError(e) ? e.code : 'capsule.open',
      isLineageError(e) ? e.message : String(e),
      { file: capsulePath },
    );
  });
  const bar = progressBar(io);
  let result: CapsuleVerification;
  try {
    result = await verifyCapsule(cap.source, trust, {
      verifiedAt: io.now().toISOString(),
      capsuleName: basename(capsulePath),
      onProgress: bar.update,
    });
  } finally {
    bar.done();
    await cap.close();
  }
  // Report files are written in pieces and renamed into place (never one huge string, never half a file).
  if (outputs.reportHtml)
    writeFileInPieces(resolve(io.cwd, outputs.reportHtml), (write) => writeCapsuleHtml(result, write), {
      what: '--report-html',
    });
  if (outputs.oscal) {
    const doc = toOscalAssessmentResults(result.report, result, { verifier: VERIFIER });
    writeFileInPieces(
      resolve(io.cwd, outputs.oscal),
      (write) => {
        writeJsonSafe(write, doc);
        write('\n');
      },
      { what: '--oscal' },
    );
  }
  // A capsule whose container or manifest cannot be read is unusable input, not a failed verification.
  const unreadable = result.report.checks.find(
    (c) => (c.id === 'capsule.container' || c.id === 'capsule.manifest') && c.status === 'fail',
  );
  // The JSON report of a large capsule is written in pieces, never held as one string.
  // Which verifier produced it, first: a result kept for the record says what made it.
  // Exit 2 always prints the schema's "unusable" shape (with the checks that were made).
  if (outputs.json && unreadable) {
    const s = unreadable.subject;
    const field =
      s.field && s.field !== s.id
        ? `${s.id} ${s.field}`
        : s.id !== result.report.target.name
          ? s.id
          : undefined;
    io.out(
      stringifyJsonSafe(
        unusableDocument(
          'lineage verify',
          unreadable.id,
          unreadable.reason ?? unreadable.title,
          { file: capsulePath, ...(field ? { field } : {}) },
          result.report,
        ),
      ),
    );
  } else if (outputs.json) writeJsonSafe(io.out, toCapsuleReportJson(result, { verifier: VERIFIER }));
  else io.out(renderCapsuleHuman(result, trustName));
  if (unreadable) return { code: EXIT_USAGE, result };
  return { code: result.report.verdict === 'verified' ? EXIT_VERIFIED : EXIT_FAILED, result };
}

register(
  {
    path: ['verify'],
    usage: 'lineage verify CAPSULE --trust TRUST_FILE [--json] [--report-html FILE] [--oscal FILE]',
    summary:
      'Verify an evidence capsule (zip or directory) against your trust file: exit 0 verified, 1 failed or incomplete, 2 unusable.',
    async run(argv, io) {
      // With --json, every outcome is one document on stdout: the report (exit 0 or 1) or the
      // "unusable" shape (exit 2), usage errors included (docs/spec/verify-report.schema.json).
      const json = argv.includes('--json');
      try {
        return await runVerify(argv, io);
      } catch (e) {
        if (e instanceof UnusableInput)
          return emitUnusable(io, 'lineage verify', e.code, e.message, json, e.where);
        if (json) {
          const [code, where] =
            e instanceof OutputWriteError
              ? ['output.write', { file: e.path }]
              : e instanceof UsageError
                ? ['usage', e.file !== undefined ? { file: e.file } : {}]
                : ['error', {}];
          io.out(
            stringifyJsonSafe(
              unusableDocument('lineage verify', code, e instanceof Error ? e.message : String(e), where),
            ),
          );
        }
        // main prints the message (and the usage) on stderr and exits 2.
        throw e;
      }
    },
  },
  {
    path: ['capsule', 'verify'],
    usage: 'lineage capsule verify CAPSULE --trust TRUST_FILE [--json] [--report-html FILE] [--oscal FILE]',
    summary: 'Same as "lineage verify".',
    async run(argv, io) {
      const { commands } = await import('./index.js');
      return commands.find((c) => c.path.length === 1 && c.path[0] === 'verify')!.run(argv, io);
    },
  },
);

async function runVerify(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    trust: { type: 'string' },
    json: { type: 'boolean' },
    'report-html': { type: 'string' },
    oscal: { type: 'string' },
  });
  if (positionals.length !== 1)
    throw new UsageError('expected exactly one CAPSULE (a .zip file or a directory)');
  const trustPath = values.trust ?? io.env.LINEAGE_TRUST;
  if (!trustPath) {
    throw new UsageError(
      'no trust file: pass --trust TRUST_FILE (or set LINEAGE_TRUST). A capsule never supplies its own trust roots.',
    );
  }
  const out: VerifyOutputs = { json: values.json ?? false };
  if (values['report-html']) out.reportHtml = values['report-html'];
  if (values.oscal) out.oscal = values.oscal;
  // Before any work (even reading the trust file): each output can be written, and none is the
  // capsule, the trust file or another output.
  if (out.reportHtml)
    checkOutputPath(resolve(io.cwd, out.reportHtml), '--report-html', { given: out.reportHtml });
  if (out.oscal) checkOutputPath(resolve(io.cwd, out.oscal), '--oscal', { given: out.oscal });
  checkDistinctPaths(
    [
      ...(out.reportHtml
        ? [{ path: resolve(io.cwd, out.reportHtml), given: out.reportHtml, what: '--report-html' }]
        : []),
      ...(out.oscal ? [{ path: resolve(io.cwd, out.oscal), given: out.oscal, what: '--oscal' }] : []),
    ],
    [
      { path: resolve(io.cwd, positionals[0]!), given: positionals[0]!, what: 'capsule being verified' },
      { path: resolve(io.cwd, trustPath), given: trustPath, what: 'trust file' },
    ],
  );
  const trust = loadTrust(io, trustPath);
  return (await verifyCapsuleFile(io, positionals[0]!, trust, trustPath, out)).code;
}
