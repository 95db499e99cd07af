/**
 * The RFM pipeline after ingest, as SQL steps over the canonical tables:
 * `input_rows` → `orders` → `customer_metrics` → `customer_scores`, then small summaries.
 *
 * It talks to DuckDB only through `SqlRunner`, so the same code runs in the engine worker
 * (DuckDB-WASM), in unit tests (DuckDB-WASM's Node build) and in the benchmark (native DuckDB).
 */
import { date, str } from '../sql';
import { EXCLUSION_COUNTS_SQL, EXCLUSION_LABELS, type ExclusionReason } from '../ingest/ingest-sql';
import {
	balancedBands,
	balancedBins,
	distributionSql,
	METRIC_COLUMN,
	rBands,
	rQuantilesSql,
	scoreCaseSql,
	type ValueGroup
} from './scoring';
import { segmentCaseSql } from './segments';
import { SCORE_GROUPS_SQL, summarise, type MatrixCell, type ScoreGroup, type SegmentSummary } from './summary';

export type { MatrixCell, SegmentSummary };
import { METRICS, type Metric, type RuleSet, type ScoringSettings, type Thresholds } from './types';

/** Runs SQL. `rows` returns plain objects with numbers (not BigInt) and strings. */
export interface SqlRunner {
	run(sql: string): Promise<void>;
	rows<T>(sql: string): Promise<T[]>;
}

export interface IngestReport {
	rowsRead: number;
	rowsUsed: number;
	excluded: { reason: ExclusionReason; label: string; rows: number }[];
}

export interface Headline {
	customers: number;
	orders: number;
	revenue: number;
	firstOrder: string;
	lastOrder: string;
	analysisDate: string;
	/** Orders dated after the analysis date, left out of scoring. */
	ordersAfterAnalysisDate: number;
}

export interface RfmResult {
	settings: ScoringSettings;
	ruleSetId: string;
	headline: Headline;
	thresholds: Thresholds;
	matrix: MatrixCell[];
	segments: SegmentSummary[];
}

/**
 * Creates `orders(customer_id, order_id, ordered_at, amount, lines)` from the used rows of
 * `input_rows`. Line-item files are summed per (customer, order id); without an order id column,
 * or for a row with an empty one, each row is its own order.
 */
export function ordersSql(hasOrderRef: boolean): string {
	const used = `customer_id IS NOT NULL AND order_date IS NOT NULL AND amount IS NOT NULL`;
	if (!hasOrderRef) {
		return `CREATE OR REPLACE TABLE orders AS
SELECT customer_id, CAST(rowid AS VARCHAR) AS order_id, order_date AS ordered_at, amount, 1 AS lines
FROM input_rows WHERE ${used}`;
	}
	return `CREATE OR REPLACE TABLE orders AS
SELECT customer_id, coalesce(order_ref, '#row ' || CAST(rowid AS VARCHAR)) AS order_id,
	min(order_date) AS ordered_at, sum(amount) AS amount, CAST(count(*) AS INTEGER) AS lines
FROM input_rows WHERE ${used}
GROUP BY customer_id, coalesce(order_ref, '#row ' || CAST(rowid AS VARCHAR))`;
}

const REASONS = Object.keys(EXCLUSION_LABELS) as ExclusionReason[];

/** Rows read and excluded per reason (most rows first), from `input_rows`. */
export async function readIngestReport(db: SqlRunner): Promise<IngestReport> {
	const counts = await db.rows<{ reason: ExclusionReason | null; rows: number }>(EXCLUSION_COUNTS_SQL);
	const rowsRead = counts.reduce((s, c) => s + c.rows, 0);
	const excluded = counts
		.filter((c): c is { reason: ExclusionReason; rows: number } => c.reason !== null)
		.map((c) => ({ reason: c.reason, label: EXCLUSION_LABELS[c.reason], rows: c.rows }))
		.sort((a, b) => b.rows - a.rows || REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason));
	return { rowsRead, rowsUsed: rowsRead - excluded.reduce((s, e) => s + e.rows, 0), excluded };
}

/** Per-customer metrics as of `analysisDate` (orders after it are left out). */
export function customerMetricsSql(analysisDate: string): string {
	return `CREATE OR REPLACE TABLE customer_metrics AS
SELECT customer_id, min(ordered_at) AS first_order, max(ordered_at) AS last_order,
	CAST(${date(analysisDate)} - max(ordered_at) AS INTEGER) AS recency_days,
	CAST(count(*) AS INTEGER) AS frequency,
	sum(amount) AS monetary
FROM orders WHERE ordered_at <= ${date(analysisDate)}
GROUP BY customer_id`;
}

/** The analysis date in force: the one chosen, or the day after the latest order. */
export async function resolveAnalysisDate(db: SqlRunner, settings: ScoringSettings): Promise<string> {
	if (settings.analysisDate) return settings.analysisDate;
	const [row] = await db.rows<{ d: string | null }>(`SELECT strftime(max(ordered_at) + 1, '%Y-%m-%d') AS d FROM orders`);
	if (!row?.d) throw new Error('No order could be used, so there is nothing to score.');
	return row.d;
}

