/**
 * Builder SQL. Conditions become a WHERE clause over `builder_customers c` with `?` placeholders
 * and a list of values bound to them (DuckDB prepared statements): a merchant's text never
 * becomes SQL. Identifiers are fixed names from this file (the columns of the canonical tables).
 *
 * `builder_customers` holds one row per scored customer with everything a condition or an export
 * reads; it is built after each scoring (and each change of behaviour thresholds) from
 * `customer_scores`, `customer_behaviour`, `window_orders` and, when the ingest provides it, `customers`. Multi-valued facts (channels, payment methods, coupons, tags,
 * products) are tested with sub-queries on `window_orders` and `order_lines`.
 */
import { previousSegmentSql } from '../history/previous';
import { date, ident } from '../sql';
import { expectedOrdersColumn, orderChanceColumn, type PredictionColumns } from '../predict/predictions-sql';
import { BEHAVIOUR_COLUMN } from '../rfm/behaviour';
import { conditionProblem, fieldInfo, PREDICTION_FIELDS, type Condition, type FieldId, type SegmentDefinition } from './definition';
import {
	BUILDER_CUSTOMERS,
	BUILDER_SELECTION,
	CUSTOMER_BEHAVIOUR,
	CUSTOMER_PREDICTIONS,
	CUSTOMER_SCORES,
	ORDER_LINES,
	WINDOW_ORDERS
} from '../db/tables';

/** A statement and the values bound to its `?` placeholders, in order. */
export interface BoundSql {
	sql: string;
	params: (string | number | boolean)[];
}

/** The columns the canonical tables have in this database, as `table.column` (the ingest adds the optional ones). */
export type TableColumns = ReadonlySet<string>;

export const TABLE_COLUMNS_SQL = `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
WHERE table_name IN ('orders', 'customers', '${ORDER_LINES}')`;

