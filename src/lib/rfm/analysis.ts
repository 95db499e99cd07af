/**
 * The RFM pipeline after ingest, as SQL steps over the canonical tables:
 * `input_rows` → `orders` → `window_orders` (a view: the orders the look-back window counts)
 * → `customer_metrics` → `customer_scores`, then small summaries.
 *
 * It talks to DuckDB only through `SqlRunner`, so the same code runs in the engine worker
 * (DuckDB-WASM), in unit tests (DuckDB-WASM's Node build) and in the benchmark (native DuckDB).
 */
import { csvSafeQuerySql } from '../csv-safe';
import { date, str } from '../sql';
import type { SqlRunner } from '../db/runner';
import { NothingToScore } from '../errors';
import { addDays, addMonths } from '../dates';
import type { IngestReport } from '../ingest/report';
import {
	balancedBands,
	balancedBins,
	distributionSql,
	fixedBands,
	METRIC_COLUMN,
	rBands,
	metricRange,
	rQuantilesSql,
	scoreCaseSql,
	spreadBands,
	type ValueGroup
} from './scoring';
import { segmentCaseSql, segmentInfoSql } from './segments';
import { SCORE_GROUPS_SQL, summarise, type MatrixCell, type ScoreGroup, type SegmentSummary } from './summary';

export type { MatrixCell, SegmentSummary };
import { METRICS, type LookBack, type Metric, type MonetaryBasis, type RuleSet, type ScoringSettings, type Thresholds } from './types';
import { CUSTOMER_METRICS, CUSTOMER_SCORES, ORDERS, RETURNS, WINDOW_ORDERS, WINDOW_RETURNS, WINDOW_RETURNS_ROWS } from '../db/tables';

export type { IngestReport };

/** What was scored: counts and dates of the orders inside the look-back window. */
export interface Headline {
	customers: number;
	/** Orders inside the window. */
	orders: number;
	/** Their revenue (the sum of amounts, whatever the monetary basis). */
	revenue: number;
	/** First and last order dates inside the window. */
	firstOrder: string;
	lastOrder: string;
	analysisDate: string;
	/** First order date the window counts (inclusive); null when it reaches back to the first order. */
	windowFrom: string | null;
	/** Last order date the window counts (inclusive): the analysis date, or the end of a custom range. */
	windowTo: string;
	/** Orders dated before the window, left out of scoring. */
	ordersBeforeWindow: number;
	/** Orders dated after the window, left out of scoring. */
	ordersAfterWindow: number;
	/** The part of `ordersAfterWindow` dated after the analysis date. */
	ordersAfterAnalysisDate: number;
	/** Customers with a known engagement date on or before the analysis date (0 without an engagement column). */
	engagedCustomers: number;
	/**
	 * How `revenue` reconciles: the window's orders (`orderRevenue`) plus the returns and
	 * cancellations of the scored customers in the window (`returned`, negative). Returns by customers
	 * with no order in the window (`unscoredReturns`, by `unscoredReturnCustomers`) are not in
	 * `revenue`: there is no order to score them by.
	 */
	orderRevenue: number;
	returned: number;
	unscoredReturns: number;
	unscoredReturnCustomers: number;
}

export interface RfmResult {
	settings: ScoringSettings;
	ruleSetId: string;
	headline: Headline;
	thresholds: Thresholds;
	matrix: MatrixCell[];
	segments: SegmentSummary[];
}

/** The orders a scoring counts: dated from `from` (null: any date) to `to`, both inclusive. */
export interface ScoringWindow {
	analysisDate: string;
	from: string | null;
	to: string;
}

/**
 * The window of a look-back, given the analysis date. `all`: every order up to the analysis date.
 * `months` N: orders dated after the analysis date minus N months, up to the analysis date (12
 * months before 2025-01-01 counts 2024-01-02 … 2025-01-01). `range`: its dates, but never past the
 * analysis date (an order after it would have a negative recency).
 */
export function windowFor(lookBack: LookBack, analysisDate: string): ScoringWindow {
	switch (lookBack.kind) {
		case 'all':
			return { analysisDate, from: null, to: analysisDate };
		case 'months':
			return { analysisDate, from: addDays(addMonths(analysisDate, -lookBack.months), 1), to: analysisDate };
		case 'range':
			return { analysisDate, from: lookBack.from, to: lookBack.to !== null && lookBack.to < analysisDate ? lookBack.to : analysisDate };
	}
}

/**
 * The analysis date and window in force. Without a chosen analysis date: the day after the end of
 * a custom range that has one, otherwise the day after the latest order (from the range's start on).
 */
