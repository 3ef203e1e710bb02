import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type CheckOutcome,
  DEFAULT_JSON_LIMITS,
  formatCount,
  type VerificationReport,
} from '@lineage/verifier-core';
import { type CliIo, EXIT_FAILED, EXIT_USAGE, EXIT_VERIFIED, UsageError } from './cli-types.js';
import { fsReason } from './fs-reason.js';
import { VERIFIER } from './version.js';

/**
 * Output shared by the verifying commands: a human listing that names every check
 * with its status (and expected/found for failures), or with --json one
 * machine-readable document. Exit 0 only when the verdict is "verified".
 */
export interface CommandResult {
  /** e.g. "lineage checkpoint verify". */
  command: string;
  report: VerificationReport;
  /** Facts worth showing above the checks (origin, size, signers…), in order. */
  details?: Array<[string, string]>;
  /** Extra JSON payload under "details" in --json mode (bigints become strings, bytes base64). */
  data?: Record<string, unknown>;
}

const STATUS_LABEL: Record<CheckOutcome['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_checked: 'SKIP',
};

const VERDICT_LABEL: Record<VerificationReport['verdict'], string> = {
  verified: 'VERIFIED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE',
};

export function renderHuman(r: CommandResult): string {
  const { report } = r;
  const out: string[] = [`${r.command}: ${VERDICT_LABEL[report.verdict]} — ${report.target.name}`];
  if (r.details?.length) {
    const w = Math.max(...r.details.map(([k]) => k.length));
    // A value's later lines (a signed comment's) are indented under it: at the margin they could
    // pass for lines of ours ("  decision:  approve" under a rejection).
    const under = `\n${' '.repeat(w + 4)}`;
    for (const [k, v] of r.details) out.push(`  ${`${k}:`.padEnd(w + 1)} ${v.split('\n').join(under)}`);
  }
  out.push('', 'Checks:');
  const idWidth = Math.max(...report.checks.map((c) => c.id.length), 0);
  for (const c of report.checks) {
    // The subject is shown only when it is not simply the file being verified.
    const subject = c.subject.field ? `${c.subject.id} ${c.subject.field}` : c.subject.id;
    const where = subject === report.target.name ? '' : ` [${subject}]`;
    out.push(`  ${STATUS_LABEL[c.status]}  ${c.id.padEnd(idWidth)}  ${c.title}${where}`);
    if (c.status !== 'pass' && c.reason) out.push(`        ${c.reason}`);
    if (c.status === 'fail' && c.expected !== undefined) out.push(`        expected: ${c.expected}`);
    if (c.status === 'fail' && c.found !== undefined) out.push(`        found:    ${c.found}`);
    if (c.status === 'pass' && c.found !== undefined) out.push(`        ${c.found}`);
  }
  const s = report.summary;
  out.push('', `${s.pass} passed, ${s.fail} failed, ${s.not_checked} not checked.`);
  return out.join('\n');
}

/** JSON-safe copy: bigint → decimal string, Uint8Array → base64. */
export function toJsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJsonSafe);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = toJsonSafe(x);
    return o;
  }
  return v;
}

/**
 * The replacer that makes `JSON.stringify(v, jsonSafeReplacer, 2)` equal to
 * `JSON.stringify(toJsonSafe(v), null, 2)` without the copy: it converts the same values on
 * the way out, so a 100k-event capsule report is not duplicated in memory first. It reads the
 * raw member (`this[key]`), as toJsonSafe does, before any toJSON (Buffer, Date) replaced it.
 */
export function jsonSafeReplacer(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  // toJsonSafe ignores toJSON and copies own enumerable members.
  if (
    raw &&
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    typeof (raw as { toJSON?: unknown }).toJSON === 'function'
  )
    return { ...raw };
  return value;
}

export function stringifyJsonSafe(v: unknown): string {
  return JSON.stringify(v, jsonSafeReplacer, 2);
}

export function renderJson(r: CommandResult): string {
  return stringifyJsonSafe({ command: r.command, ...r.report, details: r.data ?? {} });
}

/** Prints the result and returns the exit code: 0 verified, 1 otherwise. */
export function emitResult(io: CliIo, r: CommandResult, json: boolean): number {
  io.out(json ? renderJson(r) : renderHuman(r));
  return r.report.verdict === 'verified' ? EXIT_VERIFIED : EXIT_FAILED;
}

/** Where unusable input is wrong: the file (as named on the command line) and the field in it. */
export interface UnusableWhere {
  file?: string;
  /** A JSON pointer, a line, an entry name: whatever the reader could name. */
  field?: string;
}

