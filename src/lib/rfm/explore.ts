/**
 * Exploring scored customers: the aggregates behind the charts (histograms, revenue concentration,
 * matrix cell averages), the customer list (searched, sorted, read a window at a time) and one
 * customer's profile. Pure SQL builders over `customer_scores` (and `customers`, `orders`,
 * `order_lines` when present); the engine runs them.
 */
import { tickStep } from 'd3';
import { ident, num, str } from '../sql';
import { expectedOrdersColumn, orderChanceColumn, type PredictionColumns } from '../predict/predictions-sql';
import type { SqlRunner } from '../db/runner';
import { needsBehaviour, selectionConditionSql, type CustomerSelection } from './customer-list';
import {
	CUSTOMER_BEHAVIOUR,
	CUSTOMER_PAST,
	CUSTOMER_PREDICTIONS,
	CUSTOMER_SCORES,
	EXPLORE_LIST,
	ORDER_LINES,
	WINDOW_ORDERS,
	WINDOW_RETURNS_ROWS
} from '../db/tables';

/** What a matrix cell shows. */
export type MatrixMetric = 'customers' | 'revenue' | 'aov' | 'avgMonetary';

export const MATRIX_METRICS: { id: MatrixMetric; label: string }[] = [
	{ id: 'customers', label: 'Customers' },
	{ id: 'revenue', label: 'Revenue' },
	{ id: 'aov', label: 'Average order value' },
	{ id: 'avgMonetary', label: 'Average monetary value' }
];

/** The metrics with a histogram, and the `customer_scores` column of each. */
export const HISTOGRAM_METRICS = {
	recency: { column: 'recency_days', label: 'Days since last order', integer: true },
	frequency: { column: 'frequency', label: 'Orders', integer: true },
	monetary: { column: 'monetary', label: 'Monetary value', integer: false }
} as const;
export type HistogramMetric = keyof typeof HISTOGRAM_METRICS;

/** Equal-width bins from `start`; the last bin also holds everything above it when `overflow`. */
export interface BinPlan {
	start: number;
	step: number;
	count: number;
	overflow: boolean;
}

export interface HistogramBin {
	/** Inclusive lower edge. */
	from: number;
	/** Exclusive upper edge; null for the open last bin ("and more"). */
	to: number | null;
	customers: number;
}

export interface Histogram {
	metric: HistogramMetric;
	bins: HistogramBin[];
}

/** Share of revenue from the top `percent` % of customers (by revenue). */
export interface ConcentrationPoint {
	percent: number;
	customers: number;
	revenueShare: number;
}

/** One matrix cell's average monetary value (whatever M scores: revenue or average order value). */
export interface CellAverage {
	r: number;
	f: number;
	avgMonetary: number;
}

export interface ExploreCharts {
	histograms: Histogram[];
	concentration: ConcentrationPoint[];
	cellAverages: CellAverage[];
}

/**
 * Bins for values from `min` to `high` (`high` below `max` when a long tail is cut off into one
 * open last bin). Edges are d3's round tick steps; whole-number metrics get whole-number steps so
 * that "3 orders" never straddles two bins.
 */
export function planBins(min: number, high: number, max: number, integer: boolean, target = 20): BinPlan {
	if (![min, high, max].every(Number.isFinite)) throw new Error('A histogram needs finite values.');
	if (max <= min) return { start: min, step: 1, count: 1, overflow: false };
	const top = Math.min(Math.max(high, min), max);
	let step = tickStep(min, top > min ? top : max, target);
	if (integer) step = Math.max(1, Math.ceil(step));
	const start = Math.floor(min / step) * step;
	// Bins up to `top`; one more, open, bin when values go beyond.
	const count = Math.max(1, Math.floor((top - start) / step) + 1);
	const overflow = start + count * step <= max;
	return { start, step, count: overflow ? count + 1 : count, overflow };
}

/** Extent of a metric over the scored customers: min, 99th percentile and max. */
export function metricExtentSql(metric: HistogramMetric): string {
	const c = HISTOGRAM_METRICS[metric].column;
	return `SELECT CAST(min(${c}) AS DOUBLE) AS min, CAST(quantile_disc(${c}, 0.99) AS DOUBLE) AS high, CAST(max(${c}) AS DOUBLE) AS max FROM ${CUSTOMER_SCORES}`;
}