/** Escapes `%`, `_` and `\` so that a LIKE pattern matches the text literally (`ESCAPE '\'`). */
export function likeLiteral(text: string): string {
	return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const NUMBER_COLUMN: Partial<Record<FieldId, string>> = {
	r: 'c.r',
	f: 'c.f',
	m: 'c.m',
	orders: 'c.orders',
	total_spent: 'c.revenue',
	aov: 'c.aov',
	avg_items: 'c.avg_items',
	coupon_share: 'c.coupon_share',
	days_since_first: 'c.days_since_first',
	days_since_last: 'c.days_since_last',
	p_alive: 'c.p_alive',
	p_order_next: 'c.p_order_next',
	expected_orders: 'c.expected_orders',
	expected_order_value: 'c.expected_order_value',
	predicted_value: 'c.predicted_value'
};
/** Yes / no fields: the column that is TRUE for "yes". */
const FLAG_COLUMN: Partial<Record<FieldId, string>> = {
	accepts_marketing: 'c.accepts_marketing',
	likely_lost: 'c.likely_lost',
	high_predicted_value: 'c.high_predicted_value'
};
const DATE_COLUMN: Partial<Record<FieldId, string>> = { first_order: 'c.first_order', last_order: 'c.last_order' };
/** Text fields with one value per customer. */
const CUSTOMER_TEXT: Partial<Record<FieldId, string>> = {
	segment: 'c.segment',
	previous_segment: 'c.previous_segment',
	country: 'c.country',
	city: 'c.city'
};
/** Text fields with a value per order: the customer matches when any of their orders does. */
const ORDER_TEXT: Partial<Record<FieldId, string>> = { channel: 'channel', payment_method: 'payment_method' };
/**
 * The list columns of `builder_customers` behind multi-valued text fields. Lists of each customer's
 * distinct values, made once per scoring, keep every count a scan of one table (no join per edit).
 */
const LIST_COLUMN: Partial<Record<FieldId, string>> = { tag: 'c.tag_list', channel: 'c.channels', payment_method: 'c.payment_methods' };
const PURCHASE_COLUMN: Partial<Record<FieldId, string>> = { product: 'product', sku: 'sku', category: 'category' };

/** A text comparison on `column` (`?` for the value), for is / is not / contains / starts with. */
function textTest(column: string, op: string, value: string, params: BoundSql['params']): string {
	switch (op) {
		case 'is':
			params.push(value);
			return `${column} = ?`;
		case 'is_not':
			params.push(value);
			return `${column} IS DISTINCT FROM ?`;
		case 'contains':
			params.push(`%${likeLiteral(value)}%`);
			return `${column} ILIKE ? ESCAPE '\\'`;
		case 'starts_with':
			params.push(`${likeLiteral(value)}%`);
			return `${column} ILIKE ? ESCAPE '\\'`;
		default:
			throw new Error(`Unknown text operator ${op}`);
	}
}

const COMPARE: Record<string, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const DATE_COMPARE: Record<string, string> = { before: '<', on_or_before: '<=', after: '>', on_or_after: '>=' };

/** One condition as SQL on `c`, pushing its values to `params`. The condition must be valid (`conditionProblem`). */
export function conditionSql(c: Condition, params: BoundSql['params']): string {
	const problem = conditionProblem(c);
	if (problem) throw new Error(problem);
	const kind = fieldInfo(c.field).kind;
	const value = c.value ?? '';
	switch (kind) {
		case 'number': {
			const column = NUMBER_COLUMN[c.field]!;
			if (c.op === 'between') {
				params.push(Math.min(Number(value), Number(c.value2)), Math.max(Number(value), Number(c.value2)));
				return `${column} BETWEEN ? AND ?`;
			}
			params.push(Number(value));
			return `${column} ${COMPARE[c.op]} ?`;
		}
		case 'date': {
			const column = DATE_COLUMN[c.field]!;
			if (c.op === 'between') {
				const [a, b] = [String(value), String(c.value2)].sort();
				params.push(a!, b!);
				return `${column} BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)`;
			}
			params.push(String(value));
			return `${column} ${DATE_COMPARE[c.op]} CAST(? AS DATE)`;
		}
		case 'text': {
			const text = String(value);
			const own = CUSTOMER_TEXT[c.field];
			if (own) return textTest(own, c.op, text, params);
			// Tags ("vip, wholesale"), channels and payment methods are lists per customer: any element may match,
			// and "is not" means none does.
			const list = LIST_COLUMN[c.field]!;
			const negate = c.op === 'is_not';
			if (c.op === 'is' || negate) {
				params.push(text);
				return `${negate ? 'NOT ' : ''}list_contains(${list}, ?)`;
			}
			return `len(list_filter(${list}, t -> ${textTest('t', c.op, text, params)})) > 0`;
		}
		case 'behaviour': {
			const id = String(value);
			let test: string;
			if (id.startsWith('tier:')) {
				params.push(id.slice('tier:'.length));
				test = 'c.tier IS NOT DISTINCT FROM ?';
			} else {
				const flag = (BEHAVIOUR_COLUMN as Record<string, string | undefined>)[id];
				if (!flag) throw new Error(`There is no behaviour segment called “${id}”.`);
				test = `c.${ident(flag)} IS TRUE`;
			}
			return c.op === 'not_in' ? `NOT (${test})` : test;
		}
		case 'coupon': {
			if (c.op === 'code') {
				params.push(String(value));
				return 'list_contains(c.coupons, ?)';
			}
			return c.op === 'none' ? 'len(c.coupons) = 0' : 'len(c.coupons) > 0';
		}
		case 'purchase': {
			const column = PURCHASE_COLUMN[c.field]!;
			params.push(String(value));
			// Orders, not lines or units: "bought at least 2" means in two different orders. Orders in the window only.
			const lines = `FROM ${ORDER_LINES} l WHERE l.${column} = ? AND l.order_id IN (SELECT order_id FROM ${WINDOW_ORDERS})`;
			if (c.op === 'not_bought') return `c.customer_id NOT IN (SELECT l.customer_id ${lines})`;
			params.push(c.min ?? 1);
			return `c.customer_id IN (SELECT l.customer_id ${lines} GROUP BY l.customer_id HAVING count(DISTINCT l.order_id) >= ?)`;
		}
		case 'flag': {
			const column = FLAG_COLUMN[c.field]!;
			return c.op === 'yes' ? `${column} IS TRUE` : `${column} IS NOT TRUE`;
		}
	}
}

/**
 * The WHERE clause of a definition on `builder_customers c`, with its bound values. A group with
 * no conditions leaves the others to decide; a definition with none matches every customer.
 */
export function definitionWhere(def: SegmentDefinition): BoundSql {
	const params: BoundSql['params'] = [];
	const groups = def.groups
		.filter((g) => g.conditions.length > 0)
		.map((g) => `(${g.conditions.map((c) => conditionSql(c, params)).join(g.match === 'all' ? ' AND ' : ' OR ')})`);
	const sql = groups.length === 0 ? 'true' : groups.join(def.match === 'all' ? ' AND ' : ' OR ');
	return { sql, params };
}

/** Customers, orders and revenue of the segment, in one row (`customers`, `orders`, `revenue`). */
export function segmentCountSql(def: SegmentDefinition): BoundSql {
	const where = definitionWhere(def);
	return {
		sql: `SELECT CAST(count(*) AS DOUBLE) AS customers, CAST(coalesce(sum(c.orders), 0) AS DOUBLE) AS orders,
	CAST(coalesce(sum(c.revenue), 0) AS DOUBLE) AS revenue FROM ${BUILDER_CUSTOMERS} c WHERE ${where.sql}`,
		params: where.params
	};
}

/** Fills `builder_selection` with the segment's customers (after `CREATE_SELECTION_SQL`). */
export function selectSegmentSql(def: SegmentDefinition): BoundSql {
	const where = definitionWhere(def);
	return {
		sql: `INSERT INTO ${BUILDER_SELECTION} SELECT c.customer_id FROM ${BUILDER_CUSTOMERS} c WHERE ${where.sql}`,
		params: where.params
	};
}

export const CREATE_SELECTION_SQL = `CREATE OR REPLACE TEMP TABLE ${BUILDER_SELECTION} (customer_id VARCHAR PRIMARY KEY)`;

/**
 * Creates `builder_customers` as of `analysisDate`. Columns the file did not have are NULL, and so
 * are the predictions when there are none (`predictions` null). Country and city come from the
 * customer table when it has them, else from the latest order. The chance of being active is a
 * percentage here, as the builder asks for it.
 */
export function builderCustomersSql(
	analysisDate: string,
	columns: TableColumns,
	predictions: PredictionColumns | null = null,
	previousAsOf: string | null = null
): string {
	const has = (name: string) => columns.has(name);
	const orderCol = (name: string, agg: (col: string) => string, type: string) =>
		has(`orders.${name}`) ? agg(ident(name)) : `CAST(NULL AS ${type})`;
	const customerCol = (name: string, type: string) => (has(`customers.${name}`) ? `cu.${ident(name)}` : `CAST(NULL AS ${type})`);
	const latest = (col: string) => `arg_max(${col}, ordered_at) FILTER (WHERE ${col} IS NOT NULL AND ${col} <> '')`;
	const distinct = (col: string) => `list_distinct(list(${col}) FILTER (WHERE ${col} IS NOT NULL AND ${col} <> ''))`;
	const textOr = (customer: string, order: string) => `coalesce(nullif(trim(${customer}), ''), o.${order})`;
	return `CREATE OR REPLACE TABLE ${BUILDER_CUSTOMERS} AS
WITH o AS (
	SELECT customer_id,
		${orderCol('items', (c) => `sum(${c}) / nullif(count(${c}), 0)`, 'DOUBLE')} AS avg_items,
		${orderCol('country', latest, 'VARCHAR')} AS country,
		${orderCol('city', latest, 'VARCHAR')} AS city,
		${orderCol('channel', distinct, 'VARCHAR[]')} AS channels,
		${orderCol('payment_method', distinct, 'VARCHAR[]')} AS payment_methods,
		${orderCol('coupon', distinct, 'VARCHAR[]')} AS coupons,
		${orderCol('coupon', (c) => `100.0 * count(nullif(${c}, '')) / count(*)`, 'DOUBLE')} AS coupon_share
	FROM ${WINDOW_ORDERS} GROUP BY customer_id
)
SELECT s.customer_id, s.r, s.f, s.m, s.rfm, s.segment,
	${previousAsOf ? previousSegmentSql('s.customer_id', previousAsOf) : 'CAST(NULL AS VARCHAR)'} AS previous_segment, s.first_order, s.last_order,
	CAST(s.recency_days AS INTEGER) AS days_since_last, CAST(${date(analysisDate)} - s.first_order AS INTEGER) AS days_since_first,
	CAST(s.frequency AS INTEGER) AS orders, CAST(s.revenue AS DOUBLE) AS revenue, CAST(s.revenue AS DOUBLE) / s.frequency AS aov,
	CAST(o.avg_items AS DOUBLE) AS avg_items, CAST(o.coupon_share AS DOUBLE) AS coupon_share,
	${textOr(customerCol('country', 'VARCHAR'), 'country')} AS country,
	${textOr(customerCol('city', 'VARCHAR'), 'city')} AS city,
	${customerCol('email', 'VARCHAR')} AS email, ${customerCol('first_name', 'VARCHAR')} AS first_name,
	${customerCol('last_name', 'VARCHAR')} AS last_name, ${customerCol('name', 'VARCHAR')} AS full_name,
	${customerCol('phone', 'VARCHAR')} AS phone, ${customerCol('accepts_marketing', 'BOOLEAN')} AS accepts_marketing,
	${customerCol('tags', 'VARCHAR')} AS tags,
	list_filter(list_transform(string_split(coalesce(${customerCol('tags', 'VARCHAR')}, ''), ','), t -> trim(t)), t -> t <> '') AS tag_list,
	coalesce(o.channels, []) AS channels, coalesce(o.payment_methods, []) AS payment_methods, coalesce(o.coupons, []) AS coupons,
	${Object.values(BEHAVIOUR_COLUMN)
		.map((flag) => `b.${ident(flag)}`)
		.join(', ')}, b.tier,
	${predictionColumnsSql(predictions)}
FROM ${CUSTOMER_SCORES} s LEFT JOIN o ON o.customer_id = s.customer_id LEFT JOIN ${CUSTOMER_BEHAVIOUR} b ON b.customer_id = s.customer_id${has('customers.customer_id') ? ' LEFT JOIN customers cu ON cu.customer_id = s.customer_id' : ''}${predictions ? ` LEFT JOIN ${CUSTOMER_PREDICTIONS} p ON p.customer_id = s.customer_id` : ''}`;
}

/**
 * Replaces the prediction columns of `builder_customers` with the current predictions: new
 * predictions on the same scoring cost one join, not a rebuild of the whole table.
 */
export function replacePredictionsSql(predictions: PredictionColumns | null): string {
	return `CREATE OR REPLACE TABLE ${BUILDER_CUSTOMERS} AS
SELECT c.* EXCLUDE (${PREDICTION_FIELDS.join(', ')}),
	${predictionColumnsSql(predictions)}
FROM ${BUILDER_CUSTOMERS} c${predictions ? ` LEFT JOIN ${CUSTOMER_PREDICTIONS} p ON p.customer_id = c.customer_id` : ''}`;
}

/** Which prediction fields have a value (one row of booleans named after the fields). */
export const PREDICTION_FIELDS_SQL = `SELECT ${PREDICTION_FIELDS.map((f) => `EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE ${f} IS NOT NULL) AS ${f}`).join(',\n\t')}`;

