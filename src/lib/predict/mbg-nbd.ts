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
import { fitLogParameters } from './optimise';
import { valueAndNumericGradient } from './gradient';
import { AT_BOUND_MARGIN, LOG_BOUND, type FitReport } from './bgnbd';
import { groupHistory, type GroupedHistory, type PurchaseHistory } from './purchase-history';

export interface MbgNbdParams {
	r: number;
	alpha: number;
	a: number;
	b: number;
}

/** The log-likelihood of grouped data (times and α in the grouped scale). */
function groupedLogLikelihood(g: GroupedHistory, { r, alpha, a, b }: MbgNbdParams, perX: Float64Array): number {
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

/** The MBG/NBD log-likelihood of a purchase history at these parameters. */
export function mbgNbdLogLikelihood(history: PurchaseHistory, params: MbgNbdParams): number {
	const g = groupHistory(history);
	const scaled = { ...params, alpha: params.alpha / g.scale };
	return groupedLogLikelihood(g, scaled, new Float64Array(g.maxX + 1)) - g.totalX * Math.log(g.scale);
}

/**
 * Fits the MBG/NBD by maximum likelihood: BFGS with central-difference gradients on the logs of
 * (r, α, a, b), each within e^±LOG_BOUND of the start, times rescaled as for BG/NBD.
 */
export function fitMbgNbd(history: PurchaseHistory): FitReport<MbgNbdParams> {
	const t0 = performance.now();
	const g = groupHistory(history);
	if (g.customers === 0) throw new RangeError('No customers to fit');
	const perX = new Float64Array(g.maxX + 1);
	const toParams = (v: number[]): MbgNbdParams => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
	const negative = (v: number[]) => -groupedLogLikelihood(g, toParams(v), perX);
	const result = fitLogParameters((v) => valueAndNumericGradient(negative, v), negative, [0, 0, 0, 0], {
		bound: LOG_BOUND,
		gTolerance: 1e-7 * Math.max(1000, g.customers)
	});
	const fitted = toParams(result.x);
	return {
		params: { ...fitted, alpha: fitted.alpha * g.scale },
		logLikelihood: -result.value - g.totalX * Math.log(g.scale),
		converged: result.converged,
		atBound: result.x.some((v) => Math.abs(v) > LOG_BOUND - AT_BOUND_MARGIN),
		iterations: result.iterations,
		evaluations: result.evaluations,
		customers: g.customers,
		ms: performance.now() - t0
	};
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
