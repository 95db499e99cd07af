/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting your customers the easy
 * way", Marketing Science 24(2)): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α), and
 * after each purchase drops out with probability p ~ Beta(a, b).
 *
 * Data per customer: x repeat purchases, t_x the time of the last one (from the first purchase),
 * T the time from the first purchase to the end of the calibration period, all in one time unit.
 */
import { hyp2f1 } from './special';
import { fitGrouped, groupedLogLikelihood, type FitReport, type ModelSpec } from './fit';
import { groupHistory, type GroupedHistory, type PurchaseHistory } from './purchase-history';

export interface BgNbdParams {
	r: number;
	alpha: number;
	a: number;
	b: number;
}

/** The log-likelihood of grouped data (times in the grouped scale). Allocation-free apart from scratch arrays. */
function groupedBgNbdLogLikelihood(g: GroupedHistory, { r, alpha, a, b }: BgNbdParams, scratch: Scratch): number {
	// ln Γ(r+x) − ln Γ(r), ln Γ(b+x) − ln Γ(b), ln Γ(a+b+x) − ln Γ(a+b) for integer x are sums of logs.
	const { perX, dropX, logAt } = scratch;
	let cumR = 0;
	let cumB = 0;
	let cumAB = 0;
	const rLogAlpha = r * Math.log(alpha);
	const logA = Math.log(a);
	for (let x = 0; x <= g.maxX; x++) {
		perX[x] = rLogAlpha + cumR + cumB - cumAB;
		dropX[x] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
		cumR += Math.log(r + x);
		cumB += Math.log(b + x);
		cumAB += Math.log(a + b + x);
	}
	for (let k = 0; k < g.times.length; k++) logAt[k] = Math.log(alpha + g.times[k]!);
	let ll = 0;
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const rx = r + x;
		const aliveAtT = -rx * logAt[g.TIndex[i]!]!;
		let term: number;
		if (x === 0) term = aliveAtT;
		else {
			const droppedAfterTx = dropX[x]! - rx * logAt[g.txIndex[i]!]!;
			term =
				aliveAtT > droppedAfterTx
					? aliveAtT + Math.log1p(Math.exp(droppedAfterTx - aliveAtT))
					: droppedAfterTx + Math.log1p(Math.exp(aliveAtT - droppedAfterTx));
		}
		ll += g.weight[i]! * (perX[x]! + term);
	}
	return ll;
}

interface Scratch {
	perX: Float64Array;
	dropX: Float64Array;
	logAt: Float64Array;
	/** For the gradient: Σ_{k<x} 1/(r+k), 1/(b+k), 1/(a+b+k) per x, and 1/(α+t) per time. */
	sumR: Float64Array;
	sumB: Float64Array;
	sumAB: Float64Array;
	invAt: Float64Array;
}

const scratchFor = (g: GroupedHistory): Scratch => ({
	perX: new Float64Array(g.maxX + 1),
	dropX: new Float64Array(g.maxX + 1),
	logAt: new Float64Array(g.times.length),
	sumR: new Float64Array(g.maxX + 1),
	sumB: new Float64Array(g.maxX + 1),
	sumAB: new Float64Array(g.maxX + 1),
	invAt: new Float64Array(g.times.length)
});

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). With w the posterior
 * weight of "dropped out after the last purchase" (the second term of eq. 6), each customer adds
 * ∂/∂r = ln α + Σ 1/(r+k) − (1−w) ln(α+T) − w ln(α+t_x), ∂/∂α = r/α − (r+x)((1−w)/(α+T) + w/(α+t_x)),
 * ∂/∂a = w/a − Σ 1/(a+b+k), ∂/∂b = Σ 1/(b+k) − Σ 1/(a+b+k) − w/(b+x−1).
 */
