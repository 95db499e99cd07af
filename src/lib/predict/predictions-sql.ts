/**
 * SQL around `customer_predictions`, the table other code joins on `customer_id` to show predictions:
 * its final shape, the segment averages and the ready-made selections.
 */
import { ident, num } from '../sql';
import { CUSTOMER_PREDICTIONS, CUSTOMER_SCORES } from '../db/tables';

/** Where the worker writes the raw prediction columns (NaN for hidden values, 0/1 flags) before `finishPredictionsSql`. */
export const PREDICTIONS_STAGING = 'customer_predictions_staging';

/**
 * What `customer_predictions` holds right now, for the views that join it (the customer list, the
 * profile, the builder, the segment table): its expected-orders horizons, the predicted value's
 * horizon, and whether the spend columns have values (a warning can hide them alone).
 */
export interface PredictionColumns {
	horizons: number[];
	valueHorizon: number;
	showValue: boolean;
	/** The bootstrap has filled `predicted_value_low` / `predicted_value_high` (absent: not yet). */
	intervals?: boolean;
}

/** The expected-orders column of a horizon in days: `expected_orders_90d`. */
export function expectedOrdersColumn(days: number): string {
	if (!Number.isSafeInteger(days) || days < 1) throw new Error(`Not a horizon in days: ${days}`);
	return `expected_orders_${days}d`;
}

/** The chance-of-ordering column of a horizon in days (the first horizon): `p_order_next_30d`. */
export function orderChanceColumn(days: number): string {
	if (!Number.isSafeInteger(days) || days < 1) throw new Error(`Not a horizon in days: ${days}`);
	return `p_order_next_${days}d`;
}

/** Where the bootstrap writes each customer's predicted-value interval before `withIntervalsSql`. */
export const INTERVALS_STAGING = 'customer_intervals_staging';

/**
 * `customer_predictions(customer_id, repeat_purchases, p_alive, p_order_next_<h>d, expected_orders_<h>d…, expected_order_value,
 * predicted_value, likely_lost, high_predicted_value, predicted_value_low, predicted_value_high)` from the staging table: hidden values become
 * NULL, flags booleans. One row per customer with an order (none when the models are not trusted).
 */
export function finishPredictionsSql(horizons: number[]): string {
	const orders = horizons
		.map((h) => `CAST(${ident(expectedOrdersColumn(h))} AS DOUBLE) AS ${ident(expectedOrdersColumn(h))}`)
		.join(',\n\t');
	const value = (c: string) => `CASE WHEN isnan(${c}) THEN NULL ELSE CAST(${c} AS DOUBLE) END AS ${c}`;
	return `CREATE OR REPLACE TABLE ${CUSTOMER_PREDICTIONS} AS
SELECT CAST(customer_id AS VARCHAR) AS customer_id, CAST(repeat_purchases AS INTEGER) AS repeat_purchases,
	CAST(p_alive AS DOUBLE) AS p_alive, CAST(p_order_next AS DOUBLE) AS ${ident(orderChanceColumn(horizons[0]!))},
	${orders},
	${value('expected_order_value')}, ${value('predicted_value')},
	likely_lost <> 0 AS likely_lost, high_predicted_value <> 0 AS high_predicted_value,
	CAST(NULL AS DOUBLE) AS predicted_value_low, CAST(NULL AS DOUBLE) AS predicted_value_high
FROM ${PREDICTIONS_STAGING}`;
}

/**
 * `customer_predictions` with the bootstrap's 90 % interval of each customer's predicted value (from
 * `INTERVALS_STAGING`: customer_id, low, high; NaN where values are hidden).
 */
export function withIntervalsSql(): string {
	const value = (c: string) => `CASE WHEN isnan(i.${c}) THEN NULL ELSE CAST(i.${c} AS DOUBLE) END`;
	return `CREATE OR REPLACE TABLE ${CUSTOMER_PREDICTIONS} AS
SELECT p.* EXCLUDE (predicted_value_low, predicted_value_high),
	${value('low')} AS predicted_value_low, ${value('high')} AS predicted_value_high
FROM ${CUSTOMER_PREDICTIONS} p LEFT JOIN ${INTERVALS_STAGING} i ON CAST(i.customer_id AS VARCHAR) = p.customer_id`;
}

/** An empty `customer_predictions` with the same columns: joins keep working while predictions are hidden. */
export function emptyPredictionsSql(horizons: number[]): string {
	const orders = horizons.map((h) => `CAST(NULL AS DOUBLE) AS ${ident(expectedOrdersColumn(h))}`).join(', ');
	return `CREATE OR REPLACE TABLE ${CUSTOMER_PREDICTIONS} AS
SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS INTEGER) AS repeat_purchases, CAST(NULL AS DOUBLE) AS p_alive,
	CAST(NULL AS DOUBLE) AS ${ident(orderChanceColumn(horizons[0]!))}, ${orders},
	CAST(NULL AS DOUBLE) AS expected_order_value, CAST(NULL AS DOUBLE) AS predicted_value,
	CAST(NULL AS BOOLEAN) AS likely_lost, CAST(NULL AS BOOLEAN) AS high_predicted_value,
	CAST(NULL AS DOUBLE) AS predicted_value_low, CAST(NULL AS DOUBLE) AS predicted_value_high
WHERE false`;
}

