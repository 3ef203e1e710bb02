/**
 * Shows a QR-code sequence one frame at a time (with previous/next and an
 * automatic cycle), for carrying a signed file across an air gap by camera.
 */
import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';

export function QrSequence({
  frames,
  intervalMs = 1200,
}: {
  frames: readonly string[];
  intervalMs?: number;
}) {
  const [index, setIndex] = useState(0);
  const [playing, setPlaying] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = frames[index] ?? '';

  useEffect(() => {
    if (canvas.current && frame) {
      void QRCode.toCanvas(canvas.current, frame, { errorCorrectionLevel: 'M', margin: 2, width: 320 });
    }
  }, [frame]);

  useEffect(() => {
    if (!playing || frames.length < 2) return;
    const t = setInterval(() => setIndex((i) => (i + 1) % frames.length), intervalMs);
    return () => clearInterval(t);
  }, [playing, frames.length, intervalMs]);

  if (frames.length === 0) return null;
  return (
    <div className="lin-qr">
      <canvas
        ref={canvas}
        className="lin-qr-canvas"
        aria-label={`QR code ${index + 1} of ${frames.length}`}
      />
      <div className="lin-qr-controls">
        <button type="button" onClick={() => setIndex((i) => (i - 1 + frames.length) % frames.length)}>
          ‹ Previous
        </button>
        <span className="lin-qr-index" data-qr-index={index + 1}>
          Frame {index + 1} of {frames.length}
        </span>
        <button type="button" onClick={() => setIndex((i) => (i + 1) % frames.length)}>
          Next ›
        </button>
        <button type="button" onClick={() => setPlaying((p) => !p)}>
          {playing ? 'Pause' : 'Play all'}
        </button>
      </div>
    </div>
  );
}