export async function resolveWindow(db: SqlRunner, settings: ScoringSettings): Promise<ScoringWindow> {
	const { lookBack } = settings;
	let analysisDate = settings.analysisDate ?? (lookBack.kind === 'range' && lookBack.to !== null ? addDays(lookBack.to, 1) : null);
	if (analysisDate === null) {
		const from = lookBack.kind === 'range' ? lookBack.from : null;
		const [row] = await db.rows<{ d: string | null }>(
			`SELECT strftime(max(ordered_at) + 1, '%Y-%m-%d') AS d FROM ${ORDERS}${from === null ? '' : ` WHERE ordered_at >= ${date(from)}`}`
		);
		if (!row?.d) {
			throw new NothingToScore(
				from === null
					? 'No order could be used, so there is nothing to score.'
					: `No order is dated on or after ${from}, the start of the look-back window, so there is nothing to score.`
			);
		}
		analysisDate = row.d;
	}
	return windowFor(lookBack, analysisDate);
}

/** The condition of an order (`ordered_at`) being inside the window. */
function insideSql(window: ScoringWindow): string {
	const to = `ordered_at <= ${date(window.to)}`;
	return window.from === null ? to : `ordered_at >= ${date(window.from)} AND ${to}`;
}

/**
 * The tables a scoring reads and writes. The page's scoring uses `SCORING_TABLES`; scoring as of a
 * past date (src/lib/history) runs the same SQL on its own tables, so the page's stay untouched.
 */
export interface ScoringTables {
	orders: string;
	window: string;
	/** The view of credits per customer inside the window (see `windowReturnsSql`). */
	returns: string;
	metrics: string;
	scores: string;
}

export const SCORING_TABLES: ScoringTables = {
	orders: ORDERS,
	window: WINDOW_ORDERS,
	returns: WINDOW_RETURNS,
	metrics: CUSTOMER_METRICS,
	scores: CUSTOMER_SCORES
};

/** Creates the view `window_orders`: the orders the window counts (every column of `orders`). */
export function windowOrdersSql(window: ScoringWindow, tables: ScoringTables = SCORING_TABLES): string {
	return `CREATE OR REPLACE VIEW ${tables.window} AS SELECT * FROM ${tables.orders} WHERE ${insideSql(window)}`;
}

/** `returns` as the ingest creates it, for databases whose orders came from elsewhere (tests, other tools). */
export const RETURNS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS ${RETURNS} (customer_id VARCHAR, order_id VARCHAR, returned_at DATE, amount DOUBLE)`;

/**
 * Creates the views `window_returns`: per customer, the credits (cancellations, returns) dated
 * inside the window, which net out of the customer's revenue; and `<returns>_rows`, those credits
 * one by one (the profile lists them, so a customer's orders plus returns add up to their revenue).
 */
export function windowReturnsSql(window: ScoringWindow, tables: ScoringTables = SCORING_TABLES): string {
	return `CREATE OR REPLACE VIEW ${tables.returns} AS
SELECT customer_id, sum(amount) AS returned FROM ${RETURNS} WHERE ${insideSql(window).replaceAll('ordered_at', 'returned_at')} GROUP BY customer_id`;
}

/** The view `<returns>_rows` (see windowReturnsSql): the window's credits one by one. */
export function windowReturnRowsSql(window: ScoringWindow, tables: ScoringTables = SCORING_TABLES): string {
	return `CREATE OR REPLACE VIEW ${tables.returns}_rows AS
SELECT * FROM ${RETURNS} WHERE ${insideSql(window).replaceAll('ordered_at', 'returned_at')}`;
}

/**
 * Per-customer metrics from `window_orders`, as of the analysis date. `revenue` is the sum of the
 * customer's order amounts net of their returns in the window (`window_returns`); `monetary`, the
 * input of the M score, is that sum or, for the `average` basis, the average order value. `engaged_days` is the whole days from the customer's
 * latest engagement (on or before the analysis date) to the analysis date, NULL when unknown.
 */
export function customerMetricsSql(
	analysisDate: string,
	monetary: MonetaryBasis = 'total',
	tables: ScoringTables = SCORING_TABLES
): string {
	const d = date(analysisDate);
	const revenue = 'sum(o.amount) + coalesce(any_value(r.returned), 0)';
	return `CREATE OR REPLACE TABLE ${tables.metrics} AS
