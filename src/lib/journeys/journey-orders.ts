/**
 * The base of the repeat-purchase questions (what they buy next, first orders, time between orders,
 * cohort value, discounts): every counted order up to the analysis date, numbered per customer, and
 * the items of each order. Built once per analysis date; every question reads these two tables.
 *
 * All history up to the analysis date counts, whatever the look-back window: a customer's first
 * order is their first order ever, not the first one inside the window.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_CUSTOMERS, JOURNEY_ITEMS, JOURNEY_ORDERS, JOURNEY_REVENUE, ORDER_LINES, ORDERS, RETURNS } from '../db/tables';
import { RETURNS_TABLE_SQL } from '../rfm/analysis';
import { date } from '../sql';

/** What an order's items are named by: the file's product names, SKUs or categories. */
export type ItemLevel = 'product' | 'sku' | 'category';
export const ITEM_LEVELS: readonly ItemLevel[] = ['product', 'sku', 'category'];

/** The words for an item level on screen. */
export const ITEM_LEVEL_NAMES: Record<ItemLevel, string> = { product: 'Product', sku: 'SKU', category: 'Category' };

/** What the loaded orders offer the questions: which item levels have values, and coupons and channels. */
export interface JourneyColumns {
	levels: ItemLevel[];
	coupon: boolean;
	channel: boolean;
}

/** Which item levels, coupons and channels the loaded orders hold at least one value of. */
export const JOURNEY_COLUMNS_SQL = `SELECT
	(SELECT count(product) > 0 FROM ${ORDER_LINES}) AS product,
	(SELECT count(sku) > 0 FROM ${ORDER_LINES}) AS sku,
	(SELECT count(category) > 0 FROM ${ORDER_LINES}) AS category,
	(SELECT count(coupon) > 0 FROM ${ORDERS}) AS coupon,
	(SELECT count(channel) > 0 FROM ${ORDERS}) AS channel`;

/** Reads `JOURNEY_COLUMNS_SQL`'s row. */
export async function journeyColumns(db: SqlRunner): Promise<JourneyColumns> {
	const [row] = await db.rows<Record<ItemLevel | 'coupon' | 'channel', boolean>>(JOURNEY_COLUMNS_SQL);
	return { levels: ITEM_LEVELS.filter((level) => row?.[level]), coupon: !!row?.coupon, channel: !!row?.channel };
}

/**
 * `journey_orders`: one row per counted order up to the analysis date with its number in the
 * customer's sequence (1 = first; same-day orders in order-id order), the customer's first order
 * date, order count, and the date of their next order (NULL for the last). One window, one sort:
 * the customer's order count is the same window over the whole partition.
 */
export function journeyOrdersSql(analysisDate: string): string {
	return `CREATE OR REPLACE TABLE ${JOURNEY_ORDERS} AS
SELECT customer_id, order_id, ordered_at, amount, coupon, channel,
	CAST(row_number() OVER w AS INTEGER) AS order_number,
	first_value(ordered_at) OVER w AS first_at,
	CAST(count(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS INTEGER) AS orders,
	lead(ordered_at) OVER w AS next_at
FROM ${ORDERS} WHERE ordered_at <= ${date(analysisDate)}
WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at, order_id)`;
}

/**
 * `journey_revenue`: the orders' amounts and the credits (returns, cancellations) up to the
 * analysis date, each dated, with the customer's first order date: revenue over a span is the sum
 * over its dates, net of credits, as on the rest of the page. A view: it costs no copy.
 */
export function journeyRevenueSql(analysisDate: string): string {
	return `CREATE OR REPLACE VIEW ${JOURNEY_REVENUE} AS
SELECT customer_id, ordered_at AS dated, amount, 1 AS is_order, first_at FROM ${JOURNEY_ORDERS}
UNION ALL
SELECT r.customer_id, r.returned_at AS dated, r.amount, 0 AS is_order, f.first_at
FROM ${RETURNS} r JOIN ${JOURNEY_CUSTOMERS} f ON f.customer_id = r.customer_id
WHERE r.returned_at <= ${date(analysisDate)} AND r.returned_at >= f.first_at`;
}

/**
 * `journey_customers`: one row per customer with what the first-order and discount questions
 * ask of them, in one pass over their orders: the first order's date, coupon and channel, the
 * days to the second order and since the first, orders and coupon orders, and orders and revenue
 * in the first 365 days (the first order included, credits of those days netted).
 */