/** Customers per bin (bins without customers are absent). */
export function histogramSql(metric: HistogramMetric, plan: BinPlan): string {
	const c = HISTOGRAM_METRICS[metric].column;
	return `SELECT CAST(least(greatest(floor((${c} - ${num(plan.start)}) / ${num(plan.step)}), 0), ${num(plan.count - 1)}) AS INTEGER) AS bin,
	CAST(count(*) AS DOUBLE) AS customers
FROM ${CUSTOMER_SCORES} GROUP BY bin ORDER BY bin`;
}

/** The histogram of one metric: an extent query, d3's round bin edges, then one grouped count. */
export async function histogram(db: SqlRunner, metric: HistogramMetric): Promise<Histogram> {
	const [extent] = await db.rows<{ min: number | null; high: number | null; max: number | null }>(metricExtentSql(metric));
	if (!extent || extent.min === null || extent.max === null) return { metric, bins: [] };
	const plan = planBins(extent.min, extent.high ?? extent.max, extent.max, HISTOGRAM_METRICS[metric].integer);
	const counts = new Map((await db.rows<{ bin: number; customers: number }>(histogramSql(metric, plan))).map((b) => [b.bin, b.customers]));
	const bins = Array.from({ length: plan.count }, (_, i) => ({
		from: round(plan.start + i * plan.step),
		to: plan.overflow && i === plan.count - 1 ? null : round(plan.start + (i + 1) * plan.step),
		customers: counts.get(i) ?? 0
	}));
	return { metric, bins };
}

/** Bin edges like 0.1 + 0.2 would print as 0.30000000000000004. */
const round = (n: number) => Number(n.toPrecision(12));

/**
 * The share of revenue that the top 1 %, 2 %, … 100 % of customers bring (customers ranked by
 * revenue, highest first; the top p % is the first ceil(p × n / 100) of them).
 */
export const CONCENTRATION_SQL = `WITH ranked AS (
	SELECT row_number() OVER (ORDER BY revenue DESC, customer_id) AS rank,
		sum(revenue) OVER (ORDER BY revenue DESC, customer_id ROWS UNBOUNDED PRECEDING) AS running,
		count(*) OVER () AS n, sum(revenue) OVER () AS total
	FROM ${CUSTOMER_SCORES}
)
SELECT CAST(p.percent AS DOUBLE) AS percent, CAST(r.rank AS DOUBLE) AS customers,
	CAST(CASE WHEN r.total = 0 THEN 0 ELSE r.running / r.total END AS DOUBLE) AS revenueShare
FROM range(1, 101) p(percent)
JOIN ranked r ON r.rank = CAST(ceil(p.percent * r.n / 100.0) AS BIGINT)
ORDER BY p.percent`;

/** Average monetary value per R×F cell. */
export const CELL_AVERAGES_SQL = `SELECT r, f, CAST(avg(monetary) AS DOUBLE) AS avgMonetary FROM ${CUSTOMER_SCORES} GROUP BY r, f ORDER BY r, f`;

/** Everything the charts view draws, computed in DuckDB. */
export async function exploreCharts(db: SqlRunner): Promise<ExploreCharts> {
	const histograms: Histogram[] = [];
	for (const metric of Object.keys(HISTOGRAM_METRICS) as HistogramMetric[]) histograms.push(await histogram(db, metric));
	return {
		histograms,
		concentration: await db.rows<ConcentrationPoint>(CONCENTRATION_SQL),
		cellAverages: await db.rows<CellAverage>(CELL_AVERAGES_SQL)
	};
}

// ——— The customer list ———

