/**
 * Behaviour segments: ready-made groups merchants ask for by name (new customers, one-time
 * buyers, top spenders, revenue tiers, "next order due"…). Unlike RFM segments they overlap: one
 * customer can be new, a one-time buyer and a top spender at once.
 *
 * Built after scoring, from `customer_scores` (one row per customer whose orders count) and the
 * `orders` table, into `customer_behaviour` (one row per customer, a boolean per segment, the
 * revenue tier and the expected next order date).
 *
 * Days are counted against the analysis date A (by default the day after the latest order, so
 * "today" in the data's own calendar), with recency_days = A − last order date:
 * - "in the last N days" means the N calendar days before A, A − N … A − 1: `A − date <= N`.
 *   An order dated A itself (possible only when the merchant picks an earlier analysis date) has
 *   0 days and counts too. With the default A, an order on the latest day has recency 1.
 * - "no order in N days" is its exact complement: recency_days > N.
 * - "the next N days" are A … A + N − 1 (A is today, so an expected date of A is due, not overdue);
 *   "overdue" means the expected date is before A.
 */
import { date, num, str } from '../sql';
import type { SqlRunner } from '../db/runner';
import type { GroupFigures } from './summary';
import { CUSTOMER_BEHAVIOUR, CUSTOMER_SCORES, WINDOW_ORDERS } from '../db/tables';

/** A support tier: customers whose lifetime revenue is at least `minRevenue` (up to the next tier's). */
export interface RevenueTier {
	name: string;
	minRevenue: number;
}

/** The editable thresholds of the behaviour segments. */
export interface BehaviourSettings {
	/** New customers: first order in the last N days. */
	newDays: number;
	/** Recent buyers: at least one order in the last N days. */
	recentOrderDays: number;
	/** Loyal: more than N orders. */
	loyalMinOrders: number;
	/** Inactive: no order in the last N days. */
	inactiveDays: number;
	/** Top spenders: the top N% of customers by revenue, everyone tied with the last one included. */
	topSpenderPercent: number;
	/** Tiers by lifetime revenue, in any order (each covers its minimum up to the next higher one). */
	tiers: RevenueTier[];
	/** Long time missing: repeat buyers silent for more than this many times their usual gap. */
	longMissingFactor: number;
	/** Next order due: the expected next order falls in the next N days. */
	dueWithinDays: number;
}

export const DEFAULT_BEHAVIOUR: BehaviourSettings = {
	newDays: 30,
	recentOrderDays: 30,
	loyalMinOrders: 5,
	inactiveDays: 180,
	topSpenderPercent: 10,
	tiers: [
		{ name: 'Bronze', minRevenue: 0 },
		{ name: 'Silver', minRevenue: 250 },
		{ name: 'Gold', minRevenue: 1000 }
	],
	longMissingFactor: 2,
	dueWithinDays: 14
};

/** The fixed behaviour segments; tiers add `tier:<name>` ids. */
export const BEHAVIOUR_IDS = [
	'new',
	'recent',
	'one-time',
	'repeat',
	'loyal',
	'inactive',
	'top-spenders',
	'long-missing',
	'due-soon',
	'overdue'
] as const;
export type FixedBehaviourId = (typeof BEHAVIOUR_IDS)[number];

/** A fixed id, or `tier:<tier name>` (e.g. `tier:Gold`). */
export type BehaviourId = FixedBehaviourId | `tier:${string}`;

const TIER_PREFIX = 'tier:';

export function tierId(name: string): BehaviourId {
	return `${TIER_PREFIX}${name}`;
}

/** The boolean column of `customer_behaviour` behind each fixed segment. */
export const BEHAVIOUR_COLUMN: Record<FixedBehaviourId, string> = {
	new: 'is_new',
	recent: 'has_recent_order',
	'one-time': 'is_one_time',
	repeat: 'is_repeat',
	loyal: 'is_loyal',
	inactive: 'is_inactive',
	'top-spenders': 'is_top_spender',
	'long-missing': 'is_long_missing',
	'due-soon': 'is_due_soon',
	overdue: 'is_overdue'
};

