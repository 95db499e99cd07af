/**
 * BG/NBD and Gamma-Gamma against the published CDNOW results (tests/reference/cdnow/NOTES.md): the
 * calibration summary is built here from the sample file itself, by the NOTES' convention.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cdnowSampleCsv, cdnowSummary, readCdnowSample } from '../support/cdnow';
import { seededRandom } from '../support/random';
import {
	bgNbdLogLikelihood,
	expectedPurchases,
	expectedPurchasesNew,
	fitBgNbd,
	probabilityAlive,
	type BgNbdParams
} from '../../src/lib/predict/bgnbd';
import { expectedSpend, fitGammaGamma, gammaGammaLogLikelihood } from '../../src/lib/predict/gamma-gamma';
import { digamma, hyp2f1, logGamma, logGammaRatio } from '../../src/lib/predict/special';
import { bfgs, nelderMead } from '../../src/lib/predict/optimise';
import { DEFAULT_PREDICT, fitModels, predictCustomers, type CustomerSummary } from '../../src/lib/predict/predict';

const summary = cdnowSummary(readCdnowSample());
const history = { x: summary.map((c) => c.x), tx: summary.map((c) => c.tx), T: summary.map((c) => c.T) };
const repeaters = summary.filter((c) => c.x > 0);
const spend = { x: repeaters.map((c) => c.x), meanSpend: repeaters.map((c) => c.zbar) };
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('special functions', () => {
	it('ln Γ matches known values, also below ½', () => {
		expect(logGamma(1)).toBeCloseTo(0, 14);
		expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 14);
		expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
		expect(logGamma(0.243)).toBeCloseTo(1.31804358469967, 12); // Python math.lgamma
		expect(logGamma(171.5)).toBeCloseTo(709.143163030928, 9);
	});
	it('₂F₁ matches closed forms', () => {
		// ₂F₁(1, 1; 2; z) = −ln(1−z)/z; ₂F₁(a, b; b; z) = (1−z)^−a.
		expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 13);
		expect(hyp2f1(0.3, 2, 2, 0.9)).toBeCloseTo(Math.pow(0.1, -0.3), 12);
		expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
	});
	it('ψ and ln Γ(z+q) − ln Γ(z) match known values, also for large z', () => {
		expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
		expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 13);
		expect(logGammaRatio(1000.5, 3.74)).toBeCloseTo(25.841989995975382, 9); // Python math.lgamma difference
		expect(logGammaRatio(25.3, 2.1)).toBeCloseTo(logGamma(27.4) - logGamma(25.3), 11);
	});
	it('BFGS finds the Rosenbrock minimum with its gradient', () => {
		const result = bfgs(
			([x = 0, y = 0]) => ({
				f: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
				g: [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]
			}),
			[-1.2, 1],
			{ gTolerance: 1e-10 }
		);
		expect(result.converged).toBe(true);
		expect(result.x[0]).toBeCloseTo(1, 8);
		expect(result.x[1]).toBeCloseTo(1, 8);
	});
	it('Nelder–Mead finds the Rosenbrock minimum', () => {
		const result = nelderMead(([x = 0, y = 0]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, [-1.2, 1], {
			fTolerance: 1e-14,
			xTolerance: 1e-9
		});
		expect(result.converged).toBe(true);
		expect(result.x[0]).toBeCloseTo(1, 5);
		expect(result.x[1]).toBeCloseTo(1, 5);
	});
});

describe('the CDNOW calibration summary (NOTES convention)', () => {
	it('has the NOTES counts', () => {
		expect(summary).toHaveLength(2357);
		expect(summary.filter((c) => c.x === 0)).toHaveLength(1411);
		expect(repeaters).toHaveLength(946);
		expect(summary.reduce((s, c) => s + c.x, 0)).toBe(2457);
		expect(repeaters.reduce((s, c) => s + c.zbar, 0) / repeaters.length).toBeCloseTo(35.078, 3);
	});
	it('the committed e2e fixture is the sample, converted', () => {
		const fixture = readFileSync(resolve(import.meta.dirname, '../fixtures/cdnow-sample.csv'), 'utf8');
		expect(fixture).toBe(cdnowSampleCsv());
	});
});

describe('BG/NBD on CDNOW (Fader, Hardie & Lee 2005)', () => {
	const fit = fitBgNbd(history);

	it('reproduces the published estimates and log-likelihood', () => {
		expect(fit.converged).toBe(true);
		expect(fit.params.r).toBeCloseTo(0.243, 3);
		expect(fit.params.alpha).toBeCloseTo(4.414, 3);
		expect(fit.params.a).toBeCloseTo(0.793, 3);
		expect(fit.params.b).toBeCloseTo(2.426, 3);
		expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
		// CLVTools' and BTYD's own MLE: LL −9582.429.
		expect(fit.logLikelihood).toBeCloseTo(-9582.429, 3);
		expect(fit.params.r).toBeCloseTo(0.2425945, 5);
		expect(fit.params.alpha).toBeCloseTo(4.4136, 3);
	});

	it('gives the log-likelihood at the published parameters (−9582.430)', () => {
		expect(bgNbdLogLikelihood(history, PAPER)).toBeCloseTo(-9582.43, 2);
	});

	it('is the same fit in days as in weeks (α scales, the log-likelihood shifts by Σx·ln 7)', () => {
		const days = fitBgNbd({ x: history.x, tx: history.tx.map((t) => t * 7), T: history.T.map((t) => t * 7) });
		expect(days.params.r).toBeCloseTo(fit.params.r, 4);
		expect(days.params.alpha / 7).toBeCloseTo(fit.params.alpha, 3);
		expect(days.params.a).toBeCloseTo(fit.params.a, 4);
		expect(days.logLikelihood).toBeCloseTo(fit.logLikelihood - 2457 * Math.log(7), 3);
	});

	it('matches BTYD for customer 1516 and for a new customer (52 weeks)', () => {
		const c = summary.find((s) => s.id === '1516')!;
		expect(c).toMatchObject({ x: 26, T: 31 });
		expect(c.tx).toBeCloseTo(30.85714, 5);
		expect(probabilityAlive(fit.params, c.x, c.tx, c.T)).toBeCloseTo(0.9688523, 5);
		expect(expectedPurchases(fit.params, 52, c.x, c.tx, c.T)).toBeCloseTo(25.75659, 2);
		expect(expectedPurchasesNew(fit.params, 52)).toBeCloseTo(1.444004, 4);
	});

	it("matches Hardie's spreadsheet for E[Y(39) | x=2, t_x=30.43, T=38.86] and E[X(t)] to 2 decimals", () => {
		expect(expectedPurchases(PAPER, 39, 2, 30.43, 38.86)).toBeCloseTo(1.226, 3);
		// lifetimes' test lists [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]; the formula (checked
		// against BTYD's 1.444004 above and by summing ₂F₁ directly) gives these to 2 decimals.
		const t = [0.1429, 1, 3, 31.8571, 32, 78];
		const published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
		t.forEach((ti, i) => expect(expectedPurchasesNew(PAPER, ti)).toBeCloseTo(published[i]!, 2));
	});

	it('gives P(alive) = 1 to customers without repeat purchases, and E[Y(0)] = 0', () => {
		expect(probabilityAlive(fit.params, 0, 0, 30)).toBe(1);
		expect(expectedPurchases(fit.params, 0, 3, 10, 30)).toBe(0);
	});

	it('handles customers with many purchases (the series is transformed, not summed raw)', () => {
		// The untransformed series, summed directly (≈ 500 terms up to 1e130 here), gives 255.868414.
		expect(expectedPurchases({ r: 0.2425945, alpha: 4.4136, a: 0.79292, b: 2.4259 }, 52, 300, 38.9, 39)).toBeCloseTo(255.868414, 5);
	});
});

describe('Gamma-Gamma on CDNOW (Fader & Hardie 2013)', () => {
	const fit = fitGammaGamma(spend);

	it('reproduces p = 6.25, q = 3.74, γ = 15.44 and LL −4055.9', () => {
		expect(fit.converged).toBe(true);
		expect(fit.params.p).toBeCloseTo(6.25, 2);
		expect(fit.params.q).toBeCloseTo(3.74, 2);
		expect(fit.params.gamma).toBeCloseTo(15.44, 2);
		expect(fit.logLikelihood).toBeCloseTo(-4055.9, 1);
		expect(fit.logLikelihood).toBeCloseTo(-4055.918, 2);
		expect(gammaGammaLogLikelihood(spend, { p: 6.25, q: 3.74, gamma: 15.44 })).toBeCloseTo(-4055.919, 3);
	});

	it("gives Hardie's expected average profit for the first ten customers", () => {
		const expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
		const got = summary.slice(0, 10).map((c) => Number(expectedSpend(fit.params, c.x, c.zbar).toFixed(2)));
		expect(got).toEqual(expected);
	});

	it('refuses non-repeat buyers and non-positive spend', () => {
		expect(() => fitGammaGamma({ x: [0], meanSpend: [10] })).toThrow(/repeat buyers/);
		expect(() => fitGammaGamma({ x: [2], meanSpend: [0] })).toThrow(/positive spend/);
	});

	it('stops at once, unconverged, when spend has no heterogeneity (q runs to its bound)', () => {
		// Every customer's orders drawn from the same Gamma(6, 1/5): the likelihood keeps rising as q → ∞.
		const random = seededRandom(11);
		const order = () => -5 * Array.from({ length: 6 }, () => Math.log(1 - random())).reduce((a, b) => a + b, 0);
		const x = Array.from({ length: 5000 }, () => 1 + Math.floor(random() * 6));
		const meanSpend = x.map((n) => Array.from({ length: n }, order).reduce((a, b) => a + b, 0) / n);
		const fit = fitGammaGamma({ x, meanSpend });
		expect(fit.converged).toBe(false);
		expect(Math.log(fit.params.q)).toBeGreaterThan(11.9);
		// BFGS's own iterations only: the simplex is not sent crawling along the bound (it took 5,000 more).
		expect(fit.iterations).toBeLessThanOrEqual(200);
	});
});

describe('fitModels warnings', () => {
	const columns = (zbar: (c: (typeof summary)[number]) => number): CustomerSummary => ({
		customerId: summary.map((c) => c.id),
		x: Float64Array.from(summary, (c) => c.x),
		tx: Float64Array.from(summary, (c) => c.tx),
		T: Float64Array.from(summary, (c) => c.T),
		meanSpend: Float64Array.from(summary, (c) => (c.x > 0 ? zbar(c) : NaN)),
		holdout: Float64Array.from(summary, (c) => c.holdout),
		firstDay: new Float64Array(summary.length)
	});

	it('trusts CDNOW (correlation of purchases and spend ≈ 0.11)', () => {
		const fit = fitModels(
			columns((c) => c.zbar),
			'weeks'
		);
		expect(fit.warnings).toEqual([]);
		expect(fit.showOrders && fit.showValue).toBe(true);
		expect(fit.spendFrequencyCorrelation).toBeCloseTo(0.11, 2);
	});

	it('hides spend-based predictions when spend moves with frequency', () => {
		const fit = fitModels(
			columns((c) => 10 * c.x + c.zbar / 10),
			'weeks'
		);
		// Spend that grows with x also has no best fit: p runs to its bound (the likelihood rises without end).
		expect(fit.warnings.map((w) => w.code)).toEqual(['spend-not-converged', 'spend-follows-frequency']);
		expect(Math.log(fit.gammaGamma!.params.p)).toBeGreaterThan(11.9);
		expect(fit.showOrders).toBe(true);
		expect(fit.showValue).toBe(false);
		const predictions = predictCustomers(
			fit,
			columns((c) => c.zbar),
			DEFAULT_PREDICT
		);
		expect(predictions.predictedValue.every(Number.isNaN)).toBe(true);
		expect(predictions.pAlive.every((p) => p > 0 && p <= 1)).toBe(true);
	});

	it('keeps spend predictions when a few repeat buyers have zero spend, and says so', () => {
		const fit = fitModels(
			columns((c) => (Number(c.id) % 100 === 0 ? 0 : c.zbar)),
			'weeks'
		);
		expect(fit.warnings).toEqual([expect.objectContaining({ code: 'non-positive-spend', hides: 'nothing' })]);
		expect(fit.showValue).toBe(true);
	});
});