/** Columns the customer list can always show (and sort by). */
export const LIST_COLUMNS = [
	{ id: 'customer_id', label: 'Customer', numeric: false },
	{ id: 'name', label: 'Name', numeric: false },
	{ id: 'email', label: 'Email', numeric: false },
	{ id: 'segment', label: 'Segment', numeric: false },
	{ id: 'rfm', label: 'RFM', numeric: true },
	{ id: 'r', label: 'R', numeric: true },
	{ id: 'f', label: 'F', numeric: true },
	{ id: 'm', label: 'M', numeric: true },
	{ id: 'frequency', label: 'Orders', numeric: true },
	{ id: 'revenue', label: 'Revenue', numeric: true },
	{ id: 'average_order', label: 'Average order', numeric: true },
	{ id: 'monetary', label: 'Monetary', numeric: true },
	{ id: 'first_order', label: 'First order', numeric: false },
	{ id: 'last_order', label: 'Last order', numeric: false },
	{ id: 'recency_days', label: 'Days since', numeric: true }
] as const;
export type BaseListColumn = (typeof LIST_COLUMNS)[number]['id'];
/** A column of `customer_predictions` (its expected-orders columns are named after the horizons chosen). */
export type PredictionListColumn =
	'p_alive' | `p_order_next_${number}d` | `expected_orders_${number}d` | 'expected_order_value' | 'predicted_value';
/** Where the customer was (`customer_past`): computed when a list first shows one of these. */
export type PastListColumn = 'previous_segment' | 'segment_since';
export const PAST_LIST_COLUMNS: readonly PastListColumn[] = ['previous_segment', 'segment_since'];
export type ListColumn = BaseListColumn | PredictionListColumn | PastListColumn;

/** How a column's values read: plain, money, a date, or a chance (0–1) shown as a percentage. */
export type ColumnFormat = 'text' | 'count' | 'decimal' | 'money' | 'date' | 'chance';

export interface ListColumnInfo {
	id: ListColumn;
	label: string;
	numeric: boolean;
	format: ColumnFormat;
}

const BASE_FORMAT: Partial<Record<BaseListColumn, ColumnFormat>> = {
	revenue: 'money',
	average_order: 'money',
	monetary: 'money',
	first_order: 'date',
	last_order: 'date'
};

/**
 * The columns the list offers: the fixed ones, then the predictions when `customer_predictions`
 * holds some (the value columns only when a warning did not hide them).
 */
export function listColumns(predictions: PredictionColumns | null): ListColumnInfo[] {
	const base: ListColumnInfo[] = [
		...LIST_COLUMNS.map((c) => ({ ...c, format: BASE_FORMAT[c.id] ?? (c.numeric ? 'count' : 'text') }) as ListColumnInfo),
		{ id: 'previous_segment', label: 'Segment 90 days ago', numeric: false, format: 'text' },
		{ id: 'segment_since', label: 'In segment since', numeric: false, format: 'date' }
	];
	if (!predictions) return base;
	const extra: ListColumnInfo[] = [
		{ id: 'p_alive', label: 'Chance active', numeric: true, format: 'chance' },
		{
			id: orderChanceColumn(predictions.horizons[0]!) as PredictionListColumn,
			label: `Chance of an order, ${predictions.horizons[0]} d`,
			numeric: true,
			format: 'chance'
		},
		...predictions.horizons.map((h): ListColumnInfo => ({
			id: expectedOrdersColumn(h) as PredictionListColumn,
			label: `Expected orders, ${h} d`,
			numeric: true,
			format: 'decimal'
		}))
	];
	if (predictions.showValue)
		extra.push(
			{ id: 'expected_order_value', label: 'Expected order value', numeric: true, format: 'money' },
			{ id: 'predicted_value', label: `Predicted value, ${predictions.valueHorizon} d`, numeric: true, format: 'money' }
		);
	return [...base, ...extra];
}

/** Shown by default; prediction columns appear once predictions exist. */
export const DEFAULT_LIST_COLUMNS: ListColumn[] = [
	'customer_id',
	'name',
	'segment',
	'rfm',
	'frequency',
	'revenue',
	'last_order',
	'recency_days',
	'p_alive',
	'predicted_value'
];

