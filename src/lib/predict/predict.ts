/**
 * From the customer summary to what the merchant sees: a repeat-purchase model (BG/NBD, MBG/NBD or
 * Pareto/NBD) and Gamma-Gamma fitted, the reasons not to trust them, per-customer predictions and the
 * holdout check. Pure: columns in, plain objects out.
 */
import type { FitReport } from './fit';
import { expectedSpend, fitGammaGamma, type GammaGammaParams } from './gamma-gamma';
import { purchaseModel, PURCHASE_MODELS, type ModelName, type PurchaseModel } from './models';
import { DAYS_PER_UNIT, type TimeUnit } from './summary-sql';

/** The customer summary as columns, one entry per customer (from `customerSummarySql`). */
export interface CustomerSummary {
	customerId: string[];
	x: Float64Array;
	tx: Float64Array;
	T: Float64Array;
	/** Mean spend of the repeat purchases; NaN when x = 0. */
	meanSpend: Float64Array;
	/** Purchase days after the calibration end (0 without a holdout period). */
	holdout: Float64Array;
	/** Days from the earliest first purchase to this customer's first purchase. */
	firstDay: Float64Array;
}

/** What the merchant chooses on the Predictions tab. */
export interface PredictSettings {
	unit: TimeUnit;
	/** Horizons (days) of the expected-orders columns. */
	horizons: number[];
	/** Horizon (days) of the predicted value. */
	valueHorizon: number;
	/** Yearly discount rate for the predicted value (0.1 = 10 %); 0 for none. */
	annualDiscountRate: number;
	/** "Likely lost": customers whose probability of being active is below this (under BG/NBD only repeat buyers can be). */
	likelyLostBelow: number;
	/** "High predicted value": this share of customers with the highest predicted value (0.1 = top 10 %). */
	highValueShare: number;
	/** Last day (ISO) of the holdout check's calibration period; null: halfway through the orders. */
	holdoutCut: string | null;
	/** The repeat-purchase model the merchant picked; null: the one that predicted the holdout period best. */
	model: ModelName | null;
}

export const DEFAULT_PREDICT: PredictSettings = {
	unit: 'weeks',
	horizons: [30, 90, 365],
	valueHorizon: 365,
	annualDiscountRate: 0,
	likelyLostBelow: 0.3,
	highValueShare: 0.1,
	holdoutCut: null,
	model: null
};

/** A problem with the settings, in the merchant's words; null when they can be used. */
export function validatePredictSettings(s: PredictSettings): string | null {
	if (s.unit !== 'days' && s.unit !== 'weeks') return 'The time unit must be days or weeks.';
	if (s.horizons.length < 1 || s.horizons.length > 5) return 'Choose one to five horizons for expected orders.';
	for (const h of [...s.horizons, s.valueHorizon])
		if (!Number.isSafeInteger(h) || h < 1 || h > 3650) return `A horizon must be a whole number of days from 1 to 3650, not ${h}.`;
	if (new Set(s.horizons).size !== s.horizons.length) return 'Each horizon can be chosen once.';
	if (!(s.annualDiscountRate >= 0 && s.annualDiscountRate < 1)) return 'The yearly discount rate must be from 0 % to 99 %.';
	if (!(s.likelyLostBelow > 0 && s.likelyLostBelow < 1)) return 'The "likely lost" threshold must be between 0 and 1.';
	if (!(s.highValueShare > 0 && s.highValueShare <= 0.5)) return 'The "high predicted value" share must be above 0 % and at most 50 %.';
	if (s.holdoutCut !== null && !/^\d{4}-\d{2}-\d{2}$/.test(s.holdoutCut)) return 'The holdout cut date must be a date like 1997-09-30.';
	if (s.model !== null && !PURCHASE_MODELS.some((m) => m.name === s.model))
		return `There is no purchase model called "${String(s.model)}": pick BG/NBD, MBG/NBD or Pareto/NBD.`;
	return null;
}

