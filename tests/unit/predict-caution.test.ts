/**
 * Predictions that know when they are off (issue 20, finding 4): a BG/NBD fit that ran to the
 * optimiser's bound is "not-converged" (the old test on the rescaled parameters could never see the
 * bound), a fit where almost nobody drops out is "degenerate", and a holdout check that misses the
 * aggregate repeat purchases by more than 25 % hides the predictions. Each hides every prediction.
 */
import { describe, expect, it } from 'vitest';
import { randomBeta, randomGamma } from 'd3';
import { seededRandom } from '../support/random';
import { fitBgNbd, type BgNbdParams } from '../../src/lib/predict/bgnbd';
import { AT_BOUND_MARGIN, fitLogParameters, LOG_BOUND } from '../../src/lib/predict/optimise';
import {
	fitModels,
	purchaseFitOf,
	holdoutMiss,
	MAX_HOLDOUT_MISS,
	meanDropout,
	MIN_DROPOUT,
	withHoldoutCheck,
	type CustomerSummary,
	type HoldoutCheck
} from '../../src/lib/predict/predict';

/** Customers drawn from the BG/NBD itself (FHL 2005): λ ~ Γ(r, α), dropout p ~ Beta(a, b), 20–52 weeks each. */
function simulate(n: number, seed: number, params: { r: number; alpha: number; a: number; b: number }): CustomerSummary {
	const rnd = seededRandom(seed);
	const lambdaOf = randomGamma.source(rnd)(params.r, 1 / params.alpha);
	const dropoutOf = randomBeta.source(rnd)(params.a, params.b);
	const x: number[] = [];
	const tx: number[] = [];
	const T: number[] = [];
	for (let i = 0; i < n; i++) {
		const lambda = lambdaOf();
		const p = dropoutOf();
		const length = 20 + rnd() * 32;
		let t = 0;
		let k = 0;
		let last = 0;
		for (;;) {
			t += -Math.log(1 - rnd()) / lambda;
			if (t > length) break;
			k++;
			last = t;
			if (rnd() < p) break;
		}
		x.push(k);
		tx.push(last);
		T.push(length);
	}
	return {
		customerId: x.map((_, i) => `c${i}`),
		x: Float64Array.from(x),
		tx: Float64Array.from(tx),
		T: Float64Array.from(T),
		meanSpend: Float64Array.from(x, (k, i) => (k > 0 ? 20 + (i % 7) * 5 : NaN)),
		holdout: new Float64Array(n),
		firstDay: Float64Array.from(T, (len) => Math.round((52 - len) * 7))
	};
}

/** Customers who buy every two weeks, give or take two days, and never stop: the likelihood wants a → 0. */
function neverStopping(n: number, seed: number): CustomerSummary {
	const rnd = seededRandom(seed);
	const x: number[] = [];
	const tx: number[] = [];
	const T: number[] = [];
	const first: number[] = [];
	for (let i = 0; i < n; i++) {
		const start = Math.floor(rnd() * 300);
		let day = start;
		let k = 0;
		while (day + 16 <= 365) {
			day += 12 + Math.floor(rnd() * 5);
			k++;
		}
		x.push(k);
		tx.push((day - start) / 7);
		T.push((365 - start) / 7);
		first.push(start);
	}
	return {
		customerId: x.map((_, i) => `c${i}`),
		x: Float64Array.from(x),
		tx: Float64Array.from(tx),
		T: Float64Array.from(T),
		meanSpend: Float64Array.from(x, (k) => (k > 0 ? 30 : NaN)),
		holdout: new Float64Array(n),
		firstDay: Float64Array.from(first)
	};
}

