/**
 * The Pareto/NBD model of repeat purchasing (Schmittlein, Morrison & Colombo 1987, "Counting your
 * customers", Management Science 33(1)): while alive a customer buys at a Poisson rate λ ~ Gamma(r, α)
 * and stays alive for an exponential lifetime with rate μ ~ Gamma(s, β), independent of λ. Unlike
 * BG/NBD, dropping out does not wait for a purchase, so a one-time buyer who has been silent for long
 * is probably gone.
 *
 * The likelihood and its conditional expectations follow Fader, Hardie & Lee's note "A note on deriving
 * the Pareto/NBD model and related expressions" (2005). The likelihood of (x, t_x, T) is
 *   Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀ ],
 * where A₀ = s⁻¹·(r+s+x)·∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ is written with Gauss's ₂F₁ — one
 * branch for α ≥ β, another for α < β, so the series argument stays in [0, 1).
 */
import { fitLogParameters } from './optimise';
import { valueAndNumericGradient } from './gradient';
import { AT_BOUND_MARGIN, LOG_BOUND, type FitReport } from './bgnbd';
import { groupHistory, type GroupedHistory, type PurchaseHistory } from './purchase-history';

export interface ParetoNbdParams {
	r: number;
	alpha: number;
	s: number;
	beta: number;
}

/**
 * ln ₂F₁(c, b; c+1; z) for 0 ≤ z < 1 and c+1−b > 0, the only form A₀ needs. Euler's transformation
 * gives (1−z)^(1−b) · Σₙ (c+1−b)ₙ/(c+1)ₙ zⁿ: every term is positive and each is less than z times the
 * one before, so the sum has no cancellation and its tail after a term is at most term·z/(1−z).
 */
export function logHyp2f1OneUp(c: number, b: number, z: number): number {
	if (z === 0) return 0;
	if (!(z > 0 && z < 1)) throw new RangeError(`The series needs 0 ≤ z < 1, got ${z}`);
	const top = c + 1 - b;
	if (!(top > 0)) throw new RangeError(`The series needs c + 1 − b > 0, got c = ${c}, b = ${b}`);
	let term = 1;
	let sum = 1;
	const tailFactor = z / (1 - z);
	// 20,000 terms reach 1e-15 up to z ≈ 0.998. Beyond that, min(α, β) ≪ max(α, β): the fit is heading for
	// its bound, which `atBound` reports and the predictions then hide, so a small shortfall costs nothing
	// while an unbounded loop would freeze the fit.
	for (let n = 0; n < 20_000; n++) {
		term *= ((top + n) / (c + 1 + n)) * z;
		sum += term;
		if (term * tailFactor <= 1e-15 * sum) break;
	}
	return (1 - b) * Math.log1p(-z) + Math.log(sum);
}

/** ln A₀ for one customer (−∞ when t_x = T: no time to drop out unseen after the last purchase). */
function logA0({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number): number {
	const c = r + s + x;
	const alphaLarger = alpha >= beta;
	const top = alphaLarger ? alpha : beta;
	const b = alphaLarger ? s + 1 : r + x;
	const diff = Math.abs(alpha - beta);
	const atLast = logHyp2f1OneUp(c, b, diff / (top + tx)) - c * Math.log(top + tx);
	const atEnd = logHyp2f1OneUp(c, b, diff / (top + T)) - c * Math.log(top + T);
	if (!(atEnd < atLast)) return -Infinity;
	return atLast + Math.log(-Math.expm1(atEnd - atLast));
}

/**
 * ln of the odds that the customer dropped out unseen after their last purchase, against being alive
 * at T: the second term of the likelihood over the first.
 */
function logDropOdds(params: ParetoNbdParams, x: number, tx: number, T: number): number {
	const { r, alpha, s, beta } = params;
	return Math.log(s) - Math.log(r + s + x) + logA0(params, x, tx, T) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T);
}

/** ln(e^a + e^b) without overflow. */
const logAddExp = (a: number, b: number) => (a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b)));

