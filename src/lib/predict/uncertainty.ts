/**
 * How sure the predictions are: a bootstrap over customers. Each resample draws as many customers as
 * the store has, with replacement, refits the repeat-purchase model (from the full data's fit, on the
 * grouped history re-weighted) and Gamma-Gamma, and predicts the store's actual customers with the
 * refitted parameters. The spread of those predictions over the resamples gives 90 % intervals for
 * the parameters, the store's expected orders per horizon, each segment's averages and each
 * customer's predicted value. The intervals show how much the figures move with which customers
 * happened to buy, not how far one customer's future may stray from its expectation.
 *
 * A generator, so the worker can report progress, yield to the page and stop between resamples.
 */
import { randomLcg } from 'd3';
import { percentileInterval, type BootstrapOptions } from './bootstrap';
import { curvatureAt, fitGrouped } from './fit';
import { expectedSpend, fitGammaGamma, gammaGammaCurvature, type GammaGammaParams, type GammaGammaStart } from './gamma-gamma';
import { TailIntervals } from './intervals';
import { purchaseModel } from './models';
import { discountedPurchases, type CustomerSummary, type ModelFit, type PredictSettings } from './predict';
import { groupHistory, withGroupCounts } from './purchase-history';
import { DAYS_PER_UNIT } from './summary-sql';

export interface Interval {
	low: number;
	high: number;
}

/** What the bootstrap works on: the prediction's summary and fit, and each customer's segment. */
export interface UncertaintyInput {
	summary: CustomerSummary;
	fit: ModelFit;
	settings: PredictSettings;
	/** Each customer's RFM segment, in the summary's order (null: not scored). */
	segmentOf: readonly (string | null)[] | null;
}

/** A parameter's estimate and its interval. */
export interface ParameterInterval {
	/** `r`, `alpha`, … of the purchase model, then `p`, `q`, `gamma` of Gamma-Gamma. */
	name: string;
	model: 'purchase' | 'spend';
	value: number;
	low: number;
	high: number;
}

/** A segment's averages per customer with their intervals (predicted value null when values are hidden). */
export interface SegmentInterval {
	segment: string;
	customers: number;
	/** Over the first horizon. */
	expectedOrders: Interval;
	predictedValue: Interval | null;
}

/** The bootstrap's result for the page: plain data. */
export interface UncertaintyReport {
	/** Resamples drawn, and how many refits settled (only those count). */
	resamples: number;
	settled: number;
	seed: number;
	/** The interval level (0.9). */
	level: number;
	parameters: ParameterInterval[];
	/** The store's expected orders per horizon (settings order). */
	expectedOrdersTotal: Interval[];
	/** The store's predicted value; null when values are hidden. */
	totalValue: Interval | null;
	segments: SegmentInterval[];
}

/** The report, and each customer's predicted-value interval (NaN where values are hidden) for the table. */
export interface Uncertainty {
	report: UncertaintyReport;
	predictedValueLow: Float64Array;
	predictedValueHigh: Float64Array;
}

/** Progress between resamples. */
export interface UncertaintyProgress {
	done: number;
	total: number;
}

const LEVEL = 0.9;

/**
 * Runs the bootstrap (see the module comment), yielding after each resample; returns the intervals.
 * Bad options are refused in the merchant's words.
 */
