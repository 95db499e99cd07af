/**
 * The MBG/NBD model (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of
 * models for customer base analysis", IJRM 24(3)): BG/NBD with one change — a customer may drop out
 * right after the first purchase too, not only after repeat purchases. So a one-time buyer is no
 * longer certainly active, which is BG/NBD's best-known flaw (lifetimes #44, #165, #239).
 *
 * Likelihood of (x, t_x, T) with λ ~ Gamma(r, α) and the dropout chance p ~ Beta(a, b):
 *   Γ(r+x) α^r / Γ(r) · B(a, b+x+1)/B(a, b) · (α+T)^−(r+x) · [1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x)].
 */
import { hyp2f1 } from './special';
import { fitGrouped, groupedLogLikelihood, type FitReport, type ModelSpec } from './fit';
import { groupHistory, type GroupedHistory, type PurchaseHistory } from './purchase-history';

export interface MbgNbdParams {
	r: number;
	alpha: number;
	a: number;
	b: number;
}

/** The log-likelihood of grouped data (times and α in the grouped scale). */
function groupedMbgNbdLogLikelihood(g: GroupedHistory, { r, alpha, a, b }: MbgNbdParams, perX: Float64Array): number {
	// For integer x: ln Γ(r+x) − ln Γ(r) = Σ_{k<x} ln(r+k), and ln B(a, b+x+1) − ln B(a, b) = Σ_{k≤x} ln(b+k) − ln(a+b+k).
	let cumR = 0;
	let cumB = 0;
	const rLogAlpha = r * Math.log(alpha);
	for (let x = 0; x <= g.maxX; x++) {
		cumB += Math.log(b + x) - Math.log(a + b + x);
		perX[x] = rLogAlpha + cumR + cumB;
		cumR += Math.log(r + x);
	}
	const logA = Math.log(a);
	let ll = 0;
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const logEnd = Math.log(alpha + g.times[g.TIndex[i]!]!);
		const logLast = Math.log(alpha + g.times[g.txIndex[i]!]!);
		const dropOdds = logA - Math.log(b + x) + (r + x) * (logEnd - logLast);
		const log1pOdds = dropOdds > 0 ? dropOdds + Math.log1p(Math.exp(-dropOdds)) : Math.log1p(Math.exp(dropOdds));
		ll += g.weight[i]! * (perX[x]! - (r + x) * logEnd + log1pOdds);
	}
	return ll;
}

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). With σ the posterior
 * chance of "dropped out" (the sigmoid of the drop odds D), each customer adds
 * ∂/∂r = ln α + Σ_{k<x} 1/(r+k) − ln(α+T) + σ(ln(α+T) − ln(α+t_x)),
 * ∂/∂α = r/α − (r+x)/(α+T) + σ(r+x)(1/(α+T) − 1/(α+t_x)),
 * ∂/∂a = σ/a − Σ_{k≤x} 1/(a+b+k), ∂/∂b = Σ_{k≤x} (1/(b+k) − 1/(a+b+k)) − σ/(b+x).
 */
function groupedMbgNbdValueAndGradient(
	g: GroupedHistory,
	{ r, alpha, a, b }: MbgNbdParams,
	scratch: { perX: Float64Array; sumR: Float64Array; sumB: Float64Array; sumAB: Float64Array }
): { ll: number; grad: number[] } {
	const { perX, sumR, sumB, sumAB } = scratch;
	let cumR = 0;
	let cumB = 0;
	let invR = 0;
	let invB = 0;
	let invAB = 0;
	const logAlpha = Math.log(alpha);
	for (let x = 0; x <= g.maxX; x++) {
		cumB += Math.log(b + x) - Math.log(a + b + x);
		invB += 1 / (b + x);
		invAB += 1 / (a + b + x);
		perX[x] = r * logAlpha + cumR + cumB;
		sumR[x] = invR;
		sumB[x] = invB;
		sumAB[x] = invAB;
		cumR += Math.log(r + x);
		invR += 1 / (r + x);
	}
	const logA = Math.log(a);
	let ll = 0;
	let dr = 0;
	let dAlpha = 0;
	let da = 0;
	let db = 0;
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const w = g.weight[i]!;
		const end = alpha + g.times[g.TIndex[i]!]!;
		const last = alpha + g.times[g.txIndex[i]!]!;
		const logEnd = Math.log(end);
		const logLast = Math.log(last);
		const dropOdds = logA - Math.log(b + x) + (r + x) * (logEnd - logLast);
		const e = Math.exp(-Math.abs(dropOdds));
		const log1pOdds = (dropOdds > 0 ? dropOdds : 0) + Math.log1p(e);
		const dropped = dropOdds > 0 ? 1 / (1 + e) : e / (1 + e);
		ll += w * (perX[x]! - (r + x) * logEnd + log1pOdds);
		dr += w * (logAlpha + sumR[x]! - logEnd + dropped * (logEnd - logLast));
		dAlpha += w * (r / alpha - (r + x) / end + dropped * (r + x) * (1 / end - 1 / last));
		da += w * (dropped / a - sumAB[x]!);
		db += w * (sumB[x]! - sumAB[x]! - dropped / (b + x));
	}
	return { ll, grad: [dr * r, dAlpha * alpha, da * a, db * b] };
}

