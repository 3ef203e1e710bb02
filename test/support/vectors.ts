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

/** The tessera-log vector's published log key and its RFC 6962 roots for sizes 0..15 (from its README). */
export const TESSERA_VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx';
export const TESSERA_ROOTS = [
  '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
  '0Nc2CrefWKseHj/mStd+LqC8B+NrX0btIiPt2SmN+ek=',
  'T1X2GdkhUjV3iyufF9b0kVsWFxIU0VI4EpNml2Teci4=',
  'Wqx3HImawpLnS/Gv4ubjAvi1WIOy0b8Ze0amvqbavKk=',
  'zY1lN35vrXYAPixXSd59LsU29xUJtuW4o2dNNg5Y2Co=',
  'gy5gl3aksFyiCO95a/1vLXz88A3dRq+0l9Sxte8ZqZQ=',
  'a6sWvsc2eEzmj72vah7mZ5dwFltivehh2b11qwlp5Jg=',
  'IrSXADBqJ7EQoUODSDKROySgNveeL6CFhik2w/+fS7U=',
  'bC+VwvrJbalNVjfkdI8kUgs7mJoXrqiXCE7bgnD28pY=',
  'CvhHViE3S9E3htHLR+25mapWoGCJ3WckMq1UtC3VmEY=',
  'y8/gZsZCtitsMan09tY+k8I7Qpr7Y5fbO2tLi9GQnfU=',
  'Yok1cS5VdokGLBy73BC2I16b3atss6KBN9jnIi6Fz/A=',
  'uZo6M+IhVna+CLgWCrJs0xBPUHbozHkYTQASduHSLME=',
  'av0kLH0VkkVDrTuZzBGIx7d9z5G1l/GlKz/nAV/8woQ=',
  'SvCd38yNade7xEPY1a/aAc1M3A2AHYVF8lIiUnsH1ao=',
  'rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=',
];