/** The prediction columns of `builder_customers` (from `customer_predictions p`, or NULL without predictions). */
function predictionColumnsSql(predictions: PredictionColumns | null): string {
	if (!predictions)
		return `CAST(NULL AS DOUBLE) AS p_alive, CAST(NULL AS DOUBLE) AS p_order_next, CAST(NULL AS DOUBLE) AS expected_orders, CAST(NULL AS DOUBLE) AS expected_order_value,
	CAST(NULL AS DOUBLE) AS predicted_value, CAST(NULL AS BOOLEAN) AS likely_lost, CAST(NULL AS BOOLEAN) AS high_predicted_value`;
	const value = (c: string) => (predictions.showValue ? `p.${c}` : 'CAST(NULL AS DOUBLE)');
	return `CAST(p.p_alive * 100 AS DOUBLE) AS p_alive, CAST(p.${ident(orderChanceColumn(predictions.horizons[0]!))} * 100 AS DOUBLE) AS p_order_next,
	CAST(p.${ident(expectedOrdersColumn(predictions.horizons[0]!))} AS DOUBLE) AS expected_orders,
	${value('expected_order_value')} AS expected_order_value, ${value('predicted_value')} AS predicted_value,
	p.likely_lost, ${predictions.showValue ? 'p.high_predicted_value' : 'CAST(NULL AS BOOLEAN)'} AS high_predicted_value`;
}

