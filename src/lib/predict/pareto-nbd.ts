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
 * where A₀ = (r+s+x)·∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ is written with Gauss's ₂F₁ — one
 * branch for α ≥ β, another for α < β, so the series argument stays in [0, 1).
 */
import { fitGrouped, groupedLogLikelihood, type FitReport, type ModelSpec } from './fit';
import { AT_BOUND_MARGIN } from './optimise';
import { groupHistory, type GroupedCustomers, type GroupedHistory, type PurchaseHistory } from './purchase-history';
import { logHyp2f1OneUp, logHyp2f1OneUpWithSlopes } from './hyp2f1';

export interface ParetoNbdParams {
	r: number;
	alpha: number;
	s: number;
	beta: number;
}

/**
 * ln ∫_{t1}^{t2} (a+τ)^−P (b+τ)^−Q dτ for P, Q > 0, P + Q > 1 and t2 ≤ ∞: the integral behind the
 * likelihood's "dropped out unseen" term and behind P(no order in the next t). With c = P+Q−1 and
 * m = max(a, b) it is [G(t1) − G(t2)] / c, G(t) = ₂F₁(c, q; c+1; |a−b|/(m+t)) / (m+t)^c, where q is Q
 * when a ≥ b and P otherwise (FHL's note, eq. 22's two branches); −∞ when the interval is empty.
 */
export function logPowerIntegral(a: number, P: number, b: number, Q: number, t1: number, t2: number): number {
	const c = P + Q - 1;
	const top = Math.max(a, b);
	const q = a >= b ? Q : P;
	const diff = Math.abs(a - b);
	const lower = endTerm(c, q, diff, top, t1);
	const upper = endTerm(c, q, diff, top, t2);
	if (!(upper < lower)) return -Infinity;
	return lower + Math.log(-Math.expm1(upper - lower)) - Math.log(c);
}

/** G(t) of `logPowerIntegral` in logs (a plain function: it runs for every customer and horizon). */
function endTerm(c: number, q: number, diff: number, top: number, t: number): number {
	return t === Infinity ? -Infinity : logHyp2f1OneUp(c, q, diff / (top + t)) - c * Math.log(top + t);
}

/**
 * ln of the odds that the customer dropped out unseen after their last purchase, against being alive
 * at T: the likelihood's second term, s·∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ, over its first,
 * (α+T)^−(r+x) (β+T)^−s.
 */
function logDropOdds({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number): number {
	return Math.log(s) + logPowerIntegral(alpha, r + x, beta, s + 1, tx, T) + (r + x) * Math.log(alpha + T) + s * Math.log(beta + T);
}

/** ln(e^a + e^b) without overflow. */
const logAddExp = (a: number, b: number) => (a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b)));

/** The log-likelihood of grouped data (times, α and β in the grouped scale). */
function groupedParetoLogLikelihood(g: GroupedHistory, params: ParetoNbdParams, perX: Float64Array): number {
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
		if (g.weight[i] === 0) continue;
		const x = g.x[i]!;
		const tx = g.times[g.txIndex[i]!]!;
		const T = g.times[g.TIndex[i]!]!;
		const aliveAtT = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
		const droppedUnseen = Math.log(s) + logPowerIntegral(alpha, r + x, beta, s + 1, tx, T);
		ll += g.weight[i]! * (perX[x]! + logAddExp(aliveAtT, droppedUnseen));
	}
	return ll;
}

/**
 * G(t) = ln[₂F₁(c, q; c+1; z)/(m+t)^c] of `logPowerIntegral` for the likelihood's integral
 * (P = r+x, Q = s+1), with its derivatives in (r, α, s, β), written to `out[at … at+4]`.
 */
function endTermWithSlopes(r: number, alpha: number, s: number, beta: number, x: number, t: number, out: Float64Array, at: number): void {
	const c = r + s + x;
	const alphaLarger = alpha >= beta;
	const m = (alphaLarger ? alpha : beta) + t;
	const f = logHyp2f1OneUpWithSlopes(c, alphaLarger ? s + 1 : r + x, Math.abs(alpha - beta) / m);
	const logM = Math.log(m);
	out[at] = f.value - c * logM;
	if (alphaLarger) {
		out[at + 1] = f.dc - logM;
		out[at + 2] = f.dz * ((beta + t) / (m * m)) - c / m;
		out[at + 3] = f.dc + f.dq - logM;
		out[at + 4] = -f.dz / m;
	} else {
		out[at + 1] = f.dc + f.dq - logM;
		out[at + 2] = -f.dz / m;
		out[at + 3] = f.dc - logM;
		out[at + 4] = f.dz * ((alpha + t) / (m * m)) - c / m;
	}
}