describe('a BG/NBD fit at the bound or with no dropout hides the predictions', () => {
	it('flags a fit whose dropout parameter ran to the bound as not-converged', () => {
		const summary = neverStopping(500, 1);
		const bgnbd = fitBgNbd(summary);
		// a was pushed to e^−12, the edge of the search; the old test (|ln v| > 11.5 + ln 10⁴) never fires there.
		expect(bgnbd.atBound).toBe(true);
		expect(Math.log(bgnbd.params.a)).toBeCloseTo(-LOG_BOUND, 1);
		expect(Math.abs(Math.log(bgnbd.params.a))).toBeLessThan(11.5 + Math.log(1e4));
		const fit = fitModels(summary, 'weeks');
		expect(fit.warnings.map((w) => w.code)).toContain('not-converged');
		expect(fit.showOrders).toBe(false);
		expect(fit.showValue).toBe(false);
	});

	it('flags a converged fit where almost nobody drops out as degenerate (everyone ~100 % active)', () => {
		// True mean dropout 0.01 / 2.01 ≈ 0.5 %: the fit converges inside its range on a ≈ 0.05, b ≈ 11.
		const fit = fitModels(simulate(3000, 7, { r: 0.5, alpha: 5, a: 0.01, b: 2 }), 'weeks');
		expect(purchaseFitOf<BgNbdParams>(fit).converged).toBe(true);
		expect(purchaseFitOf<BgNbdParams>(fit).atBound).toBe(false);
		expect(meanDropout(purchaseFitOf<BgNbdParams>(fit).params)).toBeLessThan(MIN_DROPOUT);
		expect(fit.warnings.find((w) => w.code === 'degenerate')).toMatchObject({ hides: 'all' });
		expect(fit.warnings.find((w) => w.code === 'degenerate')!.message).toMatch(/about 100 % active/);
		expect(fit.showOrders).toBe(false);
	});

	it('keeps a healthy fit (CDNOW-like dropout of about 25 %) shown', () => {
		const fit = fitModels(simulate(3000, 7, { r: 0.5, alpha: 5, a: 0.793, b: 2.426 }), 'weeks');
		expect(purchaseFitOf<BgNbdParams>(fit).atBound).toBe(false);
		expect(meanDropout(purchaseFitOf<BgNbdParams>(fit).params)).toBeGreaterThan(0.2);
		expect(fit.warnings.map((w) => w.code)).not.toContain('degenerate');
		expect(fit.warnings.map((w) => w.code)).not.toContain('not-converged');
		expect(fit.showOrders).toBe(true);
	});
});

/** Every repeat buyer bought again exactly once, spending from 10 to 40: with x = 1 nobody tells spread within a customer from spread between customers, so q runs to its bound. */
function oneRepeatEach(repeatBuyers: number, once: number): CustomerSummary {
	const n = repeatBuyers + once;
	const isRepeat = (i: number) => i < repeatBuyers;
	const T = Float64Array.from({ length: n }, (_, i) => 20 + (i % 33));
	return {
		customerId: Array.from({ length: n }, (_, i) => `c${i}`),
		x: Float64Array.from({ length: n }, (_, i) => (isRepeat(i) ? 1 : 0)),
		tx: Float64Array.from(T, (len, i) => (isRepeat(i) ? len * (0.2 + (0.6 * ((i * 7) % 11)) / 10) : 0)),
		T,
		meanSpend: Float64Array.from({ length: n }, (_, i) => (isRepeat(i) ? 10 + (30 * i) / (repeatBuyers - 1) : NaN)),
		holdout: new Float64Array(n),
		firstDay: Float64Array.from(T, (len) => Math.round((52 - len) * 7))
	};
}

