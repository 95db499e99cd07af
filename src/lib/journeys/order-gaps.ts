/**
 * When the next order comes: the days from order 1 to 2, 2 to 3 and 3 to 4 (median, quartiles and
 * a histogram), and who is due for a second order now: one-time buyers whose days since their
 * first order fall between the quartiles of the days to a second order, where half of all second
 * orders happen. Quartiles are type-7 (DuckDB's `quantile_cont`, R's default).
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_ORDERS } from '../db/tables';
import { date } from '../sql';

/** Order numbers whose gap to the next order is shown (1 → 2, 2 → 3, 3 → 4). */
export const GAP_FROM_ORDERS = [1, 2, 3] as const;

/** Width of a histogram bar in days; gaps from `HISTOGRAM_DAYS` on share the last bar. */
export const HISTOGRAM_BIN_DAYS = 15;
export const HISTOGRAM_DAYS = 360;

/** Count and quartiles of the days from order n to n + 1. */
export const GAP_SUMMARY_SQL = `SELECT order_number AS from_order_number, CAST(count(*) AS DOUBLE) AS customers,
	CAST(quantile_cont(date_diff('day', ordered_at, next_at), 0.5) AS DOUBLE) AS median_days,
	CAST(quantile_cont(date_diff('day', ordered_at, next_at), 0.25) AS DOUBLE) AS p25_days,
	CAST(quantile_cont(date_diff('day', ordered_at, next_at), 0.75) AS DOUBLE) AS p75_days
FROM ${JOURNEY_ORDERS} WHERE next_at IS NOT NULL AND order_number IN (${GAP_FROM_ORDERS.join(', ')})
GROUP BY ALL ORDER BY from_order_number`;

/** Customers per histogram bar (`bin` × `HISTOGRAM_BIN_DAYS` days on) per order number. */
export const GAP_HISTOGRAM_SQL = `SELECT order_number AS from_order_number,
	CAST(least(date_diff('day', ordered_at, next_at), ${HISTOGRAM_DAYS}) // ${HISTOGRAM_BIN_DAYS} AS INTEGER) AS bin, CAST(count(*) AS DOUBLE) AS customers
FROM ${JOURNEY_ORDERS} WHERE next_at IS NOT NULL AND order_number IN (${GAP_FROM_ORDERS.join(', ')})
GROUP BY ALL ORDER BY from_order_number, bin`;

/** One-time buyers whose days since their first order (to the analysis date) lie in [from, to]. */
export function dueForSecondSql(analysisDate: string, from: number, to: number): string {
	return `SELECT customer_id FROM ${JOURNEY_ORDERS}
WHERE orders = 1 AND date_diff('day', ordered_at, ${date(analysisDate)}) BETWEEN ${Math.ceil(from)} AND ${Math.floor(to)}`;
}

/** The customers whose order n was followed by another, with the gap in `[fromDays, toDays]` when given. */
export function gapCustomersSql(fromOrderNumber: number, days?: { from: number; to: number }): string {
	const within = days ? ` AND date_diff('day', ordered_at, next_at) BETWEEN ${Math.ceil(days.from)} AND ${Math.floor(days.to)}` : '';
	return `SELECT customer_id FROM ${JOURNEY_ORDERS} WHERE order_number = ${Math.trunc(fromOrderNumber)} AND next_at IS NOT NULL${within}`;
}

export interface GapSummary {
	from_order_number: number;
	customers: number;
	median_days: number;
	p25_days: number;
	p75_days: number;
	/** Customers per bar: index i covers days [i·15, i·15 + 14]; the last bar everything from 360 days on. */
	histogram: number[];
}

/** What the time-between-orders view shows. */
export interface OrderGaps {
	gaps: GapSummary[];
	/** One-time buyers now between the quartiles of the days to a second order (null: no second orders yet). */
	due: { customers: number; fromDays: number; toDays: number } | null;
	oneTimeBuyers: number;
}

/** Runs the time-between-orders queries on the journey tables. */
export async function orderGaps(db: SqlRunner, analysisDate: string): Promise<OrderGaps> {
	const summaries = await db.rows<Omit<GapSummary, 'histogram'>>(GAP_SUMMARY_SQL);
	const bars = await db.rows<{ from_order_number: number; bin: number; customers: number }>(GAP_HISTOGRAM_SQL);
	const bins = HISTOGRAM_DAYS / HISTOGRAM_BIN_DAYS + 1;
	const gaps = summaries.map((s) => {
		const histogram = new Array<number>(bins).fill(0);
		for (const b of bars) if (b.from_order_number === s.from_order_number) histogram[b.bin] = b.customers;
		return { ...s, histogram };
	});
	const [once] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${JOURNEY_ORDERS} WHERE orders = 1`);
	const second = gaps.find((g) => g.from_order_number === 1);
	let due: OrderGaps['due'] = null;
	if (second) {
		const [row] = await db.rows<{ n: number }>(
			`SELECT CAST(count(*) AS DOUBLE) AS n FROM (${dueForSecondSql(analysisDate, second.p25_days, second.p75_days)})`
		);
		due = { customers: row?.n ?? 0, fromDays: Math.ceil(second.p25_days), toDays: Math.floor(second.p75_days) };
	}
	return { gaps, due, oneTimeBuyers: once?.n ?? 0 };
}

/** The CSV columns of the time-between-orders export. */
export const ORDER_GAPS_CSV_COLUMNS = ['from_order_number', 'customers', 'median_days', 'p25_days', 'p75_days'] as const;