SELECT o.customer_id, min(ordered_at) AS first_order, max(ordered_at) AS last_order,
	CAST(${d} - max(ordered_at) AS INTEGER) AS recency_days,
	CAST(count(*) AS INTEGER) AS frequency,
	${monetary === 'average' ? `(${revenue}) / count(*)` : revenue} AS monetary,
	${revenue} AS revenue,
	CAST(${d} - max(engaged_at) FILTER (WHERE engaged_at <= ${d}) AS INTEGER) AS engaged_days
FROM ${tables.window} o LEFT JOIN ${tables.returns} r ON r.customer_id = o.customer_id
GROUP BY o.customer_id`;
}

/**
 * What a scoring of the same orders can reuse from the previous one: `customer_metrics` and the
 * headline depend only on the window and the monetary basis, the value distribution only on the
 * metrics. A change of levels, method or rules then costs the scores alone (at a million customers,
 * the metrics and the distribution are most of a second each). The caller owns it and starts a new
 * one whenever the orders change.
 */
export interface ScoringCache {
	/** The window and basis `customer_metrics` holds, as `metricsKey` gives them; null: nothing yet. */
	metricsKey: string | null;
	/** How many customers `customer_metrics` holds. */
	customers: number | null;
	headline: HeadlineRow | null;
	distribution: { metric: Metric; lo: number; hi: number; count: number }[] | null;
	/** The day after the latest order (the analysis date when none is chosen). */
	defaultAnalysisDate: string | null;
}

/** An empty cache, for new orders. */
export function newScoringCache(): ScoringCache {
	return { metricsKey: null, customers: null, headline: null, distribution: null, defaultAnalysisDate: null };
}

function metricsKey(window: ScoringWindow, monetary: MonetaryBasis, tables: ScoringTables): string {
	return JSON.stringify([window.analysisDate, window.from, window.to, monetary, tables.metrics]);
}

/** Score bands for every metric, from the data in `customer_metrics` (or the settings, for `fixed`). */
export async function computeThresholds(
	db: SqlRunner,
	settings: ScoringSettings,
	table = SCORING_TABLES.metrics,
	cache: ScoringCache | null = null
): Promise<Thresholds> {
	const thresholds = { recency: [], frequency: [], monetary: [] } as Thresholds;
	if (settings.method === 'fixed') {
		for (const metric of METRICS) thresholds[metric] = fixedBands(metric, settings.fixed[metric]);
		return thresholds;
	}
	if (settings.method === 'r-rfm') {
		const rows = await db.rows<{ metric: Metric; breaks: number[]; min: number; max: number }>(rQuantilesSql(settings.levels, table));
		for (const row of rows) thresholds[row.metric] = rBands(row.metric, [...row.breaks], row.min, row.max);
		return thresholds;
	}
	const rows = cache?.distribution ?? (await db.rows<{ metric: Metric; lo: number; hi: number; count: number }>(distributionSql(table)));
	if (cache) cache.distribution = rows;
	const groups: Record<Metric, ValueGroup[]> = { recency: [], frequency: [], monetary: [] };
	for (const row of rows) groups[row.metric].push({ lo: row.lo, hi: row.hi, count: row.count });
	// One value for everyone carries no information: it keeps score 1 (balancedBands), as before.
	const lumpy = METRICS.filter((m) => groups[m].length > 1 && groups[m].length < settings.levels);
	// The longest recency possible (first order counted → analysis date), where the table has the dates.
	let recencySpan: number | null = null;
	if (lumpy.includes('recency')) {
		const columns = await db.rows<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${table})`);
		if (columns.some((c) => c.column_name === 'first_order')) {
			const [row] = await db.rows<{ span: number | null }>(
				`SELECT CAST(max(recency_days + (last_order - first_order)) AS DOUBLE) AS span FROM ${table}`
			);
			recencySpan = row?.span ?? null;
		}
	}
	for (const metric of METRICS) {
		thresholds[metric] = lumpy.includes(metric)
			? spreadBands(metric, groups[metric], settings.levels, metricRange(metric, groups[metric], recencySpan))
			: balancedBands(metric, balancedBins(groups[metric], settings.levels));
	}
	return thresholds;
}

/** Creates `customer_scores`: the metrics plus r, f, m, the `rfm` code (e.g. 543) and the segment. */
export function customerScoresSql(thresholds: Thresholds, ruleSet: RuleSet, tables: ScoringTables = SCORING_TABLES): string {
	return `CREATE OR REPLACE TABLE ${tables.scores} AS
SELECT *, r * 100 + f * 10 + m AS rfm, ${segmentCaseSql(ruleSet)} AS segment
FROM (
	SELECT *,
		${scoreCaseSql(METRIC_COLUMN.recency, thresholds.recency)} AS r,
		${scoreCaseSql(METRIC_COLUMN.frequency, thresholds.frequency)} AS f,
		${scoreCaseSql(METRIC_COLUMN.monetary, thresholds.monetary)} AS m
	FROM ${tables.metrics}
)`;
}

