/**
 * The Gamma-Gamma model of spend (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value";
 * Fader, Hardie & Lee 2005, "RFM and CLV"): each transaction's value is Gamma(p, ν) with the
 * customer's ν ~ Gamma(q, γ). Fitted on customers with at least one repeat purchase, on the mean value
 * z̄ of their x repeat purchases.
 */
import { digamma, logGamma, logGammaRatio } from './special';
import { fitLogParameters, inverseHessianAt, LOG_BOUND } from './optimise';
import type { FitReport } from './fit';

export interface GammaGammaParams {
	p: number;
	q: number;
	gamma: number;
}

/** Repeat buyers only: x ≥ 1 repeat purchases with mean value z̄ > 0. */
export interface SpendHistory {
	x: ArrayLike<number>;
	meanSpend: ArrayLike<number>;
}

interface Prepared {
	scale: number;
	xs: Int32Array;
	xIndex: Int32Array;
	logX: Float64Array;
	x: Float64Array;
	z: Float64Array;
	logZ: Float64Array;
}

function prepare(history: SpendHistory): Prepared {
	const n = history.x.length;
	let sum = 0;
	for (let i = 0; i < n; i++) {
		const x = history.x[i]!;
		const z = history.meanSpend[i]!;
		if (!(x >= 1)) throw new RangeError(`Gamma-Gamma needs repeat buyers (customer ${i} has x = ${x})`);
		if (!(z > 0)) throw new RangeError(`Gamma-Gamma needs positive spend (customer ${i} has ${z})`);
		sum += z;
	}
	// Spend divided by its mean, so the start (1, 1, 1) suits any currency.
	const scale = n > 0 ? sum / n : 1;
	const distinct = new Map<number, number>();
	const xs: number[] = [];
	const xIndex = new Int32Array(n);
	const x = new Float64Array(n);
	const z = new Float64Array(n);
	const logZ = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		let k = distinct.get(history.x[i]!);
		if (k === undefined) {
			k = xs.length;
			distinct.set(history.x[i]!, k);
			xs.push(history.x[i]!);
		}
		xIndex[i] = k;
		x[i] = history.x[i]!;
		z[i] = history.meanSpend[i]! / scale;
		logZ[i] = Math.log(z[i]!);
	}
	return { scale, xs: Int32Array.from(xs), xIndex, logX: Float64Array.from(xs, Math.log), x, z, logZ };
}

function preparedLogLikelihood(d: Prepared, { p, q, gamma }: GammaGammaParams, perX: Float64Array): number {
	const base = q * Math.log(gamma) - logGamma(q);
	for (let k = 0; k < d.xs.length; k++) {
		const px = p * d.xs[k]!;
		perX[k] = logGammaRatio(px, q) + px * d.logX[k]! + base;
	}
	let ll = 0;
	for (let i = 0; i < d.x.length; i++) {
		const px = p * d.x[i]!;
		ll += perX[d.xIndex[i]!]! + (px - 1) * d.logZ[i]! - (px + q) * Math.log(gamma + d.x[i]! * d.z[i]!);
	}
	return ll;
}

/**
 * The log-likelihood and its gradient with respect to (ln p, ln q, ln γ): per customer
 * ∂/∂p = x(ψ(px+q) − ψ(px) + ln x + ln z̄ − ln(γ+xz̄)), ∂/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ+xz̄),
 * ∂/∂γ = q/γ − (px+q)/(γ+xz̄).
 */
function preparedValueAndGradient(
	d: Prepared,
	{ p, q, gamma }: GammaGammaParams,
	perX: Float64Array,
	dpX: Float64Array,
	dqX: Float64Array
) {
	const base = q * Math.log(gamma) - logGamma(q);
	const logGammaParam = Math.log(gamma);
	const psiQ = digamma(q);
	for (let k = 0; k < d.xs.length; k++) {
		const x = d.xs[k]!;
		const px = p * x;
		const psiPxQ = digamma(px + q);
		perX[k] = logGammaRatio(px, q) + px * d.logX[k]! + base;
		dpX[k] = x * (psiPxQ - digamma(px) + d.logX[k]!);
		dqX[k] = psiPxQ - psiQ + logGammaParam;
	}
	let ll = 0;
	let dp = 0;
	let dq = 0;
	let dGamma = 0;
	for (let i = 0; i < d.x.length; i++) {
		const x = d.x[i]!;
		const k = d.xIndex[i]!;
		const px = p * x;
		const total = gamma + x * d.z[i]!;
		const logTotal = Math.log(total);
		ll += perX[k]! + (px - 1) * d.logZ[i]! - (px + q) * logTotal;
		dp += dpX[k]! + x * (d.logZ[i]! - logTotal);
		dq += dqX[k]! - logTotal;
		dGamma += q / gamma - (px + q) / total;
	}
	return { ll, grad: [dp * p, dq * q, dGamma * gamma] };
}