describe('the bound check reads the optimiser’s own coordinates (issue 21)', () => {
	it('reports a log-parameter that ended on ±LOG_BOUND, and not an interior optimum', () => {
		// e^v falls forever as v → −∞: the search ends on the lower bound.
		const runaway = fitLogParameters(
			(v) => ({ f: Math.exp(v[0]!) + (v[1]! - 1) ** 2, g: [Math.exp(v[0]!), 2 * (v[1]! - 1)] }),
			(v) => Math.exp(v[0]!) + (v[1]! - 1) ** 2,
			[0, 0],
			{ bound: LOG_BOUND, gTolerance: 1e-9 }
		);
		expect(runaway.x[0]!).toBeLessThan(-LOG_BOUND + AT_BOUND_MARGIN);
		expect(runaway.atBound).toBe(true);
		const interior = fitLogParameters(
			(v) => ({ f: (v[0]! - 2) ** 2 + (v[1]! + 3) ** 2, g: [2 * (v[0]! - 2), 2 * (v[1]! + 3)] }),
			(v) => (v[0]! - 2) ** 2 + (v[1]! + 3) ** 2,
			[0, 0],
			{ bound: LOG_BOUND, gTolerance: 1e-9 }
		);
		expect(interior.x[0]!).toBeCloseTo(2, 6);
		expect(interior.x[1]!).toBeCloseTo(-3, 6);
		expect(interior.atBound).toBe(false);
	});

	it('BG/NBD: a fit the optimiser calls converged, with a on e^−12, is not-converged (not merely degenerate)', () => {
		// Almost nobody ever drops out (a = 10⁻⁴): the gradient in ln a vanishes as a → 0, so BFGS stops on
		// the bound and reports convergence; |ln a| = 12 is far inside the old 11.5 + ln 10⁴ ≈ 20.7.
		const fit = fitModels(simulate(3000, 1, { r: 0.5, alpha: 5, a: 1e-4, b: 2 }), 'weeks');
		expect(purchaseFitOf<BgNbdParams>(fit).converged).toBe(true);
		expect(purchaseFitOf<BgNbdParams>(fit).atBound).toBe(true);
		expect(Math.log(purchaseFitOf<BgNbdParams>(fit).params.a)).toBeLessThan(-LOG_BOUND + AT_BOUND_MARGIN);
		expect(fit.warnings.map((w) => w.code)).toEqual(['not-converged']);
		expect(fit.warnings[0]!.message).toMatch(/a parameter ran to its limit/);
		expect(fit.showOrders).toBe(false);
		expect(fit.showValue).toBe(false);
	});

	it('Gamma-Gamma: a fit the optimiser calls converged, with q on e^12, hides spend predictions', () => {
		const fit = fitModels(oneRepeatEach(120, 380), 'weeks');
		const gg = fit.gammaGamma!;
		expect(gg.customers).toBe(120);
		expect(gg.converged).toBe(true);
		expect(gg.atBound).toBe(true);
		expect(Math.log(gg.params.q)).toBeGreaterThan(LOG_BOUND - AT_BOUND_MARGIN);
		// γ is rescaled by the money scale, p and q are not: none of them passes the old |ln v| > 20.7.
		for (const v of [gg.params.p, gg.params.q, gg.params.gamma]) expect(Math.abs(Math.log(v))).toBeLessThan(11.5 + Math.log(1e4));
		const spend = fit.warnings.find((w) => w.code === 'spend-not-converged');
		expect(spend).toMatchObject({ hides: 'value' });
		expect(spend!.message).toMatch(/a parameter ran to its limit/);
		expect(fit.showValue).toBe(false);
	});
});

describe('a holdout check that misses badly hides the predictions', () => {
	const fit = fitModels(simulate(3000, 7, { r: 0.5, alpha: 5, a: 0.793, b: 2.426 }), 'weeks');
	const check = (totalActual: number, totalPredicted: number) =>
		({ calibrationEnd: '2024-06-30', totalActual, totalPredicted }) as HoldoutCheck;

	it('measures the miss on aggregate repeat orders', () => {
		expect(holdoutMiss(check(1513, 2007.2))).toBeCloseTo(494.2 / 1513, 12);
		expect(holdoutMiss(check(0, 12))).toBeNull();
		expect(MAX_HOLDOUT_MISS).toBe(0.25);
	});

	it('hides every prediction past 25 % off, with the numbers in the reason', () => {
		const off = withHoldoutCheck(fit, check(1513, 2007.2));
		expect(off.showOrders).toBe(false);
		expect(off.showValue).toBe(false);
		expect(off.warnings.at(-1)).toEqual({
			code: 'holdout-miss',
			hides: 'all',
			message:
				'Checked on a holdout period (orders after 2024-06-30), the purchase model predicted 2,007 repeat orders where customers placed 1,513 (33 % off; more than 25 % hides the predictions).'
		});
		// Under-prediction counts too.
		expect(withHoldoutCheck(fit, check(1000, 740)).showOrders).toBe(false);
	});

	it('leaves a fit within 25 % (or without a holdout check) as it was', () => {
		expect(withHoldoutCheck(fit, check(1000, 1240))).toBe(fit);
		expect(withHoldoutCheck(fit, check(1000, 760))).toBe(fit);
		expect(withHoldoutCheck(fit, null)).toBe(fit);
	});
});
