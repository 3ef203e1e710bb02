import { deflateSync } from 'node:zlib';

/**
 * Toolbar icons are drawn at build time (no binary assets in the repo): a coloured disc with a
 * glyph per state, anti-aliased by supersampling, written as RGBA PNG.
 */
export type IconState = 'not_checked' | 'checking' | 'verified' | 'warning' | 'failed' | 'timeout';

const COLORS: Record<IconState, [number, number, number]> = {
  not_checked: [107, 114, 128],
  checking: [37, 99, 235],
  verified: [21, 128, 61],
  warning: [180, 83, 9],
  failed: [185, 28, 28],
  timeout: [75, 85, 99],
};

type Shape = (x: number, y: number) => boolean;

function segment(ax: number, ay: number, bx: number, by: number, w: number): Shape {
  return (x, y) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    const px = ax + t * dx - x;
    const py = ay + t * dy - y;
    return px * px + py * py <= w * w;
  };
}
const dot =
  (cx: number, cy: number, r: number): Shape =>
  (x, y) =>
    (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const any =
  (...s: Shape[]): Shape =>
  (x, y) =>
    s.some((f) => f(x, y));

/** Glyphs in unit coordinates (0..1). */
const GLYPHS: Record<IconState, Shape> = {
  verified: any(segment(0.3, 0.52, 0.44, 0.66, 0.07), segment(0.44, 0.66, 0.72, 0.36, 0.07)),
  failed: any(segment(0.33, 0.33, 0.67, 0.67, 0.07), segment(0.67, 0.33, 0.33, 0.67, 0.07)),
  warning: any(segment(0.5, 0.27, 0.5, 0.56, 0.075), dot(0.5, 0.72, 0.08)),
  checking: any(dot(0.3, 0.5, 0.08), dot(0.5, 0.5, 0.08), dot(0.7, 0.5, 0.08)),
  timeout: any(segment(0.5, 0.28, 0.5, 0.52, 0.065), segment(0.5, 0.52, 0.66, 0.62, 0.065)),
  not_checked: dot(0.5, 0.5, 0.0),
};

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function drawIcon(state: IconState, size: number): Uint8Array {
  const [r, g, b] = COLORS[state];
  const ring = state === 'not_checked';
  const glyph = GLYPHS[state];
  const S = 4;
  const raw = new Uint8Array(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      let disc = 0;
      let mark = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size;
          const v = (y + (sy + 0.5) / S) / size;
          const d = Math.hypot(u - 0.5, v - 0.5);
          const inDisc = ring ? d <= 0.47 && d >= 0.33 : d <= 0.47;
          if (inDisc) disc++;
          if (!ring && d <= 0.47 && glyph(u, v)) mark++;
        }
      }
      const n = S * S;
      const o = y * (size * 4 + 1) + 1 + x * 4;
      const m = mark / n;
      raw[o] = Math.round(r * (1 - m) + 255 * m);
      raw[o + 1] = Math.round(g * (1 - m) + 255 * m);
      raw[o + 2] = Math.round(b * (1 - m) + 255 * m);
      raw[o + 3] = Math.round((255 * disc) / n);
    }
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, size);
  dv.setUint32(4, size);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const sig = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
  const parts = [sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export const ICON_STATES: readonly IconState[] = [
  'not_checked',
  'checking',
  'verified',
  'warning',
  'failed',
  'timeout',
];
