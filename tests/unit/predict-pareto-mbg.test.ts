/**
 * Pareto/NBD and MBG/NBD against the published CDNOW fits, and each model's per-customer figures
 * against values computed here another way: by numerical integration over the latent rates, never
 * with the closed forms the models use.
 */
import { describe, expect, it } from 'vitest';
import { cdnowSummary, readCdnowSample } from '../support/cdnow';
import {
	PARETO_NBD,
	fitParetoNbd,
	paretoExpectedPurchases,
	paretoExpectedPurchasesNew,
	paretoNbdLogLikelihood,
	paretoProbabilityAlive,
	paretoProbabilityOfOrderWithin,
	type ParetoNbdParams
} from '../../src/lib/predict/pareto-nbd';
import { valueAndNumericGradient } from '../../src/lib/predict/gradient';
import { logHyp2f1OneUp, logHyp2f1OneUpWithSlopes } from '../../src/lib/predict/hyp2f1';
import { seededRandom } from '../support/random';
import {
	MBG_NBD,
	fitMbgNbd,
	mbgExpectedPurchases,
	mbgExpectedPurchasesNew,
	mbgNbdLogLikelihood,
	mbgProbabilityAlive,
	mbgProbabilityOfOrderWithin,
	type MbgNbdParams
} from '../../src/lib/predict/mbg-nbd';
import { BG_NBD, fitBgNbd, probabilityAlive as bgProbabilityAlive, probabilityOfOrderWithin } from '../../src/lib/predict/bgnbd';
import { bootstrapFits, percentileInterval } from '../../src/lib/predict/bootstrap';
import { curvatureAt, fitGrouped, groupedLogLikelihood } from '../../src/lib/predict/fit';
import { inversePositiveDefinite } from '../../src/lib/predict/optimise';
import { TailIntervals } from '../../src/lib/predict/intervals';
import { groupHistory, withGroupCounts } from '../../src/lib/predict/purchase-history';
import { compareModels } from '../../src/lib/predict/model-choice';
import { PURCHASE_MODELS } from '../../src/lib/predict/models';
import { logGamma } from '../../src/lib/predict/special';

const summary = cdnowSummary(readCdnowSample());
const history = { x: summary.map((c) => c.x), tx: summary.map((c) => c.tx), T: summary.map((c) => c.T) };
const customer1516 = summary.find((c) => c.id === '1516')!;

/** Composite Simpson's rule on [lo, hi] with n (even) intervals. */
function simpson(f: (t: number) => number, lo: number, hi: number, n = 20_000): number {
	const h = (hi - lo) / n;
	let sum = f(lo) + f(hi);
	for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(lo + i * h);
	return (sum * h) / 3;
}

/**
 * ∫₀^∞ g(μ) Gamma(μ; shape, rate) dμ, cut where the density is below e^−60. Below shape 1 the density
 * is singular at 0: μ = y^(1/shape) turns μ^(shape−1) dμ into dy/shape.
 */
function overGamma(g: (mu: number) => number, shape: number, rate: number, intervals = 200_000): number {
	const end = (shape + 12 * Math.sqrt(shape) + 60) / rate;
	const logNorm = shape * Math.log(rate) - logGamma(shape);
	if (shape >= 1)
		return simpson((mu) => (mu === 0 ? 0 : g(mu) * Math.exp(logNorm + (shape - 1) * Math.log(mu) - rate * mu)), 0, end, intervals);
	const substituted = (y: number) => {
		const mu = Math.pow(y, 1 / shape);
		return g(mu) * Math.exp(-rate * mu);
	};
	return (Math.exp(logNorm) / shape) * simpson(substituted, 0, Math.pow(end, shape), intervals);
}