function groupedValueAndGradient(g: GroupedHistory, { r, alpha, a, b }: BgNbdParams, scratch: Scratch): { ll: number; grad: number[] } {
	const { perX, dropX, logAt, sumR, sumB, sumAB, invAt } = scratch;
	let cumR = 0;
	let cumB = 0;
	let cumAB = 0;
	let invR = 0;
	let invB = 0;
	let invAB = 0;
	const logAlpha = Math.log(alpha);
	const rLogAlpha = r * logAlpha;
	const logA = Math.log(a);
	for (let x = 0; x <= g.maxX; x++) {
		perX[x] = rLogAlpha + cumR + cumB - cumAB;
		dropX[x] = x > 0 ? logA - Math.log(b + x - 1) : -Infinity;
		sumR[x] = invR;
		sumB[x] = invB;
		sumAB[x] = invAB;
		cumR += Math.log(r + x);
		cumB += Math.log(b + x);
		cumAB += Math.log(a + b + x);
		invR += 1 / (r + x);
		invB += 1 / (b + x);
		invAB += 1 / (a + b + x);
	}
	for (let k = 0; k < g.times.length; k++) {
		logAt[k] = Math.log(alpha + g.times[k]!);
		invAt[k] = 1 / (alpha + g.times[k]!);
	}
	let ll = 0;
	let dr = 0;
	let dAlpha = 0;
	let da = 0;
	let db = 0;
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const weight = g.weight[i]!;
		const rx = r + x;
		const Ti = g.TIndex[i]!;
		const aliveAtT = -rx * logAt[Ti]!;
		let term = aliveAtT;
		let w = 0;
		let tx = Ti;
		if (x > 0) {
			tx = g.txIndex[i]!;
			const droppedAfterTx = dropX[x]! - rx * logAt[tx]!;
			const diff = droppedAfterTx - aliveAtT;
			if (diff > 0) {
				const e = Math.exp(-diff);
				term = droppedAfterTx + Math.log1p(e);
				w = 1 / (1 + e);
			} else {
				const e = Math.exp(diff);
				term = aliveAtT + Math.log1p(e);
				w = e / (1 + e);
			}
			da += weight * (w / a);
			db += weight * (sumB[x]! - w / (b + x - 1));
		}
		ll += weight * (perX[x]! + term);
		dr += weight * (sumR[x]! - (1 - w) * logAt[Ti]! - w * logAt[tx]!);
		dAlpha -= weight * rx * ((1 - w) * invAt[Ti]! + w * invAt[tx]!);
		da -= weight * sumAB[x]!;
		db -= weight * sumAB[x]!;
	}
	const n = g.customers;
	dr += n * logAlpha;
	dAlpha += (n * r) / alpha;
	return { ll, grad: [dr * r, dAlpha * alpha, da * a, db * b] };
}

/** BG/NBD for the fitter: (r, α, a, b) with α a rate per unit of time, and its closed-form gradient. */
export const BG_NBD: ModelSpec<BgNbdParams> = {
	names: ['r', 'alpha', 'a', 'b'],
	timeScaled: ['alpha'],
	prepare(g) {
		const scratch = scratchFor(g);
		return {
			logLikelihood: (p) => groupedBgNbdLogLikelihood(g, p, scratch),
			valueAndGradient: (p) => groupedValueAndGradient(g, p, scratch)
		};
	}
};

/** The BG/NBD log-likelihood of a purchase history at these parameters (FHL 2005, eq. 6, in logs). */
export function bgNbdLogLikelihood(history: PurchaseHistory, params: BgNbdParams): number {
	return groupedLogLikelihood(BG_NBD, groupHistory(history), params);
}

/**
 * Fits the BG/NBD by maximum likelihood (see `fitGrouped`): BFGS with the closed-form gradient on the
 * logs of (r, α, a, b).
 */
export function fitBgNbd(history: PurchaseHistory, start?: BgNbdParams): FitReport<BgNbdParams> {
	return fitGrouped(BG_NBD, groupHistory(history), start);
}

/** ln of the odds that a customer with this history has dropped out (−∞ when x = 0: they cannot have). */
function logDropOdds({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
	if (x === 0) return -Infinity;
	return Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/** P(alive | x, t_x, T) (FHL 2005, eq. 11, via Fader, Hardie & Lee's note on P(alive)). */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
	return 1 / (1 + Math.exp(logDropOdds(params, x, tx, T)));
}

/** a, nudged away from 1 where the closed forms divide by (a − 1) (their limit is finite). */
const safeA = (a: number) => (Math.abs(a - 1) < 1e-7 ? 1 + (a >= 1 ? 1e-7 : -1e-7) : a);

/**
 * 1 − (1−z)^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z), the bracket of FHL's expectations, written with Euler's
 * transformation (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) so the series has the small parameters
 * (a+b−1−r, a−1) and converges fast even for customers with many purchases.
 */
function bracket(r: number, a: number, b: number, x: number, z: number): number {
	const c = a + b + x - 1;
	return 1 - Math.pow(1 - z, a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z);
}

/**
 * E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units of a customer with this
 * history (FHL 2005, eq. 10).
 */
export function expectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha, b } = params;
	const a = safeA(params.a);
	const z = t / (alpha + T + t);
	const numerator = ((a + b + x - 1) / (a - 1)) * bracket(r, a, b, x, z);
	return numerator / (1 + Math.exp(logDropOdds({ ...params, a }, x, tx, T)));
}

/** E[X(t)]: expected purchases of a new customer in the first `t` time units after the first purchase (FHL 2005, eq. 7). */
export function expectedPurchasesNew(params: BgNbdParams, t: number): number {
	if (t <= 0) return 0;
	const { r, alpha, b } = params;
	const a = safeA(params.a);
	const z = t / (alpha + t);
	return ((a + b - 1) / (a - 1)) * bracket(r, a, b, 0, z);
}

/**
 * P(at least one order in the next `t` | x, t_x, T): alive, λ ~ Gamma(r+x, α+T) and an active customer
 * only drops out at a purchase, so the chance is P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)).
 */
export function probabilityOfOrderWithin(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha } = params;
	return probabilityAlive(params, x, tx, T) * -Math.expm1(-(r + x) * Math.log1p(t / (alpha + T)));
}
