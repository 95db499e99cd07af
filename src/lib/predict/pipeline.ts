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
	type CurvePoint,
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
import { customerSummarySql, dailyPurchasesSql, DAYS_PER_UNIT, ORDER_SPAN_SQL, type SummaryPeriod } from './summary-sql';
import { compareModels, type ModelChoice } from './model-choice';
import type { FitReport } from './fit';
import { purchaseModel, PURCHASE_MODELS, type ModelName } from './models';

/** Writes columns (equal lengths) to a new table `name`, replacing it. The worker uses Arrow; tests may use CSV. */
export type TableWriter = (name: string, columns: Record<string, ArrayLike<number> | string[]>) => Promise<void>;

/** One customer's predictions as listed on screen (expected orders keyed by column name). */
export type PredictionRow = Record<string, string | number | boolean | null>;

/** One repeat-purchase model as the comparison table shows it (plain data: it crosses to the page). */
export interface ModelShowing {
	model: ModelName;
	label: string;
	/** What sets it apart, in a sentence a merchant can read. */
	summary: string;
	/** Fitted on the calibration period (the whole history when there is no holdout period). */
	params: Record<string, number>;
	logLikelihood: number;
	bic: number;
	/** Converged away from the optimiser's bounds. */
	usable: boolean;
	/** Holdout errors per customer and totals; null without a holdout period. */
	holdout: { mae: number; rmse: number; predicted: number; actual: number } | null;
	/** Cumulative repeat purchases, actual against this model (empty without a holdout period). */
	curve: CurvePoint[];
}

/** Which model the predictions use, which one the holdout check picked, and why. */
export interface ModelChoiceReport {
	models: ModelShowing[];
	/** The model that predicted the holdout period best (lowest BIC without one). */
	best: ModelName;
	/** The model behind the predictions: the merchant's pick, or `best`. */
	chosen: ModelName;
	/** Why `best` is best, in the merchant's words. */
	reason: string;
}

export interface PredictionReport {
	settings: PredictSettings;
	/** The three repeat-purchase models side by side, and the one in use. */
	choice: ModelChoiceReport;
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
		p_alive: p.pAlive,
		p_order_next: p.pOrderNext
	};
	horizons.forEach((h, k) => (columns[expectedOrdersColumn(h)] = p.expectedOrders[k]!));
	columns.expected_order_value = p.expectedOrderValue;
	columns.predicted_value = p.predictedValue;
	columns.likely_lost = p.likelyLost;
	columns.high_predicted_value = p.highValue;
	return columns;
}

/** What the bootstrap needs after a prediction: the customer summary it was made on and the fit in use. */
export interface PredictionRun {
	report: PredictionReport;
	summary: CustomerSummary;
	fit: ModelFit;
}

/** The holdout period's length in the unit, from its two ISO dates. */
function holdoutLengthOf(period: SummaryPeriod): number {
	const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
	return (dayOf(period.holdoutEnd) - dayOf(period.calibrationEnd)) / DAYS_PER_UNIT[period.unit];
}

/** The comparison as plain data for the page, each usable model with its tracking curve. */
function showChoice(
	choice: ModelChoice,
	chosen: ModelName,
	calibration: CustomerSummary,
	daily: DailyPurchases | null,
	period: SummaryPeriod | null,
	holdout: HoldoutCheck | null
): ModelChoiceReport {
	return {
		models: choice.comparisons.map((c) => {
			let curve: CurvePoint[] = [];
			// The curve costs one pass over the days per model, cheap beside a fit: the holdout check's fit
			// with this model's parameters (the curve reads nothing else of it).
			if (daily && period && holdout && c.usable)
				curve =
					c.model === holdout.fit.model
						? holdout.curve
						: holdoutCheck(
								{ ...holdout.fit, model: c.model, purchase: c.fit as FitReport<Record<string, number>> },
								calibration,
								daily,
								period
							).curve;
			return {
				model: c.model,
				label: c.label,
				summary: purchaseModel(c.model).summary,
				params: c.fit.params as Record<string, number>,
				logLikelihood: c.fit.logLikelihood,
				bic: c.bic,
				usable: c.usable,
				holdout: c.holdout,
				curve
			};
		}),
		best: choice.chosen,
		chosen,
		reason: choice.reason
	};
}