/** The headline's row, as `headlineSql` reads it. */
interface HeadlineRow {
	orders: number;
	orders_before: number;
	orders_after: number;
	after_analysis: number;
	revenue: number;
	first_order: string | null;
	last_order: string | null;
	customers: number;
	engaged: number;
	order_revenue: number;
	returned: number;
	unscored_returns: number;
	unscored_return_customers: number;
}

/**
 * `resolveWindow`, asking the data for the default analysis date once per cache: the day after the
 * latest order does not move while the orders stay the same.
 */
async function resolveWindowCached(db: SqlRunner, settings: ScoringSettings, cache: ScoringCache): Promise<ScoringWindow> {
	if (settings.analysisDate !== null || settings.lookBack.kind === 'range') return resolveWindow(db, settings);
	cache.defaultAnalysisDate ??= (await resolveWindow(db, settings)).analysisDate;
	return windowFor(settings.lookBack, cache.defaultAnalysisDate);
}

function headlineSql(window: ScoringWindow): string {
	const inside = insideSql(window);
	return `SELECT CAST(count(*) FILTER (WHERE ${inside}) AS DOUBLE) AS orders,
	CAST(count(*) FILTER (WHERE ordered_at < ${window.from === null ? 'NULL' : date(window.from)}) AS DOUBLE) AS orders_before,
	CAST(count(*) FILTER (WHERE ordered_at > ${date(window.to)}) AS DOUBLE) AS orders_after,
	CAST(count(*) FILTER (WHERE ordered_at > ${date(window.analysisDate)}) AS DOUBLE) AS after_analysis,
	(SELECT CAST(coalesce(sum(revenue), 0) AS DOUBLE) FROM ${CUSTOMER_METRICS}) AS revenue,
	strftime(min(ordered_at) FILTER (WHERE ${inside}), '%Y-%m-%d') AS first_order,
	strftime(max(ordered_at) FILTER (WHERE ${inside}), '%Y-%m-%d') AS last_order,
	(SELECT CAST(count(*) AS DOUBLE) FROM ${CUSTOMER_METRICS}) AS customers,
	(SELECT CAST(count(engaged_days) AS DOUBLE) FROM ${CUSTOMER_METRICS}) AS engaged,
	(SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM ${WINDOW_ORDERS}) AS order_revenue,
	(SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM ${WINDOW_RETURNS_ROWS} r
		WHERE EXISTS (SELECT 1 FROM ${CUSTOMER_METRICS} m WHERE m.customer_id = r.customer_id)) AS returned,
	(SELECT CAST(coalesce(sum(amount), 0) AS DOUBLE) FROM ${WINDOW_RETURNS_ROWS} r
		WHERE NOT EXISTS (SELECT 1 FROM ${CUSTOMER_METRICS} m WHERE m.customer_id = r.customer_id)) AS unscored_returns,
	(SELECT CAST(count(DISTINCT customer_id) AS DOUBLE) FROM ${WINDOW_RETURNS_ROWS} r
		WHERE NOT EXISTS (SELECT 1 FROM ${CUSTOMER_METRICS} m WHERE m.customer_id = r.customer_id)) AS unscored_return_customers
FROM ${ORDERS}`;
}

/** Thresholds of a scoring that found nobody to score: no bands. */
const NO_BANDS: Thresholds = { recency: [], frequency: [], monetary: [] };

/** What `scoreInto` wrote: how many customers it scored and with which bands. */
export interface ScoredInto {
	customers: number;
	thresholds: Thresholds;
}

/**
 * The scoring steps, in their one order, for the page's scoring (`scoreCustomers`) and for scoring
 * as of a past date (src/lib/history/as-of.ts), each on its own `tables`: the window's orders and
 * credits → per-customer metrics → thresholds from them (or the settings) → scores and segments.
 *
 * With a `cache` (the page's, see `ScoringCache`), metrics of the same window and monetary basis
 * are reused. A window without customers throws `NothingToScore` and leaves `tables.scores` as it
 * was, unless `allowEmpty`: then the scores table is empty (a date before the first order).
 */
