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
}

export interface LineageLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  /** Edges whose endpoints are not in the node list (shown in the legend as dangling). */
  dangling: GraphEdgeInput[];
}

export const NODE_WIDTH = 212;
export const NODE_HEIGHT = 58;

export function layoutLineage(
  nodes: readonly GraphNodeInput[],
  edges: readonly GraphEdgeInput[],
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
  const placedEdges: GraphEdgeInput[] = [];
  const dangling: GraphEdgeInput[] = [];
  edges.forEach((e, i) => {
    if (!ids.has(e.from) || !ids.has(e.to)) {
      dangling.push(e);
      return;
    }
    placedEdges.push(e);
    g.setEdge(e.from, e.to, { weight: e.kind === 'predecessor' ? 2 : 1 }, `e${i}`);
  });
  layout(g);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const placed: PlacedNode[] = [];
  for (const id of ids) {
    const pos = g.node(id) as { x: number; y: number; width: number; height: number };
    placed.push({ ...byId.get(id)!, x: pos.x, y: pos.y, width: pos.width, height: pos.height });
  }
  const outEdges: PlacedEdge[] = [];
  let k = 0;
  edges.forEach((e, i) => {
    if (!ids.has(e.from) || !ids.has(e.to)) return;
    const lbl = g.edge({ v: e.from, w: e.to, name: `e${i}` }) as { points?: { x: number; y: number }[] };
    outEdges.push({ ...placedEdges[k++]!, points: lbl.points ?? [] });
  });
  const gl = g.graph() as { width?: number; height?: number };
  return { width: gl.width ?? 0, height: gl.height ?? 0, nodes: placed, edges: outEdges, dangling };
}