/** The Pareto/NBD likelihood of one customer from its integral form (no hypergeometric function). */
function paretoLikelihoodByIntegral({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number) {
	const front = Math.exp(logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + s * Math.log(beta));
	const alive = Math.pow(alpha + T, -(r + x)) * Math.pow(beta + T, -s);
	const dropped = s * simpson((tau) => Math.pow(alpha + tau, -(r + x)) * Math.pow(beta + tau, -(s + 1)), tx, T);
	return { front, alive, dropped };
}

describe('₂F₁(c, b; c+1; z), the series behind Pareto/NBD', () => {
	it('matches a closed form and the Euler integral', () => {
		// ₂F₁(1, 1; 2; z) = −ln(1−z)/z.
		expect(logHyp2f1OneUp(1, 1, 0.9)).toBeCloseTo(Math.log(-Math.log(0.1) / 0.9), 12);
		// Outside its precondition (c+1−b > 0) the series would alternate; it refuses instead.
		expect(() => logHyp2f1OneUp(1.7, 27.5, 0.08)).toThrow(RangeError);
		// ₂F₁(c, b; c+1; z) = c ∫₀¹ t^(c−1) (1−zt)^(−b) dt.
		for (const [c, b, z] of [
			[27.2, 1.6, 0.3],
			[27.5, 26.8, 0.08],
			[3.5, 0.4, 0.97]
		] as const) {
			const integral = c * simpson((t) => Math.pow(t, c - 1) * Math.pow(1 - z * t, -b), 0, 1);
			expect(logHyp2f1OneUp(c, b, z)).toBeCloseTo(Math.log(integral), 7);
		}
	});

	it('matches 40-digit values where the series is slow (large c, z near 1: the continued fraction), with its derivatives', () => {
		// mpmath 1.3, mp.dps = 40: log(hyp2f1(c, q, c+1, z)) and its mp.diff in c, q and z, rounded to doubles.
		const reference = [
			[520.6, 0.6, 0.99935, 3.7905396161463045, 0.0006018287379855433, 6.436303302753873, 440.293110928632],
			[520.6, 1.6, 0.99935, 10.38951838093551, 0.001207972378016749, 6.738949965516847, 1492.8536802950823],
			[19.5, 0.6, 0.98, 1.791505843013959, 0.014896932924474594, 3.0857990973197427, 14.787658779950128],
			[160000.6, 0.6, 0.999998, 7.242671274301893, 1.991946020519667e-6, 12.195039174768304, 140642.9227143125],
			[160000.6, 10.6, 0.999998, 135.65949231791097, 6.027740420798764e-6, 13.022310000535333, 4817777.8868662035],
			[1.5, 0.125, 0.9999, 0.16953560439406729, 0.06304016816795088, 1.4398803178917499, 2.503962874398831],
			[10, 0.5, 0.999, 1.6283830620026714, 0.04338808255566878, 3.6859014496754123, 52.110746152499935],
			[521.2, 517, 0.3, 184.04726461260762, 0.0005707966204334558, 0.3560984029293722, 737.1528562774826]
		] as const;
		const relative = (got: number, want: number) => Math.abs(got - want) / Math.max(1e-300, Math.abs(want));
		for (const [c, q, z, value, dc, dq, dz] of reference) {
			expect(relative(logHyp2f1OneUp(c, q, z), value)).toBeLessThan(1e-11);
			const slopes = logHyp2f1OneUpWithSlopes(c, q, z);
			expect(relative(slopes.value, value)).toBeLessThan(1e-11);
			expect(relative(slopes.dc, dc)).toBeLessThan(1e-8);
			expect(relative(slopes.dq, dq)).toBeLessThan(1e-8);
			expect(relative(slopes.dz, dz)).toBeLessThan(1e-8);
		}
	});
});

describe('Pareto/NBD on CDNOW', () => {
	const fit = fitParetoNbd(history);

	it('reproduces Fader, Hardie & Lee (2005): r 0.553, α 10.578, s 0.606, β 11.669, LL −9595.0', () => {
		expect(fit.converged).toBe(true);
		expect(fit.atBound).toBe(false);
		expect(fit.params.r).toBeCloseTo(0.553, 3);
		expect(fit.params.alpha).toBeCloseTo(10.578, 3);
		expect(fit.params.s).toBeCloseTo(0.606, 3);
		expect(fit.params.beta).toBeCloseTo(11.669, 3);
		expect(fit.logLikelihood).toBeCloseTo(-9594.976, 3); // BTYD's LL; the paper prints −9595.0
	});

	it('finds a likelihood at least as high as BTYD’s estimate (0.5534, 10.5802, 0.6061, 11.6562), on a flat ridge', () => {
		// The surface is flat along α/β: BTYD stops 0.0025 away in α with an LL 2e-5 lower. Ours must not be worse.
		const btyd = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
		const atBtyd = paretoNbdLogLikelihood(history, btyd);
		expect(atBtyd).toBeCloseTo(-9594.976, 2);
		expect(fit.logLikelihood).toBeGreaterThanOrEqual(atBtyd);
	});

	it('matches the integral form of the likelihood on both sides of α = β and for many purchases', () => {
		for (const params of [fit.params, { r: 0.8, alpha: 20, s: 1.3, beta: 4 }, { r: 0.3, alpha: 2, s: 0.5, beta: 40 }]) {
			for (const [x, tx, T] of [
				[0, 0, 38],
				[2, 30.43, 38.86],
				[26, 30.857142857142858, 31],
				[60, 20, 39]
			] as const) {
				const { front, alive, dropped } = paretoLikelihoodByIntegral(params, x, tx, T);
				const ll = paretoNbdLogLikelihood({ x: [x], tx: [tx], T: [T] }, params);
				expect(ll).toBeCloseTo(Math.log(front * (alive + dropped)), 6);
			}
		}
	});

	it('gives customer 1516 (x 26, t_x 30.857, T 31) the P(alive) and 52-week expectation computed by integration', () => {
		const { x, tx, T } = customer1516;
		const { alive, dropped } = paretoLikelihoodByIntegral(fit.params, x, tx, T);
		const pAlive = alive / (alive + dropped);
		expect(paretoProbabilityAlive(fit.params, x, tx, T)).toBeCloseTo(pAlive, 8);
		// Given alive at T: λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T), independent; E[orders] = E[λ]·E[(1−e^(−μt))/μ].
		const { r, alpha, s, beta } = fit.params;
		const lifeWithin = overGamma((mu) => (mu === 0 ? 52 : -Math.expm1(-mu * 52) / mu), s, beta + T);
		const expected = pAlive * ((r + x) / (alpha + T)) * lifeWithin;
		expect(paretoExpectedPurchases(fit.params, 52, x, tx, T)).toBeCloseTo(expected, 4);
		expect(expected).toBeGreaterThan(20);
	});

	it('gives a new customer the expected orders of a customer with no history', () => {
		expect(paretoExpectedPurchasesNew(fit.params, 52)).toBeCloseTo(paretoExpectedPurchases(fit.params, 52, 0, 0, 0), 12);
		// The same at s = 1, where the closed form has a removable singularity.
		const atOne = { ...fit.params, s: 1 };
		const nearOne = { ...fit.params, s: 1 + 1e-9 };
		expect(paretoExpectedPurchasesNew(atOne, 52)).toBeCloseTo(paretoExpectedPurchasesNew(nearOne, 52), 6);
	});
});

describe('Pareto/NBD where dropout rates barely differ (s and β large together)', () => {
	// λ ~ Gamma(0.6, 80) per day, and lifetimes of 150–350 days: more alike than exponential lifetimes with any
	// spread of rates, so the likelihood rises all the way to one dropout rate for everyone (about 1/250 a day).
	const random = seededRandom(11);
	const gammaShapeBelowOne = (shape: number, rate: number) => {
		// Ahrens–Dieter GS, enough for shape < 1.
		for (;;) {
			const u = random();
			const b = 1 + shape / Math.E;
			const p = b * u;
			if (p <= 1) {
				const x = Math.pow(p, 1 / shape);
				if (random() <= Math.exp(-x)) return x / rate;
			} else {
				const x = -Math.log((b - p) / shape);
				if (random() <= Math.pow(x, shape - 1)) return x / rate;
			}
		}
	};
	const customers = 3000;
	const common = { x: [] as number[], tx: [] as number[], T: [] as number[] };
	for (let i = 0; i < customers; i++) {
		const T = 200 + Math.floor(random() * 500);
		const lambda = gammaShapeBelowOne(0.6, 80);
		const life = 150 + 200 * random();
		let t = 0;
		let x = 0;
		let tx = 0;
		for (;;) {
			t += -Math.log(1 - random()) / lambda;
			if (t > Math.min(T, life)) break;
			x++;
			tx = t;
		}
		common.x.push(x);
		common.tx.push(tx);
		common.T.push(T);
	}

	it('matches the integral form of the likelihood at s 520, β 130,000 and s 20, β 5,200 (z near 1)', () => {
		for (const params of [
			{ r: 0.6, alpha: 86, s: 520, beta: 130_000 },
			{ r: 0.6, alpha: 86, s: 20, beta: 5_200 }
		]) {
			for (const [x, tx, T] of [
				[0, 0, 500],
				[1, 120, 500],
				[6, 410, 540],
				[30, 600, 700]
			] as const) {
				// As paretoLikelihoodByIntegral, with β^s taken inside the terms: on its own it overflows.
				const { r, alpha, s, beta } = params;
				const front = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
				const alive = Math.pow(alpha + T, -(r + x)) * Math.exp(-s * Math.log1p(T / beta));
				const dropped = (s / beta) * simpson((tau) => Math.pow(alpha + tau, -(r + x)) * Math.exp(-(s + 1) * Math.log1p(tau / beta)), tx, T);
				const ll = paretoNbdLogLikelihood({ x: [x], tx: [tx], T: [T] }, params);
				expect(ll).toBeCloseTo(front + Math.log(alive + dropped), 6);
			}
		}
	});

	it('has a closed-form gradient that matches central differences there', () => {
		const model = PARETO_NBD.prepare(groupHistory(common));
		// In the grouped history's time unit (its longest T): α 0.12, β 180 are 86 and 130,000 days.
		for (const p of [
			{ r: 0.6, alpha: 0.12, s: 520, beta: 180 },
			{ r: 0.6, alpha: 0.12, s: 20, beta: 7 }
		]) {
			const { ll, grad } = model.valueAndGradient!(p);
			expect(ll).toBeCloseTo(model.logLikelihood(p), 6);
			const logs = [p.r, p.alpha, p.s, p.beta].map(Math.log);
			const at = (v: number[]) =>
				model.logLikelihood({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), s: Math.exp(v[2]!), beta: Math.exp(v[3]!) });
			const numeric = valueAndNumericGradient(at, logs).g;
			grad.forEach((d, i) => expect(d).toBeCloseTo(numeric[i]!, 3));
		}
	});

	it('reaches the limit of one dropout rate for everyone, says so, and keeps s/β near that rate', () => {
		const fit = fitParetoNbd(common);
		expect(fit.converged).toBe(true);
		expect(fit.atBound).toBe(false);
		expect(fit.limit).toMatch(/one dropout rate/);
		expect(fit.params.s).toBeGreaterThan(1e4);
		// Near 1/250 a day (lifetimes are not exponential, so not exactly).
		expect(fit.params.s / fit.params.beta).toBeGreaterThan(1 / 250 / 1.3);
		expect(fit.params.s / fit.params.beta).toBeLessThan((1 / 250) * 1.3);
		// The limit's predictions are usable: P(alive) of a long-silent one-time buyer is well below 1.
		expect(paretoProbabilityAlive(fit.params, 0, 0, 600)).toBeLessThan(0.5);
	});

	it('CDNOW does not end on that limit', () => {
		expect(fitParetoNbd(history).limit).toBeUndefined();
	});
});