/**
 * The distinct (x, time) pairs the end terms are needed at: a store's groups share them heavily
 * (200,000 simulated customers: 146,000 end terms per evaluation, 12,900 distinct), so each is summed once.
 */
interface EndPairs {
	x: Int32Array;
	time: Float64Array;
	/** Per group: the pair of (x, t_x) and of (x, T). */
	lowerOf: Int32Array;
	upperOf: Int32Array;
	/** Five values per pair: G and its four derivatives. */
	terms: Float64Array;
}

function endPairs(g: GroupedHistory): EndPairs {
	const index = new Map<number, number>();
	const xs: number[] = [];
	const times: number[] = [];
	const nt = g.times.length;
	const pairOf = (x: number, k: number) => {
		const key = x * nt + k;
		let p = index.get(key);
		if (p === undefined) {
			p = xs.length;
			index.set(key, p);
			xs.push(x);
			times.push(g.times[k]!);
		}
		return p;
	};
	const lowerOf = new Int32Array(g.x.length);
	const upperOf = new Int32Array(g.x.length);
	for (let i = 0; i < g.x.length; i++) {
		lowerOf[i] = pairOf(g.x[i]!, g.txIndex[i]!);
		upperOf[i] = pairOf(g.x[i]!, g.TIndex[i]!);
	}
	return { x: Int32Array.from(xs), time: Float64Array.from(times), lowerOf, upperOf, terms: new Float64Array(xs.length * 5) };
}

/**
 * The pairs depend only on the groups, which a bootstrap's resamples share (`withGroupCounts` keeps
 * the arrays): found once per grouping, not once per refit. The terms are scratch, so each cached
 * entry serves one evaluation at a time (the fits run one after another in a worker).
 */
const endPairsCache = new WeakMap<Int32Array, EndPairs>();

function endPairsOf(g: GroupedHistory): EndPairs {
	let pairs = endPairsCache.get(g.x);
	if (!pairs || pairs.lowerOf.length !== g.x.length) {
		pairs = endPairs(g);
		endPairsCache.set(g.x, pairs);
	}
	return pairs;
}

/** Space one likelihood evaluation writes into, allocated once per prepared history. */
interface Scratch {
	perX: Float64Array;
	sumR: Float64Array;
	pairs: EndPairs;
	logAT: Float64Array;
	logBT: Float64Array;
}

/**
 * The log-likelihood and its gradient with respect to (ln r, ln α, ln s, ln β): per customer
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α + s ln β + logaddexp(A, D), with A = −(r+x) ln(α+T) − s ln(β+T)
 * and D = ln s + ln[(G(t_x) − G(T))/c] in the notation of `logPowerIntegral`.
 */
