/** Exit codes: 0 verified, 1 failed or incomplete, 2 unusable input or usage. */
export const EXIT_VERIFIED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdout is a terminal (progress bars, colour). */
  isTty: boolean;
  /** Writes to stderr as is, no newline: a progress bar's redraws (none when absent). */
  progress?: (text: string) => void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** RFC 3339 "now"; injectable so tests and reports are reproducible. */
  now: () => Date;
}

export interface Command {
  /** Words that select the command, e.g. ["checkpoint", "verify"]. */
  path: string[];
  usage: string;
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Thrown for bad usage or unusable input; main prints it and exits 2. */
export class UsageError extends Error {
  /** The file the problem is about (an output path that cannot be used), for `--json` documents. */
  readonly file: string | undefined;
  constructor(message: string, options: { file?: string } = {}) {
    super(message);
    this.name = 'UsageError';
    this.file = options.file;
  }
}