/**
 * Fits the three repeat-purchase models on the orders before the holdout cut and picks the one that
 * predicted the holdout period best (the merchant's pick when they made one), fits it and Gamma-Gamma
 * on every order up to the last one, runs the holdout check (a bad miss hides the predictions), and
 * writes `customer_predictions` (empty when a warning hides the predictions). `onStep` reports what is
 * happening. Returns the summary and fit too, for the bootstrap.
 */
export async function predictStore(
	db: SqlRunner,
	settings: PredictSettings,
	write: TableWriter,
	onStep: (label: string) => void = () => {}
): Promise<PredictionRun> {
	const t0 = performance.now();
	const [span] = await db.rows<{ first_day: string | null; last_day: string | null; customers: number }>(ORDER_SPAN_SQL);
	if (!span?.first_day || !span.last_day) throw new PredictionProblem('There are no dated orders to learn from.');
	const { first_day: firstDay, last_day: lastDay } = span;
	onStep(`Summarising ${span.customers.toLocaleString('en')} customers…`);
	const summary = await readSummary(db, { calibrationEnd: lastDay, holdoutEnd: lastDay, unit: settings.unit });
	const t1 = performance.now();
	onStep('Comparing the purchase models on a holdout period…');
	let holdoutProblem: string | null = null;
	let period: SummaryPeriod | null = null;
	const cut = holdoutCutFor(settings, firstDay, lastDay);
	if (cut < firstDay || cut >= lastDay)
		holdoutProblem = `The holdout cut date must fall between the first order (${firstDay}) and the day before the last (${lastDay}).`;
	else period = { calibrationEnd: cut, holdoutEnd: lastDay, unit: settings.unit };
	let calibration = period ? await readSummary(db, period) : summary;
	let daily = period ? await readDaily(db, period) : null;
	let choice: ModelChoice | null = null;
	if (period && calibration.x.length > 0)
		try {
			choice = compareModels(calibration, { actual: calibration.holdout, length: holdoutLengthOf(period) }, PURCHASE_MODELS);
		} catch (e) {
			holdoutProblem = e instanceof Error ? e.message : String(e);
		}
	if (!choice) {
		// No holdout period to judge on: the models are compared on every order, by BIC.
		if (period && !holdoutProblem) holdoutProblem = 'Nobody had ordered by the holdout cut date.';
		period = null;
		daily = null;
		calibration = summary;
		try {
			if (summary.x.length === 0) throw new RangeError('There are no customers to fit the models on.');
			choice = compareModels(summary, null, PURCHASE_MODELS);
		} catch (e) {
			throw new PredictionProblem(e instanceof Error ? e.message : String(e));
		}
	}
	const chosen = settings.model ?? choice.chosen;
	const t2 = performance.now();
	onStep(`Fitting ${purchaseModel(chosen).label} and the spend model on every order…`);
	let fit: ModelFit;
	try {
		fit = fitModels(summary, settings.unit, chosen);
	} catch (e) {
		throw new PredictionProblem(e instanceof Error ? e.message : String(e));
	}
	let holdout: HoldoutCheck | null = null;
	if (period && daily) {
		try {
			const comparison = choice.comparisons.find((c) => c.model === chosen)!;
			holdout = holdoutCheck(fitModels(calibration, settings.unit, chosen, comparison.fit), calibration, daily, period);
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
	const report: PredictionReport = {
		settings,
		choice: showChoice(choice, chosen, calibration, daily, period, holdout),
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
		timings: { summaryMs: t1 - t0, fitMs: t3 - t2, predictMs: t4 - t3, holdoutMs: t2 - t1 }
	};
	return { report, summary, fit };
}

/** `predictStore` for callers that only need the report (see there). */
export async function runPredictions(
	db: SqlRunner,
	settings: PredictSettings,
	write: TableWriter,
	onStep: (label: string) => void = () => {}
): Promise<PredictionReport> {
	return (await predictStore(db, settings, write, onStep)).report;
}
