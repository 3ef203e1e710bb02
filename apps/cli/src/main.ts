import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setCryptoBackend } from '@lineage/verifier-core';
import { nodeBackend } from '@lineage/verifier-core/backends/node';
import { type CliIo, type Command, EXIT_USAGE, UsageError } from './cli-types.js';
import { commands } from './commands/index.js';
import { terminalSafe } from './terminal-text.js';
import { VERIFIER } from './version.js';
import './commands/all.js';

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

export function processIo(): CliIo {
  return {
    // Text from what is verified is printed too: never raw terminal controls (see terminal-text.ts).
    out: (t) => process.stdout.write(`${terminalSafe(t)}\n`),
    err: (t) => process.stderr.write(`${terminalSafe(t)}\n`),
    isTty: Boolean(process.stdout.isTTY),
    cwd: process.cwd(),
    env: process.env,
    now: () => new Date(),
  };
}

function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // `lineage verify … | head` closes stdout early; that is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  runCli(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(
        terminalSafe(`lineage: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
      );
      process.exitCode = EXIT_USAGE;
    },
  );
}
