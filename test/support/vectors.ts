import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is test/support/vectors.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The shared conformance vectors live beside the repository, never inside it
 * (`../shared/vectors`). LINEAGE_VECTORS overrides the location.
 */
export const vectorsDir = process.env.LINEAGE_VECTORS ?? resolve(repoRoot, '../shared/vectors');

export function vectorPath(...parts: string[]): string {
  const p = join(vectorsDir, ...parts);
  if (!existsSync(p)) {
    throw new Error(`conformance vector ${p} not found: the shared vectors must sit at ${vectorsDir}`);
  }
  return p;
}
