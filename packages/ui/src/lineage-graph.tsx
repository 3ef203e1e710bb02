/**
 * The lineage as an SVG graph laid out by dagre. Humans are rounded "person"
 * cards with a double outline, agents are square cards; predecessor pointers
 * are solid arrows, handoff receipts dashed arrows with a receipt mark. Failed
 * nodes and edges are red with an ✕; labels are capsule data (text nodes only).
 */
import { formatCount, formatCountOf } from '@lineage/verifier-core';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { revealOneLine, truncateEnd } from './data-text.js';
import {
  type GraphEdgeInput,
  type GraphNodeInput,
  layoutLineage,
  lineageWindow,
  MAX_DRAWN_NODES,
  type PlacedEdge,
} from './lineage-layout.js';

export interface LineageGraphProps {
  nodes: readonly GraphNodeInput[];
  edges: readonly GraphEdgeInput[];
  selectedId?: string;
  onSelect?: (id: string) => void;
  /** Static rendering (printable report): no focus or click handlers, always scaled to the page width. */
  interactive?: boolean;
}

/** Below this scale labels get too small to read: show the graph at full size and scroll instead. */
const MIN_FIT_SCALE = 0.7;

const KIND_LABEL = { agent: 'AGENT', human: 'HUMAN' } as const;

function pathOf(e: PlacedEdge): string {
  if (e.points.length === 0) return '';
  const [first, ...rest] = e.points;
  return `M${first!.x},${first!.y} ${rest.map((p) => `L${p.x},${p.y}`).join(' ')}`;
}

function midpoint(e: PlacedEdge): { x: number; y: number } {
  const p = e.points[Math.floor(e.points.length / 2)] ?? { x: 0, y: 0 };
  return p;
}

