/**
 * Renders a string that came from a capsule (or any document under
 * verification) as inert data: a text node in a monospace "data" frame, never
 * HTML, never styled as our own status. Invisible and direction-changing
 * characters are made visible so "✓ verified" inside a capsule cannot pose as
 * our verdict or reorder what the reader sees.
 */

import { formatCount, revealHidden, revealOneLine } from '@lineage/verifier-core';
import { useState } from 'react';

// The rule for hidden characters is the core's (the CLI, the HTML and OSCAL reports use it too):
// revealHidden for prose (line breaks kept), revealOneLine for values shown on one line.
export { revealHidden, revealOneLine };

/** For names, whose start says most: "Raj Patel (Complian…". */
export function truncateEnd(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** For ids and hashes, whose start and end are what people compare: "ab12…9f3e". */
export function truncateMiddle(value: string, max: number): string {
  if (value.length <= max) return value;
  const head = Math.ceil((max - 1) / 2);
  const tail = Math.floor((max - 1) / 2);
  return `${value.slice(0, head)}…${value.slice(value.length - tail)}`;
}

/**
 * Characters of a wrapped value drawn before the rest is folded away. A capsule may carry a
 * 1 MB action or task id, and a check's found value may list 40k predecessors: wrapped whole,
 * one such value made a page hundreds of thousands of pixels tall and took seconds to lay out.
 */
export const WRAP_MAX = 2_000;

export interface DataTextProps {
  value: string | number | undefined | null;
  /** Characters shown before eliding the middle; the full value stays in the tooltip. */
  max?: number;
  /** Wrap long values (hashes in detail panels) instead of eliding them; past WRAP_MAX, see LongData. */
  wrap?: boolean;
  className?: string;
}

export function DataText({ value, max = 80, wrap = false, className }: DataTextProps) {
  if (value === undefined || value === null || value === '') {
    return <span className="lin-data lin-data-empty">—</span>;
  }
  const revealed = wrap ? revealHidden(String(value)) : revealOneLine(String(value));
  if (wrap && revealed.length > WRAP_MAX) return <LongData value={revealed} className={className} />;
  const shown = wrap ? revealed : truncateMiddle(revealed, max);
  return (
    <bdi
      className={`lin-data${wrap ? ' lin-data-wrap' : ''}${className ? ` ${className}` : ''}`}
      title={revealed}
      dir="ltr"
    >
      {shown}
    </bdi>
  );
}

/**
 * A wrapped value too long to draw whole: its first WRAP_MAX characters, and on request the whole
 * value in a read-only box of fixed height, where it can be read, selected and copied (the page
 * has no clipboard permission) without laying out megabytes of text in the page.
 */
function LongData({ value, className }: { value: string; className?: string | undefined }) {
  const [open, setOpen] = useState(false);
  return (
    <span className="lin-data-long" data-long-value={value.length}>
      <bdi className={`lin-data lin-data-wrap${className ? ` ${className}` : ''}`} dir="ltr">
        {`${value.slice(0, WRAP_MAX)}…`}
      </bdi>{' '}
      <button type="button" className="lin-link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide the full value' : `Show all ${formatCount(value.length)} characters`}
      </button>
      {open && (
        <textarea
          className="lin-data-full"
          readOnly
          rows={8}
          value={value}
          dir="ltr"
          spellCheck={false}
          aria-label="The full value"
        />
      )}
    </span>
  );
}
