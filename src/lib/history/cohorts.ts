/**
 * Acquisition cohorts: customers grouped by the month or quarter of their first order, and for
 * each later period the share of the cohort that ordered again (retention) and the revenue.
 * Orders after the analysis date are left out, like everywhere else.
 */
import { date } from '../sql';
import { RETURNS_TABLE_SQL } from '../rfm/analysis';
import { addDays } from '../dates';
import type { SqlRunner } from '../db/runner';
import { periodLabel, periodsBetween, periodStart } from './periods';

export type CohortGrain = 'month' | 'quarter';
export const COHORT_GRAINS: readonly CohortGrain[] = ['month', 'quarter'];

/** One period of a cohort's life: index 0 is the period of their first order. */
export interface CohortPeriod {
	index: number;
	/** Customers of the cohort with an order in this period. */
	active: number;
	retention: number;
	revenue: number;
	orders: number;
	/** Revenue per cohort customer from the first period to this one. */
	cumulativeRevenuePerCustomer: number;
}

export interface Cohort {
	/** First day of the cohort's period (its id). */
	cohort: string;
	label: string;
	customers: number;
	revenue: number;
	/** One entry per period observed so far, from index 0 (gaps filled with zero activity). */
	periods: CohortPeriod[];
}

export interface CohortResult {
	grain: CohortGrain;
	analysisDate: string;
	cohorts: Cohort[];
	/** The largest period index observed (the oldest cohort's age). */
	maxIndex: number;
}

/** Customers active and revenue per (cohort, period index), orders up to the analysis date. */
export function cohortActivitySql(grain: CohortGrain, analysisDate: string): string {
	const until = `ordered_at <= ${date(analysisDate)}`;
	return `WITH firsts AS (SELECT customer_id, date_trunc('${grain}', min(ordered_at)) AS cohort FROM orders WHERE ${until} GROUP BY customer_id),
moves AS (
	SELECT o.customer_id, f.cohort, date_trunc('${grain}', o.ordered_at) AS period, o.amount, 1 AS is_order
	FROM orders o JOIN firsts f ON f.customer_id = o.customer_id WHERE o.${until}
	UNION ALL
	-- Returns net out of the period they are dated in, as on every other view; they do not make a customer active.
	SELECT r.customer_id, f.cohort, greatest(date_trunc('${grain}', r.returned_at), f.cohort) AS period, r.amount, 0 AS is_order
	FROM returns r JOIN firsts f ON f.customer_id = r.customer_id WHERE r.returned_at <= ${date(analysisDate)}
),
activity AS (SELECT customer_id, cohort, period, sum(amount) AS revenue, sum(is_order) AS orders FROM moves GROUP BY ALL)
SELECT strftime(cohort, '%Y-%m-%d') AS cohort, CAST(date_diff('${grain}', cohort, period) AS INTEGER) AS period_index,
	CAST(count(*) FILTER (WHERE orders > 0) AS DOUBLE) AS active, CAST(sum(revenue) AS DOUBLE) AS revenue, CAST(sum(orders) AS DOUBLE) AS orders
FROM activity GROUP BY ALL ORDER BY cohort, period_index`;
}

interface ActivityRow {
	cohort: string;
	period_index: number;
	active: number;
	revenue: number;
	orders: number;
}

/**
 * Folds activity rows into cohorts. A cohort's size is its activity in period 0 (everyone orders
 * in the period of their first order); periods run up to the one holding the day before the
 * analysis date, so a period with no order shows 0 % rather than disappearing.
 */
export function foldCohorts(rows: readonly ActivityRow[], grain: CohortGrain, analysisDate: string): CohortResult {
	const lastPeriod = periodStart(addDays(analysisDate, -1), grain);
	const byCohort = new Map<string, ActivityRow[]>();
	for (const r of rows) byCohort.set(r.cohort, [...(byCohort.get(r.cohort) ?? []), r]);
	const cohorts: Cohort[] = [];
	let maxIndex = 0;
	for (const [cohort, activity] of [...byCohort.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
		const customers = activity.find((a) => a.period_index === 0)?.active ?? 0;
		// The analysis date may be the first day of a period whose orders count (an explicit date).
		const last = Math.max(periodsBetween(cohort, lastPeriod, grain), ...activity.map((a) => a.period_index));
		const at = new Map(activity.map((a) => [a.period_index, a]));
		let cumulative = 0;
		const periods: CohortPeriod[] = [];
		for (let index = 0; index <= last; index++) {
			const a = at.get(index);
			cumulative += a?.revenue ?? 0;
			periods.push({
				index,
				active: a?.active ?? 0,
				retention: customers === 0 ? 0 : (a?.active ?? 0) / customers,
				revenue: a?.revenue ?? 0,
				orders: a?.orders ?? 0,
				cumulativeRevenuePerCustomer: customers === 0 ? 0 : cumulative / customers
			});
		}
		maxIndex = Math.max(maxIndex, last);
		cohorts.push({ cohort, label: periodLabel(cohort, grain), customers, revenue: cumulative, periods });
	}
	return { grain, analysisDate, cohorts, maxIndex };
}

/** The cohort table for the orders up to the analysis date. */
export async function computeCohorts(db: SqlRunner, grain: CohortGrain, analysisDate: string): Promise<CohortResult> {
	// Orders loaded by other tools may come without a returns table: an empty one nets nothing.
	await db.run(RETURNS_TABLE_SQL);
	return foldCohorts(await db.rows<ActivityRow>(cohortActivitySql(grain, analysisDate)), grain, analysisDate);
}

/**
 * The two cohorts compared by default: the newest cohort that has lived a year (12 months or 4
 * quarters) against the one a year before it; with less history, the oldest against the newest.
 */
export function defaultComparison(result: CohortResult): [string, string] | null {
	const { cohorts } = result;
	if (cohorts.length < 2) return null;
	const year = result.grain === 'month' ? 12 : 4;
	for (let i = cohorts.length - 1; i >= 0; i--) {
		const later = cohorts[i]!;
		const earlier = cohorts.find((c) => periodsBetween(c.cohort, later.cohort, result.grain) === year);
		if (earlier && later.periods.length > 1) return [earlier.cohort, later.cohort];
	}
	return [cohorts[0]!.cohort, cohorts.at(-1)!.cohort];
}
