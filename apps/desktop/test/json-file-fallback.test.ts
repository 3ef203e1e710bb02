import { mkdtempSync, readdirSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileExclusive } from '../src/main/services/json-file.js';

// A file system without hard links (FAT/exFAT, some network mounts): createFileExclusive falls back
// to O_EXCL on the file itself. Simulated by making node:fs/promises' link fail.
const real = { link: fsp.link, open: fsp.open };
function stub(linkCode: string, failWrite: boolean): void {
  (fsp as { link: unknown }).link = async () => {
    throw Object.assign(new Error(`${linkCode}: simulated`), { code: linkCode });
  };
  (fsp as { open: unknown }).open = async (...a: Parameters<typeof fsp.open>) => {
    const fh = await real.open(...a);
    if (failWrite && String(a[1]) === 'wx') {
      const write = fh.writeFile.bind(fh);
      fh.writeFile = (async (data: string) => {
        await write(data.slice(0, 10));
        throw Object.assign(new Error('ENOSPC: simulated'), { code: 'ENOSPC' });
      }) as typeof fh.writeFile;
    }
    return fh;
  };
  syncBuiltinESMExports();
}
afterEach(() => {
  Object.assign(fsp, real);
  syncBuiltinESMExports();
});

describe('createFileExclusive without hard links', () => {
  it.each(['EPERM', 'EISDIR', 'EINVAL'])(
    'falls back to an exclusive create when link fails with %s',
    async (code) => {
      stub(code, false);
      const d = mkdtempSync(join(tmpdir(), 'lineage-nolink-'));
      expect(await createFileExclusive(join(d, 'key.json'), '{"a":1}')).toBe(true);
      expect(await createFileExclusive(join(d, 'key.json'), '{"a":2}')).toBe(false);
      expect(readdirSync(d)).toEqual(['key.json']);
    },
  );

  it('a failed write in the fallback leaves no half-written file and rejects only to its caller', async () => {
    stub('EPERM', true);
    const d = mkdtempSync(join(tmpdir(), 'lineage-nolink-'));
    await expect(
      createFileExclusive(join(d, 'key.json'), '{"type":"a long enough document"}'),
    ).rejects.toThrow(/ENOSPC/);
    // Nothing left that a retry would take for an existing key.
    expect(readdirSync(d)).toEqual([]);
  });
});
