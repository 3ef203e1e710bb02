import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputPath, pendingPathOf, writeFileInPieces } from '../src/file-output.js';

describe('report files are written in pieces and renamed into place', () => {
  it('joins the pieces byte for byte (multi-byte characters included)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
    const file = join(dir, 'report.html');
    writeFileInPieces(file, (write) => {
      for (let i = 0; i < 3000; i++) write(`<tr><td>${i} ✓ ≤ 𝄞</td></tr>\n`);
    });
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')).toHaveLength(3001);
    expect(text.startsWith('<tr><td>0 ✓ ≤ 𝄞</td></tr>\n')).toBe(true);
    expect(readdirSync(dir)).toEqual(['report.html']);
  });

  it('leaves the previous file untouched and no temporary file behind when writing fails part-way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
    const file = join(dir, 'report.json');
    writeFileSync(file, 'previous report\n');
    expect(() =>
      writeFileInPieces(file, (write) => {
        write('{"half":');
        throw new Error('renderer failed');
      }),
    ).toThrow('renderer failed');
    expect(readFileSync(file, 'utf8')).toBe('previous report\n');
    expect(readdirSync(dir)).toEqual(['report.json']);
  });
});

describe('a file that cannot be written is named', () => {
  it('when the directory became a file after the check (ENOTDIR), the message names the path and why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const file = join(dir, 'not-a-dir', 'report.html');
    expect(() => writeFileInPieces(file, (write) => write('x'), { what: '--report-html' })).toThrow(
      `cannot write --report-html ${file} (a part of the path is not a directory); ${file} was not changed`,
    );
    expect(readdirSync(dir)).toEqual(['not-a-dir']);
  });
});

describe('output paths are checked before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
  writeFileSync(join(dir, 'a-file'), 'x');
  mkdirSync(join(dir, 'a-dir'));

  it.each([
    [
      join(dir, 'missing', 'r.html'),
      {},
      `--out ${join(dir, 'missing', 'r.html')}: the directory ${join(dir, 'missing')} does not exist`,
    ],
    [
      join(dir, 'a-file', 'r.html'),
      {},
      `--out ${join(dir, 'a-file', 'r.html')}: ${join(dir, 'a-file')} is not a directory`,
    ],
    [join(dir, 'a-dir'), {}, `--out ${join(dir, 'a-dir')} is a directory`],
    [
      join(dir, 'a-file'),
      { fresh: true },
      `--out ${join(dir, 'a-file')} already exists; lineage does not replace it`,
    ],
  ])('%s %j is refused', (path, options, message) => {
    expect(() => checkOutputPath(path, '--out', options)).toThrow(message);
  });

  it('takes a new file in an existing directory, and an existing file unless fresh', () => {
    expect(() => checkOutputPath(join(dir, 'new.json'), '--out', { fresh: true })).not.toThrow();
    expect(() => checkOutputPath(join(dir, 'a-file'), '--out')).not.toThrow();
  });

  it('a fresh write never replaces a file that appeared meanwhile, and leaves no temporary file', () => {
    const file = join(dir, 'raced.json');
    writeFileSync(file, 'first\n');
    expect(() => writeFileInPieces(file, (write) => write('second\n'), { fresh: true })).toThrow(
      /already exists/,
    );
    expect(readFileSync(file, 'utf8')).toBe('first\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the temporary file is always a new file of its own', () => {
  // Whoever can write the output directory can leave a file or a link at the pending name
  // (it is predictable: the name and the process id). Opening it for writing would keep its
  // inode: its owner, its mode and its other names.
  it('a file left at the pending name does not become the key file (its mode, owner or other names)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
    const file = join(dir, 'approver.key.json');
    const planted = pendingPathOf(file);
    writeFileSync(planted, 'planted');
    chmodSync(planted, 0o666);
    const otherName = join(dir, 'second-name');
    linkSync(planted, otherName);
    writeFileInPieces(file, (write) => write('SEALED KEY'), { fresh: true, mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('SEALED KEY');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).ino).not.toBe(statSync(otherName).ino);
    expect(readFileSync(otherName, 'utf8')).toBe('planted');
    expect(readdirSync(dir).sort()).toEqual(['approver.key.json', 'second-name']);
  });

  it('a symbolic link left at the pending name is not followed: nothing is written where it points', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lineage-file-output-'));
    const file = join(dir, 'approver.key.json');
    const elsewhere = join(dir, 'copy-for-someone-else');
    symlinkSync(elsewhere, pendingPathOf(file));
    writeFileInPieces(file, (write) => write('SEALED KEY'), { fresh: true, mode: 0o600 });
    expect(existsSync(elsewhere)).toBe(false);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('SEALED KEY');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
