/**
 * Predictions that know when they are off (issue 20, finding 4): a BG/NBD fit that ran to the
 * optimiser's bound is "not-converged" (the old test on the rescaled parameters could never see the
 * bound), a fit where almost nobody drops out is "degenerate", and a holdout check that misses the
 * aggregate repeat purchases by more than 25 % hides the predictions. Each hides every prediction.
 */
import { describe, expect, it } from 'vitest';
import { randomBeta, randomGamma } from 'd3';
import { seededRandom } from '../support/random';
import { fitBgNbd } from '../../src/lib/predict/bgnbd';
import { LOG_BOUND } from '../../src/lib/predict/fit';
import {
	fitModels,
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
		expect(fit.bgnbd.converged).toBe(true);
		expect(fit.bgnbd.atBound).toBe(false);
		expect(meanDropout(fit.bgnbd.params)).toBeLessThan(MIN_DROPOUT);
		expect(fit.warnings.find((w) => w.code === 'degenerate')).toMatchObject({ hides: 'all' });
		expect(fit.warnings.find((w) => w.code === 'degenerate')!.message).toMatch(/about 100 % active/);
		expect(fit.showOrders).toBe(false);
	});

	it('keeps a healthy fit (CDNOW-like dropout of about 25 %) shown', () => {
		const fit = fitModels(simulate(3000, 7, { r: 0.5, alpha: 5, a: 0.793, b: 2.426 }), 'weeks');
		expect(fit.bgnbd.atBound).toBe(false);
		expect(meanDropout(fit.bgnbd.params)).toBeGreaterThan(0.2);
		expect(fit.warnings.map((w) => w.code)).not.toContain('degenerate');
		expect(fit.warnings.map((w) => w.code)).not.toContain('not-converged');
		expect(fit.showOrders).toBe(true);
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