/** Which optional fields have at least one value (one row of booleans named after the fields). */
export function availableFieldsSql(columns: TableColumns): string {
	const has = (name: string) => columns.has(name);
	const orders = (col: string) =>
		has(`orders.${col}`) ? `EXISTS (SELECT 1 FROM ${WINDOW_ORDERS} WHERE ${ident(col)} IS NOT NULL AND ${ident(col)} <> '')` : 'false';
	const lines = (col: string) =>
		has(`${ORDER_LINES}.${col}`)
			? `EXISTS (SELECT 1 FROM ${ORDER_LINES} WHERE ${ident(col)} IS NOT NULL AND ${ident(col)} <> '')`
			: 'false';
	return `SELECT
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE avg_items IS NOT NULL) AS avg_items,
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE country IS NOT NULL) AS country,
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE city IS NOT NULL) AS city,
	${orders('channel')} AS channel, ${orders('payment_method')} AS payment_method, ${orders('coupon')} AS coupon, ${orders('coupon')} AS coupon_share,
	${lines('product')} AS product, ${lines('sku')} AS sku, ${lines('category')} AS category,
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE len(tag_list) > 0) AS tag,
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE accepts_marketing IS NOT NULL) AS accepts_marketing,
	${PREDICTION_FIELDS.map((f) => `EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE ${f} IS NOT NULL) AS ${f}`).join(',\n\t')},
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE email IS NOT NULL AND email <> '') AS email,
	EXISTS (SELECT 1 FROM ${BUILDER_CUSTOMERS} WHERE phone IS NOT NULL AND phone <> '') AS phone`;
}

