/**
 * The Predictions step on the engine's side: summary SQL → fits → `customer_predictions` →
 * segment averages, selections and the holdout check. Takes a SqlRunner and a table writer, so it
 * runs on DuckDB-WASM in the worker and in Node tests alike.
 */
import type { Table } from 'apache-arrow';
import type { SqlRunner } from '../db/runner';
import { PredictionProblem } from '../errors';
import { addDays, dayNumber } from '../dates';
import {
	fitModels,
	holdoutCheck,
	withHoldoutCheck,
	predictCustomers,
	type CustomerPredictions,
	type CustomerSummary,
	type DailyPurchases,
	type HoldoutCheck,
	type ModelFit,
	type PredictSettings
} from './predict';
import {
	emptyPredictionsSql,
	expectedOrdersColumn,
	finishPredictionsSql,
	predictionRowsSql,
	PREDICTIONS_STAGING,
	SELECTION_COUNTS_SQL,
	segmentPredictionsSql,
	type SegmentPrediction
} from './predictions-sql';
import { customerSummarySql, dailyPurchasesSql, ORDER_SPAN_SQL, type SummaryPeriod } from './summary-sql';

/** Writes columns (equal lengths) to a new table `name`, replacing it. The worker uses Arrow; tests may use CSV. */
export type TableWriter = (name: string, columns: Record<string, ArrayLike<number> | string[]>) => Promise<void>;

/** One customer's predictions as listed on screen (expected orders keyed by column name). */
export type PredictionRow = Record<string, string | number | boolean | null>;

export interface PredictionReport {
	settings: PredictSettings;
	/** First and last order dates; predictions look ahead from the last one. */
	firstDay: string;
	lastDay: string;
	fit: ModelFit;
	/** Null when the holdout check could not run; `holdoutProblem` says why. */
	holdout: HoldoutCheck | null;
	holdoutProblem: string | null;
	segments: SegmentPrediction[];
	selections: {
		all: number;
		likelyLost: number;
		highValue: number;
		likelyLostValue: number | null;
		highValueValue: number | null;
		totalValue: number | null;
	};
	/** The predicted value from which a customer is "high value" (null when values are hidden). */
	highValueFrom: number | null;
	/** The customers with the highest predicted value (or expected orders when values are hidden). */
	top: PredictionRow[];
	/** Sum over customers of expected orders per horizon (in `settings.horizons` order). */
	expectedOrdersTotal: number[];
	timings: { summaryMs: number; fitMs: number; predictMs: number; holdoutMs: number };
}

async function readSummary(db: SqlRunner, period: SummaryPeriod): Promise<CustomerSummary> {
	if (db.arrow) return summaryFromArrow(await db.arrow(customerSummarySql(period)));
	const rows = await db.rows<{
		customer_id: string;
		x: number;
		t_x: number;
		T: number;
		mean_spend: number | null;
		holdout: number;
		first_day: number;
	}>(customerSummarySql(period));
	const column = (f: (r: (typeof rows)[number]) => number) => Float64Array.from(rows, f);
	return {
		customerId: rows.map((r) => String(r.customer_id)),
		x: column((r) => r.x),
		tx: column((r) => r.t_x),
		T: column((r) => r.T),
		meanSpend: column((r) => r.mean_spend ?? NaN),
		holdout: column((r) => r.holdout),
		firstDay: column((r) => r.first_day)
	};
}

/** The summary's columns straight from Arrow: a million customers in well under a second, not seconds of row objects. */
function summaryFromArrow(table: Table): CustomerSummary {
	const column = (name: string) => {
		const vector = table.getChild(name);
		if (!vector) throw new Error(`The customer summary has no column ${name}`);
		return vector;
	};
	const numbers = (name: string) => Float64Array.from(column(name).toArray() as Float64Array);
	const x = numbers('x');
	// NULL (no repeat purchase) reads as 0 from the typed array: NaN, as the models expect.
	const meanSpend = numbers('mean_spend');
	for (let i = 0; i < x.length; i++) if (x[i] === 0) meanSpend[i] = NaN;
	return {
		customerId: Array.from(column('customer_id').toArray() as ArrayLike<unknown>, String),
		x,
		tx: numbers('t_x'),
		T: numbers('T'),
		meanSpend,
		holdout: numbers('holdout'),
		firstDay: numbers('first_day')
	};
}

async function readDaily(db: SqlRunner, period: SummaryPeriod): Promise<DailyPurchases> {
	const rows = await db.rows<{ day: number; first_purchases: number; repeat_purchases: number }>(dailyPurchasesSql(period));
	return {
		day: Float64Array.from(rows, (r) => r.day),
		firstPurchases: Float64Array.from(rows, (r) => r.first_purchases),
		repeatPurchases: Float64Array.from(rows, (r) => r.repeat_purchases)
	};
}