export interface BehaviourDefinition {
	id: BehaviourId;
	name: string;
	/** What it means, for merchants, with the thresholds in force. */
	description: string;
	kind: 'behaviour' | 'tier';
}

export interface BehaviourSummary extends BehaviourDefinition, GroupFigures {
	/** Something the numbers alone do not say (ties included at the top-spender cut-off, the store's usual gap). */
	note: string | null;
}

const count = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
/** "the last day", "the last 30 days". */
const days = (n: number) => (n === 1 ? 'day' : `${count.format(n)} days`);
const dayCount = (n: number) => (n === 1 ? '1 day' : `${count.format(n)} days`);
const orders = (n: number) => (n === 1 ? '1 order' : `${count.format(n)} orders`);

/**
 * The tier of customers under every tier's minimum (with the default tiers: net revenue below 0,
 * returns exceeding purchases). Always listed, so the tiers add up to every customer (issue 20).
 */
export const BELOW_TIERS = 'Below the tiers';

/** Tiers from the lowest minimum up. */
export function sortedTiers(tiers: readonly RevenueTier[]): RevenueTier[] {
	return [...tiers].sort((a, b) => a.minRevenue - b.minRevenue);
}

/** Every behaviour segment with a description written for merchants, in display order. */
export function behaviourDefinitions(settings: BehaviourSettings): BehaviourDefinition[] {
	const s = settings;
	const fixed: Record<FixedBehaviourId, [string, string]> = {
		new: ['New customers', `First order in the last ${days(s.newDays)}.`],
		recent: ['Ordered recently', `At least one order in the last ${days(s.recentOrderDays)}.`],
		'one-time': ['One-time buyers', 'Exactly one order so far.'],
		repeat: ['Repeat buyers', 'Two or more orders.'],
		loyal: ['Loyal customers', `More than ${orders(s.loyalMinOrders)}.`],
		inactive: ['Inactive', `No order in the last ${days(s.inactiveDays)}.`],
		'top-spenders': [
			'Top spenders',
			`The top ${count.format(s.topSpenderPercent)}% of customers by revenue; customers tied with the last one at the cut-off are included.`
		],
		'long-missing': [
			'Long time missing',
			`Repeat buyers who have been silent for more than ${count.format(s.longMissingFactor)}× their usual gap between orders.`
		],
		'due-soon': [
			'Next order due',
			`Expected to order again in the next ${days(s.dueWithinDays)}: last order plus their usual gap between orders (the store's usual gap for one-time buyers).`
		],
		overdue: ['Overdue', 'The date they were expected to order again has passed (last order plus their usual gap).']
	};
	const tiers = sortedTiers(s.tiers);
	return [
		...BEHAVIOUR_IDS.map((id) => ({ id, name: fixed[id][0], description: fixed[id][1], kind: 'behaviour' as const })),
		...tiers.map((tier, i) => {
			const next = tiers[i + 1];
			const range = next
				? `from ${count.format(tier.minRevenue)} up to ${count.format(next.minRevenue)}`
				: `${count.format(tier.minRevenue)} or more`;
			return { id: tierId(tier.name), name: tier.name, description: `Lifetime revenue ${range}.`, kind: 'tier' as const };
		}),
		belowTiers(tiers[0]?.minRevenue ?? 0)
	];
}

/** The catch-all tier under the lowest minimum. */
function belowTiers(lowest: number): BehaviourDefinition {
	const why = lowest <= 0 ? ' (returns and cancellations exceed purchases)' : '';
	return {
		id: tierId(BELOW_TIERS),
		name: BELOW_TIERS,
		description: `Lifetime revenue under ${count.format(lowest)}${why}: below every tier, so that the tiers count every customer.`,
		kind: 'tier'
	};
}

