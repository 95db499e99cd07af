/**
 * Which first order makes a loyal customer: customers grouped by what their first order held (each
 * item of it, its coupon or its channel), and per group the share who ordered again within 90, 180
 * and 365 days, and orders and revenue per customer in their first 365 days (the first order
 * included, credits netted). Each rate counts only customers observed that long: first order at
 * least N days before the analysis date. A 95 % Wilson interval goes with each rate; groups of
 * fewer than `SMALL_SAMPLE` observed customers are flagged.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_CUSTOMERS, JOURNEY_ITEMS } from '../db/tables';
import { str } from '../sql';

/** What a first order is grouped by. */
export type FirstOrderDimension = 'item' | 'coupon' | 'channel';
export const FIRST_ORDER_DIMENSIONS: readonly FirstOrderDimension[] = ['item', 'coupon', 'channel'];

/** The days within which a second order counts as a repeat. */
export const REPEAT_HORIZONS = [90, 180, 365] as const;
export type RepeatHorizon = (typeof REPEAT_HORIZONS)[number];

/** Below this many observed customers a rate is shown with a warning. */
export const SMALL_SAMPLE = 30;

/** The group of first orders without a coupon (or channel): never a real code, which cannot start with "(". */
export const NO_COUPON = '(no coupon)';
export const NO_CHANNEL = '(no channel)';
/** The two groups of customers by whether their first order had a coupon. */
export const WITH_COUPON = 'With a coupon';
export const WITHOUT_COUPON = 'Without a coupon';

/** Groupings of first orders: the view's dimensions, everyone together, and with or without a coupon. */
export type Grouping = FirstOrderDimension | 'all' | 'acquired';

/** The per-customer facts of the first order (CTE `per`; `journey_customers` holds them for the analysis date). */
const PER_CUSTOMER = `per AS (SELECT customer_id, first_at, coupon, channel, gap, age, orders_365d AS orders, revenue_365d AS revenue FROM ${JOURNEY_CUSTOMERS})`;

/** The group key of a customer in `per p` (and the join it needs). */
function keyed(dimension: Grouping): { key: string; join: string } {
	switch (dimension) {
		case 'all':
			return { key: `'All customers'`, join: '' };
		case 'item':
			return { key: 'j.item', join: `JOIN ${JOURNEY_ITEMS} j ON j.customer_id = p.customer_id AND j.order_number = 1` };
		case 'coupon':
			return { key: `coalesce(p.coupon, ${str(NO_COUPON)})`, join: '' };
		case 'channel':
			return { key: `coalesce(p.channel, ${str(NO_CHANNEL)})`, join: '' };
		case 'acquired':
			return { key: `CASE WHEN p.coupon IS NULL THEN ${str(WITHOUT_COUPON)} ELSE ${str(WITH_COUPON)} END`, join: '' };
	}
}

/** Per group of first orders: customers, observed and repeat counts per horizon, first-year orders and revenue. */
export function firstOrderSql(dimension: Grouping): string {
	const { key, join } = keyed(dimension);
	const horizons = REPEAT_HORIZONS.map(
		(h) => `CAST(count(*) FILTER (WHERE p.age >= ${h}) AS DOUBLE) AS observed_${h}d,
	CAST(count(*) FILTER (WHERE p.age >= ${h} AND p.gap <= ${h}) AS DOUBLE) AS repeat_${h}d`
	);
	return `WITH ${PER_CUSTOMER}
SELECT ${key} AS first_item, CAST(count(*) AS DOUBLE) AS customers,
	${horizons.join(',\n\t')},
	CAST(coalesce(sum(p.orders) FILTER (WHERE p.age >= 365), 0) AS DOUBLE) AS orders_365d,
	CAST(coalesce(sum(p.revenue) FILTER (WHERE p.age >= 365), 0) AS DOUBLE) AS revenue_365d
FROM per p ${join}
GROUP BY ALL ORDER BY customers DESC, first_item`;
}

/** The customers of one group of first orders; with `repeatWithin`, only the observed ones who came back within it. */
export function firstOrderCustomersSql(dimension: Grouping, group: string, repeatWithin?: RepeatHorizon): string {
	const { key, join } = keyed(dimension);
	const repeat = repeatWithin === undefined ? '' : ` AND p.age >= ${repeatWithin} AND p.gap <= ${repeatWithin}`;
	return `WITH ${PER_CUSTOMER}
SELECT p.customer_id FROM per p ${join} WHERE ${key} = ${str(group)}${repeat}`;
}