/** The holdout's calibration end: the chosen cut, or the day that splits the order history in half. */
export function holdoutCutFor(settings: PredictSettings, firstDay: string, lastDay: string): string {
	if (settings.holdoutCut) return settings.holdoutCut;
	const span = dayNumber(lastDay) - dayNumber(firstDay) + 1;
	return addDays(firstDay, Math.floor(span / 2) - 1);
}

function stagingColumns(
	p: CustomerPredictions,
	summary: CustomerSummary,
	horizons: number[]
): Record<string, ArrayLike<number> | string[]> {
	const columns: Record<string, ArrayLike<number> | string[]> = {
		customer_id: p.customerId,
		repeat_purchases: summary.x,
		p_alive: p.pAlive
	};
	horizons.forEach((h, k) => (columns[expectedOrdersColumn(h)] = p.expectedOrders[k]!));
	columns.expected_order_value = p.expectedOrderValue;
	columns.predicted_value = p.predictedValue;
	columns.likely_lost = p.likelyLost;
	columns.high_predicted_value = p.highValue;
	return columns;
}

/**
 * Fits both models on every order up to the last one, runs the holdout check (a bad miss hides the
 * predictions), and writes `customer_predictions` (empty when a warning hides the predictions). `onStep` reports what is happening.
 */
export async function runPredictions(
	db: SqlRunner,
	settings: PredictSettings,
	write: TableWriter,
	onStep: (label: string) => void = () => {}
): Promise<PredictionReport> {
	const t0 = performance.now();
	const [span] = await db.rows<{ first_day: string | null; last_day: string | null; customers: number }>(ORDER_SPAN_SQL);
	if (!span?.first_day || !span.last_day) throw new PredictionProblem('There are no dated orders to learn from.');
	const { first_day: firstDay, last_day: lastDay } = span;
	onStep(`Summarising ${span.customers.toLocaleString('en')} customers…`);
	const summary = await readSummary(db, { calibrationEnd: lastDay, holdoutEnd: lastDay, unit: settings.unit });
	const t1 = performance.now();
	onStep('Fitting the purchase and spend models…');
	let fit: ModelFit;
	try {
		fit = fitModels(summary, settings.unit);
	} catch (e) {
		throw new PredictionProblem(e instanceof Error ? e.message : String(e));
	}
	const t2 = performance.now();
	onStep('Checking the model on a holdout period…');
	let holdout: HoldoutCheck | null = null;
	let holdoutProblem: string | null = null;
	const cut = holdoutCutFor(settings, firstDay, lastDay);
	if (cut < firstDay || cut >= lastDay)
		holdoutProblem = `The holdout cut date must fall between the first order (${firstDay}) and the day before the last (${lastDay}).`;
	else {
		const period: SummaryPeriod = { calibrationEnd: cut, holdoutEnd: lastDay, unit: settings.unit };
		const calibration = await readSummary(db, period);
		try {
			const calibrationFit = fitModels(calibration, settings.unit);
			holdout = holdoutCheck(calibrationFit, calibration, await readDaily(db, period), period);
		} catch (e) {
			holdoutProblem = e instanceof Error ? e.message : String(e);
		}
	}
	// A model that misses the holdout period badly hides its predictions (see withHoldoutCheck).
	fit = withHoldoutCheck(fit, holdout);
	const t3 = performance.now();
	let predictions: CustomerPredictions | null = null;
	if (fit.showOrders) {
		predictions = predictCustomers(fit, summary, settings);
		await write(PREDICTIONS_STAGING, stagingColumns(predictions, summary, settings.horizons));
		await db.run(finishPredictionsSql(settings.horizons));
		await db.run(`DROP TABLE IF EXISTS ${PREDICTIONS_STAGING}`);
	} else await db.run(emptyPredictionsSql(settings.horizons));
	const segments = await db.rows<SegmentPrediction>(segmentPredictionsSql(settings.horizons[0]!));
	const [selections] = await db.rows<PredictionReport['selections']>(SELECTION_COUNTS_SQL);
	const top = await db.rows<PredictionRow>(predictionRowsSql('all', settings.horizons, 20));
	const expectedOrdersTotal = settings.horizons.map((_, k) =>
		predictions ? predictions.expectedOrders[k]!.reduce((s, v) => s + v, 0) : 0
	);

	const t4 = performance.now();
	return {
		settings,
		firstDay,
		lastDay,
		fit,
		holdout,
		holdoutProblem,
		segments,
		selections: selections ?? { all: 0, likelyLost: 0, highValue: 0, likelyLostValue: null, highValueValue: null, totalValue: null },
		highValueFrom: predictions && Number.isFinite(predictions.highValueFrom) ? predictions.highValueFrom : null,
		top,
		expectedOrdersTotal,
		timings: { summaryMs: t1 - t0, fitMs: t2 - t1, predictMs: t4 - t3, holdoutMs: t3 - t2 }
	};
}