export function* estimateUncertainty(
	input: UncertaintyInput,
	options: BootstrapOptions
): Generator<UncertaintyProgress, Uncertainty, void> {
	if (!Number.isSafeInteger(options.resamples) || options.resamples < 10 || options.resamples > 2000)
		throw new RangeError(`The number of resamples must be a whole number from 10 to 2,000, not ${options.resamples}.`);
	const { summary, fit, settings } = input;
	if (!fit.showOrders) throw new RangeError('There are no trusted predictions to put intervals on.');
	const n = summary.x.length;
	const model = purchaseModel(fit.model);
	const perUnit = DAYS_PER_UNIT[fit.unit];
	const g = groupHistory(summary);
	const groups = g.x.length;
	// Each group's (x, t_x, T) in the original unit: the predictions need them, the likelihood the scaled ones.
	const gx = new Float64Array(groups);
	const gtx = new Float64Array(groups);
	const gT = new Float64Array(groups);
	for (let i = 0; i < n; i++) {
		const k = g.groupOf[i]!;
		gx[k] = summary.x[i]!;
		gtx[k] = summary.tx[i]!;
		gT[k] = summary.T[i]!;
	}
	const showValue = fit.showValue && fit.gammaGamma !== null;
	// Customers by segment, as small integers.
	const segmentNames: string[] = [];
	const segmentIndex = new Int32Array(n).fill(-1);
	if (input.segmentOf) {
		const ids = new Map<string, number>();
		input.segmentOf.forEach((s, i) => {
			if (s === null) return;
			let k = ids.get(s);
			if (k === undefined) {
				k = segmentNames.length;
				ids.set(s, k);
				segmentNames.push(s);
			}
			segmentIndex[i] = k;
		});
	}
	const segmentCustomers = new Float64Array(segmentNames.length);
	for (let i = 0; i < n; i++) if (segmentIndex[i]! >= 0) segmentCustomers[segmentIndex[i]!]!++;

	const random = randomLcg(Math.abs(Math.trunc(options.seed)) % 2 ** 31);
	// Every refit starts at the full fit with its curvature: a few Newton-like steps each.
	const curvature = curvatureAt(model.spec, g, fit.purchase.params);
	const spendStart = showValue ? spendRefitStart(summary, fit.gammaGamma!.params) : undefined;
	const purchaseNames = model.spec.names as readonly string[];
	const purchaseDraws: number[][] = purchaseNames.map(() => []);
	const spendDraws: number[][] = [[], [], []];
	const totals: number[][] = settings.horizons.map(() => []);
	const totalValues: number[] = [];
	const segmentOrders: number[][] = segmentNames.map(() => []);
	const segmentValues: number[][] = segmentNames.map(() => []);
	const perCustomer = showValue ? new TailIntervals(n, options.resamples, LEVEL) : null;
	const values = new Float64Array(n);
	const ordersPerGroup = settings.horizons.map(() => new Float64Array(groups));
	const horizonsInUnit = settings.horizons.map((h) => h / perUnit);
	const grouped = { grouped: g, x: gx, tx: gtx, T: gT };
	const valuePerGroup = new Float64Array(groups);
	const counts = new Float64Array(groups);
	const drawn = new Int32Array(n);
	// The drawn repeat buyers for Gamma-Gamma, in arrays kept across resamples (growing a list by
	// 100,000 pushes per resample cost more than the draws themselves).
	const spendX = new Float64Array(n);
	const spendMean = new Float64Array(n);
	let settled = 0;
	const valueIsHorizon = settings.annualDiscountRate === 0 ? settings.horizons.indexOf(settings.valueHorizon) : -1;

	for (let k = 0; k < options.resamples; k++) {
		const spenders = drawResample(random, summary, g.groupOf, drawn, counts, showValue ? { x: spendX, meanSpend: spendMean } : null);
		const refit = fitGrouped(model.spec, withGroupCounts(g, counts), fit.purchase.params, curvature ?? undefined);
		let gg: GammaGammaParams | null = null;
		if (showValue && spenders > 0) {
			const spendFit = fitGammaGamma({ x: spendX.subarray(0, spenders), meanSpend: spendMean.subarray(0, spenders) }, spendStart);
			if (spendFit.converged && !spendFit.atBound && spendFit.params.q > 1) gg = spendFit.params;
		}
		// A refit that did not settle says nothing about the spread: it is left out (and counted).
		if (refit.converged && !refit.atBound && (!showValue || gg)) {
			settled++;
			const p = refit.params as Record<string, number>;
			purchaseNames.forEach((name, m) => purchaseDraws[m]!.push(p[name]!));
			if (gg) [gg.p, gg.q, gg.gamma].forEach((v, m) => spendDraws[m]!.push(v));
			// Per group, not per customer: customers with the same history have the same expectations.
			model.expectedPurchasesByGroup(p, horizonsInUnit, grouped, ordersPerGroup);
			for (let q = 0; q < groups; q++) {
				// Undiscounted, the value horizon is often one of the horizons (365 days by default): no second evaluation.
				if (gg)
					valuePerGroup[q] =
						valueIsHorizon >= 0
							? ordersPerGroup[valueIsHorizon]![q]!
							: discountedPurchases(model, p, fit.unit, settings.valueHorizon, settings.annualDiscountRate, gx[q]!, gtx[q]!, gT[q]!);
			}
			const segOrders = new Float64Array(segmentNames.length);
			const segValues = new Float64Array(segmentNames.length);
			const horizonTotals = new Float64Array(settings.horizons.length);
			let valueTotal = 0;
			const populationSpend = gg ? expectedSpend(gg, 0, 0) : NaN;
			// The store's totals per group (its customers all expect the same); segments and values per customer.
			for (let q = 0; q < groups; q++)
				for (let m = 0; m < horizonTotals.length; m++) horizonTotals[m]! += g.weight[q]! * ordersPerGroup[m]![q]!;
			for (let i = 0; i < n; i++) {
				const q = g.groupOf[i]!;
				const s = segmentIndex[i]!;
				if (s >= 0) segOrders[s]! += ordersPerGroup[0]![q]!;
				if (gg) {
					const x = summary.x[i]!;
					const spend = x > 0 && summary.meanSpend[i]! > 0 ? expectedSpend(gg, x, summary.meanSpend[i]!) : populationSpend;
					values[i] = spend * valuePerGroup[q]!;
					valueTotal += values[i]!;
					if (s >= 0) segValues[s]! += values[i]!;
				}
			}
			horizonTotals.forEach((v, m) => totals[m]!.push(v));
			if (gg) {
				totalValues.push(valueTotal);
				perCustomer!.add(values);
			}
			segmentNames.forEach((_, s) => {
				segmentOrders[s]!.push(segOrders[s]! / segmentCustomers[s]!);
				if (gg) segmentValues[s]!.push(segValues[s]! / segmentCustomers[s]!);
			});
		}
		yield { done: k + 1, total: options.resamples };
	}

	const interval = (draws: number[]) => percentileInterval(draws, LEVEL);
	const parameters: ParameterInterval[] = purchaseNames.map((name, m) => ({
		name,
		model: 'purchase',
		value: (fit.purchase.params as Record<string, number>)[name]!,
		...interval(purchaseDraws[m]!)
	}));
	if (showValue && fit.gammaGamma) {
		const point = fit.gammaGamma.params;
		(['p', 'q', 'gamma'] as const).forEach((name, m) =>
			parameters.push({ name, model: 'spend', value: point[name], ...interval(spendDraws[m]!) })
		);
	}
	const predictedValueLow = new Float64Array(n).fill(NaN);
	const predictedValueHigh = new Float64Array(n).fill(NaN);
	if (perCustomer && settled > 0)
		for (let i = 0; i < n; i++) {
			const { low, high } = perCustomer.interval(i);
			predictedValueLow[i] = low;
			predictedValueHigh[i] = high;
		}
	return {
		report: {
			resamples: options.resamples,
			settled,
			seed: options.seed,
			level: LEVEL,
			parameters,
			expectedOrdersTotal: totals.map(interval),
			totalValue: showValue ? interval(totalValues) : null,
			segments: segmentNames.map((segment, s) => ({
				segment,
				customers: segmentCustomers[s]!,
				expectedOrders: interval(segmentOrders[s]!),
				predictedValue: showValue ? interval(segmentValues[s]!) : null
			}))
		},
		predictedValueLow,
		predictedValueHigh
	};
}