/** The log-likelihood of grouped data (times, α and β in the grouped scale). */
function groupedLogLikelihood(g: GroupedHistory, params: ParetoNbdParams, perX: Float64Array): number {
	const { r, alpha, s, beta } = params;
	// ln Γ(r+x) − ln Γ(r) for integer x is a sum of logs.
	let cum = 0;
	const base = r * Math.log(alpha) + s * Math.log(beta);
	for (let x = 0; x <= g.maxX; x++) {
		perX[x] = base + cum;
		cum += Math.log(r + x);
	}
	let ll = 0;
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const tx = g.times[g.txIndex[i]!]!;
		const T = g.times[g.TIndex[i]!]!;
		const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
		const droppedUnseen = Math.log(s) - Math.log(r + s + x) + logA0(params, x, tx, T);
		ll += g.weight[i]! * (perX[x]! + logAddExp(aliveAtT, droppedUnseen));
	}
	return ll;
}

/** The Pareto/NBD log-likelihood of a purchase history at these parameters (FHL's note, eq. 22, in logs). */
export function paretoNbdLogLikelihood(history: PurchaseHistory, params: ParetoNbdParams): number {
	const g = groupHistory(history);
	// Times were divided by `scale`: so are α and β (rates per unit), and each repeat purchase's density gains ln(scale).
	const scaled = { ...params, alpha: params.alpha / g.scale, beta: params.beta / g.scale };
	return groupedLogLikelihood(g, scaled, new Float64Array(g.maxX + 1)) - g.totalX * Math.log(g.scale);
}

/**
 * Fits the Pareto/NBD by maximum likelihood: BFGS on the logs of (r, α, s, β) with central-difference
 * gradients (the hypergeometric terms have no cheap closed-form derivative), each kept within
 * e^±LOG_BOUND of the start, with times rescaled so that the start (1, 1, 1, 1) suits any time unit.
 */
export function fitParetoNbd(history: PurchaseHistory): FitReport<ParetoNbdParams> {
	const t0 = performance.now();
	const g = groupHistory(history);
	if (g.customers === 0) throw new RangeError('No customers to fit');
	const perX = new Float64Array(g.maxX + 1);
	const toParams = (v: number[]): ParetoNbdParams => ({
		r: Math.exp(v[0]!),
		alpha: Math.exp(v[1]!),
		s: Math.exp(v[2]!),
		beta: Math.exp(v[3]!)
	});
	const negative = (v: number[]) => -groupedLogLikelihood(g, toParams(v), perX);
	const result = fitLogParameters((v) => valueAndNumericGradient(negative, v), negative, [0, 0, 0, 0], {
		bound: LOG_BOUND,
		gTolerance: 1e-7 * Math.max(1000, g.customers)
	});
	const fitted = toParams(result.x);
	return {
		params: { ...fitted, alpha: fitted.alpha * g.scale, beta: fitted.beta * g.scale },
		logLikelihood: -result.value - g.totalX * Math.log(g.scale),
		converged: result.converged,
		atBound: result.x.some((v) => Math.abs(v) > LOG_BOUND - AT_BOUND_MARGIN),
		iterations: result.iterations,
		evaluations: result.evaluations,
		customers: g.customers,
		ms: performance.now() - t0
	};
}

/** P(alive at T | x, t_x, T) (FHL's note, eq. 18). */
export function paretoProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
	return 1 / (1 + Math.exp(logDropOdds(params, x, tx, T)));
}

/**
 * (β+T)/(s−1) · [1 − ((β+T)/(β+T+t))^(s−1)], the expected remaining lifetime within the next t (per
 * unit of purchase rate), written so that s = 1 gives its limit (β+T)·ln((β+T+t)/(β+T)).
 */
function lifetimeWithin(s: number, betaT: number, t: number): number {
	const u = Math.log1p(t / betaT);
	const k = (s - 1) * u;
	return Math.abs(k) < 1e-12 ? betaT * u : (betaT * -Math.expm1(-k)) / (s - 1);
}

/** E[Y(t) | x, t_x, T]: expected purchases in the next `t` time units of a customer with this history (FHL's note, eq. 19). */
export function paretoExpectedPurchases(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha, s, beta } = params;
	return ((r + x) / (alpha + T)) * lifetimeWithin(s, beta + T, t) * paretoProbabilityAlive(params, x, tx, T);
}

/** E[X(t)]: expected purchases of a new customer in the first `t` time units after the first purchase (FHL's note, eq. 17). */
export function paretoExpectedPurchasesNew({ r, alpha, s, beta }: ParetoNbdParams, t: number): number {
	if (t <= 0) return 0;
	return (r / alpha) * lifetimeWithin(s, beta, t);
}