/** What a warning hides: every prediction, or the spend-based ones (order value, predicted value). */
export type Hides = 'all' | 'value' | 'nothing';

export interface ModelWarning {
	code:
		| 'few-customers'
		| 'few-repeat-buyers'
		| 'not-converged'
		| 'degenerate'
		| 'holdout-miss'
		| 'spend-not-converged'
		| 'non-positive-spend'
		| 'spend-follows-frequency'
		| 'infinite-mean-spend';
	message: string;
	hides: Hides;
}

export interface ModelFit {
	unit: TimeUnit;
	customers: number;
	repeatBuyers: number;
	/** The repeat-purchase model behind the predictions. */
	model: ModelName;
	/** Its fit; the parameters are the model's own (r, α, a, b or r, α, s, β). */
	purchase: FitReport<Record<string, number>>;
	/** Null when no repeat buyer has a positive mean spend. */
	gammaGamma: FitReport<GammaGammaParams> | null;
	/** Correlation of repeat purchases and mean repeat spend among repeat buyers (the Gamma-Gamma model assumes none). */
	spendFrequencyCorrelation: number | null;
	warnings: ModelWarning[];
	/** False when a warning hides every prediction. */
	showOrders: boolean;
	/** False when a warning hides spend-based predictions. */
	showValue: boolean;
}

/** Below these the estimates are too uncertain to show (the literature fits thousands; Klaviyo asks for 500 buyers). */
export const MIN_CUSTOMERS = 100;
export const MIN_REPEAT_BUYERS = 30;
/** |correlation| above this between frequency and spend breaks the Gamma-Gamma independence assumption. */
export const MAX_SPEND_CORRELATION = 0.3;
/** Share of repeat buyers with zero or negative mean spend above which spend predictions are hidden. */
export const MAX_NON_POSITIVE_SHARE = 0.05;

const fmt = new Intl.NumberFormat('en');

