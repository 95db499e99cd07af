/**
 * The migration Sankey's geometry: d3-sankey lays out two columns (states on the earlier date on
 * the left, on the later date on the right) in the states' display order; Svelte draws it.
 */
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import { stateKey, type HistoryState } from './as-of';
import type { MigrationFlow, MigrationResult } from './migration';

export interface SankeyBox {
	id: string;
	side: 'from' | 'to';
	state: HistoryState;
	customers: number;
	x0: number;
	x1: number;
	y0: number;
	y1: number;
}

export interface SankeyBand {
	flow: MigrationFlow;
	/** SVG path of the band's centre line; draw it with `width` as the stroke width. */
	path: string;
	width: number;
}

type Node = { id: string; side: 'from' | 'to'; state: HistoryState };
type Link = { flow: MigrationFlow };

/**
 * Boxes and bands for the flows, in `width` × `height` pixels. Flows with no customers are left
 * out, so are customers who were not customers on either date (none, by construction).
 */
export function layoutSankey(result: MigrationResult, width: number, height: number): { boxes: SankeyBox[]; bands: SankeyBand[] } {
	const flows = result.flows.filter((f) => f.customers > 0);
	if (flows.length === 0 || width <= 0 || height <= 0) return { boxes: [], bands: [] };
	const used = new Set(flows.flatMap((f) => [`from:${stateKey(f.from)}`, `to:${stateKey(f.to)}`]));
	const nodes: Node[] = (['from', 'to'] as const).flatMap((side) =>
		result.states.map((state) => ({ id: `${side}:${stateKey(state)}`, side, state })).filter((n) => used.has(n.id))
	);
	const links = flows.map((flow) => ({
		source: `from:${stateKey(flow.from)}`,
		target: `to:${stateKey(flow.to)}`,
		value: flow.customers,
		flow
	}));
	const generator = sankey<Node, Link>()
		.nodeId((n) => n.id)
		// Keep the display order (rule order) instead of d3-sankey's relaxation.
		.nodeSort(() => 0)
		.nodeWidth(14)
		.nodePadding(Math.max(4, Math.min(14, height / (2 * result.states.length))))
		.extent([
			[0, 0],
			[width, height]
		]);
	const graph = generator({ nodes: nodes.map((n) => ({ ...n })), links: links.map((l) => ({ ...l })) });
	const path = sankeyLinkHorizontal<Node, Link>();
	const boxes = (graph.nodes as SankeyNode<Node, Link>[]).map((n) => ({
		id: n.id,
		side: n.side,
		state: n.state,
		customers: n.value ?? 0,
		x0: n.x0 ?? 0,
		x1: n.x1 ?? 0,
		y0: n.y0 ?? 0,
		y1: n.y1 ?? 0
	}));
	const bands = (graph.links as SankeyLink<Node, Link>[]).map((l) => ({
		flow: l.flow,
		path: path(l) ?? '',
		width: Math.max(1, l.width ?? 1)
	}));
	return { boxes, bands };
}