/** MBG/NBD for the fitter: (r, α, a, b) with α a rate per unit of time, and its closed-form gradient. */
export const MBG_NBD: ModelSpec<MbgNbdParams> = {
	names: ['r', 'alpha', 'a', 'b'],
	timeScaled: ['alpha'],
	prepare(g) {
		const size = g.maxX + 1;
		const scratch = {
			perX: new Float64Array(size),
			sumR: new Float64Array(size),
			sumB: new Float64Array(size),
			sumAB: new Float64Array(size)
		};
		return {
			logLikelihood: (p) => groupedMbgNbdLogLikelihood(g, p, scratch.perX),
			valueAndGradient: (p) => groupedMbgNbdValueAndGradient(g, p, scratch)
		};
	}
};

/** The MBG/NBD log-likelihood of a purchase history at these parameters. */
export function mbgNbdLogLikelihood(history: PurchaseHistory, params: MbgNbdParams): number {
	return groupedLogLikelihood(MBG_NBD, groupHistory(history), params);
}

/** Fits the MBG/NBD by maximum likelihood (see `fitGrouped`). */
export function fitMbgNbd(history: PurchaseHistory, start?: MbgNbdParams): FitReport<MbgNbdParams> {
	return fitGrouped(MBG_NBD, groupHistory(history), start);
}

/** ln of the odds that the customer has dropped out (after any purchase, the first included). */
function logDropOdds({ r, alpha, a, b }: MbgNbdParams, x: number, tx: number, T: number): number {
	return Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
}

/** P(alive at T | x, t_x, T): below 1 for one-time buyers too. */
export function mbgProbabilityAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
	return 1 / (1 + Math.exp(logDropOdds(params, x, tx, T)));
}

/** a, nudged away from 1 where the closed forms divide by (a − 1) (their limit is finite). */
const awayFromOne = (a: number) => (Math.abs(a - 1) < 1e-7 ? 1 + (a >= 1 ? 1e-7 : -1e-7) : a);

/**
 * 1 − (1−z)^(r+x) ₂F₁(r+x, b+x+1; a+b+x; z), written with Euler's transformation as
 * 1 − (1−z)^(a−1) ₂F₁(a+b−r, a−1; a+b+x; z) so the series has small parameters.
 */
function bracket(r: number, a: number, b: number, x: number, z: number): number {
	return 1 - Math.pow(1 - z, a - 1) * hyp2f1(a + b - r, a - 1, a + b + x, z);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units of a customer with this history. */
export function mbgExpectedPurchases(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha, b } = params;
	const a = awayFromOne(params.a);
	const z = t / (alpha + T + t);
	return (((a + b + x) / (a - 1)) * bracket(r, a, b, x, z)) / (1 + Math.exp(logDropOdds({ ...params, a }, x, tx, T)));
}

/** E[X(t)]: expected repeat purchases of a new customer in the first `t` time units after the first purchase. */
export function mbgExpectedPurchasesNew(params: MbgNbdParams, t: number): number {
	if (t <= 0) return 0;
	const { r, alpha, b } = params;
	const a = awayFromOne(params.a);
	return (b / (a - 1)) * bracket(r, a, b, 0, t / (alpha + t));
}

/**
 * P(at least one order in the next `t` | x, t_x, T): alive, λ ~ Gamma(r+x, α+T) and an active customer
 * only drops out at a purchase, so the chance is P(alive) · (1 − ((α+T)/(α+T+t))^(r+x)).
 */
export function mbgProbabilityOfOrderWithin(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha } = params;
	return mbgProbabilityAlive(params, x, tx, T) * -Math.expm1(-(r + x) * Math.log1p(t / (alpha + T)));
}
