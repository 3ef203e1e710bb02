import type { CliIo } from '../src/cli-types.js';

/** A CliIo that records what the command printed (the same fixed clock for every test). */
export function capture(cwd = process.cwd(), env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    isTty: false,
    cwd,
    env,
    now: () => new Date('2026-11-22T00:00:00Z'),
  };
  return { io, out, err, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
}
