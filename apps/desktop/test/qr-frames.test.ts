import { describe, expect, it } from 'vitest';
import { fromQrFrames, QR_CHUNK_BYTES, toQrFrames } from '../src/shared/qr-frames.js';

const approval = JSON.stringify({ decision: 'approve', comment: 'Zoë — ✓ '.repeat(120) });

describe('QR frame sequence', () => {
  it('splits into numbered, checksummed frames and reassembles in any order', () => {
    const frames = toQrFrames(approval);
    expect(frames.length).toBe(Math.ceil(new TextEncoder().encode(approval).length / QR_CHUNK_BYTES));
    expect(frames[0]).toMatch(/^LNG1\/1\/\d+\/[0-9a-f]{16}\/[0-9a-f]{8}\//);
    expect(fromQrFrames([...frames].reverse())).toBe(approval);
  });
  it('names a missing frame', () => {
    const frames = toQrFrames(approval);
    expect(() => fromQrFrames(frames.filter((_, i) => i !== 1))).toThrow(
      `missing frame(s) 2 of ${frames.length}`,
    );
  });
  it('detects a corrupted chunk', () => {
    const frames = toQrFrames(approval);
    const f = frames[0]!;
    const last = f.at(-1) === 'A' ? 'B' : 'A';
    expect(() => fromQrFrames([`${f.slice(0, -1)}${last}`, ...frames.slice(1)])).toThrow(
      /frame 1 of \d+ is corrupt/,
    );
  });
  it('refuses frames from two different files', () => {
    const a = toQrFrames(approval);
    const b = toQrFrames(`${approval} `);
    expect(() => fromQrFrames([a[0]!, b[1]!])).toThrow(/belongs to another file/);
  });
  it('handles a one-frame file', () => {
    expect(toQrFrames('{}')).toHaveLength(1);
    expect(fromQrFrames(toQrFrames('{}'))).toBe('{}');
  });
});
