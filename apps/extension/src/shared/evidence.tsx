import { DataText, revealHidden } from '@lineage/ui';
import { useState } from 'react';
import type { EquivocationRecord } from '../storage/types.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** What the two notes prove, in our words (sizes and origins are data, shown as such). */
export function evidenceSummary(e: EquivocationRecord): string {
  return e.kind === 'split'
    ? 'The log signed two different trees of the same size (their roots, the third line of each note, differ). An honest log signs one tree per size.'
    : 'The log signed a smaller tree after a larger one (compare the timestamp lines). An honest log only grows.';
}

/**
 * The evidence as text to send to the log's operator: both signed notes exactly as received, each
 * with where and when it was seen. Anyone with the log's public key can check the signatures.
 */
export function evidenceText(e: EquivocationRecord): string {
  const head = (i: number) => {
    const n = e.notes[i]!;
    return `Tree head ${i + 1} (size ${n.size}), seen from ${n.origin} on ${iso(n.seenAt)}:\n${n.note}`;
  };
  return `Log ${e.log} — ${evidenceSummary(e)}\nDetected ${iso(e.detectedAt)} by the Lineage browser extension.\n\n${head(0)}\n${head(1)}`;
}

/** Both signed notes in full, with a button that copies them (details page). */
export function Evidence({ e }: { e: EquivocationRecord }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(evidenceText(e));
      setCopied('Copied both signed tree heads.');
    } catch (err) {
      setCopied(`Could not copy (${String(err)}); select the text below instead.`);
    }
  }
  return (
    <section className="lin-ext-evidence" data-testid="evidence" aria-label="Evidence">
      <h2 className="lin-ext-h2">
        Evidence: log <DataText value={e.log} max={80} /> is equivocating
      </h2>
      <p>
        {evidenceSummary(e)} This browser saw both on {iso(e.detectedAt)}. Every check of this log fails until
        you clear the mark in Options. Send both signed tree heads to the log’s operator: anyone with the
        log’s public key can verify them.
      </p>
      <p>
        <button type="button" onClick={() => void copy()} data-testid="copy-evidence">
          Copy evidence
        </button>{' '}
        {copied && <span className="lin-muted">{copied}</span>}
      </p>
      {e.notes.map((n, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: always two notes, in a fixed order
        <div key={i}>
          <h3>
            Tree head {i + 1}: size <span className="lin-mono">{n.size}</span>, seen from{' '}
            <DataText value={n.origin} max={80} /> on {iso(n.seenAt)}
          </h3>
          <pre className="lin-ext-raw" data-testid={`evidence-note-${i}`} dir="ltr">
            {revealHidden(n.note)}
          </pre>
        </div>
      ))}
    </section>
  );
}