export function journeyCustomersSql(analysisDate: string): string {
	const until = date(analysisDate);
	return `CREATE OR REPLACE TABLE ${JOURNEY_CUSTOMERS} AS
WITH c AS (
	SELECT customer_id, any_value(first_at) AS first_at,
		any_value(coupon) FILTER (WHERE order_number = 1) AS coupon,
		any_value(channel) FILTER (WHERE order_number = 1) AS channel,
		date_diff('day', any_value(first_at), any_value(next_at) FILTER (WHERE order_number = 1)) AS gap,
		date_diff('day', any_value(first_at), ${until}) AS age,
		CAST(count(*) AS INTEGER) AS orders, CAST(count(coupon) AS INTEGER) AS coupon_orders, sum(amount) AS revenue,
		count(*) FILTER (WHERE ordered_at <= first_at + 365) AS orders_365d,
		sum(amount) FILTER (WHERE ordered_at <= first_at + 365) AS order_revenue_365d
	FROM ${JOURNEY_ORDERS} GROUP BY customer_id
),
credits AS (
	SELECT r.customer_id, sum(r.amount) AS amount FROM ${RETURNS} r JOIN c ON c.customer_id = r.customer_id
	WHERE r.returned_at >= c.first_at AND r.returned_at <= c.first_at + 365 AND r.returned_at <= ${until} GROUP BY ALL
)
SELECT c.* EXCLUDE (order_revenue_365d), c.order_revenue_365d + coalesce(cr.amount, 0) AS revenue_365d
FROM c LEFT JOIN credits cr ON cr.customer_id = c.customer_id`;
}

/**
 * `journey_items`: the distinct items (at `level`) of each numbered order, with the order's number,
 * the customer's order count and the item's amount in the order. A plain aggregate: the item
 * standing for an order (the largest amount) is picked where it is needed, for the first orders only.
 */
export function journeyItemsSql(level: ItemLevel): string {
	return `CREATE OR REPLACE TABLE ${JOURNEY_ITEMS} AS
SELECT o.customer_id, o.order_number, any_value(o.orders) AS orders, l.${level} AS item, sum(coalesce(l.line_amount, 0)) AS amount
FROM ${ORDER_LINES} l JOIN ${JOURNEY_ORDERS} o ON o.customer_id = l.customer_id AND o.order_id = l.order_id
WHERE l.${level} IS NOT NULL GROUP BY o.customer_id, o.order_number, l.${level}`;
}

/**
 * The item standing for each of a customer's first `upTo` orders: the one with the largest amount
 * (ties: the first name), as `(customer_id, order_number, item)`.
 */
export function mainItemsSql(upTo: number): string {
	return `SELECT customer_id, order_number, arg_min(item, (-amount, item)) AS item FROM ${JOURNEY_ITEMS}
WHERE order_number <= ${Math.trunc(upTo)} GROUP BY customer_id, order_number`;
}

/** What the questions are asked of: the analysis date and the item level used (null without items). */
export interface JourneyBase {
	analysisDate: string;
	level: ItemLevel | null;
	columns: JourneyColumns;
}

/**
 * Builds `journey_orders` for the analysis date, and `journey_items` at `level` (the first level
 * the file has when not given; none when it has no items).
 */
export async function buildJourneyBase(db: SqlRunner, analysisDate: string, level?: ItemLevel | null): Promise<JourneyBase> {
	const columns = await journeyColumns(db);
	const used = level && columns.levels.includes(level) ? level : (columns.levels[0] ?? null);
	await db.run(journeyOrdersSql(analysisDate));
	// Orders loaded by other tools may come without a returns view: an empty table nets nothing.
	await db.run(RETURNS_TABLE_SQL);
	await db.run(journeyCustomersSql(analysisDate));
	await db.run(journeyRevenueSql(analysisDate));
	if (used) await db.run(journeyItemsSql(used));
	else
		await db.run(
			`CREATE OR REPLACE TABLE ${JOURNEY_ITEMS} (customer_id VARCHAR, order_number INTEGER, orders INTEGER, item VARCHAR, amount DOUBLE)`
		);
	return { analysisDate, level: used, columns };
}
