import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the chapter-4 spec vectors are committed. */
export const VECTORS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../docs/vectors/identity',
);