const MAX_DAYS = 36_525;

/** The first problem with the settings, written for the merchant, or null when they can be used. */
export function validateBehaviour(settings: BehaviourSettings): string | null {
	const wholeDays: [keyof BehaviourSettings, string][] = [
		['newDays', 'New customers'],
		['recentOrderDays', 'Ordered recently'],
		['inactiveDays', 'Inactive'],
		['dueWithinDays', 'Next order due']
	];
	for (const [key, label] of wholeDays) {
		const v = settings[key];
		if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DAYS)
			return `${label}: the number of days must be a whole number from 1 to ${count.format(MAX_DAYS)}.`;
	}
	const { loyalMinOrders: loyal, topSpenderPercent: top, longMissingFactor: factor, tiers } = settings;
	if (!Number.isInteger(loyal) || loyal < 1 || loyal > 1_000_000)
		return 'Loyal customers: the number of orders must be a whole number of 1 or more.';
	if (!Number.isFinite(top) || top <= 0 || top > 100) return 'Top spenders: the share must be a percentage above 0 and at most 100.';
	if (!Number.isFinite(factor) || factor < 1 || factor > 100)
		return 'Long time missing: the factor must be a number from 1 to 100 (2 means twice their usual gap).';
	if (!Array.isArray(tiers) || tiers.length === 0) return 'Revenue tiers: add at least one tier.';
	if (tiers.length > 20) return 'Revenue tiers: at most 20 tiers.';
	const names = new Set<string>();
	const minimums = new Set<number>();
	for (const [i, tier] of tiers.entries()) {
		const name = typeof tier.name === 'string' ? tier.name.trim() : '';
		if (!name) return `Revenue tiers: tier ${i + 1} needs a name.`;
		if (name !== tier.name) return `Revenue tiers: the name “${name}” has spaces at its start or end.`;
		if (name.length > 60) return `Revenue tiers: the name “${name.slice(0, 20)}…” is longer than 60 characters.`;
		if (names.has(name.toLowerCase())) return `Revenue tiers: two tiers are called “${name}”.`;
		if (name.toLowerCase() === BELOW_TIERS.toLowerCase())
			return `Revenue tiers: “${BELOW_TIERS}” is the name of the customers under every tier; pick another.`;
		names.add(name.toLowerCase());
		if (typeof tier.minRevenue !== 'number' || !Number.isFinite(tier.minRevenue))
			return `Revenue tiers: “${name}” needs a minimum revenue (a number).`;
		if (minimums.has(tier.minRevenue))
			return `Revenue tiers: two tiers start at ${count.format(tier.minRevenue)}; each needs its own minimum.`;
		minimums.add(tier.minRevenue);
	}
	return null;
}

/**
 * Revenue compared for ties and tiers, rounded to 4 decimals: amounts are doubles, and a sum of
 * the same cents in another order can differ in the last bit (0.1 + 0.2 ≠ 0.3).
 */
const ROUNDED_REVENUE = 'round(revenue, 4)';

/**
 * How many customers the top share is: N% of `customers`, rounded up (so at least one). In
 * doubles, as the setting is; the 1e-9 keeps 4.4% of 750 at 33 although 750 × 4.4 / 100 is
 * 33.00000000000001 in doubles.
 */
function topTargetSql(customers: string, percent: number): string {
	return `ceil(CAST(${customers} AS DOUBLE) * ${num(percent)} / 100 - 1e-9)`;
}

