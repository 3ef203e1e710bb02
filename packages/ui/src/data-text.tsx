/**
 * Renders a string that came from a capsule (or any document under
 * verification) as inert data: a text node in a monospace "data" frame, never
 * HTML, never styled as our own status. Invisible and direction-changing
 * characters are made visible so "✓ verified" inside a capsule cannot pose as
 * our verdict or reorder what the reader sees.
 */

import { revealHidden, revealOneLine } from '@lineage/verifier-core';

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

export interface DataTextProps {
  value: string | number | undefined | null;
  /** Characters shown before eliding the middle; the full value stays in the tooltip. */
  max?: number;
  /** Wrap long values (hashes in detail panels) instead of eliding them. */
  wrap?: boolean;
  className?: string;
}

export function DataText({ value, max = 80, wrap = false, className }: DataTextProps) {
  if (value === undefined || value === null || value === '') {
    return <span className="lin-data lin-data-empty">—</span>;
  }
  const revealed = wrap ? revealHidden(String(value)) : revealOneLine(String(value));
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