/**
 * The document `--json` prints for unusable input (exit 2), the `unusable` shape of
 * docs/spec/verify-report.schema.json: which verifier, which command, `verdict: "unusable"` and
 * a structured error; `report` (the checks made before the input proved unusable) when there is one.
 */
export function unusableDocument(
  command: string,
  code: string,
  message: string,
  where: UnusableWhere = {},
  report?: VerificationReport,
): Record<string, unknown> {
  const error: Record<string, string> = { code, message };
  if (where.file !== undefined) error.file = where.file;
  if (where.field !== undefined) error.field = where.field;
  return { verifier: VERIFIER, command, verdict: 'unusable', error, ...(report ? { report } : {}) };
}

/**
 * Unusable input (unreadable file, unparseable key or document): exit 2. With
 * --json a document with verdict "unusable" still goes to stdout so scripts can
 * tell it apart from a failed verification.
 */
export function emitUnusable(
  io: CliIo,
  command: string,
  code: string,
  message: string,
  json: boolean,
  where: UnusableWhere = {},
): number {
  if (json) io.out(stringifyJsonSafe(unusableDocument(command, code, message, where)));
  io.err(`${command}: unusable input (${code}): ${message}`);
  return EXIT_USAGE;
}

/** node:util parseArgs with strict options; parse errors become UsageError (exit 2). */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Thrown by readers of inputs so commands can map them to exit 2 with a code. */
export class UnusableInput extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly where: UnusableWhere = {},
  ) {
    super(message);
    this.name = 'UnusableInput';
  }
}

/** Trust files, keys, notes, cards and events are small: larger input is refused before it is read. */
export const MAX_INPUT_BYTES = DEFAULT_JSON_LIMITS.maxBytes;

/**
 * Reads a whole input file, refusing what is not a regular file (a device such as /dev/zero or
 * a FIFO would never end) or is larger than `max`, checked on the opened file and bounded while
 * reading, so nothing is read past the limit even if the file grows meanwhile.
 */
export function readInputFile(io: CliIo, path: string, what: string, max = MAX_INPUT_BYTES): Uint8Array {
  let fd: number;
  try {
    // Non-blocking open: a FIFO would otherwise wait for a writer before fstat could refuse it.
    fd = openSync(resolve(io.cwd, path), constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new UnusableInput('input.read', `cannot read ${what} "${path}" (${fsReason(e)})`, { file: path });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new UnusableInput('input.read', `${what} "${path}" is not a regular file`, { file: path });
    const tooLarge = () =>
      new UnusableInput(
        'input.size',
        `${what} "${path}" is larger than ${formatCount(max)} bytes, the limit for input files`,
        { file: path },
      );
    if (st.size > max) throw tooLarge();
    // Bounded by max + 1 bytes even if the file grows after fstat.
    let buf = new Uint8Array(Math.min(st.size, max) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = new Uint8Array(Math.min(buf.length * 2, max + 1));
        bigger.set(buf);
        buf = bigger;
      }
      const k = readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) return buf.subarray(0, n);
      n += k;
      if (n > max) throw tooLarge();
    }
  } catch (e) {
    if (e instanceof UnusableInput) throw e;
    throw new UnusableInput('input.read', `cannot read ${what} "${path}" (${fsReason(e)})`, { file: path });
  } finally {
    closeSync(fd);
  }
}

export function readInputText(io: CliIo, path: string, what: string): string {
  const bytes = readInputFile(io, path, what);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UnusableInput('input.utf8', `${what} "${path}" is not valid UTF-8`, { file: path });
  }
}

/** Runs a command body, turning UnusableInput into exit 2 output. */
export async function runVerifying(
  io: CliIo,
  command: string,
  json: boolean,
  body: () => Promise<CommandResult>,
): Promise<number> {
  try {
    return emitResult(io, await body(), json);
  } catch (e) {
    if (e instanceof UnusableInput) return emitUnusable(io, command, e.code, e.message, json, e.where);
    throw e;
  }
}

/**
 * Runs a command that takes --json so that, with --json, every outcome is one document on stdout:
 * a usage error (or an error no reader expected) too, as the unusable shape that `lineage verify`
 * prints for it (code "usage", or "error"). A script reading stdout gets JSON, never nothing; the
 * error is rethrown, so main still prints it and the usage on stderr and exits 2.
 */
export async function withJsonUsage(
  io: CliIo,
  command: string,
  argv: readonly string[],
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (argv.includes('--json')) {
      const [code, where] =
        e instanceof UsageError ? ['usage', e.file !== undefined ? { file: e.file } : {}] : ['error', {}];
      io.out(
        stringifyJsonSafe(unusableDocument(command, code, e instanceof Error ? e.message : String(e), where)),
      );
    }
    throw e;
  }
}