export async function scoreInto(
	db: SqlRunner,
	tables: ScoringTables,
	window: ScoringWindow,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	options: { cache?: ScoringCache | null; allowEmpty?: boolean } = {}
): Promise<ScoredInto> {
	const cache = options.cache ?? null;
	const key = metricsKey(window, settings.monetary, tables);
	let customers: number;
	if (cache && cache.metricsKey === key && cache.customers !== null) customers = cache.customers;
	else {
		await db.run(windowOrdersSql(window, tables));
		await db.run(RETURNS_TABLE_SQL);
		await db.run(windowReturnsSql(window, tables));
		await db.run(windowReturnRowsSql(window, tables));
		await db.run(customerMetricsSql(window.analysisDate, settings.monetary, tables));
		const [count] = await db.rows<{ n: number }>(`SELECT CAST(count(*) AS DOUBLE) AS n FROM ${tables.metrics}`);
		customers = count?.n ?? 0;
		if (cache) Object.assign(cache, { metricsKey: key, customers, headline: null, distribution: null });
	}
	if (customers === 0 && !options.allowEmpty) {
		throw new NothingToScore(
			window.from === null
				? `No order is dated on or before the analysis date ${window.analysisDate}, so there is nothing to score.`
				: `No order is dated from ${window.from} to ${window.to}, the look-back window, so there is nothing to score.`
		);
	}
	// Quantiles of an empty table are NULL: nobody to score means no bands.
	const thresholds = customers === 0 ? NO_BANDS : await computeThresholds(db, settings, tables.metrics, cache);
	await db.run(customerScoresSql(thresholds, ruleSet, tables));
	return { customers, thresholds };
}

/**
 * Scores customers from `orders` and summarises them. Re-running it with other settings or rules
 * re-scores without reading the file again. Throws `NothingToScore` when the window holds no order.
 */
export async function scoreCustomers(
	db: SqlRunner,
	settings: ScoringSettings,
	ruleSet: RuleSet,
	cache: ScoringCache | null = null
): Promise<RfmResult> {
	const window = cache ? await resolveWindowCached(db, settings, cache) : await resolveWindow(db, settings);
	const { thresholds } = await scoreInto(db, SCORING_TABLES, window, settings, ruleSet, { cache });
	// The headline reads the window and the metrics, which the scores leave as they were.
	const h = cache?.headline ?? (await db.rows<HeadlineRow>(headlineSql(window)))[0]!;
	if (cache) cache.headline = h;

	const groups = await db.rows<ScoreGroup>(SCORE_GROUPS_SQL);
	const { matrix, segments } = summarise(groups, ruleSet, thresholds);

	return {
		settings: structuredClone(settings),
		ruleSetId: ruleSet.id,
		headline: {
			customers: h.customers,
			orders: h.orders,
			revenue: h.revenue,
			firstOrder: h.first_order ?? window.analysisDate,
			lastOrder: h.last_order ?? window.analysisDate,
			analysisDate: window.analysisDate,
			windowFrom: window.from,
			windowTo: window.to,
			ordersBeforeWindow: h.orders_before,
			ordersAfterWindow: h.orders_after,
			ordersAfterAnalysisDate: h.after_analysis,
			engagedCustomers: h.engaged,
			orderRevenue: h.order_revenue,
			returned: h.returned,
			unscoredReturns: h.unscored_returns,
			unscoredReturnCustomers: h.unscored_return_customers
		},
		thresholds,
		matrix,
		segments
	};
}

/**
 * The customer export: one row per scored customer. The first eleven columns are fixed
 * (`customer_id … segment`); `monetary` is the M score's input (total revenue or average order
 * value, as chosen), `revenue` the customer's revenue in the window either way, then the segment's
 * description and suggested action from the rule set. Dates are ISO; amounts plain numbers rounded
 * to 4 decimals (enough for any currency, and it hides floating-point noise such as 0.30000000000000004).
 */
export function customersExportSql(ruleSet: RuleSet): string {
	return `SELECT customer_id, strftime(first_order, '%Y-%m-%d') AS first_order, strftime(last_order, '%Y-%m-%d') AS last_order,
	recency_days, frequency, round(monetary, 4) AS monetary, r, f, m, rfm, segment,
	round(revenue, 4) AS revenue, segment_info.description AS segment_description, segment_info.action AS suggested_action
FROM ${CUSTOMER_SCORES} LEFT JOIN (${segmentInfoSql(ruleSet)}) AS segment_info USING (segment)
ORDER BY customer_id`;
}

/**
 * `COPY (query) TO 'file'` as a CSV with a header, every text cell neutralised against formula
 * injection (`csvSafeQuerySql`): every CSV the engine writes goes through here.
 */
export function copyToCsvSql(query: string, fileName: string): string {
	return `COPY (${csvSafeQuerySql(query)}) TO ${str(fileName)} (FORMAT csv, HEADER true)`;
}