/** A rate with its 95 % Wilson interval; null figures when nobody was observed that long. */
export interface Rate {
	observed: number;
	repeated: number;
	rate: number | null;
	low: number | null;
	high: number | null;
}

/** One group of first orders. */
export interface FirstOrderGroup {
	first_item: string;
	customers: number;
	rates: Record<RepeatHorizon, Rate>;
	/** Orders per customer in the first 365 days (customers observed 365 days); null when none was. */
	ordersPerCustomer365d: number | null;
	revenuePerCustomer365d: number | null;
	/** Fewer than `SMALL_SAMPLE` customers observed for the 365-day rate (or the longest observed horizon). */
	smallSample: boolean;
}

/**
 * The Wilson score interval for `k` successes in `n` trials at `z` (1.96: 95 %): unlike p ± z·se it
 * stays inside [0, 1] and is honest for small groups and rates near 0 or 1.
 */
export function wilson(k: number, n: number, z = 1.959963984540054): { low: number; high: number } | null {
	if (n <= 0) return null;
	const p = k / n;
	const z2 = z * z;
	const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
	const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
	// At k = 0 or k = n a bound is exactly 0 or 1; rounding would leave 1e-16 on the wrong side.
	return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

type GroupRow = { first_item: string; customers: number; orders_365d: number; revenue_365d: number } & Record<string, number | string>;

/** Folds a `firstOrderSql` row into a group with its rates and intervals. */
export function toFirstOrderGroup(row: GroupRow): FirstOrderGroup {
	const rates = {} as Record<RepeatHorizon, Rate>;
	for (const h of REPEAT_HORIZONS) {
		const observed = Number(row[`observed_${h}d`]);
		const repeated = Number(row[`repeat_${h}d`]);
		const interval = wilson(repeated, observed);
		rates[h] = {
			observed,
			repeated,
			rate: observed > 0 ? repeated / observed : null,
			low: interval?.low ?? null,
			high: interval?.high ?? null
		};
	}
	const year = rates[365].observed;
	return {
		first_item: row.first_item,
		customers: row.customers,
		rates,
		ordersPerCustomer365d: year > 0 ? row.orders_365d / year : null,
		revenuePerCustomer365d: year > 0 ? row.revenue_365d / year : null,
		smallSample: (year > 0 ? year : rates[90].observed) < SMALL_SAMPLE
	};
}

/** What the first-order view shows: every customer together, and each group. */
export interface FirstOrderAnalysis {
	dimension: FirstOrderDimension;
	all: FirstOrderGroup;
	groups: FirstOrderGroup[];
}

/** Runs the first-order analysis on the journey tables. */
export async function firstOrderAnalysis(db: SqlRunner, dimension: FirstOrderDimension): Promise<FirstOrderAnalysis> {
	const [all] = await db.rows<GroupRow>(firstOrderSql('all'));
	const groups = await db.rows<GroupRow>(firstOrderSql(dimension));
	return {
		dimension,
		all: toFirstOrderGroup(all ?? ({ first_item: 'All customers', customers: 0, orders_365d: 0, revenue_365d: 0 } as GroupRow)),
		groups: groups.map(toFirstOrderGroup)
	};
}

/** The CSV columns of the first-order export (the names first, then the other horizons). */
export const FIRST_ORDER_CSV_COLUMNS = [
	'first_item',
	'customers',
	'repeat_rate_90d',
	'repeat_rate_365d',
	'revenue_per_customer_365d',
	'repeat_ci_low',
	'repeat_ci_high',
	'repeat_rate_180d',
	'orders_per_customer_365d',
	'customers_observed_365d'
] as const;

/** A group as a CSV record; the interval is the 365-day rate's. */
export function firstOrderCsvRow(g: FirstOrderGroup): Record<(typeof FIRST_ORDER_CSV_COLUMNS)[number], string | number | null> {
	return {
		first_item: g.first_item,
		customers: g.customers,
		repeat_rate_90d: g.rates[90].rate,
		repeat_rate_365d: g.rates[365].rate,
		revenue_per_customer_365d: g.revenuePerCustomer365d,
		repeat_ci_low: g.rates[365].low,
		repeat_ci_high: g.rates[365].high,
		repeat_rate_180d: g.rates[180].rate,
		orders_per_customer_365d: g.ordersPerCustomer365d,
		customers_observed_365d: g.rates[365].observed
	};
}