function groupedParetoValueAndGradient(g: GroupedHistory, params: ParetoNbdParams, scratch: Scratch) {
	const { r, alpha, s, beta } = params;
	const { perX, sumR, pairs, logAT: logATs, logBT: logBTs } = scratch;
	// Logs of α + T and β + T per distinct time, not per group: a store has far fewer of them.
	for (let k = 0; k < g.times.length; k++) {
		logATs[k] = Math.log(alpha + g.times[k]!);
		logBTs[k] = Math.log(beta + g.times[k]!);
	}
	const terms = pairs.terms;
	for (let p = 0; p < pairs.x.length; p++) endTermWithSlopes(r, alpha, s, beta, pairs.x[p]!, pairs.time[p]!, terms, 5 * p);
	const logAlpha = Math.log(alpha);
	const logBeta = Math.log(beta);
	const logS = Math.log(s);
	let cum = 0;
	let inv = 0;
	for (let x = 0; x <= g.maxX; x++) {
		perX[x] = r * logAlpha + s * logBeta + cum;
		sumR[x] = inv;
		cum += Math.log(r + x);
		inv += 1 / (r + x);
	}
	let ll = 0;
	let dr = 0;
	let dAlpha = 0;
	let ds = 0;
	let dBeta = 0;
	for (let i = 0; i < g.x.length; i++) {
		const w = g.weight[i]!;
		// A bootstrap resample leaves about a third of the groups undrawn: they add nothing.
		if (w === 0) continue;
		const x = g.x[i]!;
		const k = g.TIndex[i]!;
		const T = g.times[k]!;
		const rx = r + x;
		const logAT = logATs[k]!;
		const logBT = logBTs[k]!;
		const alive = -rx * logAT - s * logBT;
		// The front's derivatives (ln Γ(r+x) − ln Γ(r) + r ln α + s ln β), always.
		dr += w * (logAlpha + sumR[x]!);
		dAlpha += w * (r / alpha);
		ds += w * logBeta;
		dBeta += w * (s / beta);
		const lo = 5 * pairs.lowerOf[i]!;
		const hi = 5 * pairs.upperOf[i]!;
		let value = alive;
		let pAlive = 1;
		if (terms[hi]! < terms[lo]!) {
			const rho = Math.exp(terms[hi]! - terms[lo]!);
			const c = r + s + x;
			const dropped = logS + terms[lo]! + Math.log1p(-rho) - Math.log(c);
			value = logAddExp(alive, dropped);
			pAlive = Math.exp(alive - value);
			// ∂ ln(G_lo − G_hi in levels) = (∂L − ρ∂U)/(1−ρ); ∂c/∂r = ∂c/∂s = 1; ∂ln s/∂s = 1/s.
			const k = (1 - pAlive) / (1 - rho);
			dr += w * (k * (terms[lo + 1]! - rho * terms[hi + 1]!) - ((1 - pAlive) * 1) / c);
			dAlpha += w * k * (terms[lo + 2]! - rho * terms[hi + 2]!);
			ds += w * (k * (terms[lo + 3]! - rho * terms[hi + 3]!) + (1 - pAlive) * (1 / s - 1 / c));
			dBeta += w * k * (terms[lo + 4]! - rho * terms[hi + 4]!);
		}
		ll += w * (perX[x]! + value);
		dr -= w * pAlive * logAT;
		dAlpha -= (w * pAlive * rx) / (alpha + T);
		ds -= w * pAlive * logBT;
		dBeta -= (w * pAlive * s) / (beta + T);
	}
	return { ll, grad: [dr * r, dAlpha * alpha, ds * s, dBeta * beta] };
}

/** Pareto/NBD for the fitter: (r, α, s, β) with α and β rates per unit of time, and its closed-form gradient. */
export const PARETO_NBD: ModelSpec<ParetoNbdParams> = {
	names: ['r', 'alpha', 's', 'beta'],
	timeScaled: ['alpha', 'beta'],
	prepare(g) {
		const scratch: Scratch = {
			perX: new Float64Array(g.maxX + 1),
			sumR: new Float64Array(g.maxX + 1),
			pairs: endPairsOf(g),
			logAT: new Float64Array(g.times.length),
			logBT: new Float64Array(g.times.length)
		};
		return {
			logLikelihood: (p) => groupedParetoLogLikelihood(g, p, scratch.perX),
			valueAndGradient: (p) => groupedParetoValueAndGradient(g, p, scratch)
		};
	},
	limitAt: paretoLimitAt
};

/**
 * s → ∞ with s/β fixed is the Gamma distribution of dropout rates narrowing to one rate for everyone,
 * still a Pareto/NBD (the likelihood's limit exists, and at s = e^12 the predictions are that limit's to
 * about 1e-5). Stores whose customers drop out at much the same pace drive the fit there (the demo store's
 * calibration period does), so s alone on its upper bound is that limit, not a failed fit. Any other
 * parameter on a bound is.
 */
function paretoLimitAt(logParams: readonly number[], bound: number): string | null {
	const edge = bound - AT_BOUND_MARGIN;
	const sOnTop = logParams[2]! > edge;
	const othersInside = logParams.every((v, i) => i === 2 || Math.abs(v) <= edge);
	return sOnTop && othersInside
		? 'Customers barely differ in how soon they stop buying, so Pareto/NBD gives them all one dropout rate (the fit reached s → ∞ with s/β fixed).'
		: null;
}

/** The Pareto/NBD log-likelihood of a purchase history at these parameters (FHL's note, eq. 22, in logs). */
export function paretoNbdLogLikelihood(history: PurchaseHistory, params: ParetoNbdParams): number {
	return groupedLogLikelihood(PARETO_NBD, groupHistory(history), params);
}

