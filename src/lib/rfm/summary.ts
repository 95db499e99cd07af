/**
 * The matrix, the segment table and the customers per score, all folded from one small grouped
 * result (customers per r, f, m and segment): one query instead of three, at most
 * levels³ × segments rows whatever the number of customers.
 */
import { segmentColor } from './segments';
import { METRICS, type RuleSet, type Thresholds } from './types';
import { CUSTOMER_SCORES } from '../db/tables';

/** Customers sharing one score triple and segment. */
export interface ScoreGroup {
	r: number;
	f: number;
	m: number;
	segment: string;
	customers: number;
	orders: number;
	revenue: number;
	recency_days_sum: number;
}

/** One R×F cell of the matrix. `segment` is the cell's segment (the largest one when rules use M). */
export interface MatrixCell {
	r: number;
	f: number;
	customers: number;
	orders: number;
	revenue: number;
	segment: string | null;
	/**
	 * Shared summaries only: the cell holds fewer than this many customers, so its figures are
	 * withheld (zeros here) and it reads "< 5" (a cell of one customer would show their orders and spend).
	 */
	fewerThan?: number;
}

/** The figures every group of customers shows: RFM segments and behaviour segments alike. */
export interface GroupFigures {
	customers: number;
	customerShare: number;
	orders: number;
	revenue: number;
	revenueShare: number;
	averageOrderValue: number;
}

export interface SegmentSummary extends GroupFigures {
	segment: string;
	color: string;
	averageRecencyDays: number;
	/** Shared summaries only: fewer than this many customers, figures withheld (see MatrixCell.fewerThan). */
	fewerThan?: number;
}

/** Groups customers by their scores and segment (the input of `summarise`). Revenue is real revenue, whatever M scores. */
export const SCORE_GROUPS_SQL = `SELECT r, f, m, segment, CAST(count(*) AS DOUBLE) AS customers, CAST(sum(frequency) AS DOUBLE) AS orders,
	CAST(sum(revenue) AS DOUBLE) AS revenue, CAST(sum(recency_days) AS DOUBLE) AS recency_days_sum
FROM ${CUSTOMER_SCORES} GROUP BY r, f, m, segment`;

/**
 * Folds score groups into matrix cells, segment rows (in rule order) and the customers of each
 * threshold band (filled in place).
 */
export function summarise(
	groups: readonly ScoreGroup[],
	ruleSet: RuleSet,
	thresholds: Thresholds
): { matrix: MatrixCell[]; segments: SegmentSummary[] } {
	const totalCustomers = groups.reduce((s, g) => s + g.customers, 0);
	const totalRevenue = groups.reduce((s, g) => s + g.revenue, 0);

	const score = { recency: 'r', frequency: 'f', monetary: 'm' } as const;
	for (const metric of METRICS) {
		for (const band of thresholds[metric]) {
			band.customers = groups.filter((g) => g[score[metric]] === band.score).reduce((s, g) => s + g.customers, 0);
		}
	}

	const cells = new Map<string, MatrixCell & { bySegment: Map<string, number> }>();
	const bySegment = new Map<string, { customers: number; orders: number; revenue: number; recency: number }>();
	for (const g of groups) {
		const key = `${g.r}:${g.f}`;
		const cell = cells.get(key) ?? { r: g.r, f: g.f, customers: 0, orders: 0, revenue: 0, segment: null, bySegment: new Map() };
		cell.customers += g.customers;
		cell.orders += g.orders;
		cell.revenue += g.revenue;
		cell.bySegment.set(g.segment, (cell.bySegment.get(g.segment) ?? 0) + g.customers);
		cells.set(key, cell);
		const seg = bySegment.get(g.segment) ?? { customers: 0, orders: 0, revenue: 0, recency: 0 };
		seg.customers += g.customers;
		seg.orders += g.orders;
		seg.revenue += g.revenue;
		seg.recency += g.recency_days_sum;
		bySegment.set(g.segment, seg);
	}

	const matrix: MatrixCell[] = [...cells.values()].map(({ bySegment: counts, ...cell }) => ({
		...cell,
		// Ties go to the name first in alphabetical order, so the label does not flicker between runs.
		segment: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null
	}));

	const order = [...ruleSet.rules.map((r) => r.name), ruleSet.fallback];
	const segments: SegmentSummary[] = [...bySegment.entries()]
		.map(([segment, s]) => ({
			segment,
			color: segmentColor(ruleSet, segment),
			customers: s.customers,
			customerShare: totalCustomers === 0 ? 0 : s.customers / totalCustomers,
			orders: s.orders,
			revenue: s.revenue,
			revenueShare: totalRevenue === 0 ? 0 : s.revenue / totalRevenue,
			averageOrderValue: s.orders === 0 ? 0 : s.revenue / s.orders,
			averageRecencyDays: s.customers === 0 ? 0 : s.recency / s.customers
		}))
		.sort((a, b) => order.indexOf(a.segment) - order.indexOf(b.segment));

	return { matrix, segments };
}