/** The Gamma-Gamma log-likelihood of the mean repeat spends (the density of z̄, as in lifetimes and CLVTools). */
export function gammaGammaLogLikelihood(history: SpendHistory, params: GammaGammaParams): number {
	const d = prepare(history);
	const scaled = { ...params, gamma: params.gamma / d.scale };
	// Each z̄ was divided by `scale`: its density gains a factor 1/scale.
	return preparedLogLikelihood(d, scaled, new Float64Array(d.xs.length)) - d.x.length * Math.log(d.scale);
}

/**
 * Where a refit starts: a fit's parameters and, from `gammaGammaCurvature` there, BFGS's first inverse
 * Hessian (a bootstrap resample's refit then needs a few steps, not the twenty from (1, 1, 1)).
 */
export interface GammaGammaStart {
	params: GammaGammaParams;
	inverseHessian?: number[][];
}

/** The negative log-likelihood over (ln p, ln q, ln γ/scale), with its gradient. */
function objective(d: Prepared) {
	const perX = new Float64Array(d.xs.length);
	const dpX = new Float64Array(d.xs.length);
	const dqX = new Float64Array(d.xs.length);
	const toParams = (v: number[]): GammaGammaParams => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
	return {
		toParams,
		fg: (v: number[]) => {
			const { ll, grad } = preparedValueAndGradient(d, toParams(v), perX, dpX, dqX);
			return { f: -ll, g: grad.map((x) => -x) };
		},
		f: (v: number[]) => -preparedLogLikelihood(d, toParams(v), perX)
	};
}

/** `params` in the optimiser's coordinates for this history (γ is in units of its mean spend). */
const optimiserPoint = (d: Prepared, { p, q, gamma }: GammaGammaParams) => [Math.log(p), Math.log(q), Math.log(gamma / d.scale)];

/** The inverse Hessian at `params`, for refits that start there (null where the surface is not curved up). */
export function gammaGammaCurvature(history: SpendHistory, params: GammaGammaParams): number[][] | null {
	const d = prepare(history);
	return d.x.length === 0 ? null : inverseHessianAt(objective(d).fg, optimiserPoint(d, params));
}

/**
 * Fits p, q, γ by maximum likelihood (BFGS on their logs, the simplex when it stalls, within e^±12 of
 * 1 after spend is divided by its mean), from (1, 1, 1) or from `start`.
 */
export function fitGammaGamma(history: SpendHistory, start?: GammaGammaStart): FitReport<GammaGammaParams> {
	const t0 = performance.now();
	const d = prepare(history);
	if (d.x.length === 0) throw new RangeError('No repeat buyers to fit');
	const { toParams, fg, f } = objective(d);
	const from = start ? optimiserPoint(d, start.params) : [0, 0, 0];
	const result = fitLogParameters(fg, f, from, {
		bound: LOG_BOUND,
		gTolerance: 1e-7 * Math.max(1000, d.x.length),
		inverseHessian: start?.inverseHessian
	});
	const fitted = toParams(result.x);
	return {
		params: { ...fitted, gamma: fitted.gamma * d.scale },
		logLikelihood: -result.value - d.x.length * Math.log(d.scale),
		converged: result.converged,
		atBound: result.atBound,
		iterations: result.iterations,
		evaluations: result.evaluations,
		customers: d.x.length,
		ms: performance.now() - t0
	};
}

/**
 * E[M | x, z̄]: the expected value of this customer's future transactions, a weighted mean of the
 * population mean pγ/(q−1) and their own z̄ (Fader & Hardie 2013, eq. 5). Infinite when q ≤ 1 (the
 * population mean does not exist).
 */
export function expectedSpend({ p, q, gamma }: GammaGammaParams, x: number, meanSpend: number): number {
	if (q <= 1) return Infinity;
	if (x === 0) return (p * gamma) / (q - 1);
	return (p * (gamma + x * meanSpend)) / (p * x + q - 1);
}