/** One customer as the list and the profile show them. */
export interface ExploreRow {
	customer_id: string;
	name: string | null;
	email: string | null;
	segment: string;
	rfm: number;
	r: number;
	f: number;
	m: number;
	frequency: number;
	revenue: number;
	average_order: number | null;
	monetary: number;
	first_order: string;
	last_order: string;
	recency_days: number;
	/** Predictions, when `customer_predictions` holds some (null for a customer the models left out). */
	p_alive?: number | null;
	expected_order_value?: number | null;
	predicted_value?: number | null;
	[expectedOrders: `expected_orders_${number}d`]: number | null | undefined;
	[orderChance: `p_order_next_${number}d`]: number | null | undefined;
	/** Where the customer was, when the list was asked for it (`CustomerQuery.past`). */
	previous_segment?: string | null;
	segment_since?: string | null;
}

/** Which customers, in which order: what a materialised list is built for. */
export interface CustomerQuery {
	selection: CustomerSelection;
	sort: { by: ListColumn; descending: boolean };
	/** Part of a customer id, email or name (case-insensitive); empty for everyone. */
	search: string;
	/** Whether the rows carry where each customer was (a list column shows it): the engine computes it first. */
	past?: boolean;
}

/** A window of the list: rows `offset` … `offset + rows.length - 1` of `total`. */
export interface CustomerWindow {
	total: number;
	offset: number;
	rows: ExploreRow[];
	/** Whether the data has names / emails at all (the list hides empty columns). */
	hasName: boolean;
	hasEmail: boolean;
	/** The prediction columns the rows carry; null when there are no predictions. */
	predictions: PredictionColumns | null;
}

/** What the database holds besides the scores: decides joins, search fields and profile sections. */
export interface ExploreSchema {
	customers: boolean;
	orderLines: boolean;
	/** What `customer_predictions` holds, when it holds predictions (the engine knows; the table may be left from another file). */
	predictions: PredictionColumns | null;
	/** Whether `customer_past` holds the last scoring (the engine knows). */
	past?: boolean;
}

/** Which optional tables exist (they arrive with the richer ingest). */
export const SCHEMA_SQL = `SELECT CAST(count(*) FILTER (WHERE table_name = 'customers') AS DOUBLE) AS customers,
	CAST(count(*) FILTER (WHERE table_name = '${ORDER_LINES}') AS DOUBLE) AS order_lines
FROM duckdb_tables() WHERE schema_name = 'main'`;

export async function readSchema(db: SqlRunner, predictions: PredictionColumns | null = null): Promise<ExploreSchema> {
	const [row] = await db.rows<{ customers: number; order_lines: number }>(SCHEMA_SQL);
	return { customers: (row?.customers ?? 0) > 0, orderLines: (row?.order_lines ?? 0) > 0, predictions };
}

const NAME_SQL = `coalesce(nullif(trim(c.name), ''), nullif(trim(concat_ws(' ', c.first_name, c.last_name)), ''))`;

const LIST_EXPRESSION: Record<BaseListColumn, string> = {
	customer_id: 's.customer_id',
	name: 'name',
	email: 'email',
	segment: 's.segment',
	rfm: 's.rfm',
	r: 's.r',
	f: 's.f',
	m: 's.m',
	frequency: 's.frequency',
	revenue: 'round(s.revenue, 4)',
	average_order: 'round(s.revenue / nullif(s.frequency, 0), 4)',
	monetary: 'round(s.monetary, 4)',
	first_order: 's.first_order',
	last_order: 's.last_order',
	recency_days: 's.recency_days'
};

/** The prediction columns of `customer_predictions p` the schema has, in list order. */
function predictionColumnNames(predictions: PredictionColumns | null): string[] {
	if (!predictions) return [];
	return [
		'p_alive',
		orderChanceColumn(predictions.horizons[0]!),
		...predictions.horizons.map(expectedOrdersColumn),
		'expected_order_value',
		'predicted_value'
	];
}

/** The SQL behind a list column, or null when this data has no such column. */
function listExpression(column: ListColumn, schema: ExploreSchema): string | null {
	if (Object.hasOwn(LIST_EXPRESSION, column)) return LIST_EXPRESSION[column as BaseListColumn];
	if ((PAST_LIST_COLUMNS as readonly string[]).includes(column)) return schema.past ? `cp.${column}` : null;
	return predictionColumnNames(schema.predictions).includes(column) ? `p.${ident(column)}` : null;
}

