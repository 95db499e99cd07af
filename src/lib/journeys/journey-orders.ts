/**
 * The base of the repeat-purchase questions (what they buy next, first orders, time between orders,
 * cohort value, discounts): every counted order up to the analysis date, numbered per customer, and
 * the items of each order. Built once per analysis date; every question reads these two tables.
 *
 * All history up to the analysis date counts, whatever the look-back window: a customer's first
 * order is their first order ever, not the first one inside the window.
 */
import type { SqlRunner } from '../db/runner';
import { JOURNEY_ITEMS, JOURNEY_ORDERS, JOURNEY_REVENUE, ORDER_LINES, ORDERS, RETURNS } from '../db/tables';
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
 * date, order count, and the date of their next order (NULL for the last).
 */
export function journeyOrdersSql(analysisDate: string): string {
	return `CREATE OR REPLACE TABLE ${JOURNEY_ORDERS} AS
WITH numbered AS (
	SELECT customer_id, order_id, ordered_at, amount, coupon, channel,
		CAST(row_number() OVER (PARTITION BY customer_id ORDER BY ordered_at, order_id) AS INTEGER) AS order_number
	FROM ${ORDERS} WHERE ordered_at <= ${date(analysisDate)}
)
SELECT *, min(ordered_at) OVER w AS first_at, CAST(count(*) OVER w AS INTEGER) AS orders,
	lead(ordered_at) OVER (PARTITION BY customer_id ORDER BY order_number) AS next_at
FROM numbered WINDOW w AS (PARTITION BY customer_id)`;
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
FROM ${RETURNS} r JOIN (SELECT customer_id, first_at FROM ${JOURNEY_ORDERS} WHERE order_number = 1) f ON f.customer_id = r.customer_id
WHERE r.returned_at <= ${date(analysisDate)} AND r.returned_at >= f.first_at`;
}

/**
 * `journey_items`: the distinct items (at `level`) of each numbered order, with the order's number,
 * and `main`: true for the one item of the order with the largest line amount (ties: the first
 * name), which stands for the order in the paths of what customers buy next.
 */
export function journeyItemsSql(level: ItemLevel): string {
	return `CREATE OR REPLACE TABLE ${JOURNEY_ITEMS} AS
WITH items AS (
	SELECT o.customer_id, o.order_number, l.${level} AS item, sum(coalesce(l.line_amount, 0)) AS amount
	FROM ${ORDER_LINES} l JOIN ${JOURNEY_ORDERS} o ON o.customer_id = l.customer_id AND o.order_id = l.order_id
	WHERE l.${level} IS NOT NULL GROUP BY ALL
)
SELECT customer_id, order_number, item,
	row_number() OVER (PARTITION BY customer_id, order_number ORDER BY amount DESC, item) = 1 AS main
FROM items`;
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
	await db.run(journeyRevenueSql(analysisDate));
	if (used) await db.run(journeyItemsSql(used));
	else await db.run(`CREATE OR REPLACE TABLE ${JOURNEY_ITEMS} (customer_id VARCHAR, order_number INTEGER, item VARCHAR, main BOOLEAN)`);
	return { analysisDate, level: used, columns };
}
