import type { Command } from '../cli-types.js';

/**
 * Every command the CLI offers. Each module exports its commands; main.ts dispatches
 * on the longest matching `path`.
 */
export const commands: Command[] = [];

export function register(...cmds: Command[]): void {
  commands.push(...cmds);
}