/** The list's columns, from `customer_scores s` (and `customers c`, predictions `p`). */
function rowSelectSql(schema: ExploreSchema): string {
	const name = schema.customers ? NAME_SQL : 'CAST(NULL AS VARCHAR)';
	const email = schema.customers ? `nullif(trim(c.email), '')` : 'CAST(NULL AS VARCHAR)';
	const predictions = predictionColumnNames(schema.predictions)
		.map((c) => `, CAST(p.${ident(c)} AS DOUBLE) AS ${ident(c)}`)
		.join('');
	const past = schema.past ? `, cp.previous_segment, strftime(cp.segment_since, '%Y-%m-%d') AS segment_since` : '';
	return `s.customer_id, ${name} AS name, ${email} AS email, s.segment, s.rfm, s.r, s.f, s.m, s.frequency,
	CAST(s.revenue AS DOUBLE) AS revenue, CAST(s.revenue / nullif(s.frequency, 0) AS DOUBLE) AS average_order, CAST(s.monetary AS DOUBLE) AS monetary,
	strftime(s.first_order, '%Y-%m-%d') AS first_order, strftime(s.last_order, '%Y-%m-%d') AS last_order, s.recency_days${predictions}${past}`;
}

function fromSql(selection: CustomerSelection, schema: ExploreSchema): string {
	let from = `${CUSTOMER_SCORES} s`;
	if (needsBehaviour(selection)) from += ` JOIN ${CUSTOMER_BEHAVIOUR} b ON b.customer_id = s.customer_id`;
	if (schema.customers) from += ' LEFT JOIN customers c ON c.customer_id = s.customer_id';
	if (schema.predictions) from += ` LEFT JOIN ${CUSTOMER_PREDICTIONS} p ON p.customer_id = s.customer_id`;
	if (schema.past) from += ` LEFT JOIN ${CUSTOMER_PAST} cp ON cp.customer_id = s.customer_id`;
	return from;
}