/**
 * One resample: as many customers as there are, drawn with replacement, counted per group into
 * `counts`; the drawn repeat buyers' x and mean spend go to `spend` (returns how many). Draws are
 * first counted per customer (`drawn`), then swept in customer order: one random access per draw
 * instead of four (group, x, spend, count), which at 200,000 customers is most of the draws' time. A
 * plain function, not part of the generator, which V8 optimises far less well.
 */
function drawResample(
	random: () => number,
	summary: CustomerSummary,
	groupOf: Int32Array,
	drawn: Int32Array,
	counts: Float64Array,
	spend: { x: Float64Array; meanSpend: Float64Array } | null
): number {
	const n = groupOf.length;
	drawn.fill(0);
	for (let j = 0; j < n; j++) drawn[Math.floor(random() * n)]!++;
	counts.fill(0);
	let spenders = 0;
	for (let i = 0; i < n; i++) {
		const times = drawn[i]!;
		if (times === 0) continue;
		counts[groupOf[i]!]! += times;
		if (spend && summary.x[i]! > 0 && summary.meanSpend[i]! > 0)
			for (let k = 0; k < times; k++) {
				spend.x[spenders] = summary.x[i]!;
				spend.meanSpend[spenders++] = summary.meanSpend[i]!;
			}
	}
	return spenders;
}

/** The spend refits' start: the full fit and the curvature there, on the customers Gamma-Gamma was fitted on. */
function spendRefitStart(summary: CustomerSummary, params: GammaGammaParams): GammaGammaStart {
	const x: number[] = [];
	const meanSpend: number[] = [];
	for (let i = 0; i < summary.x.length; i++)
		if (summary.x[i]! > 0 && summary.meanSpend[i]! > 0) {
			x.push(summary.x[i]!);
			meanSpend.push(summary.meanSpend[i]!);
		}
	return { params, inverseHessian: gammaGammaCurvature({ x, meanSpend }, params) ?? undefined };
}

/** Runs `estimateUncertainty` to the end (tests, the benchmark). */
export function estimateUncertaintyNow(input: UncertaintyInput, options: BootstrapOptions): Uncertainty {
	const run = estimateUncertainty(input, options);
	for (;;) {
		const step = run.next();
		if (step.done) return step.value;
	}
}