describe('MBG/NBD on CDNOW', () => {
	const fit = fitMbgNbd(history);

	it('reproduces BTYDplus (as tested by lifetimes): r 0.525, α 6.183, a 0.891, b 1.614', () => {
		expect(fit.converged).toBe(true);
		expect(fit.atBound).toBe(false);
		expect(fit.params.r).toBeCloseTo(0.525, 3);
		expect(fit.params.alpha).toBeCloseTo(6.183, 3);
		expect(fit.params.a).toBeCloseTo(0.891, 3);
		expect(fit.params.b).toBeCloseTo(1.614, 3);
		expect(fit.logLikelihood).toBeCloseTo(mbgNbdLogLikelihood(history, fit.params), 8);
	});

	/** P(alive) by integrating λ out in closed form and p ~ Beta(a, b) numerically (p = u^(1/a) removes p^(a−1)). */
	function mbgAliveByIntegral({ r, alpha, a, b }: MbgNbdParams, x: number, tx: number, T: number) {
		const overP = (f: (p: number) => number) => simpson((u) => f(Math.pow(u, 1 / a)) * Math.pow(1 - Math.pow(u, 1 / a), b - 1), 0, 1) / a;
		const rates = (u: number) => Math.exp(logGamma(r + x) - logGamma(r) + r * Math.log(alpha) - (r + x) * Math.log(alpha + u));
		const alive = overP((p) => Math.pow(1 - p, x + 1)) * rates(T);
		const dropped = overP((p) => p * Math.pow(1 - p, x)) * rates(tx);
		return alive / (alive + dropped);
	}

	it('gives customer 1516 and one-time buyers the P(alive) computed by integration — below 1 for one-time buyers', () => {
		const { x, tx, T } = customer1516;
		expect(mbgProbabilityAlive(fit.params, x, tx, T)).toBeCloseTo(mbgAliveByIntegral(fit.params, x, tx, T), 5);
		const oneTime = mbgProbabilityAlive(fit.params, 0, 0, 30);
		expect(oneTime).toBeCloseTo(mbgAliveByIntegral(fit.params, 0, 0, 30), 5);
		expect(oneTime).toBeLessThan(0.5);
		// BG/NBD's known flaw, for contrast: a one-time buyer is always active.
		expect(bgProbabilityAlive({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 0, 0, 30)).toBe(1);
	});

	it('gives a new customer E[X(t)] = ∫ (1−p)/p · (1 − (α/(α+pt))^r) dBeta(p), and the history form agrees at T = 0', () => {
		const { r, alpha, a, b } = fit.params;
		for (const t of [1, 10, 39, 78]) {
			const logBeta = logGamma(a) + logGamma(b) - logGamma(a + b);
			const integral =
				simpson(
					(u) => {
						const p = Math.pow(u, 1 / a);
						if (p === 0) return t * (r / alpha); // the limit of (1−p)/p·(1 − (α/(α+pt))^r) as p → 0
						return ((1 - p) / p) * (1 - Math.pow(alpha / (alpha + p * t), r)) * Math.pow(1 - p, b - 1);
					},
					0,
					1
				) /
				a /
				Math.exp(logBeta);
			expect(mbgExpectedPurchasesNew(fit.params, t)).toBeCloseTo(integral, 4);
			expect(mbgExpectedPurchases(fit.params, t, 0, 0, 0)).toBeCloseTo(mbgExpectedPurchasesNew(fit.params, t), 10);
		}
	});
});

describe('chance of ordering in the next N', () => {
	const { x, tx, T } = customer1516;
	const cases = [
		[x, tx, T],
		[0, 0, 30],
		[3, 12, 38]
	] as const;

	it('BG/NBD and MBG/NBD: P(alive) times 1 − E[e^(−λt)] over λ ~ Gamma(r+x, α+T)', () => {
		const bgFit = fitBgNbd(history).params;
		const mbgFit = fitMbgNbd(history).params;
		for (const [x, tx, T] of cases) {
			for (const t of [1, 4, 52]) {
				const silent = (p: { r: number; alpha: number }) => overGamma((lambda) => Math.exp(-lambda * t), p.r + x, p.alpha + T);
				expect(probabilityOfOrderWithin(bgFit, t, x, tx, T)).toBeCloseTo(bgProbabilityAlive(bgFit, x, tx, T) * (1 - silent(bgFit)), 5);
				expect(mbgProbabilityOfOrderWithin(mbgFit, t, x, tx, T)).toBeCloseTo(
					mbgProbabilityAlive(mbgFit, x, tx, T) * (1 - silent(mbgFit)),
					5
				);
			}
		}
	});

	it('Pareto/NBD: P(alive) times 1 − E[μ/(λ+μ) + λ/(λ+μ)·e^(−(λ+μ)t)], integrated over both rates', () => {
		const fit = fitParetoNbd(history).params;
		const { r, alpha, s, beta } = fit;
		for (const [x, tx, T] of cases) {
			for (const t of [1, 52]) {
				const silent = overGamma(
					(lambda) =>
						overGamma(
							(mu) => (lambda + mu === 0 ? 1 : mu / (lambda + mu) + (lambda / (lambda + mu)) * Math.exp(-(lambda + mu) * t)),
							s,
							beta + T,
							2000
						),
					r + x,
					alpha + T,
					2000
				);
				const expected = paretoProbabilityAlive(fit, x, tx, T) * (1 - silent);
				expect(paretoProbabilityOfOrderWithin(fit, t, x, tx, T)).toBeCloseTo(expected, 4);
			}
		}
		expect(paretoProbabilityOfOrderWithin(fit, 0, x, tx, T)).toBe(0);
	});
});

describe('choosing the model on the holdout period', () => {
	const holdout = { actual: summary.map((c) => c.holdout), length: 39 };
	const choice = compareModels(history, holdout);

	it('compares all three, each with its holdout error, and picks the lowest', () => {
		expect(choice.comparisons.map((c) => c.model)).toEqual(['bg-nbd', 'mbg-nbd', 'pareto-nbd']);
		for (const c of choice.comparisons) {
			expect(c.usable).toBe(true);
			const model = PURCHASE_MODELS.find((m) => m.name === c.model)!;
			let abs = 0;
			for (let i = 0; i < summary.length; i++)
				abs += Math.abs(model.expectedPurchases(c.fit.params, 39, history.x[i]!, history.tx[i]!, history.T[i]!) - holdout.actual[i]!);
			expect(c.holdout!.mae).toBeCloseTo(abs / summary.length, 12);
			expect(c.holdout!.actual).toBe(holdout.actual.reduce((a, b) => a + b, 0));
			expect(c.bic).toBeCloseTo(4 * Math.log(2357) - 2 * c.fit.logLikelihood, 9);
		}
		const lowest = choice.comparisons.reduce((a, b) => (b.holdout!.mae < a.holdout!.mae ? b : a));
		expect(choice.chosen).toBe(lowest.model);
		expect(choice.reason).toContain(`${lowest.label} predicted the holdout period's repeat orders most closely`);
		for (const c of choice.comparisons) expect(choice.reason).toContain(c.label);
	});

	it('without a holdout period, picks the lowest BIC — MBG/NBD here (LL −9582.1 against −9582.4 and −9595.0)', () => {
		const byBic = compareModels(history, null);
		expect(byBic.comparisons.every((c) => c.holdout === null)).toBe(true);
		expect(byBic.chosen).toBe('mbg-nbd');
		expect(byBic.reason).toMatch(
			/^MBG\/NBD fits the orders best \(BIC 19\d{3}; BG\/NBD 19\d{3}, Pareto\/NBD 19\d{3}; lower is better\)\.$/
		);
	});
});

describe('bootstrap over customers', () => {
	it('refits a resample from the full fit with its curvature: the same optimum in fewer evaluations', () => {
		const g = groupHistory(history);
		const random = seededRandom(5);
		for (const model of PURCHASE_MODELS) {
			const fit = model.fit(history);
			const curvature = curvatureAt(model.spec, g, fit.params);
			expect(curvature).not.toBeNull();
			const counts = new Float64Array(g.x.length);
			for (let i = 0; i < g.groupOf.length; i++) counts[g.groupOf[Math.floor(random() * g.groupOf.length)]!]!++;
			const resample = withGroupCounts(g, counts);
			const plain = fitGrouped(model.spec, resample, fit.params);
			const curved = fitGrouped(model.spec, resample, fit.params, curvature!);
			expect(plain.converged && curved.converged).toBe(true);
			expect(curved.logLikelihood).toBeCloseTo(plain.logLikelihood, 5);
			expect(curved.evaluations).toBeLessThan(plain.evaluations);
		}
	});

	it('inverts a positive definite matrix, and refuses one that is not', () => {
		const inverse = inversePositiveDefinite([
			[4, 2, 0],
			[2, 3, 1],
			[0, 1, 2]
		])!;
		// Its product with the matrix is the identity.
		const m = [
			[4, 2, 0],
			[2, 3, 1],
			[0, 1, 2]
		];
		for (let i = 0; i < 3; i++)
			for (let j = 0; j < 3; j++) expect(m[i]!.reduce((sum, v, k) => sum + v * inverse[k]![j]!, 0)).toBeCloseTo(i === j ? 1 : 0, 12);
		expect(
			inversePositiveDefinite([
				[1, 2],
				[2, 1]
			])
		).toBeNull();
	});

	it('reads intervals as R’s quantile type 7', () => {
		const { low, high } = percentileInterval([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
		expect(low).toBeCloseTo(1.45, 12);
		expect(high).toBeCloseTo(9.55, 12);
		expect(percentileInterval([4])).toEqual({ low: 4, high: 4 });
	});

	it('re-weighting the groups with their own counts gives the same likelihood', () => {
		const g = groupHistory(history);
		const same = withGroupCounts(g, Float64Array.from(g.weight));
		const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
		expect(groupedLogLikelihood(BG_NBD, same, params)).toBeCloseTo(-9582.43, 2);
		expect(same.customers).toBe(2357);
		expect(same.totalX).toBe(2457);
	});

	for (const model of PURCHASE_MODELS) {
		it(`${model.label}: the same seed gives the same refits, and the 90 % intervals hold the point estimate`, () => {
			const fit = model.fit(history);
			const run = (seed: number) => [...bootstrapFits(model.spec, history, fit, { resamples: 20, seed })];
			const first = run(7);
			expect(first).toHaveLength(20);
			expect(first.filter((f) => f !== null).length).toBeGreaterThanOrEqual(19);
			expect(run(7).map((f) => f?.params)).toEqual(first.map((f) => f?.params));
			expect(run(8).map((f) => f?.params)).not.toEqual(first.map((f) => f?.params));
			for (const [name, value] of Object.entries(fit.params)) {
				const spread = first.filter((f) => f !== null).map((f) => (f!.params as Record<string, number>)[name]!);
				const { low, high } = percentileInterval(spread);
				expect(low).toBeLessThan(value);
				expect(high).toBeGreaterThan(value);
				expect(high - low).toBeGreaterThan(0);
			}
		});
	}
});

describe('closed-form gradients', () => {
	it('MBG/NBD: value and gradient match the likelihood and its central differences', () => {
		const g = groupHistory(history);
		const model = MBG_NBD.prepare(g);
		for (const p of [
			{ r: 0.52, alpha: 0.16, a: 0.89, b: 1.61 },
			{ r: 2, alpha: 3, a: 0.2, b: 7 }
		]) {
			const { ll, grad } = model.valueAndGradient!(p);
			expect(ll).toBeCloseTo(model.logLikelihood(p), 9);
			const logs = [p.r, p.alpha, p.a, p.b].map(Math.log);
			const at = (v: number[]) =>
				model.logLikelihood({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
			const numeric = valueAndNumericGradient(at, logs).g;
			grad.forEach((d, i) => expect(d).toBeCloseTo(numeric[i]!, 3));
		}
	});
});

describe('Pareto/NBD closed-form gradient', () => {
	it('matches the likelihood and its central differences on both sides of α = β', () => {
		const g = groupHistory(history);
		const model = PARETO_NBD.prepare(g);
		for (const p of [
			{ r: 0.55, alpha: 0.27, s: 0.61, beta: 0.3 },
			{ r: 1.5, alpha: 2, s: 0.3, beta: 0.4 },
			{ r: 0.2, alpha: 0.5, s: 2.5, beta: 0.5 }
		]) {
			const { ll, grad } = model.valueAndGradient!(p);
			expect(ll).toBeCloseTo(model.logLikelihood(p), 8);
			const logs = [p.r, p.alpha, p.s, p.beta].map(Math.log);
			const at = (v: number[]) =>
				model.logLikelihood({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), s: Math.exp(v[2]!), beta: Math.exp(v[3]!) });
			const numeric = valueAndNumericGradient(at, logs).g;
			grad.forEach((d, i) => expect(d).toBeCloseTo(numeric[i]!, 3));
		}
	});
});

describe('per-customer intervals from the tails only', () => {
	it('equal the full type-7 quantiles of every item, for 200 and for 7 resamples', () => {
		let seed = 3;
		const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
		for (const resamples of [200, 7]) {
			const items = 50;
			const tails = new TailIntervals(items, resamples);
			const all: number[][] = Array.from({ length: items }, () => []);
			for (let k = 0; k < resamples; k++) {
				const values = Float64Array.from({ length: items }, (_, i) => i + random() * 10);
				tails.add(values);
				values.forEach((v, i) => all[i]!.push(v));
			}
			for (let i = 0; i < items; i++) {
				const expected = percentileInterval(all[i]!);
				const got = tails.interval(i);
				expect(got.low).toBeCloseTo(expected.low, 12);
				expect(got.high).toBeCloseTo(expected.high, 12);
			}
			expect(() => tails.add(new Float64Array(items))).toThrow(RangeError);
		}
	});
});
