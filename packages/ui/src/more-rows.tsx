/**
 * Long lists (700k checks, 100k events) are drawn a page at a time: the browser cannot lay out
 * that many rows, and the first rows are the ones that matter (failures sort first). The filter
 * finds anything further down.
 */
import { formatCount } from '@lineage/verifier-core';
import { useState } from 'react';

export const ROWS_PER_PAGE = 200;

/** How many rows of a list to draw, and the control that draws more. */
export function useRowPages(total: number, page = ROWS_PER_PAGE): { shown: number; more: () => void } {
  const [shown, setShown] = useState(page);
  return { shown: Math.min(shown, total), more: () => setShown((n) => n + page) };
}

export function MoreRows({
  shown,
  total,
  onMore,
  noun,
  page = ROWS_PER_PAGE,
}: {
  shown: number;
  total: number;
  onMore: () => void;
  noun: string;
  page?: number;
}) {
  if (shown >= total) return null;
  return (
    <p className="lin-more-rows" data-testid="more-rows">
      <span className="lin-muted">{`${formatCount(shown)} of ${formatCount(total)} ${noun} shown.`}</span>{' '}
      <button type="button" className="lin-link" onClick={onMore}>
        {`Show ${formatCount(Math.min(page, total - shown))} more`}
      </button>
    </p>
  );
}
