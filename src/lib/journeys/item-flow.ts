/**
 * The flow chart of what customers buy next: three columns (the items standing for orders 1, 2
 * and 3) with bands between them, laid out by d3-sankey. Each column keeps its `TOP_ITEMS` items
 * with the most customers; the rest share one "Other items" box, so the chart stays readable with
 * thousands of products.
 */
import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from 'd3-sankey';
import type { ItemPath } from './next-purchase';

export const TOP_ITEMS = 6;
export const OTHER_ITEMS = 'Other items';

export interface FlowBox {
	id: string;
	/** 1, 2 or 3: the order the column stands for. */
	order: number;
	item: string;
	customers: number;
	x0: number;
	x1: number;
	y0: number;
	y1: number;
}

export interface FlowBand {
	from: string;
	to: string;
	/** Order number of the band's left end. */
	order: number;
	customers: number;
	path: string;
	width: number;
}

type Node = { id: string; order: number; item: string };
type Link = { order: number; from: string; to: string };

/** The column's kept items: the `TOP_ITEMS` with the most customers there. */
function topItems(counts: Map<string, number>): Set<string> {
	return new Set(
		[...counts.entries()]
			.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
			.slice(0, TOP_ITEMS)
			.map(([item]) => item)
	);
}

/** Boxes and bands for the 2- and 3-order paths, in `width` × `height` pixels. */
export function layoutItemFlow(
	paths2: readonly ItemPath[],
	paths3: readonly ItemPath[],
	width: number,
	height: number
): { boxes: FlowBox[]; bands: FlowBand[] } {
	if (paths2.length === 0 || width <= 0 || height <= 0) return { boxes: [], bands: [] };
	const count = (paths: readonly ItemPath[], i: number) => {
		const m = new Map<string, number>();
		for (const p of paths) m.set(p.items[i]!, (m.get(p.items[i]!) ?? 0) + p.customers);
		return m;
	};
	const kept = [topItems(count(paths2, 0)), topItems(count(paths2, 1)), topItems(count(paths3, 2))];
	const name = (column: number, item: string) => (kept[column]!.has(item) ? item : OTHER_ITEMS);
	const links = new Map<string, { source: string; target: string; value: number } & Link>();
	const add = (order: number, from: string, to: string, value: number) => {
		const source = `${order}:${from}`;
		const target = `${order + 1}:${to}`;
		const key = `${source}>${target}`;
		const l = links.get(key) ?? { source, target, value: 0, order, from, to };
		l.value += value;
		links.set(key, l);
	};
	for (const p of paths2) add(1, name(0, p.items[0]!), name(1, p.items[1]!), p.customers);
	for (const p of paths3) add(2, name(1, p.items[1]!), name(2, p.items[2]!), p.customers);
	const ids = new Set([...links.values()].flatMap((l) => [l.source, l.target]));
	const nodes: Node[] = [...ids].map((id) => {
		const order = Number(id.slice(0, 1));
		return { id, order, item: id.slice(2) };
	});
	// "Other items" last in each column, the kept items by their customers.
	const rank = (n: Node) => (n.item === OTHER_ITEMS ? 1 : 0);
	const generator = sankey<Node, Link>()
		.nodeId((n) => n.id)
		.nodeSort((a, b) => a.order - b.order || rank(a) - rank(b) || (b.value ?? 0) - (a.value ?? 0))
		.nodeWidth(14)
		.nodePadding(10)
		.extent([
			[0, 0],
			[width, height]
		]);
	const graph = generator({ nodes: nodes.map((n) => ({ ...n })), links: [...links.values()].map((l) => ({ ...l })) });
	const path = sankeyLinkHorizontal<Node, Link>();
	return {
		boxes: (graph.nodes as SankeyNode<Node, Link>[]).map((n) => ({
			id: n.id,
			order: n.order,
			item: n.item,
			customers: n.value ?? 0,
			x0: n.x0 ?? 0,
			x1: n.x1 ?? 0,
			y0: n.y0 ?? 0,
			y1: n.y1 ?? 0
		})),
		bands: (graph.links as SankeyLink<Node, Link>[]).map((l) => ({
			from: l.from,
			to: l.to,
			order: l.order,
			customers: l.value,
			path: path(l) ?? '',
			width: Math.max(1, l.width ?? 1)
		}))
	};
}