/**
 * Creates `customer_behaviour` as of `analysisDate` (the one scoring used).
 *
 * Uses what scoring left: `customer_scores` and the view `window_orders` (the orders inside the
 * look-back window). `revenue` is the customer's total net revenue in the window (the `revenue`
 * column of `customer_scores`, whatever the monetary basis): "lifetime" revenue for tiers means
 * the revenue in the window.
 *
 * Gaps are whole days between consecutive order *days* (orders on the same day are one visit).
 * A customer's usual gap is the median of their gaps, rounded to whole days (half up); a
 * customer with a single order day has none, and is expected after the store's usual gap: the
 * median of the customers' usual gaps (unrounded), rounded. The expected next order is the last
 * order plus the usual gap (or the store's). With no customer ordering on two days there is no
 * expected date at all, and nobody is due, overdue or long time missing.
 *
 * Columns: customer_id, frequency, revenue, order_days, usual_gap_days, expected_gap_days, next_order_due
 * (DATE), revenue_rank, one boolean per fixed segment (see `BEHAVIOUR_COLUMN`), tier (BELOW_TIERS under
 * the lowest tier, so every customer has one).
 */
export function customerBehaviourSql(settings: BehaviourSettings, analysisDate: string): string {
	const s = settings;
	const a = date(analysisDate);
	const tiers = sortedTiers(s.tiers).reverse();
	const tierCase = `CASE ${tiers.map((t) => `WHEN ${ROUNDED_REVENUE} >= ${num(t.minRevenue)} THEN ${str(t.name)}`).join(' ')} ELSE ${str(BELOW_TIERS)} END`;
	return `CREATE OR REPLACE TABLE ${CUSTOMER_BEHAVIOUR} AS
WITH order_days AS (SELECT DISTINCT customer_id, ordered_at FROM ${WINDOW_ORDERS}),
gaps AS (
	SELECT customer_id, ordered_at - lag(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS gap FROM order_days
),
own AS (
	SELECT customer_id, CAST(count(*) + 1 AS INTEGER) AS order_days, median(gap) AS median_gap FROM gaps WHERE gap IS NOT NULL GROUP BY customer_id
),
store AS (SELECT CAST(floor(median(median_gap) + 0.5) AS INTEGER) AS gap FROM own),
base AS (
	SELECT s.customer_id, s.first_order, s.last_order, s.recency_days, s.frequency, CAST(s.revenue AS DOUBLE) AS revenue,
		coalesce(own.order_days, 1) AS order_days,
		CAST(floor(own.median_gap + 0.5) AS INTEGER) AS usual_gap_days,
		coalesce(CAST(floor(own.median_gap + 0.5) AS INTEGER), store.gap) AS expected_gap_days
	FROM ${CUSTOMER_SCORES} s LEFT JOIN own ON own.customer_id = s.customer_id CROSS JOIN store
),
ranked AS (
	SELECT *, rank() OVER (ORDER BY ${ROUNDED_REVENUE} DESC) AS revenue_rank, count(*) OVER () AS customers FROM base
)
SELECT customer_id, frequency, revenue, order_days, usual_gap_days, expected_gap_days,
	last_order + expected_gap_days AS next_order_due,
	CAST(revenue_rank AS INTEGER) AS revenue_rank,
	${a} - first_order <= ${num(s.newDays)} AS is_new,
	recency_days <= ${num(s.recentOrderDays)} AS has_recent_order,
	frequency = 1 AS is_one_time,
	frequency >= 2 AS is_repeat,
	frequency > ${num(s.loyalMinOrders)} AS is_loyal,
	recency_days > ${num(s.inactiveDays)} AS is_inactive,
	revenue_rank <= ${topTargetSql('customers', s.topSpenderPercent)} AS is_top_spender,
	coalesce(frequency >= 2 AND recency_days > ${num(s.longMissingFactor)} * expected_gap_days, false) AS is_long_missing,
	coalesce(expected_gap_days - recency_days BETWEEN 0 AND ${num(s.dueWithinDays - 1)}, false) AS is_due_soon,
	coalesce(expected_gap_days < recency_days, false) AS is_overdue,
	${tierCase} AS tier
FROM ranked`;
}

