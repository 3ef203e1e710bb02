/**
 * Lays out a lineage graph with @dagrejs/dagre (top to bottom, from the AO's
 * boundary approval down to the ATO decision). Pure: returns positions only,
 * so the same layout renders in the app, the extension and the printable report.
 */
import { Graph, layout } from '@dagrejs/dagre';

export type GraphStatus = 'pass' | 'fail' | 'not_checked';

export interface GraphNodeInput {
  id: string;
  kind: 'agent' | 'human';
  label: string;
  step: string;
  /** The event's action (e.g. scan.run), shown under the label. */
  action?: string;
  status: GraphStatus;
}

export interface GraphEdgeInput {
  from: string;
  to: string;
  kind: 'predecessor' | 'handoff';
  status: GraphStatus;
  receiptId?: string;
}

export interface PlacedNode extends GraphNodeInput {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge extends GraphEdgeInput {
  points: { x: number; y: number }[];
  /** How many edges of the graph this drawn one stands for (parallel ones are merged; worst status). */
  count: number;
}

export interface LineageLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Edges whose endpoints are not in the node list (shown in the legend as dangling). */
  dangling: GraphEdgeInput[];
  /** Edges between drawn events left out past MAX_DRAWN_EDGES (handoffs first). */
  undrawn: number;
}

export const NODE_WIDTH = 212;
export const NODE_HEIGHT = 58;

/**
 * The most events drawn at once. Dagre's layout time grows faster than the graph (and it
 * recurses once per link of a chain: a few thousand linked events overflow the stack), and
 * an SVG of 100k cards helps nobody; a larger lineage is drawn as a window (lineageWindow).
 */
export const MAX_DRAWN_NODES = 250;

/**
 * The most distinct edges laid out at once. Parallel edges (same events, same kind) are merged
 * first; past this many, handoff edges and then predecessor edges are left out and counted: a
 * capsule of 40k receipts between two events took dagre 5 minutes on the renderer's thread.
 */
export const MAX_DRAWN_EDGES = 1_000;

export interface LineageWindow {
  nodes: readonly GraphNodeInput[];
  edges: readonly GraphEdgeInput[];
  /** Events in the whole graph (more than `nodes.length` when this is a window). */
  total: number;
}

/**
 * What to draw of a lineage: all of it when it is small (the same arrays, so a layout keyed on
 * them is kept), else the `max` events nearest `focus` — breadth-first along predecessor and
 * handoff edges in both directions — in their original order, with the edges among them. An
 * edge to an event that is not in the graph at all stays (it is drawn as dangling); an edge
 * leaving the window does not (it is not dangling, just not drawn).
 */
export function lineageWindow(
  nodes: readonly GraphNodeInput[],
  edges: readonly GraphEdgeInput[],
  focus: string | undefined,
  max = MAX_DRAWN_NODES,
): LineageWindow {
  if (nodes.length <= max) return { nodes, edges, total: nodes.length };
  const known = new Set(nodes.map((n) => n.id));
  const near = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const list = near.get(a);
    if (list) list.push(b);
    else near.set(a, [b]);
  };
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to)) continue;
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const start = focus !== undefined && known.has(focus) ? focus : nodes[0]!.id;
  const keep = new Set([start]);
  const queue = [start];
  for (let q = 0; q < queue.length && keep.size < max; q++) {
    for (const next of near.get(queue[q]!) ?? []) {
      if (keep.size >= max) break;
      if (keep.has(next)) continue;
      keep.add(next);
      queue.push(next);
    }
  }
  return {
    nodes: nodes.filter((n) => keep.has(n.id)),
    edges: edges.filter(
      (e) =>
        (keep.has(e.from) || !known.has(e.from)) &&
        (keep.has(e.to) || !known.has(e.to)) &&
        (keep.has(e.from) || keep.has(e.to)),
    ),
    total: nodes.length,
  };
}

const RANK: Record<GraphStatus, number> = { pass: 0, not_checked: 1, fail: 2 };

export function layoutLineage(
  nodes: readonly GraphNodeInput[],
  edges: readonly GraphEdgeInput[],
  maxEdges = MAX_DRAWN_EDGES,
): LineageLayout {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 18, edgesep: 8, ranksep: 44, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set<string>();
  for (const n of nodes) {
    if (ids.has(n.id)) continue;
    ids.add(n.id);
    g.setNode(n.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  // One drawn edge per (from, to, kind), standing for every such edge, with the worst status: the
  // first edge's receipt id names it.
  const merged = new Map<string, GraphEdgeInput & { count: number }>();
  const dangling: GraphEdgeInput[] = [];
  for (const e of edges) {
    if (!ids.has(e.from) || !ids.has(e.to)) {
      dangling.push(e);
      continue;
    }
    const key = `${e.kind}\n${e.from}\n${e.to}`;
    const m = merged.get(key);
    if (m === undefined) merged.set(key, { ...e, count: 1 });
    else {
      m.count++;
      if (RANK[e.status] > RANK[m.status]) m.status = e.status;
    }
  }
  // Predecessor edges are the lineage itself; handoffs are drawn while room remains.
  const all = [...merged.values()];
  const ordered = [
    ...all.filter((e) => e.kind === 'predecessor'),
    ...all.filter((e) => e.kind === 'handoff'),
  ];
  const drawn = ordered.slice(0, maxEdges);
  let undrawn = 0;
  for (let i = maxEdges; i < ordered.length; i++) undrawn += ordered[i]!.count;
  drawn.forEach((e, i) => {
    g.setEdge(e.from, e.to, { weight: e.kind === 'predecessor' ? 2 : 1 }, `e${i}`);
  });
  layout(g);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const placed: PlacedNode[] = [];
  for (const id of ids) {
    const pos = g.node(id) as { x: number; y: number; width: number; height: number };
    placed.push({ ...byId.get(id)!, x: pos.x, y: pos.y, width: pos.width, height: pos.height });
  }
  const outEdges: PlacedEdge[] = drawn.map((e, i) => {
    const lbl = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: { x: number; y: number }[] };
    return { ...e, points: lbl.points ?? [] };
  });
  const gl = g.graph() as { width?: number; height?: number };
  return { width: gl.width ?? 0, height: gl.height ?? 0, nodes: placed, edges: outEdges, dangling, undrawn };
}