/** `%text%` for ILIKE, with the pattern characters of the merchant's text matched literally. */
export function containsPattern(text: string): string {
	return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** Customers whose id, email or name contains the text (case-insensitive); `true` for no text. */
export function searchConditionSql(search: string, schema: ExploreSchema): string {
	const text = search.trim();
	if (!text) return 'true';
	const pattern = `${str(containsPattern(text))} ESCAPE '\\'`;
	const fields = ['s.customer_id'];
	if (schema.customers) fields.push('c.email', NAME_SQL);
	return `(${fields.map((f) => `${f} ILIKE ${pattern}`).join(' OR ')})`;
}

/**
 * Materialises the query's customers in list order as `explore_list` with a 1-based `pos`, so a
 * window deep in a million rows is a range read, not a sort with a big OFFSET on every scroll.
 */
export function materialiseListSql(query: CustomerQuery, schema: ExploreSchema): string {
	let expression = listExpression(query.sort.by, schema);
	let direction = query.sort.descending ? 'DESC' : 'ASC';
	// A list sorted by a prediction that a new file or a warning took away: the default order instead.
	if (!expression && /^(p_alive|p_order_next|expected_order|predicted_value)/.test(query.sort.by))
		[expression, direction] = [LIST_EXPRESSION.revenue, 'DESC'];
	if (!expression) throw new Error(`Customers cannot be sorted by ${String(query.sort.by)}.`);
	const tieBreak = query.sort.by === 'customer_id' ? '' : ', s.customer_id';
	return `CREATE OR REPLACE TEMP TABLE ${EXPLORE_LIST} AS
SELECT * FROM (
	SELECT ${rowSelectSql(schema)},
		row_number() OVER (ORDER BY ${expression} ${direction} NULLS LAST${tieBreak}) AS pos
	FROM ${fromSql(query.selection, schema)}
	WHERE ${selectionConditionSql(query.selection)} AND ${searchConditionSql(query.search, schema)}
) ORDER BY pos`;
}

/** Size of the materialised list and whether any customer in the data has a name / email. */
export function listInfoSql(schema: ExploreSchema): string {
	const has = (condition: string) => (schema.customers ? `EXISTS (SELECT 1 FROM customers c WHERE ${condition})` : 'false');
	return `SELECT CAST((SELECT count(*) FROM ${EXPLORE_LIST}) AS DOUBLE) AS total, ${has(`${NAME_SQL} IS NOT NULL`)} AS has_name,
	${has(`nullif(trim(c.email), '') IS NOT NULL`)} AS has_email`;
}

/** Rows `offset` … `offset + limit - 1` (0-based) of the materialised list. */
export function listWindowSql(offset: number, limit: number): string {
	if (!Number.isSafeInteger(offset) || offset < 0) throw new Error(`The offset must be a whole number of 0 or more, not ${offset}.`);
	if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new Error(`A window holds 1 to 10000 customers, not ${limit}.`);
	return `SELECT * EXCLUDE (pos) FROM ${EXPLORE_LIST} WHERE pos > ${num(offset)} AND pos <= ${num(offset + limit)} ORDER BY pos`;
}

// ——— One customer's profile ———

export interface CustomerProfile {
	customer: ExploreRow;
	/** Contact details when the data has them. */
	contact: { phone: string | null; country: string | null; city: string | null } | null;
	/** Every order the scoring counts (inside the look-back window), oldest first (at most 1,000). */
	orders: { day: string; amount: number }[];
	/**
	 * The customer's returns and cancellations inside the window (negative amounts), oldest first:
	 * with the orders they add up to "Total spent", the net revenue every view shows.
	 */
	returns: { day: string; amount: number }[];
	/** Products bought, most revenue first (empty without line items). */
	products: { product: string; category: string | null; quantity: number; amount: number; orders: number }[];
	/** Categories bought, most revenue first (empty without categories). */
	categories: { category: string; quantity: number; amount: number; orders: number }[];
	/** What the models predict for this customer, when there are predictions (null otherwise, or when the models left them out). */
	prediction: CustomerPrediction | null;
	/** Where the customer was (`customer_past`), when the engine has it for this scoring. */
	past: CustomerPast | null;
}

/** The customer's segment 90 days before the analysis date, and since when they are in today's. */
export interface CustomerPast {
	previousSegment: string;
	/** The earliest monthly snapshot of their unbroken run in today's segment (the analysis date: they moved in within the last month). */
	segmentSince: string;
	/** Whether `segmentSince` is the oldest snapshot looked at: they may have been in it longer. */
	orEarlier: boolean;
}

/** One customer's predictions, with the horizons they are over. */
export interface CustomerPrediction {
	columns: PredictionColumns;
	/** Repeat purchases (customer-days after the first) the models learnt from. */
	repeatPurchases: number;
	pAlive: number;
	/** Expected orders per horizon, in the horizons' order. */
	expectedOrders: { days: number; orders: number }[];
	/** Null when a warning hid the spend predictions. */
	expectedOrderValue: number | null;
	predictedValue: number | null;
	likelyLost: boolean;
	highPredictedValue: boolean;
}

/** The customer's row of `customer_predictions`. */
export function profilePredictionSql(customerId: string): string {
	return `SELECT * FROM ${CUSTOMER_PREDICTIONS} WHERE customer_id = ${str(customerId)}`;
}

async function readPrediction(db: SqlRunner, customerId: string, columns: PredictionColumns | null): Promise<CustomerPrediction | null> {
	if (!columns) return null;
	const [row] = await db.rows<Record<string, number | boolean | null>>(profilePredictionSql(customerId));
	if (!row || row.p_alive === null || row.p_alive === undefined) return null;
	const value = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
	return {
		columns,
		repeatPurchases: Number(row.repeat_purchases ?? 0),
		pAlive: Number(row.p_alive),
		expectedOrders: columns.horizons.map((days) => ({ days, orders: Number(row[expectedOrdersColumn(days)] ?? 0) })),
		expectedOrderValue: columns.showValue ? value(row.expected_order_value) : null,
		predictedValue: columns.showValue ? value(row.predicted_value) : null,
		likelyLost: row.likely_lost === true,
		highPredictedValue: row.high_predicted_value === true
	};
}

export function profileRowSql(customerId: string, schema: ExploreSchema): string {
	const contact = schema.customers ? `, c.phone, c.country, c.city` : '';
	return `SELECT ${rowSelectSql(schema)}${contact} FROM ${fromSql({ kind: 'all' }, schema)} WHERE s.customer_id = ${str(customerId)}`;
}

/** The orders the scoring counts (the look-back window's), as revenue and frequency count them. */
export function profileOrdersSql(customerId: string): string {
	return `SELECT strftime(ordered_at, '%Y-%m-%d') AS day, CAST(amount AS DOUBLE) AS amount FROM ${WINDOW_ORDERS}
WHERE customer_id = ${str(customerId)} ORDER BY ordered_at, order_id LIMIT 1000`;
}

/** The returns the scoring nets out of the customer's revenue (inside the window), one by one. */
export function profileReturnsSql(customerId: string): string {
	return `SELECT strftime(returned_at, '%Y-%m-%d') AS day, CAST(amount AS DOUBLE) AS amount FROM ${WINDOW_RETURNS_ROWS}
WHERE customer_id = ${str(customerId)} ORDER BY returned_at, order_id LIMIT 1000`;
}

export function profileProductsSql(customerId: string): string {
	return `SELECT coalesce(nullif(trim(product), ''), sku) AS product, any_value(category) AS category, CAST(coalesce(sum(quantity), 0) AS DOUBLE) AS quantity,
	CAST(coalesce(sum(line_amount), 0) AS DOUBLE) AS amount, CAST(count(DISTINCT order_id) AS DOUBLE) AS orders
FROM ${ORDER_LINES} WHERE customer_id = ${str(customerId)} AND coalesce(nullif(trim(product), ''), sku) IS NOT NULL
GROUP BY 1 ORDER BY amount DESC, product LIMIT 50`;
}

export function profileCategoriesSql(customerId: string): string {
	return `SELECT category, CAST(coalesce(sum(quantity), 0) AS DOUBLE) AS quantity, CAST(coalesce(sum(line_amount), 0) AS DOUBLE) AS amount,
	CAST(count(DISTINCT order_id) AS DOUBLE) AS orders
FROM ${ORDER_LINES} WHERE customer_id = ${str(customerId)} AND nullif(trim(category), '') IS NOT NULL
GROUP BY category ORDER BY amount DESC, category LIMIT 50`;
}

/** The customer's row of `customer_past`; `oldest`: the oldest snapshot date it looked back to. */
async function readPast(db: SqlRunner, customerId: string, oldest: string): Promise<CustomerPast | null> {
	const [row] = await db.rows<{ previous_segment: string; segment_since: string }>(
		`SELECT previous_segment, strftime(segment_since, '%Y-%m-%d') AS segment_since FROM ${CUSTOMER_PAST} WHERE customer_id = ${str(customerId)}`
	);
	return row ? { previousSegment: row.previous_segment, segmentSince: row.segment_since, orEarlier: row.segment_since === oldest } : null;
}

/**
 * One customer's profile; null when no scored customer has this id. `pastSince`: the oldest
 * snapshot of `customer_past` when it holds this scoring (null: no past to show).
 */
export async function customerProfile(
	db: SqlRunner,
	customerId: string,
	schema: ExploreSchema,
	pastSince: string | null = null
): Promise<CustomerProfile | null> {
	const [row] = await db.rows<ExploreRow & { phone?: string | null; country?: string | null; city?: string | null }>(
		profileRowSql(customerId, schema)
	);
	if (!row) return null;
	const { phone = null, country = null, city = null, ...customer } = row;
	return {
		customer,
		contact: schema.customers ? { phone, country, city } : null,
		orders: await db.rows(profileOrdersSql(customerId)),
		returns: await db.rows(profileReturnsSql(customerId)),
		products: schema.orderLines ? await db.rows(profileProductsSql(customerId)) : [],
		categories: schema.orderLines ? await db.rows(profileCategoriesSql(customerId)) : [],
		prediction: await readPrediction(db, customerId, schema.predictions),
		past: pastSince === null ? null : await readPast(db, customerId, pastSince)
	};
}