/** Score bands for every metric, from the data in `customer_metrics`. */
export async function computeThresholds(db: SqlRunner, settings: ScoringSettings): Promise<Thresholds> {
	const thresholds = { recency: [], frequency: [], monetary: [] } as Thresholds;
	if (settings.method === 'r-rfm') {
		const rows = await db.rows<{ metric: Metric; breaks: number[]; min: number; max: number }>(rQuantilesSql(settings.levels));
		for (const row of rows) thresholds[row.metric] = rBands(row.metric, [...row.breaks], row.min, row.max);
		return thresholds;
	}
	const rows = await db.rows<{ metric: Metric; lo: number; hi: number; count: number }>(distributionSql());
	const groups: Record<Metric, ValueGroup[]> = { recency: [], frequency: [], monetary: [] };
	for (const row of rows) groups[row.metric].push({ lo: row.lo, hi: row.hi, count: row.count });
	for (const metric of METRICS) thresholds[metric] = balancedBands(metric, balancedBins(groups[metric], settings.levels));
	return thresholds;
}

/** Creates `customer_scores`: the metrics plus r, f, m, the `rfm` code (e.g. 543) and the segment. */
export function customerScoresSql(thresholds: Thresholds, ruleSet: RuleSet): string {
	return `CREATE OR REPLACE TABLE customer_scores AS
SELECT *, r * 100 + f * 10 + m AS rfm, ${segmentCaseSql(ruleSet)} AS segment
FROM (
	SELECT *,
		${scoreCaseSql(METRIC_COLUMN.recency, thresholds.recency)} AS r,
		${scoreCaseSql(METRIC_COLUMN.frequency, thresholds.frequency)} AS f,
		${scoreCaseSql(METRIC_COLUMN.monetary, thresholds.monetary)} AS m
	FROM customer_metrics
)`;
}

function headlineSql(analysisDate: string): string {
	return `SELECT CAST(count(*) FILTER (WHERE ordered_at <= ${date(analysisDate)}) AS DOUBLE) AS orders,
	CAST(count(*) FILTER (WHERE ordered_at > ${date(analysisDate)}) AS DOUBLE) AS after,
	CAST(coalesce(sum(amount) FILTER (WHERE ordered_at <= ${date(analysisDate)}), 0) AS DOUBLE) AS revenue,
	strftime(min(ordered_at) FILTER (WHERE ordered_at <= ${date(analysisDate)}), '%Y-%m-%d') AS first_order,
	strftime(max(ordered_at) FILTER (WHERE ordered_at <= ${date(analysisDate)}), '%Y-%m-%d') AS last_order,
	(SELECT CAST(count(*) AS DOUBLE) FROM customer_metrics) AS customers
FROM orders`;
}

/**
 * Scores customers from `orders` and summarises them. Re-running it with other settings or rules
 * re-scores without reading the file again.
 */
export async function scoreCustomers(db: SqlRunner, settings: ScoringSettings, ruleSet: RuleSet): Promise<RfmResult> {
	const analysisDate = await resolveAnalysisDate(db, settings);
	await db.run(customerMetricsSql(analysisDate));
	const [h] = await db.rows<{
		orders: number;
		after: number;
		revenue: number;
		first_order: string | null;
		last_order: string | null;
		customers: number;
	}>(headlineSql(analysisDate));
	if (!h || h.customers === 0) {
		throw new Error(`No order is dated on or before the analysis date ${analysisDate}, so there is nothing to score.`);
	}
	const thresholds = await computeThresholds(db, settings);
	await db.run(customerScoresSql(thresholds, ruleSet));

	const groups = await db.rows<ScoreGroup>(SCORE_GROUPS_SQL);
	const { matrix, segments } = summarise(groups, ruleSet, thresholds);

	return {
		settings: { ...settings },
		ruleSetId: ruleSet.id,
		headline: {
			customers: h.customers,
			orders: h.orders,
			revenue: h.revenue,
			firstOrder: h.first_order ?? analysisDate,
			lastOrder: h.last_order ?? analysisDate,
			analysisDate,
			ordersAfterAnalysisDate: h.after
		},
		thresholds,
		matrix,
		segments
	};
}

/**
 * The customer export: one row per scored customer, dates ISO, monetary a plain number rounded to
 * 4 decimals (enough for any currency, and it hides floating-point noise such as 0.30000000000000004).
 */
export function customersExportSql(): string {
	return `SELECT customer_id, strftime(first_order, '%Y-%m-%d') AS first_order, strftime(last_order, '%Y-%m-%d') AS last_order,
	recency_days, frequency, round(monetary, 4) AS monetary, r, f, m, rfm, segment
FROM customer_scores ORDER BY customer_id`;
}

/** `COPY (query) TO 'file'` as a CSV with a header. */
export function copyToCsvSql(query: string, fileName: string): string {
	return `COPY (${query}) TO ${str(fileName)} (FORMAT csv, HEADER true)`;
}