/** The SQL condition on `customer_behaviour` (aliased `table`, if given) for one behaviour segment. */
export function behaviourConditionSql(id: string, table?: string): string {
	const column = (name: string) => (table ? `${table}.${name}` : name);
	if (id.startsWith(TIER_PREFIX)) return `${column('tier')} = ${str(id.slice(TIER_PREFIX.length))}`;
	const flag = (BEHAVIOUR_COLUMN as Record<string, string | undefined>)[id];
	if (!flag) throw new Error(`There is no behaviour segment called “${id}”.`);
	return column(flag);
}

/** One row: customers, orders and revenue per behaviour segment (columns c0, o0, v0, c1…), and totals. */
export function behaviourSummarySql(settings: BehaviourSettings): string {
	const aggregates = behaviourDefinitions(settings).map((d, i) => {
		const where = behaviourConditionSql(d.id);
		return `CAST(count(*) FILTER (WHERE ${where}) AS DOUBLE) AS c${i},
	CAST(coalesce(sum(frequency) FILTER (WHERE ${where}), 0) AS DOUBLE) AS o${i},
	CAST(coalesce(sum(revenue) FILTER (WHERE ${where}), 0) AS DOUBLE) AS v${i}`;
	});
	return `SELECT CAST(count(*) AS DOUBLE) AS customers, CAST(coalesce(sum(revenue), 0) AS DOUBLE) AS revenue,
	CAST(${topTargetSql('count(*)', settings.topSpenderPercent)} AS DOUBLE) AS top_target,
	CAST(count(*) FILTER (WHERE order_days = 1) AS DOUBLE) AS single_day,
	max(expected_gap_days) FILTER (WHERE usual_gap_days IS NULL) AS store_gap,
	${aggregates.join(',\n\t')}
FROM ${CUSTOMER_BEHAVIOUR}`;
}

type SummaryRow = Record<string, number | null>;

/** The summary rows of `behaviourSummarySql`'s result. */
export function readBehaviourSummary(settings: BehaviourSettings, row: SummaryRow): BehaviourSummary[] {
	const total = row.customers ?? 0;
	const totalRevenue = row.revenue ?? 0;
	return behaviourDefinitions(settings).map((d, i) => {
		const customers = row[`c${i}`] ?? 0;
		const orderCount = row[`o${i}`] ?? 0;
		const revenue = row[`v${i}`] ?? 0;
		return {
			...d,
			customers,
			customerShare: total === 0 ? 0 : customers / total,
			orders: orderCount,
			revenue,
			revenueShare: totalRevenue === 0 ? 0 : revenue / totalRevenue,
			averageOrderValue: orderCount === 0 ? 0 : revenue / orderCount,
			note: noteFor(d.id, customers, row)
		};
	});
}

function noteFor(id: BehaviourId, customers: number, row: SummaryRow): string | null {
	if (id === 'top-spenders') {
		const target = row.top_target ?? 0;
		if (customers <= target) return null;
		return `${count.format(target)} customers make the top share; ${count.format(customers - target)} more tie with the last of them at the cut-off and are included.`;
	}
	if ((id === 'due-soon' || id === 'overdue') && (row.single_day ?? 0) > 0) {
		if (row.store_gap === null || row.store_gap === undefined)
			return 'No customer has ordered on two different days, so there is no usual gap to expect a next order from.';
		return `Customers with orders on a single day are expected back after the store's usual gap of ${dayCount(row.store_gap)}.`;
	}
	return null;
}

/**
 * Builds `customer_behaviour` for these settings and summarises every behaviour segment.
 * Run after scoring, with the analysis date scoring used.
 */
export async function computeBehaviour(db: SqlRunner, settings: BehaviourSettings, analysisDate: string): Promise<BehaviourSummary[]> {
	const invalid = validateBehaviour(settings);
	if (invalid) throw new Error(invalid);
	await db.run(customerBehaviourSql(settings, analysisDate));
	const [row] = await db.rows<SummaryRow>(behaviourSummarySql(settings));
	return readBehaviourSummary(settings, row ?? {});
}