/** Fits the Pareto/NBD by maximum likelihood (see `fitGrouped`); the ₂F₁ terms have no cheap closed-form gradient. */
export function fitParetoNbd(history: PurchaseHistory, start?: ParetoNbdParams): FitReport<ParetoNbdParams> {
	return fitGrouped(PARETO_NBD, groupHistory(history), start);
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

/**
 * `paretoExpectedPurchases` of every group of `groups.grouped` at each of `horizons`: out[m][group].
 * P(alive) needs two ₂F₁ terms per group, at (x, t_x) and (x, T), and groups share those pairs heavily
 * (93,000 groups, 12,900 pairs at 200,000 customers), so each pair's term is computed once, as the
 * likelihood does — the bootstrap predicts every group after every refit. P(alive) is a ratio of
 * likelihood terms, the same in the grouped history's scaled time.
 */
export function paretoExpectedPurchasesByGroup(
	params: ParetoNbdParams,
	horizons: readonly number[],
	groups: GroupedCustomers,
	out: readonly Float64Array[]
): void {
	const { r, s, beta } = params;
	const g = groups.grouped;
	const alpha = params.alpha / g.scale;
	const betaScaled = beta / g.scale;
	const pairs = endPairsOf(g);
	const top = Math.max(alpha, betaScaled);
	const diff = Math.abs(alpha - betaScaled);
	const ends = new Float64Array(pairs.x.length);
	for (let p = 0; p < ends.length; p++) {
		const x = pairs.x[p]!;
		ends[p] = endTerm(r + s + x, alpha >= betaScaled ? s + 1 : r + x, diff, top, pairs.time[p]!);
	}
	const logS = Math.log(s);
	for (let i = 0; i < g.x.length; i++) {
		const x = g.x[i]!;
		const lower = ends[pairs.lowerOf[i]!]!;
		const upper = ends[pairs.upperOf[i]!]!;
		let pAlive = 1;
		if (upper < lower) {
			const T = g.times[g.TIndex[i]!]!;
			const logIntegral = lower + Math.log(-Math.expm1(upper - lower)) - Math.log(r + s + x);
			pAlive = 1 / (1 + Math.exp(logS + logIntegral + (r + x) * Math.log(alpha + T) + s * Math.log(betaScaled + T)));
		}
		const T = groups.T[i]!;
		const perLifetime = ((r + x) / (params.alpha + T)) * pAlive;
		for (let m = 0; m < horizons.length; m++) {
			const t = horizons[m]!;
			out[m]![i] = t <= 0 ? 0 : perLifetime * lifetimeWithin(s, beta + T, t);
		}
	}
}

/** E[X(t)]: expected purchases of a new customer in the first `t` time units after the first purchase (FHL's note, eq. 17). */
export function paretoExpectedPurchasesNew({ r, alpha, s, beta }: ParetoNbdParams, t: number): number {
	if (t <= 0) return 0;
	return (r / alpha) * lifetimeWithin(s, beta, t);
}

/**
 * P(at least one order in the next `t` | x, t_x, T). Alive at T, the rates are λ ~ Gamma(r+x, α+T) and
 * μ ~ Gamma(s, β+T), independent, and no order in t has chance E[μ/(λ+μ)] + E[λ/(λ+μ)·e^−(λ+μ)t];
 * writing 1/(λ+μ) = ∫₀^∞ e^−u(λ+μ) du turns both into power integrals:
 *   r'·α'^r'·β'^s·∫_t^∞ (α'+v)^−(r'+1) (β'+v)^−s dv  +  s·α'^r'·β'^s·∫_0^∞ (α'+u)^−r' (β'+u)^−(s+1) du,
 * with r' = r+x, α' = α+T, β' = β+T (the two add up to 1 at t = 0).
 */
export function paretoProbabilityOfOrderWithin(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
	if (t <= 0) return 0;
	const { r, alpha, s, beta } = params;
	const rx = r + x;
	const front = rx * Math.log(alpha + T) + s * Math.log(beta + T);
	const silentLonger = Math.exp(Math.log(rx) + front + logPowerIntegral(alpha + T, rx + 1, beta + T, s, t, Infinity));
	const goneFirst = Math.exp(Math.log(s) + front + logPowerIntegral(alpha + T, rx, beta + T, s + 1, 0, Infinity));
	return paretoProbabilityAlive(params, x, tx, T) * Math.max(0, 1 - silentLonger - goneFirst);
}