export function LineageGraph({ nodes, edges, selectedId, onSelect, interactive = true }: LineageGraphProps) {
  // A large lineage is drawn as the window around the selected event (else the first failed one).
  const focus = selectedId ?? nodes.find((n) => n.status === 'fail')?.id;
  const win = useMemo(
    () => lineageWindow(nodes, edges, nodes.length > MAX_DRAWN_NODES ? focus : undefined),
    [nodes, edges, focus],
  );
  const lay = useMemo(() => layoutLineage(win.nodes, win.edges), [win.nodes, win.edges]);
  const box = useRef<HTMLDivElement>(null);
  const [avail, setAvail] = useState(0);
  const [zoom, setZoom] = useState<'fit' | 'full'>('fit');
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !interactive) return;
    setAvail(el.clientWidth);
    const ro = new ResizeObserver(() => setAvail(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [interactive]);
  const fitScale = avail > 0 ? Math.min(1, (avail - 2) / lay.width) : 1;
  const canFit = fitScale >= MIN_FIT_SCALE;
  const scale = interactive && zoom === 'fit' && canFit ? fitScale : 1;
  // Keep the selected node in view when the graph scrolls.
  useEffect(() => {
    if (!interactive || !selectedId) return;
    const n = lay.nodes.find((x) => x.id === selectedId);
    const el = box.current;
    if (!n || !el) return;
    const left = n.x * scale - el.clientWidth / 2;
    if (el.scrollLeft > n.x * scale - 40 || el.scrollLeft + el.clientWidth < n.x * scale + 40)
      el.scrollLeft = Math.max(0, left);
  }, [selectedId, scale, lay, interactive]);
  return (
    <>
      {win.total > win.nodes.length && (
        <p className="lin-graph-window" role="note" data-testid="graph-window">
          {`Showing the ${formatCountOf(win.nodes.length, 'event')} nearest the ${selectedId ? 'selected' : focus ? 'first failed' : 'first'} one, of ${formatCount(win.total)} in this lineage.`}
          {interactive ? ' Select another event (Events tab) to move the view.' : ''}
        </p>
      )}
      <div className="lin-graph" ref={box}>
        {interactive && lay.width > avail && avail > 0 && (
          <div className="lin-graph-zoom">
            {canFit && (
              <button type="button" className={zoom === 'fit' ? 'on' : ''} onClick={() => setZoom('fit')}>
                Fit
              </button>
            )}
            <button
              type="button"
              className={zoom === 'full' || !canFit ? 'on' : ''}
              onClick={() => setZoom('full')}
            >
              100%
            </button>
          </div>
        )}
        <svg
          className="lin-graph-svg"
          {...(interactive
            ? { width: Math.round(lay.width * scale), height: Math.round(lay.height * scale) }
            : { width: '100%', style: { maxWidth: lay.width } })}
          viewBox={`0 0 ${lay.width} ${lay.height}`}
          xmlns="http://www.w3.org/2000/svg"
        >
          <title>Lineage graph</title>
          <defs>
            {(['ok', 'fail', 'nc'] as const).map((k) => (
              <marker
                key={k}
                id={`lin-arrow-${k}`}
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" className={`lin-arrow lin-arrow-${k}`} />
              </marker>
            ))}
          </defs>
          {lay.edges.map((e, i) => {
            const k = e.status === 'fail' ? 'fail' : e.status === 'not_checked' ? 'nc' : 'ok';
            const m = midpoint(e);
            return (
              <g
                // biome-ignore lint/suspicious/noArrayIndexKey: edges may repeat endpoints
                key={i}
                className={`lin-edge lin-edge-${e.kind} lin-edge-${e.status}`}
                data-edge={`${e.from}->${e.to}`}
                data-kind={e.kind}
                data-status={e.status}
              >
                <title>
                  {`${e.kind === 'handoff' ? 'Handoff receipt' : 'Predecessor pointer'} — ${e.status === 'fail' ? 'FAILED' : e.status === 'pass' ? 'verified' : 'not checked'}${e.receiptId ? ` — receipt ${revealOneLine(e.receiptId)}` : ''}${e.count > 1 ? ` (and ${formatCount(e.count - 1)} more between these two events; the worst status is shown)` : ''}`}
                </title>
                <path d={pathOf(e)} markerEnd={`url(#lin-arrow-${k})`} />
                {e.kind === 'handoff' && (
                  <HandoffBadge
                    x={m.x}
                    y={m.y}
                    label={`${e.status === 'fail' ? '✕' : 'R'}${e.count > 1 ? ` ${formatCount(e.count)}` : ''}`}
                  />
                )}
                {e.kind === 'predecessor' && e.status === 'fail' && (
                  <g transform={`translate(${m.x},${m.y})`} className="lin-edge-badge">
                    <circle r={8} />
                    <text y={4} textAnchor="middle">
                      ✕
                    </text>
                  </g>
                )}
              </g>
            );
          })}
          {lay.nodes.map((n) => {
            const x = n.x - n.width / 2;
            const y = n.y - n.height / 2;
            const selected = n.id === selectedId;
            const select = () => onSelect?.(n.id);
            return (
              <g
                key={n.id}
                className={`lin-node lin-node-${n.kind} lin-node-${n.status}${selected ? ' lin-node-selected' : ''}`}
                transform={`translate(${x},${y})`}
                data-node={n.id}
                data-kind={n.kind}
                data-status={n.status}
                {...(interactive
                  ? {
                      role: 'button',
                      tabIndex: 0,
                      onClick: select,
                      onKeyDown: (ev: React.KeyboardEvent) => {
                        if (ev.key === 'Enter' || ev.key === ' ') {
                          ev.preventDefault();
                          select();
                        }
                      },
                    }
                  : {})}
              >
                <title>{`${KIND_LABEL[n.kind]} ${revealOneLine(n.label)} — ${n.status === 'fail' ? 'FAILED' : n.status === 'pass' ? 'verified' : 'not checked'}`}</title>
                {n.kind === 'human' ? (
                  <>
                    <rect className="lin-node-outer" width={n.width} height={n.height} rx={16} />
                    <rect
                      className="lin-node-inner"
                      x={3}
                      y={3}
                      width={n.width - 6}
                      height={n.height - 6}
                      rx={13}
                    />
                  </>
                ) : (
                  <rect className="lin-node-outer" width={n.width} height={n.height} rx={3} />
                )}
                <text className="lin-node-kind" x={12} y={17}>
                  {KIND_LABEL[n.kind]}
                </text>
                <text className="lin-node-status" x={n.width - 12} y={17} textAnchor="end">
                  {n.status === 'fail' ? '✕ FAILED' : n.status === 'pass' ? '✓' : '– not checked'}
                </text>
                <text className="lin-node-label" x={12} y={35}>
                  {truncateEnd(revealOneLine(n.label), 25)}
                </text>
                <text className="lin-node-step" x={12} y={50}>
                  {truncateEnd(revealOneLine(n.action ? `${n.action} · step ${n.step}` : n.step), 36)}
                </text>
              </g>
            );
          })}
        </svg>
        {lay.undrawn > 0 && (
          <p className="lin-graph-dangling" data-testid="graph-undrawn">
            {formatCountOf(lay.undrawn, 'more edge')} between these events {lay.undrawn === 1 ? 'is' : 'are'}{' '}
            not drawn (handoff receipts first); every receipt and its checks are in the checks list.
          </p>
        )}
        {lay.dangling.length > 0 && (
          <p className="lin-graph-dangling">
            {formatCountOf(lay.dangling.length, 'edge')} {lay.dangling.length === 1 ? 'points' : 'point'} to
            events that are not in the capsule; they are listed in the failed checks.
          </p>
        )}
      </div>
    </>
  );
}

/** A handoff edge's mark: R (✕ when it failed), with the count when it stands for several receipts. */
function HandoffBadge({ x, y, label }: { x: number; y: number; label: string }) {
  // Monospace-ish 7 px per character, at least the single mark's 18 px.
  const width = Math.max(18, label.length * 7 + 6);
  return (
    <g transform={`translate(${x},${y})`} className="lin-edge-badge">
      <rect x={-width / 2} y={-7} width={width} height={14} rx={2} />
      <text y={4} textAnchor="middle">
        {label}
      </text>
    </g>
  );
}

export function LineageLegend() {
  return (
    <ul className="lin-legend" aria-label="Legend">
      <li>
        <span className="lin-legend-swatch lin-legend-human" /> Human approval (pinned approver key)
      </li>
      <li>
        <span className="lin-legend-swatch lin-legend-agent" /> Agent action (agent card identity)
      </li>
      <li>
        <span className="lin-legend-line lin-legend-pred" /> Predecessor pointer
      </li>
      <li>
        <span className="lin-legend-line lin-legend-handoff" /> Handoff receipt (R)
      </li>
      <li>
        <span className="lin-legend-swatch lin-legend-fail" /> Failed check
      </li>
    </ul>
  );
}