/** Averages per RFM segment (from `customer_scores`) of the predictions, largest predicted value first. */
export interface SegmentPrediction {
	segment: string;
	customers: number;
	pAlive: number | null;
	/** Mean expected orders over the first horizon. */
	expectedOrders: number | null;
	expectedOrderValue: number | null;
	predictedValue: number | null;
	totalPredictedValue: number | null;
	likelyLost: number;
}

export function segmentPredictionsSql(firstHorizon: number): string {
	const orders = ident(expectedOrdersColumn(firstHorizon));
	return `SELECT s.segment, CAST(count(*) AS DOUBLE) AS customers, avg(p.p_alive) AS "pAlive", avg(p.${orders}) AS "expectedOrders",
	avg(p.expected_order_value) AS "expectedOrderValue", avg(p.predicted_value) AS "predictedValue",
	sum(p.predicted_value) AS "totalPredictedValue", CAST(count(*) FILTER (WHERE p.likely_lost) AS DOUBLE) AS "likelyLost"
FROM ${CUSTOMER_SCORES} s LEFT JOIN ${CUSTOMER_PREDICTIONS} p ON p.customer_id = s.customer_id
GROUP BY s.segment ORDER BY "totalPredictedValue" DESC NULLS LAST, s.segment`;
}

/** The ready-made selections: everyone with a prediction, "likely lost", "high predicted value". */
export type PredictionSelection = 'all' | 'likely-lost' | 'high-value';

const CONDITION: Record<PredictionSelection, string> = {
	all: 'true',
	'likely-lost': 'p.likely_lost',
	'high-value': 'p.high_predicted_value'
};

/** How many customers each selection holds, and their predicted value. */
export const SELECTION_COUNTS_SQL = `SELECT CAST(count(*) AS DOUBLE) AS "all",
	CAST(count(*) FILTER (WHERE likely_lost) AS DOUBLE) AS "likelyLost",
	CAST(count(*) FILTER (WHERE high_predicted_value) AS DOUBLE) AS "highValue",
	sum(predicted_value) FILTER (WHERE likely_lost) AS "likelyLostValue",
	sum(predicted_value) FILTER (WHERE high_predicted_value) AS "highValueValue",
	sum(predicted_value) AS "totalValue"
FROM ${CUSTOMER_PREDICTIONS}`;

/**
 * The customers of a selection with their predictions and RFM segment (when scored), for the list
 * and the CSV: likely lost by lowest P(alive) first, the others by highest predicted value.
 */
export function predictionRowsSql(selection: PredictionSelection, horizons: number[], limit?: number, intervals = false): string {
	if (!(selection in CONDITION)) throw new Error(`Unknown prediction selection ${String(selection)}`);
	const round = (c: string, d = 4) => `round(p.${c}, ${d}) AS ${c}`;
	const orders = horizons.map((h) => round(ident(expectedOrdersColumn(h)))).join(', ');
	const order =
		selection === 'likely-lost' ? 'p.p_alive ASC, p.customer_id' : 'p.predicted_value DESC NULLS LAST, p.p_alive DESC, p.customer_id';
	const cap = limit === undefined ? '' : `\nLIMIT ${num(limit)}`;
	return `SELECT p.customer_id, s.segment, p.repeat_purchases, ${round('p_alive')}, ${round(ident(orderChanceColumn(horizons[0]!)))}, ${orders},
	${round('expected_order_value', 2)}, ${round('predicted_value', 2)},${intervals ? ` ${round('predicted_value_low', 2)}, ${round('predicted_value_high', 2)},` : ''}
	p.likely_lost, p.high_predicted_value
FROM ${CUSTOMER_PREDICTIONS} p LEFT JOIN ${CUSTOMER_SCORES} s ON s.customer_id = p.customer_id
WHERE ${CONDITION[selection]}
ORDER BY ${order}${cap}`;
}

/**
 * A customer export (any query with a `customer_id` column) with the prediction columns appended,
 * NULL for customers without a prediction. Used once predictions exist; the predicted value's 90 %
 * interval is appended once the bootstrap has run (`intervals`).
 */
export function withPredictionsSql(exportSql: string, horizons: number[], intervals = false): string {
	const orders = horizons.map((h) => `round(p.${ident(expectedOrdersColumn(h))}, 4) AS ${ident(expectedOrdersColumn(h))}`).join(', ');
	const chance = ident(orderChanceColumn(horizons[0]!));
	const bounds = intervals
		? `,\n\tround(p.predicted_value_low, 2) AS predicted_value_low, round(p.predicted_value_high, 2) AS predicted_value_high`
		: '';
	return `SELECT e.*, round(p.p_alive, 4) AS p_alive, round(p.${chance}, 4) AS ${chance}, ${orders}, round(p.expected_order_value, 2) AS expected_order_value,
	round(p.predicted_value, 2) AS predicted_value${bounds}
FROM (${exportSql}) e LEFT JOIN ${CUSTOMER_PREDICTIONS} p ON p.customer_id = e.customer_id
ORDER BY e.customer_id`;
}