/** Up to 500 values of a text field, most customers first, for the builder's suggestions (`value`, `customers`). */
export function fieldValuesSql(field: FieldId): string | null {
	const top = (from: string) =>
		`SELECT value, CAST(count(DISTINCT customer_id) AS DOUBLE) AS customers FROM (${from}) WHERE value IS NOT NULL AND value <> '' GROUP BY value ORDER BY customers DESC, value LIMIT 500`;
	if (CUSTOMER_TEXT[field]) return top(`SELECT customer_id, ${CUSTOMER_TEXT[field]!.slice(2)} AS value FROM ${BUILDER_CUSTOMERS}`);
	if (ORDER_TEXT[field]) return top(`SELECT customer_id, ${ORDER_TEXT[field]} AS value FROM ${WINDOW_ORDERS}`);
	if (field === 'coupon') return top(`SELECT customer_id, coupon AS value FROM ${WINDOW_ORDERS}`);
	if (PURCHASE_COLUMN[field]) return top(`SELECT customer_id, ${PURCHASE_COLUMN[field]} AS value FROM ${ORDER_LINES}`);
	if (field === 'tag') return top(`SELECT customer_id, unnest(tag_list) AS value FROM ${BUILDER_CUSTOMERS}`);
	return null;
}

/**
 * Per category: buyers, the category most often bought by the same customers (and how many of
 * them), and the orders in the category that make a product expert (the 90th percentile of the
 * buyers' orders in it, at least 2). Feeds the ready-made product segments.
 */
export const CATEGORY_SUGGESTIONS_SQL = `WITH bought AS (
	SELECT l.customer_id, l.category, count(DISTINCT l.order_id) AS orders FROM ${ORDER_LINES} l
	WHERE l.category IS NOT NULL AND l.category <> '' AND l.order_id IN (SELECT order_id FROM ${WINDOW_ORDERS})
	GROUP BY l.customer_id, l.category
),
pairs AS (
	SELECT a.category AS x, b.category AS y, count(*) AS together FROM bought a JOIN bought b ON a.customer_id = b.customer_id AND a.category <> b.category
	GROUP BY a.category, b.category
),
best AS (SELECT x, arg_max(y, together * 1e6 - rank) AS y, max(together) AS together FROM (
	SELECT *, row_number() OVER (PARTITION BY x ORDER BY together DESC, y) AS rank FROM pairs) GROUP BY x)
SELECT bought.category, CAST(count(*) AS DOUBLE) AS buyers, best.y AS often_with, CAST(coalesce(best.together, 0) AS DOUBLE) AS together,
	CAST(greatest(2, ceil(quantile_cont(bought.orders, 0.9))) AS DOUBLE) AS expert_orders
FROM bought LEFT JOIN best ON best.x = bought.category
GROUP BY bought.category, best.y, best.together ORDER BY buyers DESC, bought.category LIMIT 50`;
