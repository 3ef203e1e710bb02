import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { setCryptoBackend } from '@lineage/verifier-core';
import { nodeBackend } from '@lineage/verifier-core/backends/node';
import { CLI_WORKER, type CliWorkerData, runBounded } from './bounded-run.js';
import { type CliIo, type Command, EXIT_USAGE, UsageError } from './cli-types.js';
import { commands } from './commands/index.js';
import { writeFdSync } from './fd-write.js';
import { terminalSafe } from './terminal-text.js';
import { VERIFIER } from './version.js';
import './commands/all.js';

/** For the bench: the command run as `lineage` runs it, in its bounded worker. */
export { runBounded } from './bounded-run.js';

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best ? { cmd: best, rest: argv.slice(best.path.length) } : undefined;
}

export function helpText(): string {
  const lines = ['lineage — verify what autonomous agents did', '', 'Commands:'];
  for (const c of [...commands].sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')))) {
    lines.push(`  ${c.usage}`, `      ${c.summary}`);
  }
  lines.push(
    '',
    'lineage --version prints the version and the formats it reads.',
    'Exit codes: 0 verified, 1 failed or incomplete (something could not be checked), 2 unusable input or usage.',
  );
  return lines.join('\n');
}

/** What a script or an assessor's record needs to say which verifier produced a result. */
export function versionText(): string {
  return `${VERIFIER} (capsule format v1, report schema v1, Node ${process.versions.node})`;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  setCryptoBackend(nodeBackend);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText());
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version')) {
    io.out(versionText());
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // `lineage approval --help`: the word before a subcommand asks for its subcommands' help.
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === argv[0]);
    if (group.length > 0 && (argv.includes('--help') || argv.includes('-h'))) {
      io.out(group.map((c) => `usage: ${c.usage}\n${c.summary}`).join('\n\n'));
      return 0;
    }
    io.err(`lineage: unknown command "${argv.join(' ')}"\n\n${helpText()}`);
    return EXIT_USAGE;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.out(`usage: ${found.cmd.usage}\n${found.cmd.summary}`);
    return 0;
  }
  try {
    return await found.cmd.run(found.rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`lineage ${found.cmd.path.join(' ')}: ${e.message}\nusage: ${found.cmd.usage}`);
      return EXIT_USAGE;
    }
    const msg = e instanceof Error ? e.message : String(e);
    io.err(`lineage ${found.cmd.path.join(' ')}: ${msg}`);
    return EXIT_USAGE;
  }
}

/** Writes text to stdout (1) or stderr (2). */
export type FdWrite = (fd: 1 | 2, text: string) => void;

const streamWrite: FdWrite = (fd, text) => {
  (fd === 1 ? process.stdout : process.stderr).write(text);
};

/**
 * The real process's io. In the CLI's worker, the main thread gives `isTty` (the worker's own
 * stdout is not the terminal) and `write` goes straight to the file descriptors.
 */
export function processIo(isTty = Boolean(process.stdout.isTTY), write: FdWrite = streamWrite): CliIo {
  return {
    // Text from what is verified is printed too: never raw terminal controls (see terminal-text.ts).
    out: (t) => write(1, `${terminalSafe(t)}\n`),
    err: (t) => write(2, `${terminalSafe(t)}\n`),
    progress: (t) => write(2, t),
    isTty,
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
  };
}

function isMain(): boolean {
  try {
    return (
      isMainThread && realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

function isCliWorker(data: unknown): data is CliWorkerData {
  return !isMainThread && (data as Partial<CliWorkerData> | null)?.role === CLI_WORKER;
}

/** The name a command goes by in messages ("lineage verify"), or "lineage" when there is none. */
export function commandName(argv: string[]): string {
  const found = findCommand(argv);
  return found ? `lineage ${found.cmd.path.join(' ')}` : 'lineage';
}

function internalError(e: unknown): void {
  process.stderr.write(
    terminalSafe(`lineage: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
  );
  process.exitCode = EXIT_USAGE;
}

if (isMain()) {
  // `lineage verify … | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const argv = process.argv.slice(2);
  const done = (code: number) => {
    process.exitCode = code;
  };
  // Run from source (`node --import tsx src/main.ts`, development only) the command runs here:
  // Node 20 workers do not get the TypeScript loader's hooks.
  if (import.meta.url.endsWith('.ts')) runCli(argv, processIo()).then(done, internalError);
  else
    runBounded(argv, {
      entry: new URL(import.meta.url),
      cwd: process.cwd(),
      env: process.env,
      command: commandName(argv),
    }).then(done, internalError);
} else if (isCliWorker(workerData)) {
  const printed = new Int32Array(workerData.printed);
  const write: FdWrite = (fd, text) => {
    if (fd === 1) Atomics.store(printed, 0, 1);
    try {
      writeFdSync(fd, text);
    } catch (e) {
      // As in the main thread: a reader that closed early (`| head`) ends the run quietly.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    }
  };
  // The worker's exit code is the command's: the main thread exits with it.
  runCli(workerData.argv, processIo(workerData.isTty, write)).then((code) => {
    process.exitCode = code;
  }, internalError);
}