function pearson(a: number[], b: number[]): number | null {
	const n = a.length;
	if (n < 3) return null;
	const ma = a.reduce((s, v) => s + v, 0) / n;
	const mb = b.reduce((s, v) => s + v, 0) / n;
	let sab = 0;
	let saa = 0;
	let sbb = 0;
	for (let i = 0; i < n; i++) {
		sab += (a[i]! - ma) * (b[i]! - mb);
		saa += (a[i]! - ma) ** 2;
		sbb += (b[i]! - mb) ** 2;
	}
	return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

/**
 * A fit whose log-parameters ran to the optimiser's bound, or whose parameters are not finite numbers,
 * has no interior maximum. `atBound` is read in the optimiser's own coordinates: a test on the
 * rescaled parameters (|ln v| beyond the bound plus the time or money scale) can miss a parameter
 * sitting on e^±12.
 */
const stuck = (fit: FitReport<object>) => fit.atBound || Object.values(fit.params).some((v: number) => !Number.isFinite(v));

/**
 * Below this mean chance of dropping out after a purchase (a / (a + b)), the BG/NBD fit says almost
 * nobody ever stops buying: everyone reads ~100 % active, "likely lost" is empty and predicted value
 * runs past the store's revenue (UCI gave a ≈ 0.003). CDNOW's published fit gives 0.25.
 */
export const MIN_DROPOUT = 0.01;

/** The holdout check's aggregate repeat purchases may miss the actual ones by at most this share before predictions are hidden. */
export const MAX_HOLDOUT_MISS = 0.25;

/** The mean chance a customer drops out after any purchase, a / (a + b), of a BG/NBD or MBG/NBD fit. */
export function meanDropout(params: { a: number; b: number }): number {
	return params.a / (params.a + params.b);
}

/**
 * The holdout check's aggregate miss: |predicted − actual| / actual repeat purchases in the holdout
 * period (null when nobody bought again there, so there is nothing to compare with).
 */
export function holdoutMiss(check: Pick<HoldoutCheck, 'totalActual' | 'totalPredicted'>): number | null {
	return check.totalActual > 0 ? Math.abs(check.totalPredicted - check.totalActual) / check.totalActual : null;
}

/**
 * The fit with a warning hiding every prediction when the holdout check missed the aggregate repeat
 * purchases by more than MAX_HOLDOUT_MISS: a model that cannot predict the period it did not see
 * should not predict the next one.
 */
export function withHoldoutCheck(fit: ModelFit, check: HoldoutCheck | null): ModelFit {
	const miss = check ? holdoutMiss(check) : null;
	if (miss === null || miss <= MAX_HOLDOUT_MISS) return fit;
	const warnings: ModelWarning[] = [
		...fit.warnings,
		{
			code: 'holdout-miss',
			hides: 'all',
			message: `Checked on a holdout period (orders after ${check!.calibrationEnd}), the purchase model predicted ${fmt.format(Math.round(check!.totalPredicted))} repeat orders where customers placed ${fmt.format(Math.round(check!.totalActual))} (${Math.round(miss * 100)} % off; more than ${Math.round(MAX_HOLDOUT_MISS * 100)} % hides the predictions).`
		}
	];
	return { ...fit, warnings, showOrders: false, showValue: false };
}

/**
 * Fits the repeat-purchase model `model` (BG/NBD unless told) on every customer — or takes its fit
 * `purchaseFit` when the caller already has it — and Gamma-Gamma on repeat buyers with a positive
 * mean spend, and lists the reasons not to trust the result. Throws only when there is nobody to fit.
 */
export function fitModels(
	summary: CustomerSummary,
	unit: TimeUnit,
	model: ModelName = 'bg-nbd',
	purchaseFit?: FitReport<object>
): ModelFit {
	const n = summary.x.length;
	if (n === 0) throw new RangeError('There are no customers to fit the models on.');
	const warnings: ModelWarning[] = [];
	const purchase = (purchaseFit ?? purchaseModel(model).fit(summary)) as FitReport<Record<string, number>>;
	const label = purchaseModel(model).label;
	const xs: number[] = [];
	const spends: number[] = [];
	let repeatBuyers = 0;
	let nonPositive = 0;
	for (let i = 0; i < n; i++) {
		if (summary.x[i]! < 1) continue;
		repeatBuyers++;
		if (summary.meanSpend[i]! > 0) {
			xs.push(summary.x[i]!);
			spends.push(summary.meanSpend[i]!);
		} else nonPositive++;
	}
	if (n < MIN_CUSTOMERS)
		warnings.push({
			code: 'few-customers',
			hides: 'all',
			message: `Only ${fmt.format(n)} customers: the models need at least ${fmt.format(MIN_CUSTOMERS)} to say anything reliable.`
		});
	if (repeatBuyers < MIN_REPEAT_BUYERS)
		warnings.push({
			code: 'few-repeat-buyers',
			hides: 'all',
			message: `Only ${fmt.format(repeatBuyers)} customers ordered again on another day: the models need at least ${MIN_REPEAT_BUYERS} repeat buyers to learn how customers come back.`
		});
	if (!purchase.converged || stuck(purchase))
		warnings.push({
			code: 'not-converged',
			hides: 'all',
			// A parameter at its limit is the cause whenever there is one: BFGS stalling on the bound also reports no convergence.
			message: stuck(purchase)
				? 'The purchase model has no best fit inside its range (a parameter ran to its limit), so its numbers could be far off.'
				: 'The purchase model did not settle on a best fit (the optimiser did not converge), so its numbers could be far off.'
		});
	// Only the BG family has a dropout chance per purchase; Pareto/NBD's silence already counts against everyone.
	else if (model !== 'pareto-nbd' && meanDropout(purchase.params as { a: number; b: number }) < MIN_DROPOUT)
		warnings.push({
			code: 'degenerate',
			hides: 'all',
			message: `The purchase model (${label}) says customers almost never stop buying (mean chance of dropping out after a purchase ${(meanDropout(purchase.params as { a: number; b: number }) * 100).toFixed(2)} %), so every customer would read as about 100 % active and predicted value would run past what the store sells. Its predictions are hidden.`
		});
	let gammaGamma: FitReport<GammaGammaParams> | null = null;
	if (xs.length > 0) gammaGamma = fitGammaGamma({ x: xs, meanSpend: spends });
	if (nonPositive > 0)
		warnings.push({
			code: 'non-positive-spend',
			hides: nonPositive > MAX_NON_POSITIVE_SHARE * repeatBuyers ? 'value' : 'nothing',
			message: `${fmt.format(nonPositive)} of ${fmt.format(repeatBuyers)} repeat buyers have a zero or negative average repeat order (refunds or free orders); the spend model needs positive amounts and leaves them out.`
		});
	if (gammaGamma && (!gammaGamma.converged || stuck(gammaGamma)))
		warnings.push({
			code: 'spend-not-converged',
			hides: 'value',
			message: stuck(gammaGamma)
				? 'The spend model has no best fit inside its range (a parameter ran to its limit), so order values and predicted values are hidden.'
				: 'The spend model did not settle on a best fit, so order values and predicted values are hidden.'
		});
	if (gammaGamma && gammaGamma.params.q <= 1)
		warnings.push({
			code: 'infinite-mean-spend',
			hides: 'value',
			message:
				'The spend model found no finite average order value (a few very large orders dominate), so order values and predicted values are hidden.'
		});
	const correlation = pearson(xs, spends);
	if (correlation !== null && Math.abs(correlation) > MAX_SPEND_CORRELATION)
		warnings.push({
			code: 'spend-follows-frequency',
			hides: 'value',
			message: `How much customers spend per order moves with how often they order (correlation ${correlation.toFixed(2)}); the spend model assumes it does not, so order values and predicted values are hidden.`
		});
	const showOrders = !warnings.some((w) => w.hides === 'all');
	const showValue = showOrders && gammaGamma !== null && !warnings.some((w) => w.hides === 'value');
	return {
		unit,
		customers: n,
		repeatBuyers,
		model,
		purchase,
		gammaGamma,
		spendFrequencyCorrelation: correlation,
		warnings,
		showOrders,
		showValue
	};
}

/**
 * Expected purchases over `horizonDays`, each period's purchases discounted to today at the yearly
 * rate. Periods are 30 days (the last one shorter), as in lifetimes' CLV; no rate means no periods.
 */
export function discountedPurchases(
	model: PurchaseModel,
	params: object,
	unit: TimeUnit,
	horizonDays: number,
	annualRate: number,
	x: number,
	tx: number,
	T: number
): number {
	const perUnit = DAYS_PER_UNIT[unit];
	if (annualRate === 0) return model.expectedPurchases(params, horizonDays / perUnit, x, tx, T);
	let total = 0;
	let before = 0;
	for (let day = 0; day < horizonDays;) {
		day = Math.min(day + 30, horizonDays);
		const upTo = model.expectedPurchases(params, day / perUnit, x, tx, T);
		total += (upTo - before) / Math.pow(1 + annualRate, day / 365);
		before = upTo;
	}
	return total;
}

/** Per-customer predictions as columns; spend-based ones are NaN when hidden. */
export interface CustomerPredictions {
	customerId: string[];
	pAlive: Float64Array;
	/** Chance of at least one order in the next `horizons[0]` days: 1 − P(no order). */
	pOrderNext: Float64Array;
	/** One column per horizon, in `horizons` order. */
	expectedOrders: Float64Array[];
	expectedOrderValue: Float64Array;
	predictedValue: Float64Array;
	likelyLost: Uint8Array;
	highValue: Uint8Array;
	/** The predicted value at and above which a customer counts as high value (NaN when values are hidden). */
	highValueFrom: number;
}

/**
 * P(alive), the chance of an order within the first horizon, expected orders per horizon, expected
 * order value and predicted value for every customer, under the fit's repeat-purchase model.
 */
export function predictCustomers(fit: ModelFit, summary: CustomerSummary, settings: PredictSettings): CustomerPredictions {
	const n = summary.x.length;
	const perUnit = DAYS_PER_UNIT[fit.unit];
	const model = purchaseModel(fit.model);
	const p = fit.purchase.params;
	const within = settings.horizons[0]! / perUnit;
	const pAlive = new Float64Array(n);
	const pOrderNext = new Float64Array(n);
	const expectedOrders = settings.horizons.map(() => new Float64Array(n));
	const expectedOrderValue = new Float64Array(n).fill(NaN);
	const predictedValue = new Float64Array(n).fill(NaN);
	const likelyLost = new Uint8Array(n);
	const highValue = new Uint8Array(n);
	const gg = fit.showValue && fit.gammaGamma ? fit.gammaGamma.params : null;
	for (let i = 0; i < n; i++) {
		const x = summary.x[i]!;
		const tx = summary.tx[i]!;
		const T = summary.T[i]!;
		pAlive[i] = model.probabilityAlive(p, x, tx, T);
		pOrderNext[i] = model.probabilityOfOrderWithin(p, within, x, tx, T);
		// Under BG/NBD a one-time buyer's P(alive) is 1, so only repeat buyers can be likely lost; MBG/NBD and Pareto/NBD can see one-time buyers leave.
		likelyLost[i] = pAlive[i]! < settings.likelyLostBelow ? 1 : 0;
		settings.horizons.forEach((h, k) => (expectedOrders[k]![i] = model.expectedPurchases(p, h / perUnit, x, tx, T)));
		if (gg) {
			// A repeat buyer whose mean spend is not positive is priced at the population mean.
			const spend = x > 0 && summary.meanSpend[i]! > 0 ? expectedSpend(gg, x, summary.meanSpend[i]!) : expectedSpend(gg, 0, 0);
			expectedOrderValue[i] = spend;
			predictedValue[i] = spend * discountedPurchases(model, p, fit.unit, settings.valueHorizon, settings.annualDiscountRate, x, tx, T);
		}
	}
	let highValueFrom = NaN;
	if (gg && n > 0) {
		const sorted = Float64Array.from(predictedValue).sort();
		highValueFrom = sorted[Math.max(0, n - Math.max(1, Math.round(settings.highValueShare * n)))]!;
		for (let i = 0; i < n; i++) highValue[i] = predictedValue[i]! >= highValueFrom ? 1 : 0;
	}
	return {
		customerId: summary.customerId,
		pAlive,
		pOrderNext,
		expectedOrders,
		expectedOrderValue,
		predictedValue,
		likelyLost,
		highValue,
		highValueFrom
	};
}

/** Daily purchase counts (from `dailyPurchasesSql`). */
export interface DailyPurchases {
	day: Float64Array;
	firstPurchases: Float64Array;
	repeatPurchases: Float64Array;
}

export interface HoldoutGroup {
	/** Repeat purchases in calibration: "0" … "6", "7+". */
	label: string;
	customers: number;
	/** Mean repeat purchases per customer in the holdout period: actual and predicted. */
	actual: number;
	predicted: number;
}

export interface CurvePoint {
	/** Time since the earliest first purchase, in the unit. */
	t: number;
	actual: number;
	predicted: number;
}

export interface HoldoutCheck {
	calibrationEnd: string;
	holdoutEnd: string;
	unit: TimeUnit;
	/** Holdout length in the unit. */
	holdoutLength: number;
	/** Calibration end as time since the earliest first purchase, in the unit (where the curve's holdout starts). */
	calibrationT: number;
	fit: ModelFit;
	groups: HoldoutGroup[];
	totalActual: number;
	totalPredicted: number;
	/** Cumulative repeat purchases of the calibration customers, actual vs model, one point per unit. */
	curve: CurvePoint[];
}

const GROUPS = 8;

/**
 * Compares the model fitted on the calibration period with what the same customers did in the
 * holdout: mean repeat purchases per calibration-frequency group (FHL 2005, fig. 4) and the
 * cumulative repeat purchases over time (fig. 2).
 */
export function holdoutCheck(
	fit: ModelFit,
	summary: CustomerSummary,
	daily: DailyPurchases,
	period: { calibrationEnd: string; holdoutEnd: string }
): HoldoutCheck {
	const perUnit = DAYS_PER_UNIT[fit.unit];
	const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
	const holdoutDays = dayOf(period.holdoutEnd) - dayOf(period.calibrationEnd);
	const holdoutLength = holdoutDays / perUnit;
	const model = purchaseModel(fit.model);
	const p = fit.purchase.params;
	const sums = Array.from({ length: GROUPS }, () => ({ customers: 0, actual: 0, predicted: 0 }));
	let totalActual = 0;
	let totalPredicted = 0;
	let calibrationDay = 0;
	for (let i = 0; i < summary.x.length; i++) {
		const predicted = model.expectedPurchases(p, holdoutLength, summary.x[i]!, summary.tx[i]!, summary.T[i]!);
		const g = sums[Math.min(summary.x[i]!, GROUPS - 1)]!;
		g.customers++;
		g.actual += summary.holdout[i]!;
		g.predicted += predicted;
		totalActual += summary.holdout[i]!;
		totalPredicted += predicted;
		calibrationDay = Math.max(calibrationDay, Math.round(summary.firstDay[i]! + summary.T[i]! * perUnit));
	}
	const groups = sums.map((g, k) => ({
		label: k === GROUPS - 1 ? `${k}+` : String(k),
		customers: g.customers,
		actual: g.customers > 0 ? g.actual / g.customers : 0,
		predicted: g.customers > 0 ? g.predicted / g.customers : 0
	}));

	// Expected repeat purchases of one customer `lag` days after their first purchase, for every lag
	// (a purchase on day d happens at time d, as in the summary's t_x and T).
	const lastDay = Math.round(calibrationDay + holdoutDays);
	const expectedAtLag = new Float64Array(lastDay + 1);
	for (let lag = 1; lag <= lastDay; lag++) expectedAtLag[lag] = model.expectedPurchasesNew(p, lag / perUnit);
	const cohort = new Float64Array(lastDay + 1);
	const repeats = new Float64Array(lastDay + 1);
	for (let i = 0; i < daily.day.length; i++) {
		const d = daily.day[i]!;
		if (d < 0 || d > lastDay) continue;
		cohort[d]! += daily.firstPurchases[i]!;
		repeats[d]! += daily.repeatPurchases[i]!;
	}
	const curve: CurvePoint[] = [];
	let actual = 0;
	let nextActualDay = 0;
	for (let step = 1; step * perUnit <= lastDay + perUnit - 1; step++) {
		// Each point is the end of a whole unit (day `step * perUnit − 1`, counting day 0), capped at the last day.
		const end = Math.min(step * perUnit - 1, lastDay);
		for (; nextActualDay <= end; nextActualDay++) actual += repeats[nextActualDay]!;
		let predicted = 0;
		for (let c = 0; c <= end; c++) if (cohort[c]! > 0) predicted += cohort[c]! * expectedAtLag[end - c]!;
		curve.push({ t: (end + 1) / perUnit, actual, predicted });
	}
	return {
		calibrationEnd: period.calibrationEnd,
		holdoutEnd: period.holdoutEnd,
		unit: fit.unit,
		holdoutLength,
		calibrationT: (calibrationDay + 1) / perUnit,
		fit,
		groups,
		totalActual,
		totalPredicted,
		curve
	};
}

/** The purchase fit with its parameters typed, for code that knows which model it asked for. */
export function purchaseFitOf<P extends object>(fit: ModelFit): FitReport<P> {
	return fit.purchase as unknown as FitReport<P>;
}
