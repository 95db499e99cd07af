/**
 * What a cohort is worth: cumulative revenue per customer (net of credits) by months since the
 * first order, per acquisition month or quarter, or per what the first order held (item, channel,
 * coupon). Months are calendar months, month 0 the month of the first order, as on History's
 * cohorts. Each point counts only the customers observed through that month (its last day on or
 * before the analysis date), so a young customer never drags an old curve down.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_CUSTOMERS, JOURNEY_ITEMS, JOURNEY_REVENUE } from '../db/tables';
import { date, str } from '../sql';
import { NO_CHANNEL, NO_COUPON } from './first-order';

/** What customers are grouped by. */
export type CohortKind = 'month' | 'quarter' | 'item' | 'channel' | 'coupon';
export const COHORT_KINDS: readonly CohortKind[] = ['month', 'quarter', 'item', 'channel', 'coupon'];

/** A customer's cohort (CTE `keyed`: customer_id, cohort, observed = last month observed through). */
function keyedSql(kind: CohortKind, analysisDate: string): string {
	const firsts = `SELECT customer_id, first_at, coupon, channel,
	date_diff('month', first_at, ${date(analysisDate)} + 1) - 1 AS observed
	FROM ${JOURNEY_CUSTOMERS}`;
	switch (kind) {
		case 'month':
		case 'quarter':
			return `SELECT customer_id, strftime(date_trunc('${kind}', first_at), '%Y-%m-%d') AS cohort, observed FROM (${firsts})`;
		case 'item':
			return `SELECT f.customer_id, j.item AS cohort, f.observed FROM (${firsts}) f
	JOIN ${JOURNEY_ITEMS} j ON j.customer_id = f.customer_id AND j.order_number = 1`;
		case 'channel':
			return `SELECT customer_id, coalesce(channel, ${str(NO_CHANNEL)}) AS cohort, observed FROM (${firsts})`;
		case 'coupon':
			return `SELECT customer_id, coalesce(coupon, ${str(NO_COUPON)}) AS cohort, observed FROM (${firsts})`;
	}
}

/** Customers per (cohort, last month observed through). */
export function cohortSizesSql(kind: CohortKind, analysisDate: string): string {
	return `SELECT cohort, CAST(observed AS INTEGER) AS observed, CAST(count(*) AS DOUBLE) AS customers
FROM (${keyedSql(kind, analysisDate)}) GROUP BY ALL`;
}

/** Revenue per (cohort, last month observed through, month since the first order). */
export function cohortRevenueSql(kind: CohortKind, analysisDate: string): string {
	return `WITH keyed AS (${keyedSql(kind, analysisDate)}),
months AS (SELECT customer_id, date_diff('month', first_at, dated) AS month, sum(amount) AS revenue FROM ${JOURNEY_REVENUE} GROUP BY ALL)
SELECT k.cohort, CAST(k.observed AS INTEGER) AS observed, CAST(m.month AS INTEGER) AS month, CAST(sum(m.revenue) AS DOUBLE) AS revenue
FROM keyed k JOIN months m ON m.customer_id = k.customer_id
WHERE m.month <= k.observed GROUP BY ALL`;
}

/** The customers of one cohort (all of them, observed or not). */
export function cohortCustomersSql(kind: CohortKind, cohort: string, analysisDate: string): string {
	return `SELECT customer_id FROM (${keyedSql(kind, analysisDate)}) WHERE cohort = ${str(cohort)}`;
}

/** One point of a cohort's curve. */
export interface CohortValuePoint {
	monthsSinceFirst: number;
	/** Customers of the cohort observed through this month. */
	customers: number;
	cumulativeRevenuePerCustomer: number;
}

export interface CohortCurve {
	cohort: string;
	/** Every customer of the cohort (observed through month 0 or not). */
	customers: number;
	points: CohortValuePoint[];
}

/**
 * Folds sizes and revenue into curves: at month m, the customers observed through m and their
 * revenue in months 0…m. Cohorts are ordered by size (time cohorts by date).
 */
export function foldCohortCurves(
	kind: CohortKind,
	sizes: readonly { cohort: string; observed: number; customers: number }[],
	revenue: readonly { cohort: string; observed: number; month: number; revenue: number }[]
): CohortCurve[] {
	const curves = new Map<string, { total: number; byObserved: Map<number, number>; cells: typeof revenue }>();
	const entry = (cohort: string) => {
		let c = curves.get(cohort);
		if (!c) curves.set(cohort, (c = { total: 0, byObserved: new Map(), cells: [] }));
		return c;
	};
	for (const s of sizes) {
		const c = entry(s.cohort);
		c.total += s.customers;
		c.byObserved.set(s.observed, (c.byObserved.get(s.observed) ?? 0) + s.customers);
	}
	for (const r of revenue) (entry(r.cohort).cells as (typeof r)[]).push(r);
	const result: CohortCurve[] = [];
	for (const [cohort, c] of curves) {
		const longest = Math.max(-1, ...c.byObserved.keys());
		const points: CohortValuePoint[] = [];
		for (let m = 0; m <= longest; m++) {
			let customers = 0;
			for (const [observed, n] of c.byObserved) if (observed >= m) customers += n;
			let value = 0;
			for (const cell of c.cells) if (cell.observed >= m && cell.month <= m) value += cell.revenue;
			if (customers > 0) points.push({ monthsSinceFirst: m, customers, cumulativeRevenuePerCustomer: value / customers });
		}
		result.push({ cohort, customers: c.total, points });
	}
	const byTime = kind === 'month' || kind === 'quarter';
	return result.sort((a, b) => (byTime ? a.cohort.localeCompare(b.cohort) : b.customers - a.customers || a.cohort.localeCompare(b.cohort)));
}

/** Runs the cohort value queries on the journey tables. */
export async function cohortValue(db: SqlRunner, kind: CohortKind, analysisDate: string): Promise<CohortCurve[]> {
	const sizes = await db.rows<{ cohort: string; observed: number; customers: number }>(cohortSizesSql(kind, analysisDate));
	const revenue = await db.rows<{ cohort: string; observed: number; month: number; revenue: number }>(cohortRevenueSql(kind, analysisDate));
	return foldCohortCurves(kind, sizes, revenue);
}

/** The CSV columns of the cohort value export. */
export const COHORT_VALUE_CSV_COLUMNS = ['cohort', 'months_since_first', 'customers', 'cumulative_revenue_per_customer'] as const;
