/** The built renderer's stylesheets, concatenated, for the printable report. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function rendererCss(rendererDir: string): Promise<string> {
  const dir = join(rendererDir, 'assets');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.css')).sort();
  return (await Promise.all(names.map((n) => readFile(join(dir, n), 'utf8')))).join('\n');
}
