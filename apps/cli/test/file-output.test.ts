import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileInPieces } from '../src/file-output.js';

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
