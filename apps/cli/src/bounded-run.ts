// `lineage` runs each command in a worker thread with a heap limit it chooses, so that a capsule
// too large for this machine ends with a structured "unusable" error (exit 2) instead of V8
// aborting the process with a fatal out-of-memory trace — and so that an assessor's laptop may use
// up to half its memory, where V8's default stops at about a quarter.
import { rmSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { formatCount } from '@lineage/verifier-core';
import { EXIT_USAGE } from './cli-types.js';
import { pendingPathOf } from './file-output.js';
import { stringifyJsonSafe, unusableDocument } from './format.js';
import { terminalSafe } from './terminal-text.js';

const MiB = 1024 * 1024;

/** Marks the worker as the CLI's (workerData), so the bundle's entry knows to run the command. */
export const CLI_WORKER = 'lineage-cli-worker';

export interface CliWorkerData {
  role: typeof CLI_WORKER;
  argv: string[];
  /** The real stdout's TTY-ness: a worker's stdout is a pipe to the main thread. */
  isTty: boolean;
  /** An Int32Array's buffer: the worker sets [0] to 1 once it has written to stdout. */
  printed: SharedArrayBuffer;
}

export interface MemoryFacts {
  /** This process's V8 heap limit (set by V8 from the machine, or by --max-old-space-size). */
  defaultLimitBytes: number;
  /** Physical memory, or a lower cgroup limit (process.constrainedMemory) when there is one. */
  availableBytes: number;
  /** The user chose the heap limit (--max-old-space-size in execArgv or NODE_OPTIONS). */
  userChosen: boolean;
}

/**
 * The old-generation limit for the command's worker, in MiB: what the user chose if they
 * did, else the larger of V8's default and half the machine's memory (the verifier is the
 * job on an assessor's machine, but the rest of the system keeps the other half).
 */
export function heapLimitMiB(facts: MemoryFacts): number {
  const defaultMiB = Math.floor(facts.defaultLimitBytes / MiB);
  if (facts.userChosen) return defaultMiB;
  return Math.max(defaultMiB, Math.floor(facts.availableBytes / 2 / MiB));
}

export function memoryFacts(env: Readonly<Record<string, string | undefined>>): MemoryFacts {
  const physical = totalmem();
  // Unconstrained, Node reports 2^64 or 0.
  const constrained = process.constrainedMemory?.() ?? 0;
  const flag = /--max-old-space-size\b/;
  return {
    defaultLimitBytes: getHeapStatistics().heap_size_limit,
    availableBytes: constrained > 0 && constrained < physical ? constrained : physical,
    userChosen: process.execArgv.some((a) => flag.test(a)) || flag.test(env.NODE_OPTIONS ?? ''),
  };
}

/** Output options whose files are written under a pending name until complete (file-output.ts). */
const OUTPUT_OPTIONS = ['--report-html', '--oscal', '--out'];

function outputPaths(argv: readonly string[]): string[] {
  const paths: string[] = [];
  argv.forEach((a, i) => {
    for (const o of OUTPUT_OPTIONS) {
      if (a === o && argv[i + 1] !== undefined) paths.push(argv[i + 1]!);
      else if (a.startsWith(`${o}=`)) paths.push(a.slice(o.length + 1));
    }
  });
  return paths;
}

export interface BoundedRunOptions {
  /** The bundle to run in the worker (the `lineage` entry itself). */
  entry: string | URL;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The command's name for messages and the unusable document, e.g. "lineage verify". */
  command: string;
  limitMiB?: number;
}

/**
 * Runs `argv` in a worker with a bounded heap; resolves to the exit code. Out of memory, the
 * worker is stopped, any report file it was writing is removed, and the run ends with exit 2:
 * with --json and nothing printed yet, the "unusable" document on stdout; a message on stderr.
 */
export async function runBounded(argv: string[], options: BoundedRunOptions): Promise<number> {
  const facts = memoryFacts(options.env);
  const limitMiB = options.limitMiB ?? heapLimitMiB(facts);
  const printed = new SharedArrayBuffer(4);
  const data: CliWorkerData = { role: CLI_WORKER, argv, isTty: Boolean(process.stdout.isTTY), printed };
  // The worker writes to the file descriptors itself (fd-write.ts); its stdout/stderr streams stay unused.
  const worker = new Worker(options.entry, {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: limitMiB },
  });
  let failure: (Error & { code?: string }) | undefined;
  worker.on('error', (e: Error) => {
    failure = e;
  });
  const code = await new Promise<number>((res) => worker.once('exit', res));
  if (failure?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    for (const p of outputPaths(argv)) rmSync(pendingPathOf(resolve(options.cwd, p)), { force: true });
    const message =
      `the run needed more memory than the ${formatCount(limitMiB)} MiB it may use ` +
      (facts.userChosen
        ? '(set by --max-old-space-size) '
        : `(the larger of Node's default and half of this machine's ${formatCount(Math.round(facts.availableBytes / MiB))} MiB) `) +
      'and was stopped before it finished: no verdict was reached and no report file was written. ' +
      'To allow more, run it with NODE_OPTIONS=--max-old-space-size=MiB on a machine with that much memory to spare.';
    if (argv.includes('--json') && Atomics.load(new Int32Array(printed), 0) === 0)
      process.stdout.write(
        `${stringifyJsonSafe(unusableDocument(options.command, 'verifier.memory', message))}\n`,
      );
    process.stderr.write(terminalSafe(`${options.command}: unusable input (verifier.memory): ${message}\n`));
    return EXIT_USAGE;
  }
  if (failure) {
    process.stderr.write(terminalSafe(`lineage: internal error: ${failure.stack ?? failure.message}\n`));
    return EXIT_USAGE;
  }
  return code;
}
