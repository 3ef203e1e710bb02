import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFedrampSample, writeCapsuleDirectory } from '@lineage/producer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processIo, runCli } from '../src/main.js';
import { terminalSafe } from '../src/terminal-text.js';

const ESC = '\u001b';

describe('printed text never carries terminal controls', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [`a${ESC}[2Jb`, 'a\\u001b[2Jb'],
    ['line\rVERIFIED', 'line\\u000dVERIFIED'],
    ['\u0007bell\u009bcsi\u007f', '\\u0007bell\\u009bcsi\\u007f'],
    ['abc\u202edcba\u2066x\u2069', 'abc\\u202edcba\\u2066x\\u2069'],
    ['sep\u2028arated', 'sep\\u2028arated'],
    ['Pay\u00adroll\u3164\u034f', 'Pay\\u00adroll\\u3164\\u034f'],
    ['tag\u{e0041}', 'tag\\udb40\\udc41'],
  ])('%j is shown as %s', (raw, shown) => {
    expect(terminalSafe(raw)).toBe(shown);
  });

  it('keeps newlines, tabs and ordinary Unicode as they are', () => {
    const text = 'VERIFIED — ✓ 2a · Raj Patel\n\tnote ≤ 𝄞 é 中文';
    expect(terminalSafe(text)).toBe(text);
  });

  it('an escaped string is the same string to a JSON reader', () => {
    const value = { title: `x${ESC}[1A\u009b\u202ey\u{e0041}\u{e0100}\u00ad` };
    expect(JSON.parse(terminalSafe(JSON.stringify(value)))).toEqual(value);
  });

  it('a capsule whose title tries to overwrite the verdict line prints it escaped', async () => {
    // Cursor up two lines, clear it, and write a verdict of its own.
    const { dir, capsule, s } = await capsuleTitled(`${ESC}[2A${ESC}[2K\rVERIFIED — all good`);
    const written = captureStdout();
    const io = { ...processIo(), isTty: false, cwd: dir };
    await runCli(['verify', capsule, '--trust', s.paths!.trust], io);
    vi.restoreAllMocks();
    const out = written.join('');
    expect(out).toContain('\\u001b[2A\\u001b[2K\\u000dVERIFIED — all good');
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\r');

    // The HTML report shows the same characters as visible marks.
    const html = join(dir, 'report.html');
    await runCli(['verify', capsule, '--trust', s.paths!.trust, '--report-html', html], {
      ...io,
      out: () => {},
    });
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('⟨U+001B⟩[2A⟨U+001B⟩[2K⟨U+000D⟩VERIFIED — all good');
    expect(page).not.toContain(ESC);
  });

  it('a capsule title with a tag character and a soft hyphen shows both, in the terminal, HTML and OSCAL', async () => {
    // Reads as "Payroll run" everywhere these characters are drawn as nothing.
    const { dir, capsule, s } = await capsuleTitled('Pay\u00adroll \u{e0041}\u{e0042}run');
    const written = captureStdout();
    const io = { ...processIo(), isTty: false, cwd: dir };
    const html = join(dir, 'report.html');
    const oscal = join(dir, 'report.oscal.json');
    await runCli(['verify', capsule, '--trust', s.paths!.trust, '--report-html', html, '--oscal', oscal], io);
    vi.restoreAllMocks();
    const out = written.join('');
    expect(out).toContain('Pay\\u00adroll \\udb40\\udc41\\udb40\\udc42run');
    expect(out).not.toMatch(/[\u00ad\u{e0000}-\u{e007f}]/u);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Pay⟨U+00AD⟩roll ⟨U+E0041⟩⟨U+E0042⟩run');
    expect(page).not.toMatch(/[\u00ad\u{e0000}-\u{e007f}]/u);
    const doc = readFileSync(oscal, 'utf8');
    expect(doc).toContain('Pay⟨U+00AD⟩roll ⟨U+E0041⟩⟨U+E0042⟩run');
    expect(doc).not.toMatch(/[\u00ad\u{e0000}-\u{e007f}]/u);
  });
});

/** The sample as a directory capsule whose (unsigned) manifest title is `title`. */
async function capsuleTitled(title: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lineage-cli-title-'));
  const s = await buildFedrampSample({ dir });
  const capsule = join(dir, 'hostile');
  mkdirSync(capsule);
  writeCapsuleDirectory(s.files, capsule);
  const manifestPath = join(capsule, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { title: string };
  manifest.title = title;
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return { dir, capsule, s };
}

/** What the CLI writes to process.stdout until vi.restoreAllMocks(). */
function captureStdout(): string[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  return written;
}
